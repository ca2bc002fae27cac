"""Prefetching a module's imports: the line scan, resolution without parsing, and the same findings either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from importsense.project.incremental import IncrementalSummarizer
from importsense.project.prefetch import Prefetch, files_to_prefetch, imported_names
from importsense.project.worker import SummaryWorker

OPENED = '''\
"""An open module."""
from __future__ import annotations

import os, json as j
import pkg.sub.leaf
from pkg import helpers, Missing as M  # helpers is a module, Missing is not
from pkg.models import (
    Account,
    Ledger,
)
from . import sibling
from .sibling import thing; import re
from .. import nothing_above_the_top
from pkg.models import *


def later():
    from pkg.helpers import check_rate_limit
    import pkg.lazy as lazy
    return check_rate_limit, lazy

text = "import not_an_import"
'''

FILES = {
    "pyproject.toml": "",
    "pkg/__init__.py": "",
    "pkg/helpers.py": "def check_rate_limt():\n    pass\n",
    "pkg/models.py": "class Account:\n    pass\n",
    "pkg/lazy.py": "X = 1\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/leaf.py": "Y = 2\n",
    "pkg/opened.py": OPENED,
    "pkg/sibling.py": "thing = 1\n",
    "pkg/unrelated.py": "Z = 3\n",
}


def test_imported_names_reads_every_import_line_form():
    found = imported_names(OPENED)
    assert (0, "os", ()) in found and (0, "json", ()) in found
    assert (0, "pkg.sub.leaf", ()) in found
    assert (0, "pkg", ("helpers", "Missing")) in found
    assert (0, "pkg.models", ()) in found  # a parenthesised list: the first line's names only (none)
    assert (1, "", ("sibling",)) in found
    assert (1, "sibling", ("thing",)) in found
    assert (0, "re", ()) not in found  # after a semicolon: not at the start of a line; the check finds it
    assert (2, "", ("nothing_above_the_top",)) in found
    assert (0, "pkg.helpers", ("check_rate_limit",)) in found  # nested imports count too
    assert (0, "pkg.lazy", ()) in found
    assert all(name != "not_an_import" for _, name, _ in found)
    assert len(found) == len(set(found))


@pytest.mark.parametrize("text", ["", "from", "import", "from . import", "import ,,,", "from x import (",
                                  "import 1abc", "from ..a.b import c as", "\x00import os", "import os\\\n  .path"])
def test_imported_names_never_raises_on_half_typed_lines(text: str):
    for level, module, names in imported_names(text):
        assert level >= 0 and isinstance(module, str) and all(n.isidentifier() for n in names)


def test_files_to_prefetch_resolves_without_parsing_anything(projects):
    project = projects.make(FILES)
    opened = project.root / "pkg/opened.py"
    index = project.index
    files = files_to_prefetch(index, opened, OPENED)
    relative = {f.relative_to(project.root).as_posix() for f in files if project.root in f.parents}
    assert relative == {"pkg/__init__.py", "pkg/helpers.py", "pkg/models.py", "pkg/lazy.py", "pkg/sub/__init__.py",
                        "pkg/sub/leaf.py", "pkg/sibling.py"}
    assert opened not in files
    assert any(f.name == "os.py" for f in files)  # library modules are looked up too
    assert not index._entries  # nothing was parsed to find them


def test_files_to_prefetch_skips_open_buffers_and_files_with_a_summary(projects):
    project = projects.make(FILES)
    opened = project.root / "pkg/opened.py"
    index = project.index
    index.summary(project.root / "pkg/helpers.py")
    index.set_overlay(project.root / "pkg/models.py", "class Account:\n    pass\nclass Ledger:\n    pass\n")
    files = files_to_prefetch(index, opened, OPENED)
    assert project.root / "pkg/helpers.py" not in files
    assert project.root / "pkg/models.py" not in files
    assert project.root / "pkg/lazy.py" in files


def _findings(project, path: Path, text: str, prefetch_with: SummaryWorker | None, closed: bool = False):
    index = project.index
    prefetch = Prefetch.start(index, path, text, prefetch_with)
    summary = IncrementalSummarizer(str(path)).update(text)
    if prefetch is not None:
        prefetch.finish()
    index.set_overlay(path, text, summary)
    findings = project.check_file(path, summary=summary)
    return sorted((f.span.start_line, f.rule, f.message) for f in findings), prefetch


def test_a_check_after_a_prefetch_finds_what_a_check_without_it_finds(projects):
    worker = SummaryWorker.start()
    assert worker is not None
    try:
        plain = projects.make(FILES)
        expected, none = _findings(plain, plain.root / "pkg/opened.py", OPENED, None)
        assert none is None
        rules = {rule for _, rule, _ in expected}
        assert {"missing-name", "relative-import"} <= rules  # check_rate_limit, Missing, the relative imports

        helped = projects.make(FILES)
        got, prefetch = _findings(helped, helped.root / "pkg/opened.py", OPENED, worker)
        assert got == expected
        assert prefetch is not None and prefetch.from_worker + prefetch.here == len(prefetch.files) > 5
        assert prefetch.future.result(30)  # the worker answered the whole request
        # the lookups' summaries are stop-gaps: interface-only, so the indexer still parses those files fully
        helpers = helped.root / "pkg/helpers.py"
        assert helped.index.needs_summary(helpers)
    finally:
        worker.close()


def test_a_dead_worker_only_means_the_server_parses_everything_itself(projects):
    worker = SummaryWorker.start()
    assert worker is not None
    project = projects.make(FILES)
    opened = project.root / "pkg/opened.py"
    index = project.index
    files = files_to_prefetch(index, opened, OPENED)
    prefetch = Prefetch(index, files, worker)
    worker.close()  # whatever it had not sent is lost
    prefetch.finish()
    assert prefetch.from_worker + prefetch.here == len(files)
    assert all(index.has_lookup_summary(f) for f in files)
    assert Prefetch.start(index, opened, OPENED, worker) is None  # a closed worker is not asked
