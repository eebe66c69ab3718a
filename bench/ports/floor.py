"""The read floor: pyarrow reads the big table as text and does nothing else.

    python bench/ports/floor.py PACKAGE_DIR [ARCHIVE_DIR]

What no validator of data/indicators.csv can beat on this machine: pyarrow.csv.read_csv with
every column a string (strings_can_be_null=False: an empty cell stays "", so not even the
null check is paid), then the row count is printed. ARCHIVE_DIR is accepted and ignored, so
that a harness calls it as it calls the ports.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        sys.stderr.write("usage: floor.py PACKAGE_DIR [ARCHIVE_DIR]\n")
        return 2
    path = Path(args[0]) / "data" / "indicators.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        names = next(csv.reader(handle))
    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in names}, strings_can_be_null=False
    )
    print(pcsv.read_csv(path, convert_options=convert).num_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
