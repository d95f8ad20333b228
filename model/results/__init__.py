"""Solution -> tables: one DataFrame per concept (tables.py), the typed Summary (summary.py), the
Bottlenecks sheet, plans (plan.py) and the value of the stochastic solution (robust.py)."""
