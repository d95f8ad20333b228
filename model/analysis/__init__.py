"""Analyses built on the pipeline: sweeps, exact breakpoints, stress tests, explanations, scenario
comparisons, the independent check, synthetic cases."""
