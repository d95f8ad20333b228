"""Reading and writing files: readers (raw files -> typed data) and writers (result workbook, analysis
workbooks, input workbooks and CSV folders, charts, what the console prints)."""
