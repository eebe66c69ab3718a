"""``python -m gongbao.docs [PATH] [--check]``: the old spelling of ``gongbao docs``, kept so
scripts and CI jobs written before the ``gongbao`` command keep working."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(["docs", *sys.argv[1:]]))
