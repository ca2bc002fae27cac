"""The command line: `importsense check | collect | serve`; renders findings as text, json, github or sarif."""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Sequence, TextIO

from . import __version__
from .atomic import replace_file
from .config import RULES, ConfigError, find_project_root, load_settings
from .model import CheckReport, Severity, display_path

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except ConfigError as error:
        print(f"importsense: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="importsense", description=__doc__)
    parser.add_argument("--version", action="version", version=f"importsense {__version__}")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="check imports, attributes and patch targets")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories (default: the project)")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    check.add_argument("--select", type=_rule_list, help="comma-separated rules to report")
    check.add_argument("--ignore", type=_rule_list, help="comma-separated rules to skip")
    check.add_argument("--fix", action="store_true", help="apply safe fixes (relative -> absolute imports)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    check.add_argument("--python", help="the target interpreter (default: venv discovery)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the summary cache")
    check.add_argument("--root", type=Path, help="project root (default: found from the first path)")
    check.set_defaults(handler=run_check)

    collect = sub.add_parser("collect", help="show which test files pytest can collect")
    collect.add_argument("paths", nargs="*", type=Path)
    collect.add_argument("--format", choices=("text", "json"), default="text")
    collect.add_argument("--static", action="store_true", help="do not run pytest: static estimate only")
    collect.add_argument("--python", help="the target interpreter")
    collect.add_argument("--timeout", type=float, default=None, help="seconds before pytest is stopped")
    collect.add_argument("--root", type=Path)
    collect.set_defaults(handler=run_collect)

    serve = sub.add_parser("serve", help="run the language server")
    serve.add_argument("--stdio", action="store_true", help="speak LSP over stdio (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead (for debugging)")
    serve.add_argument("--log-file", type=Path, help="also write the server log to this file")
    serve.set_defaults(handler=run_serve)
    return parser


def _rule_list(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in RULES and n.upper() != "ALL"]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown rule {unknown[0]!r} (rules: {', '.join(RULES)})")
    return names


def _project_root(args: argparse.Namespace) -> Path:
    if args.root:
        return args.root.resolve()
    first = args.paths[0] if args.paths else Path.cwd()
    if not first.exists():
        return find_project_root(Path.cwd())
    return find_project_root(first)


# ---- check -------------------------------------------------------------------

def run_check(args: argparse.Namespace) -> int:
    from .engine import Project, ProjectOptions

    root = _project_root(args)
    overrides: dict = {}
    if args.select:
        overrides["select"] = list(args.select)
    if args.ignore:
        overrides["ignore"] = list(args.ignore)
    settings = load_settings(root, overrides)
    project = Project(settings, ProjectOptions(python=args.python, use_cache=not args.no_cache))
    report = project.check_paths(args.paths or None)
    missing_inputs = [p for p in report.problems if p.endswith("no such file or directory")]
    if args.fix:
        report = apply_safe_fixes(project, report, args)
    out = sys.stdout
    if args.format == "json":
        render_json(project, report, out)
    elif args.format == "github":
        render_github(report, root, out)
    elif args.format == "sarif":
        render_sarif(report, root, out)
    else:
        render_text(report, root, out)
    for problem in report.problems:
        print(f"importsense: {problem}", file=sys.stderr)
    if missing_inputs and report.files_checked == 0:
        return EXIT_USAGE
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if any(f.severity is Severity.ERROR for f in report.findings) else EXIT_OK


def render_json(project, report: CheckReport, out: TextIO) -> None:
    root = project.root
    items = [f.to_json(root, project.first_fix(f) if f.intents else None) for f in report.findings]
    project.save()
    json.dump(items, out, indent=2, ensure_ascii=False)
    out.write("\n")


def render_text(report: CheckReport, root: Path, out: TextIO) -> None:
    for finding in report.findings:
        path = display_path(finding.path, root)
        out.write(f"{path}:{finding.span.start_line}:{finding.span.start_column}: {finding.rule} "
                  f"[{finding.severity.value}] {finding.message}\n")
        for suggestion in finding.suggestions:
            out.write(f"    help: {suggestion}\n")
    counts = {s: 0 for s in Severity}
    for finding in report.findings:
        counts[finding.severity] += 1
    files = len({f.path for f in report.findings})
    if report.findings:
        parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity if counts[s]]
        out.write(f"Found {len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} "
                  f"({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}; "
                  f"{report.files_checked} files checked.\n")
    else:
        out.write(f"All clear: {report.files_checked} files checked.\n")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "notice",
                 Severity.HINT: "notice"}


