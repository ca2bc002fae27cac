"""Quiet cases found by running importsense over real packages (pytest, hypothesis, attrs, jedi, cattrs)."""

from importsense.model import Severity


def loud(findings) -> list[tuple[str, int, str]]:
    """(file, line, rule) of the findings above information: what a quiet case must not produce."""
    return [(f.path.name, f.span.start_line, f.rule) for f in findings if f.severity.rank < Severity.INFORMATION.rank]


def test_patterns_from_the_standard_library_and_popular_packages_stay_quiet(projects):
    findings = projects.check({
        "app/__init__.py": "",
        # inspect.py: mod_dict = globals(); mod_dict["CO_" + v] = k
        "app/flags.py": "mod_dict = globals()\nfor k, v in {1: 'A'}.items():\n    mod_dict['CO_' + v] = k\n",
        # re.py: @enum.global_enum puts the members into the module namespace
        "app/regex.py": "import enum\n@enum.global_enum\nclass RegexFlag(enum.IntFlag):\n    IGNORECASE = 2\n",
        # socket.py / ssl.py: IntEnum._convert_ writes constants into the module
        "app/consts.py": "import enum\nenum.IntEnum._convert_('Family', __name__, lambda n: n.startswith('AF_'))\n",
        # datetime.py: class attributes assigned after the class statement
        "app/times.py": "class time:\n    def __init__(self, h=0):\n        self.h = h\ntime.max = time(23)\n",
        # attrs: version flags held in module-level names
        "app/compat.py": (
            "import sys\nPY_3_14_PLUS = sys.version_info[:2] >= (3, 14)\n"
            "if PY_3_14_PLUS:\n    import annotationlib_not_installed_here\n"
        ),
        "app/mainmod.py": "import __main__\n",
        "app/typed.pyi": "from _typeshed import StrPath\nfrom .nowhere import thing\n",
        "app/user.py": (
            "import app.flags\nimport app.regex as regex\nimport app.consts as consts\n"
            "from app.flags import CO_A\nfrom app.regex import IGNORECASE\nfrom app.consts import AF_INET\n"
            "from app.times import time\n"
            "app.flags.CO_B\nregex.DOTALL\nconsts.AF_UNIX\ntime.max\ntime().h\n"
        ),
    })
    assert loud(findings) == []


def test_stdlib_classes_are_not_judged_but_first_party_ones_are(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/mine.py": "class Clock:\n    pass\n",
        "app/user.py": "import datetime\nfrom app.mine import Clock\ndatetime.time.max\nClock.max\n",
    })
    assert [(f.rule, f.span.start_line) for f in findings] == [("missing-attribute", 4)]


def test_packages_that_install_import_hooks_serve_virtual_submodules(projects):
    findings = projects.check({
        "vendored/__init__.py": "",
        # six.py: a module that registers a meta-path importer for six.moves
        "vendored/six.py": "import sys\nclass _Importer: ...\nsys.meta_path.append(_Importer())\n",
        # setuptools/extern: a VendorImporter installed from the package __init__
        "vendored/extern/__init__.py": (
            "import sys\nclass VendorImporter:\n    def install(self):\n        sys.meta_path.append(self)\n"
            "VendorImporter().install()\n"
        ),
        "user.py": (
            "from vendored.six.moves import urllib\nfrom vendored.extern import packaging\n"
            "from vendored.extern.packaging import version\n"
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from xmlrpc.client import _HostType\n"
        ),
    })
    assert findings == []


