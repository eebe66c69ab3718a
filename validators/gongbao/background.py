"""Slow imports started on another thread.

Importing pandas and pandera takes a second or more; reading and checking files with pyarrow
needs neither, and its kernels release the GIL. Started first, the import overlaps that work.
"""

from __future__ import annotations

import contextlib
import importlib
import threading


def start_import(module: str) -> threading.Thread:
    """Import module on a daemon thread; join the thread before the module is used.

    Errors are not lost: the caller's own import of the module meets them again.
    """

    def run() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    thread = threading.Thread(target=run, name=f"import {module}", daemon=True)
    thread.start()
    return thread
