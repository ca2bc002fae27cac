"""The persistent summary cache: a second run re-reads only what changed, and stays correct."""

from pathlib import Path

from importsense.config import load_settings
from importsense.engine import Project, ProjectOptions
from importsense.project import index as index_module


def ring_package(tmp_path: Path, count: int, source) -> Path:
    """A project with package `pkg` of modules m0..m{count-1}; `source(i)` is module i's text."""
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "pkg/__init__.py").write_text("")
    for i in range(count):
        (root / f"pkg/m{i}.py").write_text(source(i))
    return root


def test_second_run_only_resummarises_changed_files(tmp_path, monkeypatch):
    root = ring_package(tmp_path, 20, lambda i: f"from pkg.m{(i + 1) % 20} import value{(i + 1) % 20}\nvalue{i} = {i}\n")
    cache = tmp_path / "cache"
    first = Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    assert first.findings == []

    parsed: list[str] = []
    real = index_module.summarize_bytes
    monkeypatch.setattr(index_module, "summarize_bytes",
                        lambda path, data, **kw: parsed.append(Path(path).name) or real(path, data, **kw))
    second = Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    assert second.findings == [] and parsed == []

    (root / "pkg/m3.py").write_text("from pkg.m4 import renamed\nvalue3 = 3\n")
    third = Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    assert parsed == ["m3.py"]
    assert [(f.path.name, f.rule) for f in third.findings] == [("m3.py", "missing-name")]


def test_touched_but_unchanged_file_is_not_reparsed(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / "a.py").write_text("import os\n")
    cache = tmp_path / "cache"
    Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    (root / "a.py").write_text("import os\n")  # new mtime, same content
    parsed: list[str] = []
    real = index_module.summarize_bytes
    monkeypatch.setattr(index_module, "summarize_bytes", lambda p, d, **kw: parsed.append(p.name) or real(p, d, **kw))
    Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    assert parsed == []


