"""setuptools' distutils shim: with `distutils-precedence.pth` installed, `distutils` is setuptools' copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from importsense.project.environment import Environment

MODULE = (
    "from distutils._functools import pass_none\n"
    "from distutils import py39compat\n"
    "import distutils._collections\n"
    "import distutils.nosuch\n"
    "\n"
    "print(pass_none, py39compat, distutils._collections)\n"
)


def make(projects, tmp_path: Path, shim: bool):
    stdlib = tmp_path / ("lib-shim" if shim else "lib")
    (stdlib / "distutils").mkdir(parents=True)
    (stdlib / "distutils" / "__init__.py").write_text("__version__ = '3.11'\n")
    (stdlib / "distutils" / "util.py").write_text("def strtobool(v):\n    return v\n")
    site = tmp_path / ("site-shim" if shim else "site")
    vendored = site / "setuptools" / "_distutils"
    vendored.mkdir(parents=True)
    (site / "setuptools" / "__init__.py").write_text("")
    (vendored / "__init__.py").write_text("")
    (vendored / "_functools.py").write_text("def pass_none(f):\n    return f\n")
    (vendored / "_collections.py").write_text("")
    (vendored / "py39compat.py").write_text("")
    if shim:
        (site / "distutils-precedence.pth").write_text("import os; enabled = os.environ.get("
                                                       "'SETUPTOOLS_USE_DISTUTILS', 'local') == 'local'\n")
    project = projects.make({"mod.py": MODULE})
    project.environment = Environment(python="python3", version=(3, 11, 7), sys_path=(stdlib, site),
                                      stdlib=frozenset({"distutils", "os"}), builtin=frozenset({"sys"}))
    return project


@pytest.mark.parametrize("shim", [True, False])
def test_distutils_resolves_where_the_interpreter_would_load_it(projects, tmp_path: Path, shim: bool):
    project = make(projects, tmp_path, shim)
    resolution = project.index.resolve_module("distutils")
    where = "setuptools/_distutils" if shim else "lib/distutils"
    assert resolution.path is not None and where in resolution.path.as_posix()
    findings = sorted((f.span.start_line, f.rule) for f in project.check_file(project.root / "mod.py"))
    if shim:  # the names setuptools' copy has are fine; a submodule neither copy has is still reported
        assert findings == [(4, "unresolved-module")]
    else:  # no shim: the stdlib copy is what runs, and it lacks all of them
        assert (1, "unresolved-module") in findings and (2, "missing-name") in findings
        assert (3, "unresolved-module") in findings and (4, "unresolved-module") in findings
