"""Installed size and package count of `pip install gongbao` and `gongbao[validate]`.

    python bench/install_size.py [WHEEL]

Builds the wheel from this checkout unless one is given, installs it into two fresh virtual
environments with uv (light; with the validate extra) and prints a Markdown table. Needs uv
and the package index (or uv's cache).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def measure(wheel: Path, extra: str, work: Path) -> tuple[int, int]:
    env = work / (extra or "light")
    uv = shutil.which("uv") or sys.exit("uv is needed: pip install uv")
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env)], check=True)
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    python = env / "bin" / "python"
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), target], check=True)
    listed = subprocess.run(
        [uv, "pip", "list", "--python", str(python), "--format", "freeze"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    (site,) = (env / "lib").glob("python3*/site-packages")
    return len(listed), _size(site)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if len(sys.argv) > 1:
            wheel = Path(sys.argv[1]).resolve()
        else:
            subprocess.run(
                [sys.executable, "-m", "build", "-q", "--wheel", "--outdir", str(work), str(REPO)],
                check=True,
            )
            (wheel,) = work.glob("gongbao-*.whl")
        print("| install | packages | size on disk |")
        print("|---|---|---|")
        for extra, label in (("", "`pip install gongbao`"), ("validate", "`gongbao[validate]`")):
            count, size = measure(wheel, extra, work)
            print(f"| {label} | {count} | {size / 2**20:.0f} MiB |")


if __name__ == "__main__":
    main()
