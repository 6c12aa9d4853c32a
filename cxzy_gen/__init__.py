"""cxzy: the 创先争优 党务公开栏 static-site generator with git-backed data."""

# The release: `cxzy --version`, the wheel's version (pyproject reads it from here), the tag `v<version>` that
# pre-commit's `rev:` names, and the pin `cxzy init` writes into a new data repository. CHANGELOG.md has its entry.
__version__ = "0.2.0"
