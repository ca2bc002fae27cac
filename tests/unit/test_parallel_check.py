"""Summaries made by the process pool give exactly the findings of summaries made in this process."""

import shutil
from pathlib import Path

from importsense import engine
from importsense.config import load_settings
from importsense.engine import Project, ProjectOptions
from importsense.project import index as index_module

EXAMPLE = Path(__file__).parents[2] / "examples" / "backend"


def test_pool_summaries_give_the_serial_findings(tmp_path, monkeypatch):
    root = tmp_path / "backend"
    shutil.copytree(EXAMPLE, root)
    serial = Project(load_settings(root), ProjectOptions(use_cache=False, workers=1)).check_paths().findings

    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)

    real = index_module.summarize_bytes

    def not_here(path, data, **kwargs):
        assert root not in Path(path).parents, f"{path} was summarised in the parent, not by the pool"
        return real(path, data, **kwargs)  # the stdlib is summarised on demand, here

    monkeypatch.setattr(index_module, "summarize_bytes", not_here)  # the pool's workers use sources.summarize_bytes
    parallel = Project(load_settings(root), ProjectOptions(use_cache=False, workers=2)).check_paths().findings
    assert [f.to_json(root) for f in parallel] == [f.to_json(root) for f in serial]
    assert len(serial) == 12