def test_corrupt_cache_is_ignored(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / "a.py").write_text("from .b import c\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    from importsense.project.cache import cache_file_for

    cache_file_for(root.resolve(), cache).write_bytes(b"not a marshal file")
    report = Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    assert [f.rule for f in report.findings] == ["invalid-relative-import"]


def test_cached_findings_follow_changes_in_the_files_they_depend_on(tmp_path):
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/utils.py").write_text("def enforce_rate_limit(): ...\n")
    (root / "pkg/user.py").write_text("from pkg.utils import check_rate_limit\n")
    (root / "pkg/other.py").write_text("import os\n")
    cache = tmp_path / "cache"

    def run():
        report = Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
        return [(f.path.name, f.rule) for f in report.findings]

    assert run() == [("user.py", "missing-name")]
    assert run() == [("user.py", "missing-name")]  # from the findings cache
    (root / "pkg/utils.py").write_text("def enforce_rate_limit(): ...\ndef check_rate_limit(): ...\n")
    assert run() == []
    (root / "pkg/utils.py").unlink()
    assert run() == [("user.py", "unresolved-module")]


def test_a_module_first_summarised_for_a_lookup_is_fully_summarised_before_its_own_check(tmp_path):
    """Lookups summarise a dependency without its attribute uses; checking that file must not use that stop-gap."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / "shapes.py").write_text("class Circle:\n    radius = 1\n")
    (root / "helpers.py").write_text("import shapes\n\nvalue = 1\nprint(shapes.Circle.diameter)\n")
    (root / "main.py").write_text("from helpers import value\n")
    cache = tmp_path / "cache"
    project = Project(load_settings(root), ProjectOptions(cache_dir=cache))
    helpers = (root / "helpers.py").resolve()

    assert project.check_file((root / "main.py").resolve()) == []
    assert project.index.summary(helpers).interface_only  # looked up only: no uses collected yet
    assert project.index.needs_summary(helpers)  # so the background indexer still summarises it fully

    findings = project.check_file(helpers)
    assert [(f.rule, f.span.start_line) for f in findings] == [("missing-attribute", 4)]
    assert not project.index.needs_summary(helpers)

    project.save()  # the disk cache holds only complete summaries
    again = Project(load_settings(root), ProjectOptions(cache_dir=cache))
    assert not again.index.summary(helpers).interface_only
    assert [f.rule for f in again.check_file(helpers)] == ["missing-attribute"]


def test_an_unchanged_project_is_answered_from_the_cache_header(tmp_path, monkeypatch):
    """After a complete run, nothing changed: the findings come back without reading any file's entry."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / "a.py").write_text("import os\nfrom b import missing\n")
    (root / "b.py").write_text("value = 1\n")
    cache = tmp_path / "cache"
    first = Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths()
    assert [f.rule for f in first.findings] == ["missing-name"]

    second_project = Project(load_settings(root), ProjectOptions(cache_dir=cache))
    fresh = second_project.findings_cache.load()
    assert second_project.findings_cache._body_offset is not None  # the fast path: entries left unread
    assert sorted(p.name for p in fresh) == ["a.py", "b.py"]
    assert [f.rule for f in Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths().findings] \
        == ["missing-name"]

    (root / "b.py").write_text("value = 1\nmissing = 2\n")  # the import in a.py now resolves
    third = Project(load_settings(root), ProjectOptions(cache_dir=cache))
    assert third.check_paths().findings == []
    assert third.findings_cache._body_offset is None  # a change: the slow, per-file validation ran
    assert Project(load_settings(root), ProjectOptions(cache_dir=cache)).check_paths().findings == []


def test_only_the_most_recently_used_indexed_summaries_stay_decoded(tmp_path, monkeypatch):
    """Indexed summaries arrive marshalled; a pass over every module keeps at most DECODED_LIMIT of them
    decoded, and one decoded again is equal to what it was."""
    from importsense.project.sources import summarize_paths

    monkeypatch.setattr(index_module, "DECODED_LIMIT", 3)
    root = ring_package(tmp_path, 8, lambda i: f"import os\n\nclass C{i}:\n    def __init__(self):\n        self.x = os.sep\n")
    project = Project(load_settings(root), ProjectOptions(use_cache=False))
    index = project.index
    assert not index.bounded_decoding  # a CLI run keeps what it decoded
    index.bounded_decoding = True  # the language server's projects (ProjectOptions(long_lived=True))
    index.adopt_entries(dict(summarize_paths([str(p) for p in project.files])))  # as the indexer does

    def decoded() -> set[str]:
        return {path.name for path, entry in index._entries.items() if entry._summary is not None}

    assert decoded() == set()
    first = {path.name: index.full_summary(path) for path in sorted(project.files, key=str)}
    assert len(decoded()) == 3 and decoded() <= set(first)
    again = {path.name: index.full_summary(path) for path in sorted(project.files, key=str)}
    assert again == first  # decoded again from the marshalled form: equal, though not the same objects
    assert any(again[name] is not first[name] for name in first)
    assert project.check_paths().findings == []
    # the indexer replaces an entry (the file changed): the new one is the one tracked, the old one let go
    changed = sorted(project.files, key=str)[-1]
    old_entry = index._entries[changed]
    index.adopt_entries(dict(summarize_paths([str(changed)])))
    index.full_summary(changed)
    assert index._decoded[changed] is index._entries[changed] is not old_entry
    assert len(index._decoded) == 3


def test_an_unchanged_project_is_answered_without_building_the_module_index(tmp_path):
    root = ring_package(tmp_path, 5, lambda i: f"from pkg.m{(i + 1) % 5} import value{(i + 1) % 5}\nvalue{i} = {i}\n")
    (root / "pkg/m0.py").write_text("from pkg.gone import x\nvalue0 = 0\n")
    cache = tmp_path / "cache"
    cold = Project(load_settings(root), ProjectOptions(cache_dir=cache))
    first = cold.check_paths()
    warm = Project(load_settings(root), ProjectOptions(cache_dir=cache))
    second = warm.check_paths()
    assert [(f.path.name, f.rule) for f in second.findings] == [(f.path.name, f.rule) for f in first.findings] \
        == [("m0.py", "unresolved-module")]
    assert warm._index is None  # the cache header answered: no paths sorted, no roots inferred
    assert warm.index.module_name_for(root / "pkg/m1.py") == "pkg.m1"  # built when asked for
