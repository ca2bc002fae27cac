"""Quiet cases found by running importsense over real packages (pytest, hypothesis, attrs, jedi, cattrs)."""

from importsense.model import Severity


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
    loud = [f for f in findings if f.severity.rank < Severity.INFORMATION.rank]
    assert loud == []


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
