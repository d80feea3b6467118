"""qualitybot: an automated quality gate for articles (see README.md and DESIGN.md)."""

import sys

from qualitybot import textstat_offline

__version__ = "0.1.0"

# textstat's dictionary loader downloads NLTK data; ours reads the shipped copy.
sys.modules.setdefault("textstat.backend.utils._get_cmudict", textstat_offline)
