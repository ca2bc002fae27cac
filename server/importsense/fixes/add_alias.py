"""Add a compatibility alias `alias = target_expr` to a module, after the statement binding its target."""

from __future__ import annotations

import ast
import keyword
import warnings

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..model import AddAlias, Fix
from .edits import (
    apply_edits,
    block_end_line,
    line_content_end,
    line_end,
    line_starts,
    minimal_edits,
    offset_to_position,
    parse_source,
    parses,
)

ALIAS_COMMENT = "# compatibility alias added by importsense"
# PEP 8: two blank lines around top-level functions and classes
_BLANK_LINES_AFTER_DEF = 2


def add_alias(intent: AddAlias, text: str) -> Fix | None:
    """Insert the alias (and its import line when needed) into `text`, the file `intent.target_path`."""
    if not intent.alias.isidentifier() or keyword.iskeyword(intent.alias):
        return None
    target = _parse_expression(intent.target_expr)
    import_statement = (
        _parse_import_line(intent.import_line)
        if intent.import_line is not None
        else None
    )
    if target is None or (intent.import_line is not None and import_statement is None):
        return None
    source = parse_source(text)
    if source is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # odd escapes in user code
        tree = ast.parse(text)
    if _alias_exists(tree, intent.alias, target):
        return None

    anchor = _anchor(source.module, intent.after_name)
    if anchor is not None:
        last_line = block_end_line(text, source.end_line(anchor), "")
        at = line_end(text, last_line)
    else:
        at = len(text)
        anchor = source.module.body[-1] if source.module.body else None

    lines = []
    import_line = intent.import_line
    if (
        import_line is not None
        and import_statement is not None
        and not _import_covered(tree, import_statement, _line_of(text, at))
    ):
        lines.append(import_line.strip())
    lines.append(f"{intent.alias} = {intent.target_expr.strip()}  {ALIAS_COMMENT}")

    newline = source.newline
    needed = (
        _BLANK_LINES_AFTER_DEF
        if isinstance(anchor, (cst.FunctionDef, cst.ClassDef))
        else 0
    )
    prefix = ""
    if at == len(text) and text and text[-1] not in "\r\n":
        prefix = newline  # end the last line first
        existing = 0
    else:
        existing = _blank_lines_before(text, at)
    if not text.strip():
        needed = 0
    prefix += newline * max(0, needed - existing)
    insertion = prefix + newline.join(lines) + newline
    new_text = text[:at] + insertion + text[at:]

    edits = minimal_edits(intent.target_path, text, new_text)
    if not edits or not parses(apply_edits(text, edits)):
        return None
    return Fix(title=intent.title, edits=edits, preferred=intent.preferred, safe=False)


def _parse_expression(expression: str) -> ast.expr | None:
    if not expression.strip() or "\n" in expression or "\r" in expression:
        return None
    try:
        return ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return None


def _parse_import_line(line: str) -> ast.Import | ast.ImportFrom | None:
    if "\n" in line or "\r" in line:
        return None
    try:
        body = ast.parse(line.strip()).body
    except SyntaxError:
        return None
    if len(body) != 1 or not isinstance(body[0], (ast.Import, ast.ImportFrom)):
        return None
    return body[0]


def _alias_exists(tree: ast.Module, alias: str, target: ast.expr) -> bool:
    """True when the module already has `alias = target` at top level (the fix was applied)."""
    wanted = ast.dump(target)
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == alias
            and ast.dump(statement.value) == wanted
        ):
            return True
    return False


def _import_covered(
    tree: ast.Module, wanted: ast.Import | ast.ImportFrom, before_line: int
) -> bool:
    """True when top-level imports that start before `before_line` already bind what `wanted` binds."""
    wanted_names = {(alias.name, alias.asname) for alias in wanted.names}
    have: set[tuple[str, str | None]] = set()
    for statement in tree.body:
        if statement.lineno >= before_line:
            continue
        if isinstance(wanted, ast.ImportFrom):
            if not isinstance(statement, ast.ImportFrom) or (
                statement.module,
                statement.level,
            ) != (wanted.module, wanted.level):
                continue
        elif not isinstance(statement, ast.Import):
            continue
        have.update((alias.name, alias.asname) for alias in statement.names)
    return wanted_names <= have


def _line_of(text: str, offset: int) -> int:
    return offset_to_position(text, offset)[0]


def _blank_lines_before(text: str, at: int) -> int:
    """How many whitespace-only lines end right before offset `at` (a line start)."""
    line = _line_of(text, at) - 1
    count = 0
    while line >= 1:
        start = line_starts(text)[line - 1]
        if text[start : line_content_end(text, line)].strip(" \t\f"):
            break
        count += 1
        line -= 1
    return count


def _anchor(module: cst.Module, name: str | None) -> cst.BaseStatement | None:
    """The last top-level statement binding `name`, if any."""
    if name is None:
        return None
    found = None
    for statement in module.body:
        if _binds(statement, name):
            found = statement
    return found


def _binds(node: cst.CSTNode, name: str) -> bool:
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return node.name.value == name
    if isinstance(node, cst.Assign):
        return any(name in _target_names(target.target) for target in node.targets)
    if isinstance(node, (cst.AnnAssign, cst.AugAssign)):
        return name in _target_names(node.target)
    if isinstance(node, cst.Import):
        return any(
            _import_alias_binding(alias, dotted=True) == name for alias in node.names
        )
    if isinstance(node, cst.ImportFrom):
        if isinstance(node.names, cst.ImportStar):
            return False
        return any(
            _import_alias_binding(alias, dotted=False) == name for alias in node.names
        )
    if isinstance(node, cst.For) and name in _target_names(node.target):
        return True
    if isinstance(node, cst.WithItem) and node.asname is not None:
        return name in _target_names(node.asname.name)
    if isinstance(node, cst.BaseExpression):
        return False
    return any(_binds(child, name) for child in node.children)


def _import_alias_binding(alias: cst.ImportAlias, *, dotted: bool) -> str | None:
    if alias.asname is not None:
        return (
            alias.asname.name.value if isinstance(alias.asname.name, cst.Name) else None
        )
    full = get_full_name_for_node(alias.name) or ""
    return full.split(".")[0] if dotted else full


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        names: set[str] = set()
        for element in target.elements:
            names |= _target_names(element.value)
        return names
    return set()
