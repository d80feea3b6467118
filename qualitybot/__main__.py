import sys

from qualitybot.cli import main

sys.exit(main())
