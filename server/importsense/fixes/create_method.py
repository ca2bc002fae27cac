"""Add a stub method that raises NotImplementedError to a class found by libcst."""

from __future__ import annotations

import ast
import keyword
import warnings

import libcst as cst

from ..model import CreateMethod, Fix
from .edits import (
    ParsedSource,
    apply_edits,
    block_end_line,
    fix_in_file,
    leading_whitespace,
    line_content_end,
    line_end,
    line_starts,
    minimal_edits,
    parse_source,
    parses,
)

STUB_COMMENT = "# added by importsense"


def create_method(intent: CreateMethod, text: str) -> Fix | None:
    """Append the stub to class `intent.class_name` (`Name` or `Outer.Name`) in `text`."""
    name = intent.method_name
    if not name.isidentifier() or keyword.iskeyword(name):
        return None
    return _class_only(intent, text) or _whole_file(intent, text)


def _class_only(intent: CreateMethod, text: str) -> Fix | None:
    """Fast path for a top-level class: give libcst only the class's lines, not the whole module.

    `ast` (several times faster than libcst) finds the last top-level definition of the class; its
    lines run to the next line with code or a comment in column 0, so they hold every trailing
    comment the whole-file rewrite would place the stub after. The edited file is re-parsed.
    """
    if "." in intent.class_name:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == intent.class_name]
    if not found:
        return None  # a nested class: the whole file decides
    node = found[-1]
    first_line = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    starts = line_starts(text)
    start = starts[first_line - 1]
    if text[start:start + 1] in (" ", "\t", "\f"):
        return None
    next_line = node.end_lineno or node.lineno  # 0-based index of the line after the class
    while next_line < len(starts) and text[starts[next_line]:starts[next_line] + 1] in ("", " ", "\t", "\f",
                                                                                         "\r", "\n"):
        next_line += 1
    end = starts[next_line] if next_line < len(starts) else len(text)
    segment = text[start:end]
    fix = _whole_file(intent, segment)
    return None if fix is None else fix_in_file(fix, text, start, segment)


def _whole_file(intent: CreateMethod, text: str) -> Fix | None:
    name = intent.method_name
    source = parse_source(text)
    if source is None:
        return None
    found = find_class(source.module, intent.class_name)
    if found is None:
        return None
    if isinstance(found.body, cst.IndentedBlock):
        new_text = _add_to_block(source, found, found.body, name)
    elif isinstance(found.body, cst.SimpleStatementSuite):
        new_text = _add_to_one_line_body(source, found, found.body, name)
    else:
        return None
    if new_text is None:
        return None
    edits = minimal_edits(intent.target_path, text, new_text)
    if not edits or not parses(apply_edits(text, edits)):
        return None
    return Fix(title=intent.title, edits=edits, preferred=intent.preferred, safe=False)


def find_class(module: cst.Module, class_name: str) -> cst.ClassDef | None:
    """A top-level class `class_name`, else the only class of that name nested one level in a top-level
    class; `Outer.Inner` names the nested one directly. The last definition wins, as at runtime."""
    parts = class_name.split(".")
    if not class_name or len(parts) > 2:
        return None
    top_level = [
        statement for statement in module.body if isinstance(statement, cst.ClassDef)
    ]
    if len(parts) == 2:
        outer = _last_named(top_level, parts[0])
        return (
            _last_named(_nested_classes(outer), parts[1]) if outer is not None else None
        )
    found = _last_named(top_level, class_name)
    if found is not None:
        return found
    owners = {
        id(outer): inner
        for outer in top_level
        if (inner := _last_named(_nested_classes(outer), class_name))
    }
    return next(iter(owners.values())) if len(owners) == 1 else None


def _last_named(classes: list[cst.ClassDef], name: str) -> cst.ClassDef | None:
    matches = [node for node in classes if node.name.value == name]
    return matches[-1] if matches else None


def _nested_classes(outer: cst.ClassDef) -> list[cst.ClassDef]:
    if not isinstance(outer.body, cst.IndentedBlock):
        return []
    return [
        statement
        for statement in outer.body.body
        if isinstance(statement, cst.ClassDef)
    ]


def _stub(name: str, indent: str, unit: str, newline: str) -> str:
    """The stub's two lines, the first without indentation and the last without a line break."""
    return (
        f"def {name}(self, *args, **kwargs):{newline}"
        f'{indent}{unit}raise NotImplementedError("{name}")  {STUB_COMMENT}'
    )


def _is_placeholder(statement: cst.BaseSmallStatement) -> bool:
    if isinstance(statement, cst.Pass):
        return True
    return isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Ellipsis)


def _add_to_block(
    source: ParsedSource, node: cst.ClassDef, block: cst.IndentedBlock, name: str
) -> str | None:
    text = source.text
    for statement in block.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return None  # already there
    class_indent = leading_whitespace(text, source.start_line(node.name))
    last = block.body[-1]
    indent = leading_whitespace(text, source.start_line(last))
    if indent.startswith(class_indent) and len(indent) > len(class_indent):
        unit = indent[len(class_indent) :]
    else:
        unit = source.module.default_indent
    newline = source.newline

    if (
        len(block.body) == 1
        and isinstance(last, cst.SimpleStatementLine)
        and len(last.body) == 1
        and _is_placeholder(last.body[0])
        and isinstance(last.body[0].semicolon, cst.MaybeSentinel)
        and last.trailing_whitespace.comment is None
    ):
        placeholder = last.body[0]
        start, end = source.start(placeholder), source.end(placeholder)
        return text[:start] + _stub(name, indent, unit, newline) + text[end:]

    at = line_end(text, block_end_line(text, source.end_line(last), class_indent))
    prefix = newline if at == len(text) and text and text[-1] not in "\r\n" else ""
    insertion = (
        f"{prefix}{newline}{indent}{_stub(name, indent, unit, newline)}{newline}"
    )
    return text[:at] + insertion + text[at:]


def _add_to_one_line_body(
    source: ParsedSource, node: cst.ClassDef, suite: cst.SimpleStatementSuite, name: str
) -> str | None:
    """Rewrite `class A: body  # c` into block form: `class A:  # c`, then body (unless a placeholder), then the stub."""
    text = source.text
    first, last = suite.body[0], suite.body[-1]
    start = source.start(first) - len(suite.leading_whitespace.value)
    end_line = source.end_line(last)
    end = line_content_end(text, end_line)
    newline = source.newline
    indent = (
        leading_whitespace(text, source.start_line(node.name))
        + source.module.default_indent
    )

    comment = suite.trailing_whitespace.comment
    replacement = f"  {comment.value}" if comment is not None else ""
    replacement += newline
    if not (len(suite.body) == 1 and _is_placeholder(first)):
        replacement += (
            f"{indent}{text[source.start(first) : source.end(last)]}{newline}{newline}"
        )
    replacement += indent + _stub(name, indent, source.module.default_indent, newline)
    return text[:start] + replacement + text[end:]
