"""The distribution's version, read by the build backend (``[tool.hatch.version]``).

A literal rather than ``importlib.metadata.version()``: importing importlib.metadata costs
``import topgun`` about 25 ms, and a source tree then reports the same version as an install.
"""

__all__ = []

__version__ = "0.1.0"
