"""The start-up code cache gives back what `compile` would, survives restarts, and never gets in the way."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path
from types import CodeType

import pytest
from importsense.lsp import codecache
from importsense.lsp.codecache import CodeCache, install

GENERATED = "def __init__(self, x, y=1):\n    self.x = x\n    self.y = y\n"


def function_code(module_code: CodeType) -> CodeType:
    return next(c for c in module_code.co_consts if isinstance(c, CodeType))


def run(code, namespace=None):
    namespace = {} if namespace is None else namespace
    exec(code, namespace)
    return namespace


def test_a_cached_compile_behaves_like_the_builtin_and_is_reused(tmp_path: Path):
    cache = CodeCache(tmp_path / "code.marshal")
    first = cache.compile(GENERATED, "<attrs generated init Point>", "exec")
    again = cache.compile(GENERATED, "<attrs generated init Point>", "exec")
    builtin = compile(GENERATED, "<attrs generated init Point>", "exec")
    assert again is first
    assert (cache.hits, cache.misses) == (1, 1)
    assert first.co_filename == builtin.co_filename
    assert function_code(first).co_code == function_code(builtin).co_code

    class Point:
        __init__ = run(first)["__init__"]

    point = Point(3)
    assert (point.x, point.y) == (3, 1)


def test_the_file_name_is_part_of_the_key(tmp_path: Path):
    cache = CodeCache(tmp_path / "code.marshal")
    a = cache.compile(GENERATED, "<a>", "exec")
    b = cache.compile(GENERATED, "<b>", "exec")
    assert a is not b and (a.co_filename, b.co_filename) == ("<a>", "<b>")


def test_what_is_saved_is_reused_by_the_next_process(tmp_path: Path):
    path = tmp_path / "sub" / "code.marshal"
    cache = CodeCache(path)
    cache.compile(GENERATED, "<init>", "exec")
    assert cache.dirty and cache.save() and path.exists()
    assert not cache.save()  # nothing new: nothing written
    later = CodeCache(path).load()
    code = later.compile(GENERATED, "<init>", "exec")
    assert (later.hits, later.misses) == (1, 0)
    assert "__init__" in run(code)
    assert not later.dirty


@pytest.mark.parametrize("content", [b"", b"not marshal at all", marshal.dumps([1, 2, 3]),
                                     marshal.dumps({"format": codecache.FORMAT, "python": "2.7", "codes": {}}),
                                     marshal.dumps({"format": codecache.FORMAT, "python": sys.version,
                                                    "codes": {b"k": "not code"}})])
def test_a_broken_or_foreign_file_means_compiling_everything(tmp_path: Path, content: bytes):
    path = tmp_path / "code.marshal"
    path.write_bytes(content)
    cache = CodeCache(path).load()
    assert cache.codes == {}
    cache.compile(GENERATED, "<init>", "exec")
    assert cache.misses == 1
    assert cache.save()
    assert CodeCache(path).load().codes.keys() == cache.codes.keys()


def test_an_unwritable_place_is_not_an_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = CodeCache(blocker / "code.marshal")  # its directory cannot be created
    cache.compile(GENERATED, "<init>", "exec")
    assert cache.save() is False


def test_other_compiles_go_straight_to_the_builtin(tmp_path: Path):
    cache = CodeCache(tmp_path / "code.marshal")
    assert cache.compile("1 + 1", "<e>", "eval") is not None
    assert cache.compile(b"x = 1\n", "<bytes>", "exec") is not None
    assert cache.compile("x = 1\n", "<flags>", "exec", 0x400) is not None  # ast.PyCF_ONLY_AST
    salted = "def __hash__(self):\n    return hash((123456789, self.x))\n"  # attrs: a per-process salt
    assert "__hash__" in run(cache.compile(salted, "<hash>", "exec"))
    assert cache.codes == {} and cache.misses == 0
    with pytest.raises(SyntaxError):
        cache.compile("def broken(:\n", "<bad>", "exec")
    assert cache.codes == {}


def test_exec_of_source_text_compiles_through_the_cache(tmp_path: Path):
    cache = CodeCache(tmp_path / "code.marshal")
    first, second = {}, {}
    cache.exec("def f():\n    return 42\n", first)
    cache.exec("def f():\n    return 42\n", second)
    assert first["f"]() == second["f"]() == 42
    assert (cache.hits, cache.misses) == (1, 1)
    cache.exec(compile("y = 2", "<c>", "exec"), first)  # code objects pass through
    assert first["y"] == 2


def test_the_cache_can_be_switched_off_or_moved(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("IMPORTSENSE_CODE_CACHE", "off")
    assert codecache.default_path() is None
    assert install().path is None
    monkeypatch.setenv("IMPORTSENSE_CODE_CACHE", str(tmp_path / "elsewhere.marshal"))
    assert codecache.default_path() == tmp_path / "elsewhere.marshal"
    monkeypatch.delenv("IMPORTSENSE_CODE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert codecache.default_path().parent == tmp_path / "xdg" / "importsense"


def test_install_leaves_a_module_with_its_own_compile_alone(tmp_path: Path):
    module = type(sys)("importsense_test_generator")
    own = object()
    module.compile = own
    sys.modules[module.__name__] = module
    try:
        install(tmp_path / "code.marshal", {module.__name__: "compile", "no_such_module_here": "compile"})
        assert module.compile is own
    finally:
        del sys.modules[module.__name__]


PROBE = """
import json, sys
from importsense.lsp.codecache import install
cache = install()
from lsprotocol import types
from pygls.protocol import default_converter
converter = default_converter()
params = converter.structure({"processId": 1, "rootUri": "file:///w", "capabilities": {
    "textDocument": {"publishDiagnostics": {"versionSupport": True}}},
    "workspaceFolders": [{"uri": "file:///w", "name": "w"}]}, types.InitializeParams)
echo = converter.unstructure(params)
saved = cache.save()
print(json.dumps({"hits": cache.hits, "misses": cache.misses, "saved": saved, "echo": echo,
                  "position": repr(types.Position(1, 2)), "equal": types.Range(types.Position(0, 1), types.Position(0, 2))
                  == types.Range(types.Position(0, 1), types.Position(0, 2))}))
"""


def test_the_protocol_classes_work_the_same_from_the_cache(tmp_path: Path):
    """Two real processes: the first compiles and saves, the second compiles nothing and behaves the same."""
    env = {**os.environ, "IMPORTSENSE_CODE_CACHE": str(tmp_path / "code.marshal")}
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout))
    first, second = runs
    assert first["misses"] > 500 and first["saved"]  # lsprotocol's ~580 classes
    assert second["misses"] == 0 and second["hits"] >= first["misses"] and not second["saved"]
    assert first["echo"] == second["echo"] and first["echo"]["workspaceFolders"] == [{"uri": "file:///w", "name": "w"}]
    assert first["position"] == second["position"] == "1:2"  # lsprotocol's own __repr__
    assert first["equal"] and second["equal"]
