"""Per-file pytest collection status: static (AST) estimates, real `--collect-only` runs, warm forks, root causes.

Modules, one job each:
  results      the plain dataclasses: FileStatus, CollectionError, CollectionResult, RootCause
  config       read_pytest_config: rootdir/inifile and the collection options, as pytest finds them
  discovery    discover_test_files: the files pytest would collect (testpaths, python_files, ignores)
  static       static_status / count_tests: counts from the AST
  plugin       the pytest plugin (standalone) that reports per-file events to a file
  worker       the standalone script run by the project's interpreter: one cold run, or a forking server
  events       the plugin's report -> per-file facts and CollectionErrors
  runner       collect(): a cold subprocess; run_collection(): attempts around hangs and crashes
  warm         WarmCollector: one warm process, a fresh fork per request
  incremental  affected_test_files / recollect: what to collect again after a change, and doing it
  roots        group_root_causes: failures grouped by the first-party line that fails
  report       render_text / to_json
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from importsense.collection.config import PytestConfig, read_pytest_config
from importsense.collection.discovery import discover_test_files
from importsense.collection.incremental import affected_test_files, recollect
from importsense.collection.report import render_text, summary_line, to_json
from importsense.collection.results import (
    CollectionError,
    CollectionResult,
    FileStatus,
    RootCause,
    merge_results,
)
from importsense.collection.roots import group_root_causes
from importsense.collection.runner import collect
from importsense.collection.static import ImportFailure, count_tests, static_status
from importsense.collection.warm import WarmCollector, WarmCollectorError

__all__ = [
    "CollectionError",
    "CollectionResult",
    "FileStatus",
    "PytestConfig",
    "RootCause",
    "WarmCollector",
    "WarmCollectorError",
    "affected_test_files",
    "collect",
    "count_tests",
    "discover_test_files",
    "group_root_causes",
    "merge_results",
    "read_pytest_config",
    "recollect",
    "render_text",
    "run_collect_command",
    "static_status",
    "summary_line",
    "to_json",
]


def run_collect_command(
    root: Path,
    paths: list[Path],
    *,
    python: str,
    static: bool,
    fmt: str,
    timeout: float,
    import_failures: Mapping[Path, ImportFailure] | None = None,
    out: TextIO | None = None,
) -> int:
    """`importsense collect`: collect (statically or with pytest), print text or JSON, return the exit code.

    Exit code 1 when any file fails to collect, else 0. `paths` (files or
    directories, relative to `root` or absolute) default to what pytest itself
    collects; `import_failures` are the core engine's findings for the static view.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown format {fmt!r}: expected 'text' or 'json'")
    stream = out if out is not None else sys.stdout
    root = Path(os.path.abspath(root))
    config = read_pytest_config(root)
    targets: Sequence[Path] | None = [Path(os.path.abspath(root / p)) for p in paths] if paths else None
    if static:
        files = discover_test_files(root, config, targets)
        result = CollectionResult(
            files=static_status(root, files, import_failures=import_failures, config=config), mode="static"
        )
    else:
        result = collect(root, python, targets, timeout=timeout, config=config)
    roots = group_root_causes(result, root, source_roots=[root, root / "src", *config.pythonpath])
    if fmt == "json":
        json.dump(to_json(result, root, roots), stream, indent=2)
        stream.write("\n")
    else:
        stream.write(render_text(result, root, roots))
    return 1 if result.errors else 0
