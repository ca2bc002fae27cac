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


def _chain_project(projects):
    """Two import cycles and a shared chain; one module deep in the chain fails, one cycle is clean."""
    files = {
        "app/__init__.py": "",
        "app/a.py": "from app import b\n",
        "app/b.py": "from app import a\nfrom app import c\n",  # a <-> b cycle, then the chain
        "app/c.py": "from app import d\n",
        "app/d.py": "from app.e import gone\n",  # fails: e defines no `gone`
        "app/e.py": "present = 1\n",
        "app/x.py": "from app import y\n",
        "app/y.py": "from app import x\nfrom app import e\n",  # x <-> y cycle, clean
    }
    for number in range(30):
        files[f"tests/test_{number:02}.py"] = ("from app import x\n" if number % 3 else "from app import a\n") + \
            "import os\n"
    return projects.make(files)


def test_failures_deep_in_shared_chains_and_cycles_are_found_for_every_test_file(projects):
    project = _chain_project(projects)
    tests = sorted(p for p in project.files if p.name.startswith("test_"))
    blockers = project.collection_blockers(tests)
    blocked = sorted(p.name for p in blockers)
    assert blocked == [f"test_{n:02}.py" for n in range(30) if n % 3 == 0]
    line, message, root_path, root_line = blockers[tests[0]]
    assert line == 1 and "imports app.a, which fails" not in message and "app.d" in message
    assert (root_path.relative_to(project.root).as_posix(), root_line) == ("app/d.py", 1)


def test_a_search_answered_in_turns_equals_one_answer(projects):
    from importsense.blockers import BlockerSearch

    project = _chain_project(projects)
    tests = sorted(p for p in project.files if p.name.startswith("test_"))
    whole = project.collection_blockers(tests)
    search = BlockerSearch(project)
    found, rest, turns = {}, list(tests), 0
    while rest:
        part, rest = search.some_blockers(rest, 0.0)  # a zero budget: one test file per turn
        found.update(part)
        turns += 1
    assert found == whole
    assert turns == len(tests)