def test_classes_and_modules_handed_to_module_level_calls_stay_quiet(projects):
    """Found on IPython, docutils, trio and networkx (2026-12-07, third session)."""
    findings = projects.check({
        "app/__init__.py": "",
        # IPython/utils/coloransi.py: a helper fills the class with setattr
        "app/colors.py": (
            "TEMPLATES = (('Green', '32'), ('Blue', '34'))\n\n"
            "def make_color_table(in_class):\n"
            "    for name, value in TEMPLATES:\n"
            "        setattr(in_class, name, in_class._base % value)\n\n"
            "class InputTermColors:\n    _base = '%s'\n\n"
            "make_color_table(InputTermColors)\n"
        ),
        # docutils/writers/latex2e: setattr on the class in a module-level loop
        "app/preamble.py": (
            "class PreambleCmds:\n    color = ''\n\n"
            "for block_name in ['duclass', 'footnotes']:\n"
            "    setattr(PreambleCmds, block_name, '%' + block_name)\n"
        ),
        # trio/_tests/module_with_deprecations.py: the module hands itself to a helper by __name__
        "app/deprecations.py": (
            "from app import helpers\nregular = 'hi'\nhelpers.enable_attribute_deprecations(__name__)\n"
            "__deprecated_attributes__ = {'dep1': 1}\n"
        ),
        "app/helpers.py": "import sys\n\ndef enable_attribute_deprecations(name):\n    sys.modules[name]\n",
        "app/user.py": (
            "from app.colors import InputTermColors\nfrom app.preamble import PreambleCmds\n"
            "import app.deprecations as deprecations\n\n"
            "InputTermColors.Green\nPreambleCmds.duclass\nPreambleCmds.color\ndeprecations.dep1\n"
        ),
        # networkx/utils/tests/test__init.py: imports that are meant to fail
        "tests/test_namespace.py": (
            "import pytest\n\n\ndef test_not_exposed():\n"
            "    with pytest.raises(ImportError):\n        from app.helpers import nx\n"
            "    with pytest.raises((ImportError, AttributeError)):\n        from app.helpers import deque\n"
        ),
    })
    assert loud(findings) == []


def test_a_class_handed_to_print_or_isinstance_is_still_judged(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/mine.py": "class Clock:\n    pass\n\nprint(Clock)\nisinstance(1, Clock)\n",
        "app/user.py": "from app.mine import Clock\nClock.max\n",
    })
    assert [(f.rule, f.path.name) for f in findings] == [("missing-attribute", "user.py")]


def test_stubs_and_rebound_parameters_stay_quiet(projects):
    """Found on numpy and antlr4 (2026-12-07, third session)."""
    findings = projects.check({
        "pkg/__init__.py": "",
        # numpy/dtypes.py fills itself with setattr; numpy/dtypes.pyi declares what it will hold
        "pkg/dtypes.py": (
            "__all__ = []\n\ndef _add(cls):\n    from pkg import dtypes\n"
            "    setattr(dtypes, cls.__name__, cls)\n    __all__.append(cls.__name__)\n"
        ),
        "pkg/dtypes.pyi": "class StringDType: ...\n",
        # numpy/random/_generator: a compiled module whose stub lists the public API only
        "pkg/_generator.pyi": "class Generator:\n    def poisson(self, lam: float) -> int: ...\n",
        # antlr4/PredictionContext.py: a parameter rebound to a new instance, read before that
        "pkg/contexts.py": (
            "class Singleton:\n    def __init__(self):\n        self.parentCtx = None\n\n"
            "class Array:\n    def __init__(self, parents):\n        self.parents = parents\n\n"
            "def merge(a):\n    if isinstance(a, Singleton):\n        a = Array([a.parentCtx])\n    return a\n"
        ),
        "tests/test_np.py": (
            "from pkg.dtypes import StringDType\nfrom pkg._generator import Generator\n\n"
            "def test_it():\n    g = Generator()\n    return StringDType, g._poisson_lam_max\n"
        ),
    })
    assert loud(findings) == []


def test_a_name_neither_the_module_nor_its_stub_binds_is_still_missing(projects):
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/dtypes.py": "X = 1\n",
        "pkg/dtypes.pyi": "X: int\n",
        "pkg/contexts.py": (
            "class Array:\n    def __init__(self, parents):\n        self.parents = parents\n\n"
            "def merge():\n    a = Array([])\n    return a.parentCtx\n"
        ),
        "tests/test_np.py": "from pkg.dtypes import StringDType\n",
    })
    assert sorted((f.path.name, f.rule) for f in findings) == [("contexts.py", "missing-attribute"),
                                                              ("test_np.py", "missing-name")]


