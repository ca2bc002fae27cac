"""Configuration: project root, [tool.importsense] keys, editor overrides, interpreter discovery, source roots."""

import os
import sys
from pathlib import Path

import pytest

from importsense.config import ConfigError, find_project_root, load_settings
from importsense.model import Severity
from importsense.project.environment import find_interpreter
from importsense.project.roots import infer_roots, walk_python_files


def test_project_root_is_nearest_marker(tmp_path):
    (tmp_path / "setup.cfg").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_project_root(deep) == tmp_path
    (tmp_path / "a" / "pyproject.toml").write_text("")
    assert find_project_root(deep / "x.py") == tmp_path / "a"


def test_keys_and_editor_overrides(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importsense]\nroots = ["lib"]\nexclude = ["gen/**"]\nselect = ["missing-name", "relative-import"]\n'
        'severity = {"relative-import" = "info"}\nknown-first-party = ["corp"]\n')
    settings = load_settings(tmp_path)
    assert settings.roots == ((tmp_path / "lib").resolve(),)
    assert settings.exclude == ("gen/**",)
    assert settings.rule_enabled("missing-name") and not settings.rule_enabled("syntax-error")
    assert settings.severity["relative-import"] is Severity.INFORMATION
    assert settings.known_first_party == ("corp",)
    editor = load_settings(tmp_path, {"select": None, "ignore": ["missing-name"], "debounce": 0,
                                      "collection": "off", "unknownEditorKey": 1})
    assert editor.select == ("missing-name", "relative-import")  # not given by the editor: kept
    assert not editor.rule_enabled("missing-name")
    assert editor.debounce_ms == 0 and editor.collection == "off"
    with pytest.raises(ConfigError, match="collection"):
        load_settings(tmp_path, {"collection": "always"})


def test_interpreter_discovery_order(tmp_path, monkeypatch):
    def fake_venv(path: Path) -> str:
        (path / "bin").mkdir(parents=True)
        python = path / "bin" / "python"
        python.write_text("")
        return str(python)

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert find_interpreter(tmp_path) == sys.executable
    dot_venv = fake_venv(tmp_path / ".venv")
    assert find_interpreter(tmp_path) == dot_venv
    active = fake_venv(tmp_path / "active")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))
    assert find_interpreter(tmp_path) == active
    assert find_interpreter(tmp_path, configured="/usr/bin/python3") == "/usr/bin/python3"
    assert find_interpreter(tmp_path, explicit=str(tmp_path / ".venv"), configured="/x") == dot_venv


def test_inferred_source_roots(tmp_path):
    files = {
        "src/pkg/__init__.py": "",
        "lib/other/__init__.py": "",
        "extra/helpers.py": "",
        "tests/test_a.py": "",
        "tests/unit/__init__.py": "",
        "tests/unit/test_b.py": "",
        "pkgtests/__init__.py": "",
        "pkgtests/test_c.py": "",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools.packages.find]\nwhere = ["lib"]\n[tool.pytest.ini_options]\npythonpath = ["extra"]\n')
    settings = load_settings(tmp_path)
    roots = infer_roots(settings, walk_python_files(tmp_path).files)
    relative = {os.path.relpath(r, tmp_path) for r in roots}
    # tests/ holds test_a.py without __init__: pytest puts tests/ on sys.path; tests/unit is a package under it
    assert relative == {".", "src", "lib", "extra", "tests"}


def test_only_the_editor_can_trust_a_workspace(tmp_path):
    assert load_settings(tmp_path).trusted is False
    assert load_settings(tmp_path, {"trusted": True}).trusted is True
    (tmp_path / "pyproject.toml").write_text("[tool.importsense]\ntrusted = true\n")
    with pytest.raises(ConfigError, match="cannot trust itself"):
        load_settings(tmp_path)
