"""Atomic file replacement: write a temporary file beside the target, then rename it over the target."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def replace_file(path: Path, write: Callable[[BinaryIO], object], *, mode: int | None = None,
                 make_parent: bool = False) -> None:
    """Replace `path` with what `write` writes, in one rename; on any failure the target is untouched
    and the temporary file is removed (the error is raised)."""
    if make_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        if mode is not None:
            os.chmod(temp, mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
