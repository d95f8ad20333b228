"""Corridor allocation model: least-cost split of Kazakhstan's export cargo across trade corridors."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corridor-model")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
