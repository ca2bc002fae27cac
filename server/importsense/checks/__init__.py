"""The rules: one module each, pure functions from (file summary, index, settings) to findings."""

from __future__ import annotations

from typing import Callable, Iterable

from ..model import Finding
from .context import CheckContext
from . import missing_attribute, missing_name, patch_target, relative_import, syntax_error, unresolved_module

Rule = Callable[[CheckContext], Iterable[Finding]]

# Order matters only for output stability; each rule reports under its own stable name(s).
RULE_FUNCTIONS: tuple[Rule, ...] = (
    syntax_error.check,
    relative_import.check,
    unresolved_module.check,
    missing_name.check,
    missing_attribute.check,
    patch_target.check,
)
# the rules whose findings can stop a module from importing (collection's static view needs only these)
IMPORT_RULE_FUNCTIONS: tuple[Rule, ...] = (
    syntax_error.check,
    relative_import.check,
    unresolved_module.check,
    missing_name.check,
)


def run_checks(context: CheckContext, rules: tuple[Rule, ...] = RULE_FUNCTIONS) -> list[Finding]:
    """The enabled rules (default: all) over one file, with severities from the settings, sorted by position."""
    settings = context.settings
    findings: list[Finding] = []
    if context.path.suffix == ".pyi":  # stubs are read by type checkers, never imported: only their syntax
        rules = (syntax_error.check,)
    for rule in rules:
        for finding in rule(context):
            if not settings.rule_enabled(finding.rule):
                continue
            override = settings.severity.get(finding.rule)
            if override is not None and not finding.cascade:
                finding = finding.with_severity(override)
            findings.append(finding)
    findings.sort(key=Finding.sort_key)
    return findings


__all__ = ["CheckContext", "run_checks", "RULE_FUNCTIONS", "IMPORT_RULE_FUNCTIONS"]
