import sys

from qualitybot.launch import main

sys.exit(main())
