"""relative-import and invalid-relative-import: loud and quiet cases."""

from importsense.model import AbsolutizeImport, Severity


def test_relative_import_in_package_is_a_warning_with_absolute_fix(projects):
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": "from ..core import thing as t  # keep\nfrom . import sibling\n",
        "pkg/core.py": "thing = 1\n",
        "pkg/sub/sibling.py": "",
    })
    relative = [f for f in findings if f.rule == "relative-import"]
    assert [f.span.start_line for f in relative] == [1, 2]
    assert all(f.severity is Severity.WARNING for f in relative)
    intents = [f.intents[0] for f in relative]
    assert all(isinstance(i, AbsolutizeImport) and i.preferred for i in intents)
    assert [i.absolute_module for i in intents] == ["pkg.core", "pkg.sub"]
    assert not [f for f in findings if f.rule != "relative-import"]


def test_init_file_relative_import_resolves_against_its_own_package(projects):
    findings = projects.check({"pkg/__init__.py": "from .a import x\n", "pkg/a.py": "x = 1\n"})
    assert [(f.rule, f.intents[0].absolute_module) for f in findings] == [("relative-import", "pkg.a")]


def test_climbing_above_the_top_package_is_an_error(projects):
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/mod.py": "from ..other import x\n",
    })
    assert [(f.rule, f.severity) for f in findings] == [("invalid-relative-import", Severity.ERROR)]
    assert "climbs above" in findings[0].message


def test_relative_import_in_a_top_level_module_is_invalid(projects):
    # tests/ has no __init__.py: pytest imports test_a as a top-level module
    findings = projects.check({"tests/test_a.py": "from .helpers import h\n", "tests/helpers.py": "h = 1\n"})
    assert [f.rule for f in findings] == ["invalid-relative-import"]


def test_absolute_imports_are_quiet(projects):
    assert projects.check({"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": ""}) == []


def test_rule_can_be_ignored_from_pyproject(projects):
    pyproject = '[tool.importsense]\nignore = ["relative-import"]\n'
    files = {"pkg/__init__.py": "", "pkg/a.py": "from .b import c\n", "pkg/b.py": "c = 1\n"}
    assert projects.check(files, pyproject) == []
