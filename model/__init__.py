"""Corridor allocation model: least-cost split of Kazakhstan's export cargo across trade corridors."""

# The one place the version is written: pyproject.toml reads it from here (tool.setuptools.dynamic).
# A literal rather than importlib.metadata, whose import every command would pay.
__version__ = "0.1.0"
