"""``python -m gongbao.release PACKAGE_DIR OUT_DIR``, kept for old scripts: it runs
``gongbao release PACKAGE_DIR --out OUT_DIR`` (see :mod:`gongbao.publish`)."""

import sys

from .cli import main

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write("usage: python -m gongbao.release PACKAGE_DIR OUT_DIR\n")
        sys.exit(2)
    sys.exit(main(["release", sys.argv[1], "--out", sys.argv[2]]))
