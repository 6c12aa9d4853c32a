"""cxzy: the 创先争优 党务公开栏 static-site generator with git-backed data."""

__version__ = "0.1.0"
