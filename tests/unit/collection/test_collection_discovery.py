"""discover_test_files: testpaths, python_files, norecursedirs, virtualenvs, collect_ignore and explicit paths."""

from __future__ import annotations

import textwrap
from pathlib import Path

from importsense.collection.config import read_pytest_config
from importsense.collection.discovery import (
    discover_test_files,
    fnmatch_ex,
    is_test_file,
)


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def found(root: Path, paths=None) -> list[str]:
    return [p.relative_to(root).as_posix() for p in discover_test_files(root, read_pytest_config(root), paths)]


def test_default_patterns_order_and_ignored_directories(tmp_path):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "tests/test_b.py": "",
        "tests/a_test.py": "",
        "tests/helpers.py": "",
        "tests/conftest.py": "",
        "tests/sub/test_c.py": "",
        "tests/__pycache__/test_cached.py": "",
        "tests/.hidden/test_hidden.py": "",
        "build/test_built.py": "",
        "node_modules/test_js.py": "",
        "env/pyvenv.cfg": "home = /usr\n",
        "env/lib/test_in_venv.py": "",
        "conda/conda-meta/history": "",
        "conda/test_in_conda.py": "",
        "test_top.txt": "",
    })
    assert found(tmp_path) == ["tests/a_test.py", "tests/sub/test_c.py", "tests/test_b.py"]


def test_testpaths_with_globs_and_norecursedirs(tmp_path):
    write(tmp_path, {
        "pytest.ini": "[pytest]\ntestpaths = pkg_* docs\nnorecursedirs = slow\n",
        "pkg_a/test_a.py": "",
        "pkg_b/test_b.py": "",
        "pkg_b/slow/test_slow.py": "",
        "other/test_other.py": "",
    })
    assert found(tmp_path) == ["pkg_a/test_a.py", "pkg_b/test_b.py"]


def test_testpaths_that_match_nothing_fall_back_to_the_root(tmp_path):
    write(tmp_path, {"pytest.ini": "[pytest]\ntestpaths = nowhere\n", "x/test_x.py": ""})
    assert found(tmp_path) == ["x/test_x.py"]


def test_custom_python_files_with_a_path_pattern(tmp_path):
    write(tmp_path, {
        "pytest.ini": "[pytest]\npython_files = check_*.py tests/*/spec_*.py\n",
        "check_top.py": "",
        "tests/unit/spec_one.py": "",
        "spec_not_under_tests.py": "",
        "test_default_name.py": "",
    })
    assert found(tmp_path) == ["check_top.py", "tests/unit/spec_one.py"]


def test_collect_ignore_from_the_nearest_conftest(tmp_path):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "conftest.py": 'collect_ignore = ["tests/test_legacy.py"]\ncollect_ignore_glob = ["*_wip.py"]\n',
        "tests/test_legacy.py": "",
        "tests/test_new.py": "",
        "tests/test_feature_wip.py": "",
        "tests/fixtures/conftest.py": 'collect_ignore_glob = ["*"]\n',
        "tests/fixtures/proj/test_data.py": "",
        "tests/more/conftest.py": 'collect_ignore = []\ncollect_ignore.append("test_skip.py")\n',
        "tests/more/test_skip.py": "",
        "tests/more/test_keep.py": "",
    })
    assert found(tmp_path) == ["tests/more/test_keep.py", "tests/test_new.py"]


def test_addopts_ignore_and_noconftest(tmp_path):
    write(tmp_path, {
        "pytest.ini": "[pytest]\naddopts = --ignore=tests/old --ignore-glob=*/gen_*\n",
        "tests/old/test_old.py": "",
        "tests/test_new.py": "",
        "tests/gen_x/test_gen.py": "",
    })
    assert found(tmp_path) == ["tests/test_new.py"]


def test_explicit_paths_are_taken_as_given(tmp_path):
    write(tmp_path, {
        "pytest.ini": "[pytest]\nnorecursedirs = skip\n",
        "skip/test_inside.py": "",
        "skip/helper_check.py": "",
        "other/test_other.py": "",
    })
    # An explicit directory is walked even when norecursedirs names it; an explicit file needs no pattern.
    assert found(tmp_path, [Path("skip")]) == ["skip/test_inside.py"]
    assert found(tmp_path, [Path("skip/helper_check.py"), Path("other")]) == ["skip/helper_check.py", "other/test_other.py"]
    assert found(tmp_path, [Path("missing.py")]) == []


def test_symlink_loops_are_walked_once(tmp_path):
    write(tmp_path, {"pytest.ini": "[pytest]\n", "tests/test_a.py": ""})
    (tmp_path / "tests" / "loop").symlink_to(tmp_path / "tests", target_is_directory=True)
    assert found(tmp_path) == ["tests/test_a.py"]


def test_fnmatch_ex_uses_basename_unless_the_pattern_has_a_separator():
    assert fnmatch_ex("test_*.py", "/a/b/test_x.py")
    assert not fnmatch_ex("b/test_*.py", "/a/c/test_x.py")
    assert fnmatch_ex("b/test_*.py", "/a/b/test_x.py")
    assert fnmatch_ex(".*", "/a/.git")


def test_is_test_file_needs_py_suffix(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\npython_files = test_*\n")
    config = read_pytest_config(tmp_path)
    assert is_test_file(tmp_path / "test_a.py", config)
    assert not is_test_file(tmp_path / "test_a.txt", config)
