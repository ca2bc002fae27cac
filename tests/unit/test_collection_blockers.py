"""The engine's static view of collection: which test files an import failure blocks, and from where."""


def test_blockers_follow_first_party_imports(projects):
    project = projects.make({
        "app/__init__.py": "",
        "app/schemas/__init__.py": "from app.schemas.user import UserSchema\n",
        "app/schemas/User.py": "class UserSchema: ...\n",
        "app/service.py": "import app.schemas\n\ndef lazy():\n    from app.gone import x\n",
        "app/optional.py": "try:\n    import not_installed_qq\nexcept ImportError:\n    pass\n",
        "tests/test_direct.py": "import os\nfrom app.schemas import UserSchema\n",
        "tests/test_indirect.py": "import os\n\nfrom app import service\n",
        "tests/test_fine.py": "from app import optional\n\ndef test_x():\n    from app.gone import y\n",
        "tests/test_missing.py": "from app.service import nothing\n",
    })
    tests = sorted(p for p in project.files if p.name.startswith("test_"))
    blockers = {p.name: v for p, v in project.collection_blockers(tests).items()}
    assert set(blockers) == {"test_direct.py", "test_indirect.py", "test_missing.py"}
    line, message, root_path, root_line = blockers["test_indirect.py"]
    assert line == 3 and "app.schemas" in message
    assert (root_path.relative_to(project.root).as_posix(), root_line) == ("app/schemas/__init__.py", 1)
    assert blockers["test_direct.py"][0] == 2
    assert blockers["test_missing.py"][:1] == (1,)
