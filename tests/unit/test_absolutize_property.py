"""Property: for generated package trees, the absolute rewrite of a relative import names the same file."""

import ast
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsense.config import load_settings
from importsense.engine import Project, ProjectOptions
from importsense.fixes import apply_edits, build_fix
from importsense.model import AbsolutizeImport

names = st.sampled_from(["alpha", "beta", "gamma", "delta", "core", "util"])


@st.composite
def package_trees(draw):
    """A package tree (list of package paths) plus a module inside it and a relative import it makes."""
    depth = draw(st.integers(min_value=1, max_value=4))
    package = ["top"] + [draw(names) for _ in range(depth - 1)]
    target_up = draw(st.integers(min_value=1, max_value=depth))  # dots
    base = package[: len(package) - (target_up - 1)]
    extra = draw(st.lists(names, min_size=0, max_size=2))
    in_init = draw(st.booleans())
    alias = draw(st.booleans())
    return package, target_up, base + extra, extra, in_init, alias


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=package_trees())
def test_absolute_rewrite_resolves_to_the_same_file(tmp_path_factory, tree):
    package, level, target, extra, in_init, alias = tree
    root = tmp_path_factory.mktemp("prop")
    (root / "pyproject.toml").write_text("")
    for i in range(1, len(package) + 1):
        directory = root.joinpath(*package[:i])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "__init__.py").touch()
    for i in range(1, len(target) + 1):
        directory = root.joinpath(*target[:i])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "__init__.py").touch()
    target_file = root.joinpath(*target, "__init__.py")
    target_file.write_text("thing = 1\n")
    module_file = root.joinpath(*package, "__init__.py" if in_init else "mod.py")
    statement = f"from {'.' * level}{'.'.join(extra)} import thing{' as t' if alias else ''}  # note\n"
    module_file.write_text("import os\n" + statement)

    project = Project(load_settings(root), ProjectOptions(use_cache=False))
    findings = [f for f in project.check_file(module_file) if f.rule == "relative-import"]
    assert len(findings) == 1
    intent = findings[0].intents[0]
    assert isinstance(intent, AbsolutizeImport)
    fix = build_fix(intent, lambda p: Path(p).read_text())
    assert fix is not None
    new_text = apply_edits(module_file.read_text(), fix.edits)
    node = ast.parse(new_text).body[1]
    assert isinstance(node, ast.ImportFrom) and node.level == 0
    assert new_text.endswith("  # note\n") and ((" as t" in new_text) == alias)
    resolution = project.index.resolve_module(node.module)
    assert resolution.path == target_file
