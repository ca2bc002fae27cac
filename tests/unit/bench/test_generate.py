"""The benchmark generator writes the project it claims: real shape, real seeded defects, deterministic."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _load_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


generate = _load_generate()

SMALL = dict(modules=50, test_files=20, target_lines=5000)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny") / "proj"
    return generate.generate_project(root, seed=1, **SMALL)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean") / "proj"
    return generate.generate_project(root, seed=2, defects=False, **SMALL)


# --- a small static resolver, independent of the generator's own bookkeeping ----------------------


def module_file(root: Path, dotted: str) -> Path | None:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def find_binding(root: Path, dotted: str, name: str, depth: int = 0):
    """('class', file, ClassDef) | ('other', file, None) | ('module', dotted, None) | None when unbound."""
    path = module_file(root, dotted)
    if path is None or depth > 10:
        return None
    tree = parse(path)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return ("class", path, node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return ("other", path, None)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ("other", path, None)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return ("other", path, None)
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if alias.name == "*":
                    found = find_binding(root, node.module, name, depth + 1)
                    if found:
                        return found
                elif (alias.asname or alias.name) == name:
                    return find_binding(root, node.module, alias.name, depth + 1) or (
                        ("module", f"{node.module}.{alias.name}", None)
                        if module_file(root, f"{node.module}.{alias.name}") else None)
    if path.name == "__init__.py" and module_file(root, f"{dotted}.{name}"):
        return ("module", f"{dotted}.{name}", None)
    return None


def class_members(root: Path, path: Path, node: ast.ClassDef) -> set[str]:
    names: set[str] = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(item.name)
            for sub in ast.walk(item):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == "self":
                    if isinstance(sub.ctx, ast.Store):
                        names.add(sub.attr)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
        elif isinstance(item, ast.Assign):
            names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    dotted = ".".join(path.relative_to(root).with_suffix("").parts)
    for base in node.bases:
        if isinstance(base, ast.Name):
            found = find_binding(root, dotted, base.id)
            assert found and found[0] == "class", f"base {base.id} of {node.name} not found"
            names |= class_members(root, found[1], found[2])
    return names


def resolve_target(root: Path, target: str) -> bool:
    """Whether a dotted patch target names something that exists, statically."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        if module_file(root, module) is None:
            continue
        rest = parts[cut:]
        found = find_binding(root, module, rest[0])
        if found is None:
            return False
        if len(rest) == 1:
            return True
        if found[0] == "module":
            return resolve_target(root, ".".join([found[1], *rest[1:]]))
        if found[0] == "class" and len(rest) == 2:
            return rest[1] in class_members(root, found[1], found[2])
        return False
    return False


def imported_class(root: Path, test_path: Path, class_name: str):
    for node in parse(test_path).body:
        if isinstance(node, ast.ImportFrom) and any(a.name == class_name for a in node.names):
            found = find_binding(root, node.module, class_name)
            if found and found[0] == "class":
                return found
    raise AssertionError(f"{class_name} is not imported by {test_path}")


def check_defect(root: Path, defect) -> None:
    path = root / defect.path
    text = path.read_text(encoding="utf-8")
    line = text.split("\n")[defect.line - 1]
    if defect.rule == "syntax-error":
        with pytest.raises(SyntaxError) as info:
            ast.parse(text)
        assert info.value.lineno == defect.line
        return
    tree = ast.parse(text)
    nodes = [n for n in ast.walk(tree) if getattr(n, "lineno", None) == defect.line]
    if defect.rule == "relative-import":
        assert any(isinstance(n, ast.ImportFrom) and n.level >= 1 for n in nodes), line
    elif defect.rule == "unresolved-module":
        node = next(n for n in nodes if isinstance(n, ast.ImportFrom))
        assert node.level == 0 and module_file(root, node.module) is None, line
    elif defect.rule == "missing-name":
        node = next(n for n in nodes if isinstance(n, ast.ImportFrom))
        assert module_file(root, node.module) is not None, line
        assert any(find_binding(root, node.module, a.name) is None for a in node.names), line
    elif defect.rule == "missing-attribute":
        match = re.search(r"callable\((\w+)\.(\w+)\)", line)
        if match:
            class_name, attr = match.groups()
        else:
            attr = re.search(r"instance\.(\w+)\(", line).group(1)
            previous = text.split("\n")[defect.line - 2]
            class_name = re.search(r"instance = (\w+)\(\)", previous).group(1)
        _, cls_path, cls_node = imported_class(root, path, class_name)
        members = class_members(root, cls_path, cls_node)
        assert attr not in members and len(members) > 5, line
    elif defect.rule == "invalid-patch-target":
        target = re.search(r'patch\("([\w.]+)"\)', line).group(1)
        assert not resolve_target(root, target), target
        # the same resolver accepts the file's good targets: it is not rejecting everything
        good = [t for t in re.findall(r'patch\("([\w.]+)"\)', text) if t != target]
        assert good and all(resolve_target(root, t) for t in good)
    else:
        raise AssertionError(f"unknown rule {defect.rule}")