def render_github(report: CheckReport, root: Path, out: TextIO) -> None:
    for finding in report.findings:
        span = finding.span
        message = finding.message + "".join(f"; {s}" for s in finding.suggestions)
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.write(
            f"::{_GITHUB_LEVEL[finding.severity]} file={display_path(finding.path, root)},line={span.start_line},"
            f"col={span.start_column},endLine={span.end_line},endColumn={span.end_column},"
            f"title={finding.rule}::{message}\n"
        )


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "note",
                Severity.HINT: "note"}


def render_sarif(report: CheckReport, root: Path, out: TextIO) -> None:
    rules = sorted({f.rule for f in report.findings} | set(RULES))
    results = []
    for finding in report.findings:
        span = finding.span
        results.append({
            "ruleId": finding.rule,
            "ruleIndex": rules.index(finding.rule),
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message + "".join(f"\n{s}" for s in finding.suggestions)},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": display_path(finding.path, root), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": span.start_line, "startColumn": span.start_column,
                               "endLine": span.end_line, "endColumn": max(span.end_column, span.start_column)},
                }
            }],
        })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "importsense", "version": __version__,
                "informationUri": "https://github.com/importsense/importsense",
                "rules": [{"id": r, "name": r, "helpUri": f"docs/rules.md#{r}"} for r in rules],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
            "results": results,
        }],
    }
    json.dump(sarif, out, indent=2)
    out.write("\n")


def apply_safe_fixes(project, report: CheckReport, args: argparse.Namespace) -> CheckReport:
    """Convert relative imports to absolute, file by file, re-parsing before an atomic write."""
    from .fixes import absolutize_all, apply_edits
    from .model import AbsolutizeImport

    by_file: dict[Path, list[AbsolutizeImport]] = {}
    for finding in report.findings:
        for intent in finding.intents:
            if isinstance(intent, AbsolutizeImport):
                by_file.setdefault(finding.path, []).append(intent)
    changed: list[Path] = []
    for path, intents in sorted(by_file.items()):
        try:
            text = project.read_text(path)
        except (OSError, ValueError) as error:
            report.problems.append(f"{path}: not fixed: {error}")
            continue
        fix = absolutize_all(path, text, intents)
        if fix is None:
            report.problems.append(f"{display_path(path, project.root)}: not fixed: the rewrite would not parse")
            continue
        new_text = apply_edits(text, [e for e in fix.edits if e.path == path])
        try:
            ast.parse(new_text)
        except SyntaxError:
            report.problems.append(f"{display_path(path, project.root)}: not fixed: the rewrite would not parse")
            continue
        write_atomically(path, new_text)
        project.file_changed(path)
        changed.append(path)
        print(f"fixed: {display_path(path, project.root)} ({len(intents)} relative import"
              f"{'s' if len(intents) != 1 else ''} made absolute)", file=sys.stderr)
    if not changed:
        return report
    rechecked = project.check_paths(args.paths or None)
    rechecked.problems = report.problems
    return rechecked


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one rename, keeping its mode; newlines are written as they are in `text`."""
    data = text.encode("utf-8")
    replace_file(path, lambda handle: handle.write(data), mode=path.stat().st_mode)


# ---- collect -----------------------------------------------------------------

def run_collect(args: argparse.Namespace) -> int:
    from .collection import run_collect_command
    from .engine import Project, ProjectOptions
    from .project.environment import find_interpreter

    root = _project_root(args)
    settings = load_settings(root)
    python = find_interpreter(root, args.python, settings.python)
    timeout = args.timeout if args.timeout is not None else settings.collection_timeout
    project = Project(settings, ProjectOptions(python=args.python))
    project.summarize_all()
    test_like = [p for p in project.files if p.name.startswith("test") or p.name.endswith("_test.py")]
    import_failures = project.collection_blockers(test_like)
    project.save()
    paths = [p.resolve() for p in args.paths]
    return run_collect_command(root, paths, python=python, static=args.static, fmt=args.format,
                               timeout=timeout, import_failures=import_failures, out=sys.stdout)


# ---- serve -------------------------------------------------------------------

def run_serve(args: argparse.Namespace) -> int:
    from .project.worker import SummaryWorker

    worker = SummaryWorker.start()  # first: the child starts on the other core while this one loads pygls
    from .lsp.codecache import install

    code_cache = install()  # before pygls / lsprotocol: their generated methods compile through it
    from .lsp.server import start_server

    return start_server(tcp=args.tcp, log_file=args.log_file, code_cache=code_cache, worker=worker)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
