"""Benchmark `importsense check` (cold and warm) against an ast.parse floor and peer tools on a synthetic project.

Usage: python bench/bench_check.py [--quick] [--modules N --test-files N --lines N --seed N]
                                   [--skip-peers] [--install-peers] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

from common import (
    WORK_DIR,
    Measurement,
    ProjectParams,
    Results,
    Target,
    cached_project,
    find_tool,
    fmt,
    importsense_available,
    importsense_command,
    install_pyright,
    machine_summary,
    markdown_table,
    run_measured,
    tool_version,
)

COLD_TARGET = 0.75  # cold check <= 0.75 x floor
WARM_TARGET = 0.10  # warm check <= 0.1 x floor
RSS_TARGET_MB = 400.0

FLOOR_SCRIPT = r"""
import ast, json, os, sys
root = sys.argv[1]
files = errors = size = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
    for name in filenames:
        if name.endswith(".py"):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as handle:
                data = handle.read()
            size += len(data)
            files += 1
            try:
                ast.parse(data, path)
            except SyntaxError:
                errors += 1
print(json.dumps({"files": files, "syntax_errors": errors, "bytes": size}))
"""

LINE_RE = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+):")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--test-files", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a 10x smaller project, for smoke runs")
    parser.add_argument("--skip-peers", action="store_true", help="measure only the floor and importsense")
    parser.add_argument("--install-peers", action="store_true", help="npm install pyright into bench/.work/npm")
    parser.add_argument("--skip-importsense", action="store_true", help="measure only the floor and the peers")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a tool run is killed")
    parser.add_argument("--json", type=Path, help="also write all numbers here as JSON")
    args = parser.parse_args(argv)

    params = ProjectParams(args.modules, args.test_files, args.lines, args.seed)
    if args.quick:
        params = params.scaled(0.1)
    print(f"# importsense check benchmark\n\nmachine: {machine_summary()}")
    started = time.perf_counter()
    project, reused = cached_project(params, "check")
    how = "reused" if reused else f"generated in {time.perf_counter() - started:.1f}s"
    print(f"project: {project.root} ({project.files} files, {project.lines} lines, "
          f"{project.modules} modules, {project.test_files} test files, {len(project.defects)} seeded defects; {how})\n")
    results = Results({"params": params.__dict__, "project": str(project.root), "files": project.files,
                       "lines": project.lines, "generated_seconds": None if reused else project.elapsed})
    root = project.root

    # The floor: one process reading and parsing every .py file. Run twice, keep the faster
    # (the first run also warms the page cache for everything after it).
    floor_runs = [run_measured("floor", [sys.executable, "-c", FLOOR_SCRIPT, str(root)],
                               stdout_path=WORK_DIR / "floor.json", timeout=args.timeout) for _ in range(2)]
    floor = min((m for m in floor_runs if m.ok), key=lambda m: m.seconds, default=floor_runs[-1])
    floor.label = "floor: ast.parse every file"
    if not floor.ok:
        print(f"floor failed: {floor.failure()}", file=sys.stderr)
        return 2
    floor_info = json.loads(floor.stdout())
    print(f"floor parsed {floor_info['files']} files ({floor_info['bytes'] / 1e6:.1f} MB)\n")

    rows: list[tuple[Measurement, str, str]] = [(floor, "-", "")]  # (measurement, seeded found, note)
    targets: list[Target] = []
    seeded = {d.key for d in project.defects}

    if not args.skip_importsense:
        cold, warm, found_note, coverage = run_importsense(root, args.timeout, project)
        rows.append((cold, coverage, found_note))
        rows.append((warm, "", ""))
        targets += importsense_targets(cold, warm, floor)
        results.data["importsense_defects"] = found_note

    if not args.skip_peers:
        if args.install_peers:
            install_pyright()
        rows += run_peers(root, args.timeout, project, seeded)

    print(markdown_table(
        ["tool", "seconds", "x floor", "peak RSS MB", "seeded defects on reported lines", "status"],
        [[m.label, fmt(m.seconds) if m.ok else "-", (fmt(m.seconds / floor.seconds) + "x") if m.ok else "-",
          fmt(m.peak_rss_mb, 0) if m.ok else "-", found, "ok" if m.ok else f"FAILED: {m.failure()}"]
         for m, found, _ in rows],
    ))
    notes = [note for _, _, note in rows if note]
    if notes:
        print()
        for note in notes:
            print(note)
    if targets:
        print("\n## targets\n")
        for target in targets:
            print(target.render())
    results.data["rows"] = [
        {"label": m.label, "seconds": m.seconds, "peak_rss_mb": m.peak_rss_mb, "ok": m.ok, "error": m.failure(),
         "ratio_to_floor": m.seconds / floor.seconds if m.ok else None, "seeded_found": found}
        for m, found, _ in rows
    ]
    results.data["targets"] = [t.__dict__ for t in targets]
    results.write(args.json)
    return 0


def run_importsense(root: Path, timeout: float, project) -> tuple[Measurement, Measurement, str, str]:
    """Cold (empty cache dir, --no-cache) and warm (second cached run) checks, and the defects found."""
    available, why = importsense_available()
    base = [*importsense_command(), "check", "--format", "json", "--exit-zero"]
    if not available:
        reason = f"`python -m importsense check --help` failed: {why}"
        return (Measurement("importsense check (cold)", base, error=reason),
                Measurement("importsense check (warm)", base, error=reason), "", "")
    cache = WORK_DIR / "importsense-cache"
    env = dict(os.environ, IMPORTSENSE_CACHE_DIR=str(cache))

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)

    empty_cache()
    cold_out = WORK_DIR / "importsense-cold.json"
    cold = run_measured("importsense check (cold)", [*base, "--no-cache", str(root)], cwd=root, env=env,
                        timeout=timeout, stdout_path=cold_out)
    empty_cache()
    run_measured("importsense check (cache fill)", [*base, str(root)], cwd=root, env=env, timeout=timeout)
    warm_out = WORK_DIR / "importsense-warm.json"
    warm = run_measured("importsense check (warm)", [*base, str(root)], cwd=root, env=env, timeout=timeout,
                        stdout_path=warm_out)
    note, coverage = "", ""
    for run in (cold, warm):
        if not run.ok:
            continue
        try:
            findings = extract_findings(json.loads(run.stdout()))
        except (ValueError, TypeError) as error:
            run.error = f"output is not the expected JSON: {error}"
            continue
        if run is cold:
            note, coverage = defect_report(findings, project, root)
        else:
            cold_keys = finding_keys(extract_findings(json.loads(cold.stdout()))) if cold.ok else None
            warm_keys = finding_keys(findings)
            if cold_keys is not None and cold_keys != warm_keys:
                note += (f"\nWARNING: warm run reported {len(warm_keys)} findings, cold run {len(cold_keys)}: "
                         f"{len(warm_keys - cold_keys)} only warm, {len(cold_keys - warm_keys)} only cold")
    return cold, warm, note, coverage


def extract_findings(data: object) -> list[dict]:
    """The finding dicts of `importsense check --format json` (a list, or a dict holding one)."""
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict):
        for key in ("findings", "diagnostics", "results"):
            if isinstance(data.get(key), list):
                return [d for d in data[key] if isinstance(d, dict)]
    raise ValueError(f"no list of findings in {type(data).__name__}")


def finding_keys(findings: list[dict], root: Path | None = None) -> set[tuple[str, int, str]]:
    keys = set()
    for item in findings:
        path = str(item.get("path", ""))
        if root is not None and os.path.isabs(path):
            try:
                path = Path(path).resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                pass
        keys.add((path, int(item.get("line", 0)), str(item.get("rule", ""))))
    return keys


def defect_report(findings: list[dict], project, root: Path) -> tuple[str, str]:
    """A note listing found / missed seeded defects and other findings by rule, and an 'n/m' cell."""
    keys = finding_keys(findings, root)
    seeded = {d.key: d for d in project.defects}
    found = [k for k in seeded if k in keys]
    missed = [seeded[k] for k in seeded if k not in keys]
    others: dict[str, int] = {}
    for key in keys - set(seeded):
        others[key[2]] = others.get(key[2], 0) + 1
    by_rule: dict[str, list[int]] = {}
    for key, defect in seeded.items():
        counts = by_rule.setdefault(defect.rule, [0, 0])
        counts[1] += 1
        counts[0] += key in keys
    lines = [f"importsense found {len(found)}/{len(seeded)} seeded defects ("
             + ", ".join(f"{rule} {c[0]}/{c[1]}" for rule, c in sorted(by_rule.items())) + ")"]
    if others:
        lines.append(f"importsense reported {sum(others.values())} findings that are not seeded defects: "
                     + ", ".join(f"{rule}={n}" for rule, n in sorted(others.items())))
        for key in sorted(keys - set(seeded))[:10]:
            lines.append(f"  not seeded: {key[0]}:{key[1]} {key[2]}")
    for defect in missed[:20]:
        lines.append(f"  missed: {defect.path}:{defect.line} {defect.rule} ({defect.detail})")
    return "\n".join(lines), f"{len(found)}/{len(seeded)}"


def importsense_targets(cold: Measurement, warm: Measurement, floor: Measurement) -> list[Target]:
    out = []
    for run, ratio, name in ((cold, COLD_TARGET, "cold check"), (warm, WARM_TARGET, "warm check")):
        if run.ok:
            actual = run.seconds / floor.seconds
            out.append(Target(f"{name} <= {ratio}x floor", actual <= ratio,
                              f"{run.seconds:.2f}s = {actual:.2f}x floor ({floor.seconds:.2f}s)"))
        else:
            out.append(Target(f"{name} <= {ratio}x floor", None, run.failure()))
    measured = [r for r in (cold, warm) if r.ok]
    if measured:
        peak = max(r.peak_rss_mb for r in measured)
        out.append(Target(f"peak RSS < {RSS_TARGET_MB:.0f} MB", peak < RSS_TARGET_MB, f"{peak:.0f} MB"))
    else:
        out.append(Target(f"peak RSS < {RSS_TARGET_MB:.0f} MB", None, "importsense did not run"))
    return out


def run_peers(root: Path, timeout: float, project, seeded: set) -> list[tuple[Measurement, str, str]]:
    rows: list[tuple[Measurement, str, str]] = []
    seeded_lines = {(d.path, d.line) for d in project.defects}
    relative = {(d.path, d.line) for d in project.defects if d.rule == "relative-import"}

    ruff = find_tool("ruff")
    if ruff:
        out = WORK_DIR / "ruff.txt"
        run = run_measured(
            f"ruff check --select TID252 ({tool_version(ruff)})",
            [ruff, "check", "--select", "TID252", "--no-cache", "--exit-zero", "--output-format", "concise",
             "--config", 'lint.flake8-tidy-imports.ban-relative-imports = "all"', "."],
            cwd=root, timeout=timeout, stdout_path=out)
        lines = text_lines(run.stdout(), root) if run.ok else set()
        rows.append((run, f"{len(lines & relative)}/{len(relative)} relative" if run.ok else "", ""))
    else:
        rows.append((Measurement("ruff", ["ruff"], error="not installed"), "", ""))

    ty = find_tool("ty")
    if ty:
        out = WORK_DIR / "ty.txt"
        run = run_measured(f"ty check ({tool_version(ty)})",
                           [ty, "check", "--output-format", "concise", "--python", sys.executable, "."],
                           cwd=root, timeout=timeout, stdout_path=out, ok_returncodes=None)
        lines = text_lines(run.stdout(), root) if run.ok else set()
        rows.append((run, f"{len(lines & seeded_lines)}/{len(seeded_lines)}" if run.ok else "",
                     f"ty reported {len(lines)} distinct lines" if run.ok else ""))
    else:
        rows.append((Measurement("ty", ["ty"], error="not installed"), "", ""))

    pyright = find_tool("pyright")
    if pyright:
        out = WORK_DIR / "pyright.json"
        run = run_measured(f"pyright ({tool_version(pyright)})",
                           [pyright, "--outputjson", "--pythonpath", sys.executable, "."],
                           cwd=root, timeout=timeout, stdout_path=out, ok_returncodes=None)
        lines: set[tuple[str, int]] = set()
        if run.ok:
            try:
                data = json.loads(run.stdout())
                for diag in data.get("generalDiagnostics", []):
                    path = Path(diag["file"]).resolve().relative_to(root.resolve()).as_posix()
                    lines.add((path, diag["range"]["start"]["line"] + 1))
            except (ValueError, KeyError, TypeError) as error:
                run.error = f"output is not pyright JSON: {error}"
        rows.append((run, f"{len(lines & seeded_lines)}/{len(seeded_lines)}" if run.ok else "",
                     f"pyright reported {len(lines)} distinct lines" if run.ok else ""))
    else:
        rows.append((Measurement("pyright", ["pyright"], error="not installed (use --install-peers)"), "", ""))
    return rows


def text_lines(text: str, root: Path) -> set[tuple[str, int]]:
    """(relative path, line) of every `path:line:col:` diagnostic line in a tool's text output."""
    out = set()
    for line in text.splitlines():
        match = LINE_RE.match(line)
        if match:
            path = match.group("path")
            if os.path.isabs(path):
                try:
                    path = Path(path).relative_to(root).as_posix()
                except ValueError:
                    pass
            out.add((path.replace("\\", "/").removeprefix("./"), int(match.group("line"))))
    return out


if __name__ == "__main__":
    sys.exit(main())
