"""unresolved-module: first-party errors, not-installed warnings, case mismatches, guarded imports."""

from importsense.model import ReplaceText, Severity

BASE = {
    "app/__init__.py": "",
    "app/ws/__init__.py": "",
    "app/ws/types.py": "class BatchMessage: ...\nclass Other: ...\n",
}


def test_moved_module_points_to_the_module_that_defines_the_names(projects):
    findings = projects.check({**BASE, "app/t.py": "from app.ws.batch_message_types import BatchMessage\n"})
    (finding,) = findings
    assert finding.rule == "unresolved-module" and finding.severity is Severity.ERROR
    assert "BatchMessage is defined in app.ws.types" in finding.suggestions
    intent = finding.intents[0]
    assert isinstance(intent, ReplaceText) and intent.new_text == "app.ws.types" and intent.preferred
    assert (finding.span.start_line, finding.span.start_column) == (1, 6)


def test_case_mismatch_is_named(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/schemas/__init__.py": "from app.schemas.user import UserSchema\n",
        "app/schemas/User.py": "class UserSchema: ...\n",
    })
    (finding,) = findings
    assert finding.rule == "unresolved-module"
    assert any("case mismatch" in s and "User.py" in s for s in finding.suggestions)
    assert finding.intents[0].new_text == "app.schemas.User"


def test_not_installed_third_party_is_a_warning(projects):
    (finding,) = projects.check({"a.py": "import definitely_not_installed_pkg_xyz\n"})
    assert finding.severity is Severity.WARNING
    assert "not installed" in finding.message


def test_guarded_imports_are_information_at_most(projects):
    findings = projects.check({
        "a.py": """
            try:
                import definitely_not_installed_pkg_xyz
            except ImportError:
                definitely_not_installed_pkg_xyz = None
            import sys
            if sys.version_info < (3, 0):
                import also_not_installed_abc
        """,
    })
    assert [f.severity for f in findings] == [Severity.INFORMATION, Severity.INFORMATION]


def test_type_checking_imports_are_checked(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.gone import X\n",
    })
    assert [(f.rule, f.severity) for f in findings] == [("unresolved-module", Severity.ERROR)]


def test_a_third_party_module_imported_only_for_type_checkers_is_information(projects):
    (finding,) = projects.check({
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import twisted_not_installed_xyz.trial\n",
    })
    assert finding.rule == "unresolved-module" and finding.severity is Severity.INFORMATION
    assert "type checkers" in finding.message


def test_stdlib_installed_and_namespace_packages_resolve(projects):
    assert projects.check({
        "a.py": "import os.path\nimport json\nimport pytest\nfrom collections import abc\nimport ns.mod\n",
        "ns/mod.py": "",
    }) == []


def test_submodule_missing_in_first_party_package(projects):
    (finding,) = projects.check({"pkg/__init__.py": "", "a.py": "import pkg.nothere\n"})
    assert finding.rule == "unresolved-module" and finding.severity is Severity.ERROR
    assert "'nothere' not found in pkg" in finding.message


def test_future_and_builtin_modules(projects):
    assert projects.check({"a.py": "from __future__ import annotations\nimport sys, builtins, _thread\n"}) == []


def test_editable_install_through_an_import_hook_is_found(projects, tmp_path):
    """A finder on sys.meta_path (like setuptools' editable finders) is only visible to find_spec."""
    import subprocess
    import sys
    import venv

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    real = tmp_path / "elsewhere" / "hooked_pkg"
    real.mkdir(parents=True)
    (real / "__init__.py").write_text("VALUE = 1\n")
    finder = (
        "import importlib.util, sys\n"
        "class F:\n"
        "    @classmethod\n"
        "    def find_spec(cls, name, path=None, target=None):\n"
        "        if name == 'hooked_pkg':\n"
        f"            return importlib.util.spec_from_file_location(name, {str(real / '__init__.py')!r},"
        f" submodule_search_locations=[{str(real)!r}])\n"
        "sys.meta_path.append(F)\n"
    )
    from pathlib import Path

    Path(site, "__editable___hooked_finder.py").write_text(finder)
    Path(site, "__editable___hooked.pth").write_text("import __editable___hooked_finder\n")
    project_files = {"a.py": "import hooked_pkg\nimport not_there_either_qq\n"}
    findings = projects.check(project_files, f'[tool.importsense]\npython = "{python}"\n')
    assert [f.message.split("'")[1] for f in findings] == ["not_there_either_qq"]
    assert sys.executable  # the hook lives only in the venv, not in this interpreter


def test_stubs_extensions_and_stub_packages_resolve(projects):
    findings = projects.check({
        "fast.cpython-311-x86_64-linux-gnu.so": "",
        "native.pyd": "",
        "typed_only.pyi": "def f() -> int: ...\n",
        "vendor-stubs/__init__.pyi": "",
        "pkg/__init__.py": "",
        "pkg/_speedups.so": "",
        "a.py": "import fast\nimport native\nimport typed_only\nfrom pkg import _speedups\nimport pkg._speedups\n",
    })
    assert findings == []


def test_a_sibling_import_that_works_when_the_file_runs_as_a_script_is_information(projects):
    """trio's test_multierror_scripts (`import _common` beside _common.py), moto's ANTLR parsers."""
    findings = projects.check({
        "scripts/__init__.py": "",
        "scripts/_common.py": "X = 1\n",
        "scripts/run_me.py": "import _common\n",
        "parsers/__init__.py": "",
        "parsers/ASLParser.py": "class ASLParser: ...\n",
        "parsers/listener.py": (
            'if "." in __name__:\n    from .ASLParser import ASLParser\n'
            "else:\n    from ASLParser import ASLParser\n"
        ),
        # pydantic/mypy.py: `import mypy.nodes` beside itself is not the mypy package
        "plugins/__init__.py": "",
        "plugins/mypy_xyz_plugin.py": "import mypy_xyz_plugin.nodes\nimport not_beside_xyz\n",
    })
    findings = [f for f in findings if f.rule == "unresolved-module"]  # listener.py line 2: relative-import
    by_file = {(f.path.name, f.span.start_line): f for f in findings}
    assert by_file[("run_me.py", 1)].severity is Severity.INFORMATION
    assert "runs as a script" in by_file[("run_me.py", 1)].message
    assert by_file[("listener.py", 4)].severity is Severity.INFORMATION
    assert by_file[("mypy_xyz_plugin.py", 1)].severity is Severity.WARNING  # itself, not a package
    assert by_file[("mypy_xyz_plugin.py", 2)].severity is Severity.WARNING
    assert len(findings) == 4


def test_imports_for_a_run_as_main_are_information(projects):
    (finding,) = projects.check({
        "bench.py": 'def main():\n    pass\n\nif __name__ == "__main__":\n    import pyperf_not_installed_xyz\n',
    })
    assert finding.severity is Severity.INFORMATION
