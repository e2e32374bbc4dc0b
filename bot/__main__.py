"""`python -m bot` is the same as the `iip` command."""

import sys

from bot.cli import main

sys.exit(main())
