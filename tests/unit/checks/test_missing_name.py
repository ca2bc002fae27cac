"""missing-name: loud cases and every quiet case (getattr, star exports, __all__, open namespaces, cascades)."""

from importsense.model import AddAlias, ImportFromElsewhere, ReplaceText, Severity


def _rules(findings):
    return [(f.rule, f.span.start_line) for f in findings]


def test_removed_helper_with_similar_replacement(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/utils.py": "def enforce_rate_limit(): ...\n",
        "app/t.py": "from app.utils import check_rate_limit\n",
    })
    (finding,) = findings
    assert finding.rule == "missing-name" and finding.severity is Severity.ERROR
    assert "did you mean 'enforce_rate_limit'?" in finding.suggestions
    replace = [i for i in finding.intents if isinstance(i, ReplaceText)]
    assert replace[0].new_text == "enforce_rate_limit as check_rate_limit"
    alias = [i for i in finding.intents if isinstance(i, AddAlias)]
    assert alias and alias[0].alias == "check_rate_limit" and alias[0].target_expr == "enforce_rate_limit"


def test_renamed_class_offers_aliases_to_the_module_classes(projects):
    (finding,) = projects.check({
        "app/__init__.py": "",
        "app/ws.py": "class WebSocketManager: ...\n",
        "app/t.py": "from app.ws import ConnectionExecutor\n",
    })
    aliases = [i for i in finding.intents if isinstance(i, AddAlias)]
    assert [(a.alias, a.target_expr) for a in aliases] == [("ConnectionExecutor", "WebSocketManager")]


def test_name_defined_in_another_module(projects):
    (finding,) = projects.check({
        "app/__init__.py": "",
        "app/old.py": "x = 1\n",
        "app/new.py": "class Moved: ...\n",
        "app/t.py": "from app.old import Moved\n",
    })
    moves = [i for i in finding.intents if isinstance(i, ImportFromElsewhere)]
    assert [(m.name, m.new_module, m.preferred) for m in moves] == [("Moved", "app.new", True)]


def test_quiet_cases(projects):
    findings = projects.check({
        "app/__init__.py": "from app.core import *\nfrom . import lazy\n",
        "app/core.py": "__all__ = ['Exported']\nExported = 1\n_private = 2\n",
        "app/lazy.py": "def __getattr__(name):\n    return name\n",
        "app/opened.py": "globals()['made_up'] = 1\n",
        "app/replaced.py": "import sys\nsys.modules[__name__] = object()\n",
        "app/setattr_mod.py": "import sys\nsetattr(sys.modules[__name__], 'dyn', 1)\n",
        "app/updated.py": "globals().update({'other': 1})\n",
        "app/bindings.py": """
            import os
            try:
                from json import loads as tried
            except ImportError:
                tried = None
            for loop_var in range(3):
                pass
            with open(os.devnull) as handle:
                pass
            if os.name == "nt":
                conditional = 1
            else:
                conditional = 2
            counter: int = 0
            counter += 1
            def setter():
                global from_global
                from_global = 1
            class Klass: ...
            (walrus := 1)
            """,
        "app/sub/__init__.py": "",
        "app/sub/child.py": "",
        "app/user.py": """
            from app import Exported, lazy
            from app.lazy import anything_goes
            from app.opened import made_up
            from app.replaced import whatever
            from app.setattr_mod import dyn
            from app.updated import other
            from app.bindings import tried, loop_var, handle, conditional, counter, from_global, Klass, walrus
            from app.sub import child
            from app.core import __doc__, __name__
            from os import path
            """,
    })
    assert [f for f in findings if f.rule == "missing-name"] == []


def test_star_import_respects_all_and_underscore(projects):
    findings = projects.check({
        "app/__init__.py": "from app.core import *\n",
        "app/core.py": "public = 1\n_hidden = 2\n",
        "app/core2.py": "__all__ = ['a']\na = 1\nb = 2\n",
        "app/reexport.py": "from app.core2 import *\n",
        "app/user.py": "from app import public, _hidden\nfrom app.reexport import a, b\n",
    })
    assert _rules(findings) == [("missing-name", 1), ("missing-name", 2)]
    assert {f.message.split("'")[1] for f in findings} == {"_hidden", "b"}


def test_star_import_cycles_terminate(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/a.py": "from app.b import *\nx = 1\n",
        "app/b.py": "from app.a import *\ny = 1\n",
        "app/user.py": "from app.a import y, nothing\n",
    })
    assert [f.message.split("'")[1] for f in findings if f.rule == "missing-name"] == ["nothing"]


def test_unknown_star_source_keeps_quiet(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/a.py": "from os.path import *\nfrom some_uninstalled_lib_qq import *\n",
        "app/user.py": "from app.a import anything\n",
    })
    assert [f.rule for f in findings] == ["unresolved-module"]


def test_cascade_from_a_broken_module_is_information(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/broken.py": "def f(:\n",
        "app/reexporter.py": "from app.gone import Thing\n",
        "app/user.py": "from app.broken import f\nfrom app.reexporter import Thing\n",
    })
    by_file = {(f.path.name, f.rule, f.severity.value) for f in findings}
    assert ("broken.py", "syntax-error", "error") in by_file
    assert ("reexporter.py", "unresolved-module", "error") in by_file
    user = [f for f in findings if f.path.name == "user.py"]
    assert [f.severity for f in user] == [Severity.INFORMATION, Severity.INFORMATION]
    assert all(f.cascade and f.related for f in user)


def test_stdlib_missing_name(projects):
    (finding,) = projects.check({"a.py": "from json import loadz\nfrom os import anything_os_star_imports\n"})
    assert finding.rule == "missing-name"
    assert "did you mean 'loads'?" in finding.suggestions


def test_third_party_names_are_not_judged(projects):
    assert projects.check({"a.py": "from pytest import not_a_real_pytest_name_qq\n"}) == []


def test_guarded_missing_name_is_information(projects):
    (finding,) = projects.check({
        "app/__init__.py": "",
        "app/a.py": "x = 1\n",
        "app/b.py": "try:\n    from app.a import y\nexcept ImportError:\n    y = None\n",
    })
    assert finding.severity is Severity.INFORMATION
