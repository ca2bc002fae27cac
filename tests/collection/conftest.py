"""Fixture projects copied to a temp dir (so real pytest runs never write into the repository)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "collection"


def copy_project(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return target


def processes_in(directory: Path) -> list[int]:
    """Live processes whose working directory is `directory` or below it (Linux /proc)."""
    found = []
    real = os.path.realpath(directory)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and (cwd == real or cwd.startswith(real + os.sep)):
            found.append(int(entry))
    return found


@pytest.fixture(scope="session", autouse=True)
def _no_plugin_autoload():
    """The fixture projects need no third-party pytest plugins; loading them costs ~2 s per run here.

    Tests that want the installed plugins (as a user's run has them) remove the
    variable for their own run.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        yield


@pytest.fixture(scope="session")
def copy_fixture(tmp_path_factory):
    """copy_fixture(name) -> a fresh copy of tests/fixtures/collection/<name> in its own temp dir."""

    def make(name: str) -> Path:
        return copy_project(name, tmp_path_factory.mktemp(name))

    return make


@pytest.fixture(scope="session")
def live_processes():
    """live_processes(directory) -> pids of processes still running in `directory`."""
    return processes_in