# --- tests -----------------------------------------------------------------------------------------


def test_tiny_project_has_the_promised_shape(tiny):
    root = tiny.root
    modules = [p for p in (root / "app").rglob("*.py") if p.name != "__init__.py"]
    tests = list((root / "tests").rglob("test_*.py"))
    assert len(modules) == 50 == tiny.modules
    assert len(tests) == 20 == tiny.test_files
    assert 'testpaths = ["tests"]' in (root / "pyproject.toml").read_text()
    depths = {len(p.relative_to(root).parts) for p in modules}
    assert max(depths) >= 4  # app/<area>/<domain>/<sub>/module.py
    inits = [p.read_text() for p in (root / "app").rglob("__init__.py")]
    all_text = "\n".join(p.read_text() for p in modules)
    test_text = "\n".join(p.read_text() for p in tests)
    assert any("import *" in t for t in inits) and any("__all__" in t for t in inits)
    for needle in ("@dataclass", "(str, enum.Enum)", "self.items", "\nfrom app.", "import os", "import json"):
        assert needle in all_text, needle
    for needle in ('patch("app.', "monkeypatch.setattr(", "@pytest.mark.parametrize", "import pytest"):
        assert needle in test_text, needle
    assert tiny.lines == sum(p.read_text().count("\n") for p in root.rglob("*") if p.is_file())


def test_every_seeded_defect_is_real_and_listed(tiny):
    rules = {d.rule for d in tiny.defects}
    assert rules == {"relative-import", "unresolved-module", "missing-name", "missing-attribute",
                     "invalid-patch-target", "syntax-error"}
    assert 10 <= len(tiny.defects) <= 60
    assert len({d.key for d in tiny.defects}) == len(tiny.defects)
    for defect in tiny.defects:
        check_defect(tiny.root, defect)
    # files with a syntax error are the only ones that do not parse
    broken = {d.path for d in tiny.defects if d.rule == "syntax-error"}
    for path in tiny.root.rglob("*.py"):
        rel = path.relative_to(tiny.root).as_posix()
        if rel not in broken:
            ast.parse(path.read_text(encoding="utf-8"))
    # relative imports appear only where seeded
    seeded = {(d.path, d.line) for d in tiny.defects if d.rule == "relative-import"}
    found = set()
    for path in tiny.root.rglob("*.py"):
        rel = path.relative_to(tiny.root).as_posix()
        if rel in broken:
            continue
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.ImportFrom) and node.level:
                found.add((rel, node.lineno))
    assert found == seeded


def test_clean_project_imports_and_its_own_tests_pass(clean):
    assert clean.defects == []
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=clean.root, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", result.stdout)
    # every patch target in the clean tests resolves statically too (the resolver is not too strict)
    targets = set()
    for path in (clean.root / "tests").rglob("test_*.py"):
        targets.update(re.findall(r'patch\("([\w.]+)"\)', path.read_text()))
    assert targets and all(resolve_target(clean.root, t) for t in targets)


