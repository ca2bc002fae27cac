"""syntax-error: one finding at the error; other files are still checked; bad bytes are findings, not crashes."""

from importsense.model import Severity


def test_syntax_error_position_and_other_files_checked(projects):
    findings = projects.check({
        "a.py": "x = 1\ndef f(:\n    pass\n",
        "b.py": "from .c import d\n",
    })
    rules = sorted((f.path.name, f.rule, f.span.start_line) for f in findings)
    assert rules == [("a.py", "syntax-error", 2), ("b.py", "invalid-relative-import", 1)]


def test_non_utf8_and_binary_files(projects):
    project = projects.make({"ok.py": "import os\n"})
    (project.root / "latin.py").write_bytes(b"x = '\xe9'\n")
    (project.root / "declared.py").write_bytes(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n")
    (project.root / "binary.py").write_bytes(b"\x00\x01\x02")
    project = type(project)(project.settings, project.options)
    findings = project.check_paths().findings
    by_name = {f.path.name: f for f in findings}
    assert set(by_name) == {"latin.py", "binary.py"}
    assert "utf-8" in by_name["latin.py"].message.lower()
    assert "binary" in by_name["binary.py"].message


def test_huge_file_is_reported_not_parsed(projects):
    project = projects.make({})
    (project.root / "generated.py").write_text("x = 1\n" * 1_000_000)
    project = type(project)(project.settings, project.options)
    findings = project.check_paths().findings
    assert [(f.rule, f.severity) for f in findings] == [("syntax-error", Severity.INFORMATION)]
    assert "too large" in findings[0].message


def test_deeply_nested_expression_does_not_crash(projects):
    findings = projects.check({"deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", "ok.py": ""})
    assert [f.rule for f in findings] == ["syntax-error"]
