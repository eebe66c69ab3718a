"""Opening the files a package names: the one place any command opens a file it was pointed at.

A reference written in the package (a resource or schema path in the descriptor, a capture
name in ``sources.csv``) is followed only when it names a regular file under its root (the
package directory, or the archive directory for a capture): a relative path without ``..``,
without a hidden (dot-prefixed) component, with no symbolic link on the way, and not a FIFO,
a device or a directory. Whole-file reads are bounded by a size checked before the first
byte is read. Anything else raises :class:`Refused` and is never opened, so a hostile
package cannot make gongbao print /etc/passwd, hang on a FIFO, read /dev/zero until memory
runs out, or write through a link to a file outside the package.

The package reader, the CSV reader, the release zip and the source archive reader all open
files through :class:`PackageFile`; writers ask it for the path to replace
(:meth:`PackageFile.writable`).
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any, Literal

RefusalKind = Literal["missing", "unreadable", "unsafe"]

CAPTURE_LIMIT = 64 * 10**6
"""Largest capture read from the source archive, in bytes (an article is some kB)."""

_DRIVE = re.compile(r"^[A-Za-z]:")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a link swapped in after the check is not followed
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in does not block the open
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class Refused(Exception):
    """A file that may not be (or cannot be) opened, and why.

    kind is "missing" (not there), "unreadable" (there, but the system refuses to read it) or
    "unsafe" (not a regular file inside the root: gongbao will not open it).
    """

    def __init__(self, reason: str, kind: RefusalKind = "unsafe") -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind

    def about(self, subject: str) -> str:
        """The refusal as a sentence about subject (the reference as written)."""
        if self.kind == "unsafe":
            return f"{subject} {self.reason}"
        return f"cannot read {subject}: {self.reason}"


def reference_problem(ref: object, inside: str = "the package") -> str | None:
    """Why a reference may not be followed, as words that follow it ("'../x' climbs out of
    the package with '..'"), or None: it must be a plain relative POSIX path. inside names
    the root in the message."""
    if not isinstance(ref, str) or not ref:
        return "is empty"
    if _CONTROL.search(ref):
        return "contains a control character"
    if _DRIVE.match(ref):
        return "is absolute (a Windows drive)"
    if ref.startswith("//") or _URL.match(ref):
        return "is a URL"
    if ref.startswith("/"):
        return "is absolute"
    if "\\" in ref:
        return "contains a backslash (write / between folders)"
    if ref.startswith("~") or "$" in ref:
        return "refers to a home directory or variable"
    parts = ref.split("/")
    if ".." in parts:
        return f"climbs out of {inside} with '..'"
    hidden = next((part for part in parts if part.startswith(".") and part != "."), None)
    if hidden is not None:
        return f"has a hidden component {hidden!r}"
    if not [part for part in parts if part not in ("", ".")]:
        return "names no file"
    return None


def _kind_of(mode: int) -> str:
    for test, words in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return words
    return "not a regular file"


def size_words(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


class PackageFile(Traversable):
    """A file named by a reference under a root, opened only after it has been checked.

    root is a package directory (a Path), a zip or an installed package (any Traversable).
    limit bounds what :meth:`read_bytes` reads (None: no bound; streamed readers use
    :meth:`open`); inside names the root in messages.
    """

    def __init__(
        self, root: Traversable, ref: str, limit: int | None = None, inside: str = "the package"
    ) -> None:
        self.root, self.ref, self.limit, self.inside = root, ref, limit, inside

    def __repr__(self) -> str:
        return f"PackageFile({self.root!r}, {self.ref!r})"

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def parts(self) -> list[str]:
        """The reference's components ('.' and empty ones dropped)."""
        return [part for part in self.ref.split("/") if part not in ("", ".")]

    # -- checking --------------------------------------------------------------------------

    def _check_reference(self) -> None:
        if (reason := reference_problem(self.ref, self.inside)) is not None:
            raise Refused(reason)

    def _walk(self) -> tuple[Path, os.stat_result]:
        """The file's path and status in a directory root, refusing a symbolic link or a
        non-directory on the way and anything but a regular file at the end."""
        self._check_reference()
        assert isinstance(self.root, Path)
        current = self.root
        parts = self.parts
        for index, part in enumerate(parts):
            current = current / part
            shown = "/".join(parts[: index + 1])
            try:
                status = os.lstat(current)
            except (FileNotFoundError, NotADirectoryError):
                raise Refused("No such file or directory", "missing") from None
            except OSError as exc:
                raise Refused(exc.strerror or str(exc), "unreadable") from None
            last = index == len(parts) - 1
            if stat.S_ISLNK(status.st_mode):
                if last:
                    raise Refused("is a symbolic link")
                raise Refused(f"is inside {shown!r}, which is a symbolic link")
            if not last and not stat.S_ISDIR(status.st_mode):
                raise Refused("No such file or directory", "missing")
            if last and not stat.S_ISREG(status.st_mode):
                raise Refused(f"is {_kind_of(status.st_mode)}, not a regular file")
        return current, status

    def _node(self) -> Traversable:
        """The file in a zip or installed package; Refused unless it is a file."""
        self._check_reference()
        node = self.root
        for part in self.parts:
            node = node / part
        if not node.is_file():
            raise Refused("No such file or directory", "missing")
        return node

    def size(self) -> int | None:
        """The file's size in bytes, checked before anything is read (None when the root
        cannot tell); Refused when the file may not be opened."""
        if isinstance(self.root, Path):
            return self._walk()[1].st_size
        node = self._node()
        info = getattr(node, "root", None)
        at = getattr(node, "at", None)
        if info is not None and at is not None:  # a member of a zip
            return int(info.getinfo(at).file_size)
        return None

    def is_file(self) -> bool:
        """True when the file may be opened (a regular file inside the root)."""
        try:
            self.size()
        except Refused:
            return False
        return True

    def is_dir(self) -> bool:
        return False

    def iterdir(self) -> Iterator[Traversable]:
        raise NotADirectoryError(self.ref)

    def joinpath(self, *descendants: str | os.PathLike[str]) -> PackageFile:
        parts = [self.ref, *(os.fspath(d) for d in descendants)]
        return PackageFile(self.root, "/".join(parts), self.limit, self.inside)

    # -- reading ----------------------------------------------------------------------------

    def open_binary(self) -> IO[bytes]:
        """The file opened for reading; Refused when it may not be opened."""
        if not isinstance(self.root, Path):
            return self._node().open("rb")
        path, status = self._walk()
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as exc:
            raise Refused(exc.strerror or str(exc), "unreadable") from None
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (status.st_dev, status.st_ino) or not stat.S_ISREG(
            opened.st_mode
        ):
            os.close(fd)
            raise Refused("changed while it was being opened")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        if mode == "rb":
            return self.open_binary()
        if mode == "r":
            return io.TextIOWrapper(self.open_binary(), *args, **kwargs)
        raise ValueError(f"PackageFile opens files for reading only, not {mode!r}")

    def read_bytes(self) -> bytes:
        """The whole file; Refused when it is larger than limit (checked before reading)."""
        size = self.size()
        if self.limit is not None and size is not None and size > self.limit:
            raise Refused(self._too_large(size), "unreadable")
        with self.open_binary() as handle:
            data = handle.read() if self.limit is None else handle.read(self.limit + 1)
        if self.limit is not None and len(data) > self.limit:
            raise Refused(self._too_large(len(data)), "unreadable")
        return data

    def read_text(self, encoding: str | None = None) -> str:
        return self.read_bytes().decode(encoding or "utf-8")

    def _too_large(self, size: int) -> str:
        assert self.limit is not None
        return f"{size_words(size)} is more than the {size_words(self.limit)} gongbao reads here"

    # -- writing ----------------------------------------------------------------------------

    def writable(self) -> Path:
        """The path to replace when rewriting the file (it may not exist yet); Refused for a
        package that is not a directory, a symbolic link on the way or a file that is not a
        regular one."""
        if not isinstance(self.root, Path):
            raise Refused("is in a package that is not a directory; it cannot be rewritten")
        try:
            return self._walk()[0]
        except Refused as refused:
            if refused.kind != "missing":
                raise
        self._check_directories()
        return self.root.joinpath(*self.parts)

    def _check_directories(self) -> None:
        """For a file still to be created: no symbolic link among the folders that exist."""
        assert isinstance(self.root, Path)
        current = self.root
        for part in self.parts[:-1]:
            current = current / part
            try:
                status = os.lstat(current)
            except FileNotFoundError:
                return
            except OSError as exc:
                raise Refused(exc.strerror or str(exc), "unreadable") from None
            if stat.S_ISLNK(status.st_mode):
                raise Refused(f"is inside {part!r}, which is a symbolic link")


def read_confined(root: Traversable, ref: str, limit: int, inside: str) -> bytes:
    """The bytes of the file ref names under root (inside, in messages), at most limit of
    them; Refused otherwise."""
    return PackageFile(root, ref, limit, inside).read_bytes()
