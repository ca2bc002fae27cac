"""Start-up code cache: the methods attrs and cattrs generate for the protocol classes, compiled once, reused.

Importing `lsprotocol.types` builds ~580 attrs classes; attrs writes `__init__`, `__eq__`, `__repr__` ...
for each as source text and compiles it, and cattrs does the same for every message shape it
(un)structures. Compiling that text is about half of the server's start-up. The text is the same on
every start (it depends only on the installed lsprotocol / attrs / cattrs), so the compiled code objects
are kept in one marshal file, like bytecode, keyed by the exact source text and file name. A source
that is not in the file is compiled as before and added; a missing, unreadable or foreign file means
compiling everything, never an error.

The file lives in the user's cache directory (`$XDG_CACHE_HOME/importsense`, or `~/.cache/importsense`),
not in the per-project cache (`IMPORTSENSE_CACHE_DIR`): it describes the installed libraries, not a
project. `IMPORTSENSE_CODE_CACHE` names another file, or turns it off with `off`.

Nothing here imports lsprotocol or pygls: `install()` must run before them.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import marshal
import os
import sys
import threading
from pathlib import Path
from types import CodeType, ModuleType

from ..atomic import replace_file
from ..project.cache import user_cache_dir

FORMAT = 1
MAX_ENTRIES = 20_000  # a file that grew past this starts over (cattrs keeps generating for new shapes)
# modules that call the builtin `compile` (or `exec`) on generated source; a module-level function of
# that name shadows the builtin there
GENERATING_MODULES = {"attr._make": "compile", "cattrs.gen": "compile", "cattrs.gen.typeddicts": "compile",
                      "dataclasses": "exec"}

# attrs' generated `__hash__` embeds a per-process salt (a string hash): its text differs on every start
VOLATILE = "def __hash__("

_builtin_compile = builtins.compile
_builtin_exec = builtins.exec


def default_path() -> Path | None:
    """Where the cache lives (None: switched off)."""
    configured = os.environ.get("IMPORTSENSE_CODE_CACHE")
    if configured:
        return None if configured.strip().lower() in ("off", "0", "false", "no") else Path(configured)
    return user_cache_dir() / f"startup-code-{sys.implementation.cache_tag or 'python'}.marshal"


def source_key(source: str, filename: str) -> bytes:
    data = f"{filename}\0{source}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


class CodeCache:
    """Compiled code objects by (source, file name); `compile` is a drop-in for the builtin."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.codes: dict[bytes, CodeType] = {}
        self.hits = 0
        self.misses = 0
        self._saved_size = 0
        self._lock = threading.Lock()

    def load(self) -> CodeCache:
        if self.path is None:
            return self
        try:
            with open(self.path, "rb") as handle:
                payload = marshal.load(handle)
        except (OSError, EOFError, TypeError, ValueError):
            return self
        if (isinstance(payload, dict) and payload.get("format") == FORMAT
                and payload.get("python") == sys.version and isinstance(payload.get("codes"), dict)):
            codes = payload["codes"]
            if all(isinstance(k, bytes) and isinstance(v, CodeType) for k, v in codes.items()):
                self.codes = codes
                self._saved_size = len(codes)
        return self

    def compile(self, source, filename, mode, flags=0, dont_inherit=False, optimize=-1):  # noqa: A003
        """The builtin `compile`, answered from the cache for plain `exec` compiles of source text."""
        if mode != "exec" or flags or dont_inherit or optimize != -1 or type(source) is not str \
                or type(filename) is not str or VOLATILE in source:
            return _builtin_compile(source, filename, mode, flags, dont_inherit, optimize)
        key = source_key(source, filename)
        code = self.codes.get(key)
        if code is not None:
            self.hits += 1
            return code
        code = _builtin_compile(source, filename, mode)
        with self._lock:
            self.codes[key] = code
            self.misses += 1
        return code

    def exec(self, source, globals=None, locals=None, /, **kwargs):  # noqa: A002,A003
        """The builtin `exec`, with source text compiled through the cache (as `exec` names it: "<string>")."""
        if type(source) is str and not kwargs:
            source = self.compile(source, "<string>", "exec")
        return _builtin_exec(source, globals, locals, **kwargs)

    @property
    def dirty(self) -> bool:
        return len(self.codes) != self._saved_size

    def save(self) -> bool:
        """Write the file atomically when something was added; False when nothing was written."""
        if self.path is None or not self.dirty:
            return False
        with self._lock:
            codes = dict(self.codes) if len(self.codes) <= MAX_ENTRIES else {}
        payload = {"format": FORMAT, "python": sys.version, "codes": codes}
        try:
            replace_file(self.path, lambda handle: marshal.dump(payload, handle), make_parent=True)
        except (OSError, ValueError):
            return False
        self._saved_size = len(codes)
        return True


def install(path: Path | None = None, modules: dict[str, str] = GENERATING_MODULES) -> CodeCache:
    """Load the cache and make the code-generating modules compile through it (before lsprotocol loads)."""
    cache = CodeCache(default_path() if path is None else path).load()
    if cache.path is None:
        return cache
    for module_name, builtin_name in modules.items():
        try:
            module: ModuleType = importlib.import_module(module_name)
        except ImportError:
            continue
        if builtin_name not in module.__dict__:  # a module with its own `compile` / `exec` is left alone
            module.__dict__[builtin_name] = cache.compile if builtin_name == "compile" else cache.exec
    return cache
