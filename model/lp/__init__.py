"""The linear program: its row and column families declared once (families/), assembled as
arrays for HiGHS (assemble.py), stated in Pyomo (statement/, the readable algebra, tested
identical), solved by HiGHS (highs.py), and kept live for re-solves (live.py)."""
