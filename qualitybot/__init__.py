"""qualitybot: an automated quality gate for articles (see README.md and DESIGN.md)."""

__version__ = "0.1.0"
