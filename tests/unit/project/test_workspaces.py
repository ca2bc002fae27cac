"""src layouts, namespace packages split across roots and monorepos: the layouts peers get wrong."""

from pathlib import Path

import pytest

from importsense.config import load_settings
from importsense.engine import Project, ProjectOptions

WORKSPACES = Path(__file__).parents[2] / "fixtures" / "workspaces"


def findings_of(name: str) -> list[tuple[str, int, str, str]]:
    root = WORKSPACES / name
    project = Project(load_settings(root), ProjectOptions(use_cache=False))
    return sorted(
        (f.path.relative_to(root).as_posix(), f.span.start_line, f.rule, f.message)
        for f in project.check_paths().findings
    )


def test_src_layout():
    found = [(p, line, rule) for p, line, rule, _ in findings_of("src_layout")]
    assert found == [
        ("tests/test_engine.py", 2, "missing-name"),
        ("tests/test_engine.py", 7, "missing-attribute"),
    ]


def test_namespace_package_split_across_roots():
    found = findings_of("namespace_split")
    assert [(p, line, rule) for p, line, rule, _ in found] == [
        ("part_a/corp/alpha/__init__.py", 1, "missing-name"),
        ("part_a/corp/alpha/__init__.py", 2, "unresolved-module"),
    ]
    assert "Gamma" in found[0][3]


def test_monorepo_with_several_roots():
    found = [(p, line, rule) for p, line, rule, _ in findings_of("monorepo")]
    assert found == [
        ("services/api/src/api/app.py", 1, "missing-name"),
        ("services/api/src/api/app.py", 2, "relative-import"),
    ]


@pytest.mark.parametrize("name", ["src_layout", "namespace_split", "monorepo"])
def test_module_names_follow_the_deepest_root(name):
    root = WORKSPACES / name
    project = Project(load_settings(root), ProjectOptions(use_cache=False))
    names = {project.index.module_name_for(p) for p in project.files}
    assert None not in names
    assert not any(n.startswith(("src.", "part_a.", "services.", "libs.")) for n in names)
