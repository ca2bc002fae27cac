"""invalid-patch-target: mock.patch, patch.object, mocker.patch, monkeypatch.setattr strings."""

APP = {
    "app/__init__.py": "",
    "app/svc.py": "import json\nclass Service:\n    def login(self): ...\ndef helper(): ...\n",
    "app/new_home.py": "class Moved:\n    def run(self): ...\n",
}


def test_loud_cases(projects):
    findings = projects.check({**APP, "tests/test_p.py": """
        from unittest import mock
        from unittest.mock import patch
        from app.svc import Service

        @mock.patch("app.svc.Service.logn")
        def test_a(m): ...

        def test_b(mocker, monkeypatch):
            mocker.patch("app.svc.helpr")
            monkeypatch.setattr("app.svc.nothing", 1)
            with patch.object(Service, "logout"):
                pass
            patch("app.nomodule.thing")
            patch("app.svc.Moved.run")
        """})
    assert [f.span.start_line for f in findings] == [5, 9, 10, 11, 13, 14]
    assert all(f.rule == "invalid-patch-target" for f in findings)
    first = findings[0]
    assert first.intents[0].new_text == '"app.svc.Service.login"'
    moved = findings[-1]
    assert any(i.new_text == '"app.new_home.Moved.run"' for i in moved.intents)


def test_quiet_cases(projects):
    findings = projects.check({**APP, "tests/test_q.py": """
        from unittest import mock
        from unittest.mock import patch
        from app.svc import Service

        @mock.patch("app.svc.Service.login")
        @mock.patch("app.svc.json.loads")
        @mock.patch("os.path.exists")
        @mock.patch("requests.get")
        def test_a(*m): ...

        def test_b(mocker, monkeypatch):
            mocker.patch("app.svc.helper")
            mocker.patch("app.svc.created", create=True)
            monkeypatch.setattr("app.svc.absent", 1, raising=False)
            monkeypatch.setattr(Service, "login", None)
            monkeypatch.setenv("X", "1")
            patch.object(Service, "login")
            patch.dict("os.environ", {})
            client = object()
            client.patch("/url/not.a.target")

        def patch_like(patch):
            patch("app.svc.not_mock_patch")
        """})
    assert findings == []


def test_user_function_named_patch_is_ignored(projects):
    findings = projects.check({**APP, "a.py": "def patch(x): ...\npatch('app.svc.whatever')\n"})
    assert findings == []
