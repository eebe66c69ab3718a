"""``python -m gongbao``: the ``gongbao`` command."""

import sys

from .cli import main

sys.exit(main())
