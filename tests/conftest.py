"""Shared fixtures: build a project on disk from a dict of files and check it with the real engine."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from importsense.config import load_settings
from importsense.engine import Project, ProjectOptions
from importsense.model import Finding


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


class ProjectFactory:
    """make(files) -> Project; findings(files) -> list of (relative path, line, rule)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.count = 0

    def make(self, files: dict[str, str], pyproject: str = "", overrides: dict | None = None) -> Project:
        self.count += 1
        root = self.tmp_path / f"proj{self.count}"
        root.mkdir()
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        write_tree(root, files)
        settings = load_settings(root, overrides)
        return Project(settings, ProjectOptions(use_cache=False))

    def check(self, files: dict[str, str], pyproject: str = "", overrides: dict | None = None) -> list[Finding]:
        project = self.make(files, pyproject, overrides)
        return project.check_paths().findings

    def rules(self, files: dict[str, str], pyproject: str = "", min_severity: str = "hint",
              overrides: dict | None = None) -> list[tuple[str, int, str]]:
        """(path, line, rule) of every finding, paths relative to the project root."""
        project = self.make(files, pyproject, overrides)
        findings = project.check_paths().findings
        return sorted(
            (f.path.relative_to(project.root).as_posix(), f.span.start_line, f.rule)
            for f in findings
        )


@pytest.fixture
def projects(tmp_path: Path) -> ProjectFactory:
    return ProjectFactory(tmp_path)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch) -> None:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("IMPORTSENSE_CACHE_DIR", str(cache))
    monkeypatch.setenv("IMPORTSENSE_CODE_CACHE", str(cache / "startup-code.marshal"))
