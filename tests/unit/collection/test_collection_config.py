"""read_pytest_config: the inifile and rootdir pytest picks, and the collection options it reads from it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from _pytest.config.findpaths import determine_setup
from importsense.collection.config import (
    DEFAULT_NORECURSEDIRS,
    DEFAULT_PYTHON_CLASSES,
    DEFAULT_PYTHON_FILES,
    DEFAULT_PYTHON_FUNCTIONS,
    read_pytest_config,
)


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def pytest_choice(project: Path) -> tuple[Path, Path | None]:
    """What pytest itself decides when run in `project` without arguments (its own findpaths code)."""
    rootdir, inipath, _, _ = determine_setup(
        inifile=None, override_ini=None, args=[], rootdir_cmd_arg=None, invocation_dir=project
    )
    return rootdir, inipath


LAYOUTS = {
    "pytest.ini wins over pyproject": {
        "proj/pytest.ini": "[pytest]\npython_files = a_*.py\n",
        "proj/pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['b_*.py']\n",
    },
    "empty pytest.ini still wins": {
        "proj/pytest.ini": "",
        "proj/tox.ini": "[pytest]\npython_files = t_*.py\n",
    },
    "pyproject before tox.ini and setup.cfg": {
        "proj/pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['p_*.py']\n",
        "proj/tox.ini": "[pytest]\npython_files = t_*.py\n",
        "proj/setup.cfg": "[tool:pytest]\npython_files = s_*.py\n",
    },
    "tox.ini without a pytest section is skipped": {
        "proj/tox.ini": "[tox]\nenvlist = py3\n",
        "proj/setup.cfg": "[tool:pytest]\npython_files = s_*.py\n",
    },
    "config found in a parent directory": {
        "pytest.ini": "[pytest]\npython_files = up_*.py\n",
        "proj/README": "",
    },
    "pyproject without a pytest table is only a rootdir marker": {
        "proj/pyproject.toml": "[project]\nname = 'x'\n",
    },
    "setup.py marks the rootdir when nothing else does": {
        "setup.py": "",
        "proj/README": "",
    },
    "pytest.toml comes first": {
        "proj/pytest.toml": "[pytest]\npython_files = ['toml_*.py']\n",
        "proj/pytest.ini": "[pytest]\npython_files = ini_*.py\n",
    },
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_rootdir_and_inifile_match_pytest(tmp_path, layout):
    base = tmp_path / "base"
    base.mkdir()
    write(base, LAYOUTS[layout])
    project = base / "proj"
    project.mkdir(exist_ok=True)
    config = read_pytest_config(project)
    expected_root, expected_ini = pytest_choice(project)
    assert (config.rootdir, config.inipath) == (expected_root, expected_ini)


def test_options_from_the_winning_file(tmp_path):
    write(tmp_path, {
        "pytest.ini": """
            [pytest]
            testpaths = tests integration
            python_files = check_*.py
                *_spec.py
            python_classes = Suite *Checks
            python_functions = check_ *_should_*
            norecursedirs = skipme .*
            pythonpath = src lib
            addopts = -q --ignore=tests/legacy --ignore-glob=*_wip.py --import-mode=importlib
        """,
        "pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['never_*.py']\n",
    })
    config = read_pytest_config(tmp_path)
    assert config.inipath == tmp_path / "pytest.ini"
    assert config.testpaths == ("tests", "integration")
    assert config.python_files == ("check_*.py", "*_spec.py")
    assert config.python_classes == ("Suite", "*Checks")
    assert config.python_functions == ("check_", "*_should_*")
    assert config.norecursedirs == ("skipme", ".*")
    assert config.pythonpath == (tmp_path / "src", tmp_path / "lib")
    assert config.ignore == (tmp_path / "tests" / "legacy",)
    assert config.ignore_glob == (str(tmp_path / "*_wip.py"),)
    assert config.import_mode == "importlib"


def test_defaults_when_nothing_is_configured(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    config = read_pytest_config(tmp_path)
    assert config.python_files == DEFAULT_PYTHON_FILES
    assert config.python_classes == DEFAULT_PYTHON_CLASSES
    assert config.python_functions == DEFAULT_PYTHON_FUNCTIONS
    assert config.norecursedirs == DEFAULT_NORECURSEDIRS
    assert config.testpaths == ()
    assert config.import_mode == "prepend"
    assert config.conftest_cutoff == tmp_path


def test_pyproject_ini_options_lists_and_native_toml_table(tmp_path):
    write(tmp_path, {
        "a/pyproject.toml": """
            [tool.pytest.ini_options]
            testpaths = ["spec"]
            python_functions = ["should_*"]
            pythonpath = ["src"]
        """,
        "b/pyproject.toml": """
            [tool.pytest]
            python_files = ["t_*.py"]
            collect_imported_tests = false
        """,
    })
    a = read_pytest_config(tmp_path / "a")
    assert (a.testpaths, a.python_functions, a.pythonpath) == (("spec",), ("should_*",), (tmp_path / "a" / "src",))
    b = read_pytest_config(tmp_path / "b")
    assert b.python_files == ("t_*.py",)
    assert b.collect_imported_tests is False


def test_setup_cfg_needs_the_tool_pytest_section(tmp_path):
    write(tmp_path, {"setup.cfg": "[tool:pytest]\npython_classes = Check\n"})
    assert read_pytest_config(tmp_path).python_classes == ("Check",)
    write(tmp_path, {"setup.cfg": "[metadata]\nname = x\n"})
    config = read_pytest_config(tmp_path)
    assert config.inipath is None or config.inipath.name != "setup.cfg"
    assert config.python_classes == DEFAULT_PYTHON_CLASSES


def test_broken_toml_is_a_problem_not_a_crash(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.pytest.ini_options\n", "pytest.ini": "[pytest]\n"})
    # pytest.ini comes first and is read; nothing breaks.
    assert read_pytest_config(tmp_path).inipath == tmp_path / "pytest.ini"
    (tmp_path / "pytest.ini").unlink()
    config = read_pytest_config(tmp_path)
    assert any("pyproject.toml" in problem for problem in config.problems)


def test_pytest_addopts_environment_is_read(tmp_path, monkeypatch):
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --ignore=a\n")
    monkeypatch.setenv("PYTEST_ADDOPTS", "--ignore b --noconftest")
    config = read_pytest_config(tmp_path)
    assert config.ignore == (tmp_path / "a", tmp_path / "b")
    assert config.noconftest is True


def test_to_json_is_relative(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\npythonpath = src\n")
    data = read_pytest_config(tmp_path).to_json(tmp_path)
    assert data["inifile"] == "pytest.ini"
    assert data["rootdir"] == "."
    assert data["pythonpath"] == ["src"]
