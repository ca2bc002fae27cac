"""Static counting by pytest's rules: names, classes, parametrize, fixtures, unittest, and what stops an import."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from importsense.collection.config import PytestConfig
from importsense.collection.static import (
    count_tests,
    matches_prefix_or_glob,
    static_status,
)

CONFIG = PytestConfig(rootdir=Path("/p"), invocation_dir=Path("/p"))


def count(source: str, config: PytestConfig = CONFIG):
    return count_tests(textwrap.dedent(source), Path("/p/test_x.py"), config)


@pytest.mark.parametrize(
    "name, options, expected",
    [
        ("test_a", ("test",), True),
        ("testing", ("test",), True),  # a prefix, not a word
        ("a_test", ("test",), False),
        ("it_should_work", ("*_should_*",), True),
        ("should", ("*_should_*",), False),
        ("check_x", ("check_", "*_spec"), True),
        ("login_spec", ("check_", "*_spec"), True),
        ("Suite1", ("Suite[0-9]",), True),
    ],
)
def test_prefix_or_glob(name, options, expected):
    assert matches_prefix_or_glob(name, options) is expected


def test_functions_fixtures_and_redefinitions():
    result = count("""
        import pytest

        def test_a(): pass
        async def test_b(): pass
        def helper(): pass
        def test_c(): pass
        def test_c(): pass
        test_d = None
        @pytest.fixture
        def test_fixture(): pass
        lambda_test = lambda: None
    """)
    assert (result.tests, result.exact, result.error) == (3, True, None)


def test_a_later_non_function_binding_removes_the_test():
    assert count("def test_a(): pass\ntest_a = 3\n").tests == 0


def test_classes_init_nested_inheritance_and_dunder_test():
    result = count("""
        class TestA:
            def test_1(self): pass
            def test_2(self): pass
        class TestInit:
            def __init__(self): pass
            def test_never(self): pass
        class TestNew:
            def __new__(cls): pass
            def test_never(self): pass
        class TestOff:
            __test__ = False
            def test_never(self): pass
        class Helper:
            def test_not_collected(self): pass
        class Marked:
            __test__ = True
            def test_collected(self): pass
        class TestOuter:
            class TestInner:
                def test_inner(self): pass
            class Inner:
                def test_no(self): pass
        class Base:
            def test_base(self): pass
        class TestChild(Base):
            def test_child(self): pass
        class TestGrandChild(TestChild):
            def test_child(self): pass
    """)
    # 2 + 1 (Marked) + 1 (nested) + 2 (child) + 2 (grandchild: inherited test_base, overridden test_child)
    assert (result.tests, result.exact) == (8, True)


def test_class_with_unknown_base_is_an_estimate():
    result = count("""
        from helpers import BaseTests
        class TestThing(BaseTests):
            def test_own(self): pass
    """)
    assert result.tests == 1
    assert result.exact is False
    assert any("BaseTests" in reason for reason in result.reasons)


def test_abstract_classes_are_skipped():
    result = count("""
        import abc
        class TestAbstract(abc.ABC):
            @abc.abstractmethod
            def make(self): ...
            def test_x(self): pass
        class TestConcrete(TestAbstract):
            def make(self): return 1
    """)
    assert result.tests == 1  # TestConcrete inherits test_x


def test_parametrize_literals_stacked_params_and_marks():
    result = count("""
        import pytest
        from pytest import mark

        @pytest.mark.parametrize("x", [1, 2, 3])
        def test_a(x): pass

        @mark.parametrize("x", (1, 2))
        @mark.parametrize("y", ["a", "b", "c"])
        def test_b(x, y): pass

        @pytest.mark.parametrize("a,b", [pytest.param(1, 2, id="one"), (3, 4)])
        def test_c(a, b): pass

        @pytest.mark.parametrize("x", [])
        def test_empty(x): pass

        @pytest.mark.parametrize("n", range(2, 7))
        def test_range(n): pass

        @pytest.mark.parametrize(argnames="k", argvalues={"a": 1, "b": 2})
        def test_kwargs(k): pass
    """)
    assert (result.tests, result.exact) == (3 + 6 + 2 + 1 + 5 + 2, True)


def test_non_literal_parametrize_is_an_estimate():
    result = count("""
        import pytest
        CASES = [1, 2, 3]
        @pytest.mark.parametrize("x", CASES)
        def test_a(x): pass
        @pytest.mark.parametrize("x", [*CASES, 4])
        def test_b(x): pass
    """)
    assert result.tests == 2
    assert result.exact is False


def test_module_and_class_marks_multiply():
    result = count("""
        import pytest
        pytestmark = pytest.mark.parametrize("m", [1, 2])

        def test_a(m): pass

        @pytest.mark.parametrize("c", [1, 2, 3])
        class TestK:
            pytestmark = [pytest.mark.parametrize("d", [1, 2])]
            def test_b(self, m, c, d): pass

        class TestSub(TestK):
            pass
    """)
    # test_a: 2; TestK.test_b: 2*3*2; TestSub inherits the class marks and the method: 12
    assert result.tests == 2 + 12 + 12


def test_fixture_params_direct_transitive_autouse_and_overrides():
    result = count("""
        import pytest

        @pytest.fixture(params=[1, 2])
        def db(request): return request.param

        @pytest.fixture
        def session(db): return db

        @pytest.fixture(params=["a", "b", "c"], name="flavour")
        def _flavour_impl(request): return request.param

        def test_direct(db): pass
        def test_transitive(session): pass
        def test_both(session, db, flavour): pass
        def test_default_arg(db=None): pass

        @pytest.mark.parametrize("db", [10])
        def test_overridden(db): pass

        @pytest.mark.parametrize("db", [10, 20, 30], indirect=True)
        def test_indirect(db): pass

        @pytest.mark.usefixtures("flavour")
        def test_usefixtures(): pass
    """)
    assert (result.tests, result.exact) == (2 + 2 + 2 * 3 + 1 + 1 + 3 + 3, True)


def test_autouse_parametrized_fixture_multiplies_every_test():
    result = count("""
        import pytest
        @pytest.fixture(autouse=True, params=[1, 2])
        def everywhere(request): pass
        def test_a(): pass
        class TestB:
            def test_b(self): pass
    """)
    assert result.tests == 4


def test_conftest_fixtures_and_generate_tests(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n@pytest.fixture(params=[1, 2, 3])\ndef shared(request): pass\n"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "conftest.py").write_text("def pytest_generate_tests(metafunc): pass\n")
    (tmp_path / "test_top.py").write_text("def test_a(shared): pass\n")
    (tmp_path / "sub" / "test_low.py").write_text("def test_b(shared): pass\n")
    config = PytestConfig(rootdir=tmp_path, invocation_dir=tmp_path, inipath=tmp_path / "pytest.ini")
    top, low = static_status(tmp_path, [Path("test_top.py"), Path("sub/test_low.py")], config=config)
    assert (top.tests, top.exact) == (3, True)
    assert (low.tests, low.exact) == (3, False)


def test_unittest_rules():
    result = count("""
        import unittest
        from unittest import TestCase as Case

        class Plain(unittest.TestCase):
            def test_1(self): pass
            def testSecond(self): pass
            def helper(self): pass

        class Mixin:
            def test_mixed(self): pass

        class Derived(Mixin, Case):
            def test_own(self): pass

        class RunOnly(Case):
            def runTest(self): pass

        class Off(Case):
            __test__ = False
            def test_never(self): pass

        class OffChild(Off):
            def test_still_never(self): pass

        class WithInit(unittest.TestCase):
            def __init__(self, name): super().__init__(name)
            def test_collected_anyway(self): pass
    """)
    assert (result.tests, result.exact) == (2 + 2 + 1 + 0 + 0 + 1, True)


def test_imported_tests_make_the_count_an_estimate_unless_disabled():
    source = "from helpers import test_shared, TestShared, helper\nfrom unittest import TestCase\n"
    assert count(source).exact is False
    assert count("from helpers import helper\nfrom unittest import TestCase\n").exact is True
    assert count(source, replace(CONFIG, collect_imported_tests=False)).exact is True
    assert count("from helpers import *\n").exact is False


def test_definitions_inside_if_blocks_are_estimates():
    result = count("""
        import sys
        if sys.platform == "win32":
            def test_windows(): pass
        else:
            def test_posix(): pass
    """)
    assert result.tests == 2
    assert result.exact is False


def test_custom_name_options():
    config = replace(CONFIG, python_classes=("Suite", "*Checks"), python_functions=("check_", "*_should_*"))
    result = count("""
        def check_a(): pass
        def it_should_b(): pass
        def test_c(): pass
        class SuiteX:
            def check_m(self): pass
            def test_m(self): pass
        class DbChecks:
            def check_db(self): pass
        class TestY:
            def check_y(self): pass
    """, config)
    assert result.tests == 4


@pytest.mark.parametrize(
    "source, error_type, line, message",
    [
        ("import os\n\ndef test_a(:\n    pass\n", "SyntaxError", 3, "invalid syntax"),
        ("import sys\nsys.exit(2)\n", "SystemExit", 2, "sys.exit(2) called at import time"),
        ("import os\nos._exit(7)\n", "ProcessExit", 2, "os._exit(7) called at import time"),
        ("x = 1\nraise RuntimeError('no')\n", "RuntimeError", 2, "no"),
        ("x = 1\nwhile True:\n    pass\n", "Timeout", 2, "loops forever at import time"),
        ("def test_gen():\n    yield 1\n", "Failed", 1, "'yield' keyword is allowed in fixtures, but not in tests (test_gen)"),
    ],
)
def test_what_stops_an_import_statically(source, error_type, line, message):
    result = count(source)
    assert result.error is not None
    assert (result.error.type, result.error.line, result.error.message) == (error_type, line, message)
    assert result.tests == 0


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nif False:\n    sys.exit(1)\ndef test_a(): pass\n",
        "while True:\n    break\ndef test_a(): pass\n",
        "try:\n    raise ImportError\nexcept ImportError:\n    pass\ndef test_a(): pass\n",
        "def test_a():\n    def inner():\n        yield 1\n",
    ],
)
def test_conditional_stops_are_not_errors(source):
    result = count(source)
    assert result.error is None
    assert result.tests == 1


def test_module_level_skip_and_disabled_module():
    assert count("import pytest\npytest.skip('x', allow_module_level=True)\ndef test_a(): pass\n").tests == 0
    assert count("__test__ = False\ndef test_a(): pass\n").tests == 0
    assert count("import pytest\ndef test_a():\n    pytest.skip('x')\n").tests == 1


def test_static_status_with_import_failures(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("from app import broken\n\ndef test_a(): pass\n")
    (tmp_path / "tests" / "test_b.py").write_text("import app.models\n\ndef test_b(): pass\n")
    (tmp_path / "tests" / "test_c.py").write_text("def test_c(): pass\ndef test_d(): pass\n")
    failures = {
        Path("tests/test_a.py"): (1, "cannot import name 'broken' from 'app'"),
        tmp_path / "tests" / "test_b.py": (1, "No module named 'app.shemas'", tmp_path / "app" / "models.py", 3),
    }
    failures[Path("tests/test_c.py")] = (2, "the engine names the test file itself", tmp_path / "tests" / "test_c.py", 2)
    files = [Path("tests/test_a.py"), Path("tests/test_b.py"), Path("tests/test_c.py")]
    a, b, c = static_status(tmp_path, files, import_failures=failures)
    assert (a.status, a.tests, a.source, a.error.line, a.error.root_path) == ("error", 0, "static", 1, None)
    assert a.error.message == "cannot import name 'broken' from 'app'"
    assert (b.status, b.error.root_path, b.error.root_line) == ("error", tmp_path / "app" / "models.py", 3)
    assert (c.status, c.error.line, c.error.root_path, c.path) == ("error", 2, None, tmp_path / "tests" / "test_c.py")
    assert b.to_json(tmp_path)["error"]["root"] == {"path": "app/models.py", "line": 3}


def test_unreadable_file_is_an_error(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (status,) = static_status(tmp_path, [Path("test_missing.py")])
    assert status.status == "error"
    assert status.error.type == "FileNotFoundError"
