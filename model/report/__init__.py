"""The top layer: everything a planner reads. The result workbook (workbook, cells, notes), the analyses'
workbooks (books) and charts (charts), the map and report page (maps), what the console prints (console),
input workbooks and templates (input_workbook), result workbooks read back (read_results), and the one
guard every written file passes through (output, locks)."""
