"""Span <-> Range in every encoding, Finding -> Diagnostic, Fix -> WorkspaceEdit."""

from __future__ import annotations

from pathlib import Path

from importsense.lsp.convert import to_diagnostic, to_range, to_span, to_workspace_edit
from importsense.lsp.documents import UTF8, UTF16, UTF32, TextLines
from importsense.model import Finding, Fix, ReplaceText, Severity, Span, TextEdit
from lsprotocol import types as t

LINES = TextLines("x = 'é😀'; import nope\r\nnext\n")


def test_columns_follow_the_encoding_and_round_trip():
    span = Span(1, 17, 1, 21)  # `nope`, after a 2-unit emoji in UTF-16 and 4+2 bytes in UTF-8
    assert to_range(LINES, span, UTF32) == t.Range(t.Position(0, 16), t.Position(0, 20))
    assert to_range(LINES, span, UTF16) == t.Range(t.Position(0, 17), t.Position(0, 21))
    assert to_range(LINES, span, UTF8) == t.Range(t.Position(0, 20), t.Position(0, 24))
    for encoding in (UTF8, UTF16, UTF32):
        assert to_span(LINES, to_range(LINES, span, encoding), encoding) == span


def test_positions_past_the_text_clamp():
    assert to_range(LINES, Span(9, 1, 9, 5), UTF16) == t.Range(t.Position(2, 0), t.Position(2, 0))
    assert to_range(LINES, Span(2, 1, 2, 99), UTF16).end == t.Position(1, 4)


def test_a_finding_becomes_a_diagnostic_that_carries_its_fixes():
    intent = ReplaceText(kind="replace", title="Replace nope with hope", path=Path("/p/m.py"),
                         span=Span(1, 17, 1, 21), new_text="hope")
    finding = Finding(Path("/p/m.py"), Span(1, 17, 1, 21), "unresolved-module", Severity.WARNING,
                      "Cannot resolve module 'nope'", suggestions=("did you mean 'hope'?",), intents=(intent,),
                      related=((Path("/p/other.py"), Span(1, 1, 1, 2), "root cause"),))
    diagnostic = to_diagnostic(finding, LINES, UTF16, lambda path: TextLines("z\n"))
    assert diagnostic.code == "unresolved-module" and diagnostic.source == "importsense"
    assert diagnostic.severity == t.DiagnosticSeverity.Warning
    assert diagnostic.message == "Cannot resolve module 'nope'\ndid you mean 'hope'?"
    assert diagnostic.data == {"rule": "unresolved-module", "intents": [intent.to_data()]}
    assert diagnostic.related_information[0].location.uri == "file:///p/other.py"
    assert to_diagnostic(finding, LINES, UTF16, related_support=False).related_information is None


def test_fix_edits_group_by_file_with_versions_for_open_documents():
    fix = Fix("x", (TextEdit(Path("/p/a.py"), Span(1, 1, 1, 2), "A"), TextEdit(Path("/p/b.py"), Span(2, 1, 2, 1), "B")))
    plain = to_workspace_edit([fix], lambda path: LINES)
    assert set(plain.changes) == {"file:///p/a.py", "file:///p/b.py"}
    versioned = to_workspace_edit([fix], lambda path: LINES, versions={Path("/p/a.py"): 7}, document_changes=True)
    versions = {change.text_document.uri: change.text_document.version for change in versioned.document_changes}
    assert versions == {"file:///p/a.py": 7, "file:///p/b.py": None}