def test_seeded_project_tests_fail_where_defects_are(tiny):
    """The defects break the real thing: pytest collection errors on the seeded files."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only"],
        cwd=tiny.root, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert "SyntaxError" in result.stdout or "invalid syntax" in result.stdout or "expected ':'" in result.stdout


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = generate.generate_project(tmp_path / "a", seed=7, **SMALL)
    b = generate.generate_project(tmp_path / "b", seed=7, **SMALL)
    c = generate.generate_project(tmp_path / "c", seed=8, **SMALL)

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(a.root) == tree(b.root)
    assert a.defects == b.defects
    assert tree(a.root) != tree(c.root)
    assert a.defects != c.defects


def test_no_defects_means_none_and_busy_destination_is_refused(tmp_path, clean):
    assert clean.defects == []
    for path in (clean.root).rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate.generate_project(busy, **SMALL)
    assert (busy / "keep.txt").read_text() == "x"


def test_size_scales_with_parameters(tmp_path):
    small = generate.generate_project(tmp_path / "s", modules=60, test_files=10, target_lines=6000, seed=0)
    big = generate.generate_project(tmp_path / "b", modules=60, test_files=10, target_lines=20000, seed=0)
    assert 0.7 * 20000 <= big.lines <= 1.35 * 20000
    assert small.lines < big.lines


def test_manifest_round_trip(tiny):
    again = generate.GeneratedProject.from_json(tiny.to_json())
    assert again == tiny


def test_large_module_is_big_parseable_and_has_the_lines_it_claims(tmp_path):
    project = generate.generate_project(tmp_path / "p", modules=200, test_files=10, target_lines=15000, seed=3)
    large = generate.make_large_module(project, lines=1500, name="large_module")
    text = (project.root / large.relpath).read_text(encoding="utf-8")
    lines = text.split("\n")
    assert large.lines == 1500 == text.count("\n")
    tree = ast.parse(text)
    imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("app.")]
    assert len(imports) >= 30
    toggle = lines[large.toggle_line - 1]
    assert re.fullmatch(rf"from app\.[\w.]+ import {large.toggle_name}", toggle)
    module = toggle.split()[1]
    assert find_binding(project.root, module, large.toggle_name) is not None
    assert find_binding(project.root, module, large.toggle_broken) is None
    assert lines[large.relative_line - 1].startswith("from .")
    # every project import at the top resolves (the module is clean apart from its relative import)
    for node in imports:
        for alias in node.names:
            assert find_binding(project.root, node.module, alias.name) is not None, (node.module, alias.name)


# --- the measuring helpers the bench scripts rely on ----------------------------------------------


def _load_common():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_common", BENCH / "common.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_common"] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


common = _load_common()


def test_run_measured_sees_the_childs_peak_memory_and_time():
    small = common.run_measured("small", [sys.executable, "-c", "pass"])
    big = common.run_measured(
        "big", [sys.executable, "-c", "import time; b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.3)"])
    assert small.ok and big.ok
    assert small.peak_rss_mb < 100
    assert big.peak_rss_mb > 200
    assert big.seconds >= 0.3


def test_run_measured_reports_crashes_timeouts_and_missing_tools(tmp_path):
    crash = common.run_measured("crash", [sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"])
    assert not crash.ok and crash.returncode == 3 and "boom" in crash.failure()
    anything = common.run_measured("any", [sys.executable, "-c", "raise SystemExit(1)"], ok_returncodes=None)
    assert anything.ok
    slow = common.run_measured("slow", [sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert not slow.ok and "timed out" in slow.failure() and slow.seconds < 10
    missing = common.run_measured("missing", [str(tmp_path / "no-such-tool")])
    assert not missing.ok and "could not start" in missing.failure()
    out = tmp_path / "out.txt"
    echo = common.run_measured("echo", [sys.executable, "-c", "print('x' * 200000)"], stdout_path=out)
    assert echo.ok and len(echo.stdout().strip()) == 200000


def test_table_and_percentiles():
    table = common.markdown_table(["tool", "seconds"], [["a", "1.50"], ["longer name", "12.00"]])
    lines = table.splitlines()
    assert lines[0] == "| tool        | seconds |"
    assert lines[1] == "| ----------- | ------: |"
    assert lines[3] == "| longer name |   12.00 |"
    values = [float(v) for v in range(1, 101)]
    assert common.percentile(values, 50) == 50.0
    assert common.percentile(values, 95) == 95.0
    assert common.percentile([3.0], 95) == 3.0
    assert common.percentile([], 50) is None
