"""The exit statuses of every qualitybot command, defined once (README, "Checking articles")."""

EXIT_PASS = 0  # every document passed (or: the command did what was asked)
EXIT_FAIL = 1  # a document failed: it has an error-severity finding
EXIT_USAGE = 2  # usage, input or configuration error: the message says what to fix
EXIT_INTERNAL = 3  # a bug in qualitybot, or the platform could not be reached
