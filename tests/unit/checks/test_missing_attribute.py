"""missing-attribute: certain cases are loud; dynamic classes, unknown bases and shadowed names stay quiet."""

from importsense.model import CreateMethod, Severity

APP = {
    "app/__init__.py": "",
    "app/auth.py": """
        import enum
        from dataclasses import dataclass

        class Base:
            base_attr = 1
            def inherited(self): ...

        class AuthFailoverService(Base):
            kind = "x"
            def __init__(self):
                self.token = None
            def login(self): ...
            @property
            def state(self): ...
            class Inner: ...

        @dataclass
        class Config:
            url: str = ""

        class Color(enum.Enum):
            RED = 1

        class Dynamic:
            def __getattr__(self, name): ...

        class WithMeta(metaclass=type): ...

        class Slotted:
            __slots__ = ("slot_a",)

        def decorate(cls):
            return cls

        @decorate
        class Decorated: ...

        class FromThirdParty(enum.IntEnum): ...
        """,
}


def test_method_the_class_lacks(projects):
    findings = projects.check({**APP, "app/t.py": """
        from app.auth import AuthFailoverService
        def test_it():
            service = AuthFailoverService()
            service.authenticate()
            AuthFailoverService.authenticate
            AuthFailoverService().authenticat2
        """})
    lines = [(f.rule, f.span.start_line) for f in findings]
    assert lines == [("missing-attribute", 4), ("missing-attribute", 5), ("missing-attribute", 6)]
    assert findings[0].severity is Severity.ERROR
    create = [i for i in findings[0].intents if isinstance(i, CreateMethod)]
    assert create and create[0].class_name == "AuthFailoverService" and create[0].method_name == "authenticate"


def test_module_attribute(projects):
    findings = projects.check({**APP, "app/t.py": """
        import app.auth
        import app.auth as auth_mod
        from app import auth
        app.auth.nothing_here
        auth_mod.nothing_either
        auth.Base
        auth.AuthFailoverService.login
        app.auth.AuthFailoverService.Inner
        """})
    assert [(f.span.start_line, f.message.split("'")[-2]) for f in findings] == [
        (4, "nothing_here"), (5, "nothing_either")]


def test_quiet_cases(projects):
    findings = projects.check({**APP, "app/t.py": """
        from app.auth import AuthFailoverService, Config, Color, Dynamic, WithMeta, Slotted, Decorated
        from app.auth import FromThirdParty
        import app.auth as auth
        import os

        def uses(AuthFailoverService=None):
            AuthFailoverService.whatever  # shadowed by a parameter

        def more():
            s = AuthFailoverService()
            s.token, s.login, s.state, s.kind, s.base_attr, s.inherited
            s.__class__
            Config().url
            Color.RED
            Dynamic().anything
            WithMeta.anything
            Slotted().slot_a
            Decorated.anything
            FromThirdParty.anything
            os.path.join
            try:
                auth.maybe_later
            except AttributeError:
                pass
            if hasattr(auth, "optional"):
                auth.optional
            x = AuthFailoverService()
            x = None
            x.reassigned_so_unknown
            y = AuthFailoverService()
            y.assigned_later = 1
            y.assigned_later
            lam = lambda auth: auth.param
        """})
    assert findings == []


def test_unknown_base_is_quiet(projects):
    findings = projects.check({
        "app/__init__.py": "",
        "app/m.py": "import somewhere_unknown_qq\nclass C(somewhere_unknown_qq.Base): ...\nclass D(C): ...\n",
        "app/t.py": "from app.m import D\nD().anything\n",
    })
    assert [f.rule for f in findings] == ["unresolved-module"]


def test_attribute_reads_in_every_layout_the_text_gate_must_let_through(projects):
    """The summariser walks only statements whose text shows `name.` or `name(...).`: each layout here must pass."""
    findings = projects.check({**APP, "app/t.py": """
        import app.auth as auth
        from app.auth import AuthFailoverService, Config
        def test_it():
            AuthFailoverService . gone_spaced
            (AuthFailoverService
                .gone_next_line)
            auth \\
                .gone_after_backslash
            AuthFailoverService(
                1,
            ).gone_after_multiline_call()
            AuthFailoverService(Config(str(1))).gone_after_nested_call
            service = AuthFailoverService()
            value = [service
                     .gone_on_instance]
        """})
    assert [(f.span.start_line, f.message.rsplit("'", 2)[1]) for f in findings] == [
        (4, "gone_spaced"), (6, "gone_next_line"), (8, "gone_after_backslash"), (11, "gone_after_multiline_call"),
        (12, "gone_after_nested_call"), (15, "gone_on_instance"),
    ]
