"""Benchmark per-file pytest collection: cold pytest vs importsense's warm fork, whole project, static estimate.

Usage: python bench/bench_collection.py [--test-files 2000] [--dirs 40] [--repeat 5] [--keep] [--skip-whole]

Generates a synthetic project in a temp dir whose conftest.py imports heavy
third-party modules (hypothesis, libcst, jedi, pygls, lsprotocol), so pytest's
start-up dominates a single-file collection, then measures in one run:

  1. cold `python -m pytest --collect-only -q <file>` (median of --repeat runs)
  2. importsense's warm per-file re-collection of the same file after editing it
     (median of --repeat runs; the server's one-off start-up is reported apart)
  3. whole-project collection: cold `pytest --collect-only` and importsense warm
  4. the static estimate (discovery + AST counts) of the whole project

and checks the targets: warm per-file <= 10% of the cold single-file run;
re-collecting one changed file imports no other test file; static estimate of
2,000 test files under 2 s. Prints a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from importsense.collection import (
    WarmCollector,
    collect,
    discover_test_files,
    read_pytest_config,
    static_status,
)

HEAVY_IMPORTS = ["hypothesis", "hypothesis.strategies", "libcst", "jedi", "pygls.lsp.server", "lsprotocol.types"]
WARM_TARGET = 0.10
STATIC_TARGET_SECONDS = 2.0
STATIC_TARGET_FILES = 2000


def generate(root: Path, test_files: int, dirs: int) -> Path:
    """Write the project; return the test file that the per-file measurements edit and re-collect."""
    (root / "pyproject.toml").write_text(textwrap.dedent("""
        [project]
        name = "bench-collection"
        version = "0"

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["src"]
    """).lstrip())
    package = root / "src" / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A small first-party package the tests import."""\n')
    for index in range(20):
        (package / f"module_{index}.py").write_text(textwrap.dedent(f"""
            from dataclasses import dataclass


            @dataclass
            class Item{index}:
                name: str
                price: int = {index}

                def total(self, count: int) -> int:
                    return self.price * count


            def make_{index}(name: str) -> Item{index}:
                return Item{index}(name)
        """).lstrip())
    tests = root / "tests"
    tests.mkdir()
    imports = "\n".join(f"import {name}  # noqa: F401" for name in HEAVY_IMPORTS)
    (tests / "conftest.py").write_text(
        f'"""Imports heavy third-party modules at start-up, like a real backend\'s conftest."""\n'
        f"{imports}\n\nimport pytest\n\n\n@pytest.fixture(params=[1, 2])\ndef quantity(request):\n    return request.param\n"
    )
    per_dir = max(1, test_files // dirs)
    written = 0
    target: Path | None = None
    for d in range(dirs):
        directory = tests / f"area_{d:03d}"
        directory.mkdir()
        for f in range(per_dir):
            if written >= test_files:
                break
            module = written % 20
            path = directory / f"test_area{d:03d}_case{f:03d}.py"
            path.write_text(textwrap.dedent(f"""
                import pytest

                from shop.module_{module} import Item{module}, make_{module}


                def test_make():
                    assert make_{module}("x").name == "x"


                @pytest.mark.parametrize("count", [1, 2, 3])
                def test_total(count):
                    assert Item{module}("a", 2).total(count) == 2 * count


                def test_with_fixture(quantity):
                    assert quantity in (1, 2)


                class TestItem:
                    def test_price(self):
                        assert Item{module}("b").price == {module}

                    @pytest.mark.parametrize("name", ["a", "b"])
                    def test_name(self, name):
                        assert make_{module}(name).name == name
            """).lstrip())
            if target is None:
                target = path
            written += 1
    assert target is not None
    return target


def mark_siblings(target: Path, log: Path) -> list[Path]:
    """Make the target's sibling test files record their import, to prove they are not re-collected."""
    siblings = sorted(p for p in target.parent.glob("test_*.py") if p != target)[:5]
    for path in siblings:
        path.write_text(f"open({str(log)!r}, 'a').write(__name__ + '\\n')\n" + path.read_text())
    return siblings


def timed(function, repeat: int) -> tuple[float, object]:
    samples = []
    value = None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), value


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-files", type=int, default=STATIC_TARGET_FILES)
    parser.add_argument("--dirs", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    parser.add_argument("--skip-whole", action="store_true", help="skip the whole-project pytest runs")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="importsense-bench-collection-"))
    root = workdir / "project"
    root.mkdir()
    python = sys.executable
    rows: list[tuple[str, str, str, str]] = []
    try:
        target = generate(root, args.test_files, args.dirs)
        relative = target.relative_to(root)
        log = workdir / "imports.log"
        mark_siblings(target, log)
        config = read_pytest_config(root)

        # 1. cold pytest, one file
        def cold_pytest() -> int:
            done = subprocess.run(
                [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(relative)],
                cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"cold pytest failed:\n{done.stdout[-2000:]}")
            return done.returncode

        cold_one, _ = timed(cold_pytest, args.repeat)
        rows.append(("cold `pytest --collect-only <file>`", fmt(cold_one), "baseline", ""))

        cold_is, cold_result = timed(lambda: collect(root, python, [relative], timeout=120), 1)
        rows.append(("importsense cold collect of the file", fmt(cold_is), "", f"{cold_result.tests} tests"))

        # 2. warm per-file re-collection after an edit
        with WarmCollector() as warm:
            start = time.perf_counter()
            warm.start(python, root, config=config)
            warm_start = time.perf_counter() - start
            rows.append(("warm server start-up (once)", fmt(warm_start), "", f"preloaded {len(warm.preloaded)} modules"))

            original = target.read_text()
            edits = iter(range(10_000))

            def edit_and_recollect():
                target.write_text(original + f"\n\ndef test_edit_{next(edits)}():\n    pass\n")
                return warm.collect([relative], timeout=120)

            edit_and_recollect()  # the first request pays for nothing extra, but keep samples clean
            log.write_text("")
            warm_one, warm_result = timed(edit_and_recollect, max(args.repeat, 5))
            ratio = warm_one / cold_one
            rows.append((
                "importsense warm re-collection of the edited file",
                fmt(warm_one),
                f"<= {WARM_TARGET:.0%} of cold",
                f"{ratio:.1%} of cold: {'PASS' if ratio <= WARM_TARGET else 'FAIL'}",
            ))
            others = [line for line in log.read_text().split() if line]
            single = [f.path for f in warm_result.files] == [target] and not others
            rows.append((
                "re-collecting one file touches no other test file",
                "",
                "no other file",
                f"{len(warm_result.files)} file reported, {len(others)} sibling imports: {'PASS' if single else 'FAIL'}",
            ))
            target.write_text(original)

            # 3. whole project
            if not args.skip_whole:
                whole_warm, whole_result = timed(lambda: warm.collect(None, timeout=600), 1)
                rows.append((
                    "importsense warm whole-project collection",
                    fmt(whole_warm),
                    "",
                    f"{whole_result.tests:,} tests in {len(whole_result.files):,} files, {len(whole_result.errors)} errors",
                ))
        if not args.skip_whole:
            def cold_whole() -> None:
                subprocess.run(
                    [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                    cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                )

            whole_cold, _ = timed(cold_whole, 1)
            rows.append(("cold `pytest --collect-only` (whole project)", fmt(whole_cold), "", ""))

        # 4. static estimate
        def static_estimate():
            cfg = read_pytest_config(root)
            files = discover_test_files(root, cfg)
            return static_status(root, files, config=cfg)

        cpu_start = time.process_time()
        static_time, statuses = timed(static_estimate, 3)
        static_cpu = (time.process_time() - cpu_start) / 3
        tests = sum(s.tests for s in statuses)
        scaled = static_time * STATIC_TARGET_FILES / max(1, len(statuses))
        ok = scaled < STATIC_TARGET_SECONDS
        rows.append((
            "static estimate, whole project",
            fmt(static_time),
            f"< {STATIC_TARGET_SECONDS:.0f} s for {STATIC_TARGET_FILES:,} files",
            f"{tests:,} tests in {len(statuses):,} files, {fmt(static_cpu)} CPU: {'PASS' if ok else 'FAIL'}",
        ))
    finally:
        if args.keep:
            print(f"project kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"Collection benchmark: {args.test_files:,} test files, conftest importing {', '.join(HEAVY_IMPORTS)}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load} at the end, "
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}"
    )
    print()
    print("| measurement | time | target | result |")
    print("| --- | ---: | --- | --- |")
    for name, value, target_text, result in rows:
        print(f"| {name} | {value} | {target_text} | {result} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
