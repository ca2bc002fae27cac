"""Atomic replacement: the target is either the old file or the new one, and no temporary file is left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from importsense.atomic import replace_file


def test_replaces_the_content_and_keeps_the_mode_when_asked(tmp_path: Path):
    target = tmp_path / "module.py"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    replace_file(target, lambda handle: handle.write(b"new\r\n"), mode=target.stat().st_mode)
    assert target.read_bytes() == b"new\r\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    target = tmp_path / "module.py"
    target.write_text("old\n")

    def write(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        replace_file(target, write)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]


def test_the_parent_is_created_only_when_asked(tmp_path: Path):
    target = tmp_path / "a" / "b" / "cache.bin"
    with pytest.raises(FileNotFoundError):
        replace_file(target, lambda handle: handle.write(b"x"))
    replace_file(target, lambda handle: handle.write(b"x"), make_parent=True)
    assert target.read_bytes() == b"x"
