"""Uncertainty: the draws of the Uncertainty sheet solved, what drives each quantity's spread, and
where the focus switches."""