def test_conditional_class_definitions_and_compiled_modules_stubs_stay_quiet(projects):
    """Found on sympy and scipy (2026-12-07, third session)."""
    findings = projects.check({
        "pkg/__init__.py": "",
        # sympy/parsing/c/c_parser.py: the real class when a dependency imports, a stand-in otherwise
        "pkg/c_parser.py": (
            "try:\n    import clang_not_installed_xyz as cin\nexcept ImportError:\n    cin = None\n\n"
            "if cin:\n    class CCodeConverter:\n        def parse(self, text):\n            return text\n"
            "else:\n    class CCodeConverter:\n        def __init__(self, *args):\n"
            "            raise ImportError('needs clang')\n\n"
            "def parse_c(source):\n    converter = CCodeConverter()\n    return converter.parse(source)\n"
        ),
        # scipy/special/_ufuncs: a compiled module (here: its stub only) with private names the stub omits
        "pkg/_ufuncs.pyi": "def iv(v: float, z: float) -> float: ...\n",
        "tests/test_iv.py": "from pkg._ufuncs import _iv_ratio, iv\n",
    })
    assert loud(findings) == []


def test_a_class_defined_once_is_still_judged_even_among_redefinitions(projects):
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/mod.py": (
            "if True:\n    class Twice:\n        pass\nelse:\n    class Twice:\n        pass\n\n"
            "class Once:\n    pass\n\nTwice().anything\nOnce().missing\n"
        ),
    })
    assert [(f.rule, f.span.start_line) for f in findings] == [("missing-attribute", 12)]


def test_instances_filled_by_setattr_or_by_a_helper_stay_quiet(projects):
    """Found on regex (2026-12-07, third session)."""
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/core.py": (
            # regex/_regex_core.py: OP = Namespace(); setattr(OP, op, i) for every opcode
            "class Namespace:\n    pass\n\nOP = Namespace()\nfor i, op in enumerate('ANY END'.split()):\n"
            "    setattr(OP, op, i)\n\n"
            # ... and a helper that stores attributes on the Info instance it is given
            "class Info:\n    def __init__(self):\n        self.flags = 0\n\n"
            "def check_group_features(info):\n    info.call_refs = {}\n\n"
            "def compile_pattern():\n    info = Info()\n    check_group_features(info)\n"
            "    return OP.ANY, OP.END, info.call_refs\n"
        ),
        "pkg/main.py": "from pkg.core import Info\n\ndef run():\n    info = Info()\n    return info.call_refs\n",
    })
    assert loud(findings) == []


def test_an_attribute_nothing_stores_is_still_missing(projects):
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/core.py": "class Info:\n    def __init__(self):\n        self.flags = 0\n\ndef f(other):\n    other.x = 1\n",
        "pkg/main.py": "from pkg.core import Info\n\ndef run():\n    info = Info()\n    return info.call_refs, info.x\n",
    })
    assert [(f.rule, f.message.split("attribute ")[-1]) for f in findings] == [("missing-attribute", "'call_refs'")]


def test_attributes_set_through_setattr_in_a_function_or_behind_hasattr_stay_quiet(projects):
    """Found on django (2026-12-07, third session)."""
    findings = projects.check({
        "pkg/__init__.py": "",
        "pkg/mail/__init__.py": "def send():\n    pass\n",
        # django/core/mail/backends/locmem.py: the module attribute is created on first use
        "pkg/locmem.py": (
            "from pkg import mail\n\n\nclass Backend:\n    def __init__(self):\n"
            "        if not hasattr(mail, 'outbox'):\n            mail.outbox = []\n\n"
            "    def send(self, message):\n        mail.outbox.append(message)\n"
        ),
        # django/core/management/color.py: make_style() fills a Style instance with setattr
        "pkg/color.py": (
            "class Style:\n    pass\n\n\ndef make_style(roles=('ERROR', 'SUCCESS')):\n    style = Style()\n"
            "    for role in roles:\n        setattr(style, role, str)\n    style.ERROR_OUTPUT = style.ERROR\n"
            "    return style\n"
        ),
        "tests/test_color.py": "from pkg.color import Style\n\ndef test_it():\n    s = Style()\n    return s.SUCCESS\n",
    })
    assert loud(findings) == []
