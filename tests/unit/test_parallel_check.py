"""The forked worker path gives exactly the serial findings (and their dependencies)."""

import shutil
from pathlib import Path

from importsense import engine
from importsense.config import load_settings
from importsense.engine import Project, ProjectOptions

EXAMPLE = Path(__file__).parents[2] / "examples" / "backend"


def test_parallel_check_equals_serial(tmp_path, monkeypatch):
    root = tmp_path / "backend"
    shutil.copytree(EXAMPLE, root)
    serial = Project(load_settings(root), ProjectOptions(use_cache=False, workers=1)).check_paths().findings
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    project = Project(load_settings(root), ProjectOptions(use_cache=False, workers=2))
    assert project._check_in_parallel(project.files), "the forked path did not run"
    parallel = Project(load_settings(root), ProjectOptions(use_cache=False, workers=2)).check_paths().findings
    assert [f.to_json(root) for f in parallel] == [f.to_json(root) for f in serial]
    assert len(serial) == 12
