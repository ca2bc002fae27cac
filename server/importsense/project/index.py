"""ModuleIndex: dotted name <-> file the way Python's import system finds them, summaries cached by content, reverse imports."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..config import Settings
from ..model import Span
from .environment import Environment
from .sources import SummaryEntry, digest_of, summarize_bytes
from .summary import ClassInfo, FileSummary, summarize_source

EXTENSION_SUFFIXES = (".so", ".pyd")
MODULE_DUNDERS = frozenset({
    "__name__", "__file__", "__doc__", "__path__", "__all__", "__spec__", "__loader__", "__package__",
    "__builtins__", "__dict__", "__cached__", "__annotations__",
})
MAX_DEPTH = 12
DECODED_LIMIT = 4096  # summaries a long-lived index keeps decoded (see ModuleIndex._decoded_recently)


@dataclass(frozen=True)
class Resolution:
    """Where a dotted module name resolves, or why it does not."""

    name: str
    kind: str  # module | package | namespace | stub | extension | builtin | missing | unknown
    path: Path | None = None  # the file (package: its __init__)
    locations: tuple[Path, ...] = ()  # package / namespace directories (its __path__)
    first_party: bool = False
    stdlib: bool = False
    missing_part: str | None = None  # for missing: the first component that was not found
    found_prefix: str | None = None  # for missing: the longest prefix that resolved
    case_hint: Path | None = None  # for missing: an entry that matches except for letter case

    @property
    def found(self) -> bool:
        return self.kind not in ("missing", "unknown")


@dataclass(frozen=True)
class Symbol:
    """What a name refers to, as far as the index can know without running code."""

    kind: str  # module | class | value | unknown | missing | broken
    module: str = ""
    path: Path | None = None
    class_info: ClassInfo | None = None
    resolution: Resolution | None = None
    root: tuple[Path, Span, str] | None = None  # for broken: where the real problem is


UNKNOWN = Symbol("unknown")


@dataclass
class ClassMembers:
    names: set[str] = field(default_factory=set)
    complete: bool = True


class ModuleIndex:
    """All first-party modules of a project plus lookups into the target interpreter's sys.path."""

    def __init__(self, settings: Settings, environment: Environment, roots: list[Path],
                 files: Iterable[Path], cached: "dict[str, SummaryEntry] | Callable[[], dict[str, SummaryEntry]] | None" = None) -> None:
        self.settings = settings
        self.environment = environment
        self.roots = roots
        self._lock = threading.RLock()
        self._listings: dict[Path, dict[str, str]] = {}  # dir -> {name: kind ('d' | 'f')}
        self._lower_listings: dict[Path, dict[str, str]] = {}
        self._resolutions: dict[str, Resolution] = {}
        self._entries: dict[Path, SummaryEntry] = {}
        self._decoded: OrderedDict[Path, SummaryEntry] = OrderedDict()  # see _decoded_recently
        self.bounded_decoding = False  # the language server sets it: see _decoded_recently
        self._overlays: dict[Path, tuple[str, FileSummary]] = {}
        self._disk_cache_source = cached
        self._disk_cache_loaded: dict[str, SummaryEntry] | None = None
        self.tracking: set[Path] | None = None  # when a set, summary() records every file it is asked for
        self._dirty = False
        # project-wide tables, built once, then kept up to date one file at a time
        self._tables_built = False
        self._contributions: dict[Path, tuple[str | None, tuple[str, ...], tuple[str, ...]]] = {}
        self._defined_table: dict[str, dict[Path, str]] = {}
        self._importer_table: dict[str, set[Path]] = {}
        self.first_party_files: list[Path] = []
        self._first_party_set: set[Path] = set()
        self.known_first_party = set(settings.known_first_party)
        self._module_names: dict[Path, str | None] = {}
        self._first_party_dirs: dict[Path, bool] = {}
        self._all_module_names: list[str] | None = None
        self._root_strings = sorted(((str(r).rstrip("/") + "/", r) for r in roots), key=lambda x: -len(x[0]))
        self.set_files(files)

    # ---- files and listings --------------------------------------------
    def set_files(self, files: Iterable[Path]) -> None:
        with self._lock:
            self.first_party_files = sorted(set(files), key=str)
            self._first_party_set = set(self.first_party_files)
            self._invalidate_structure()

    def add_file(self, path: Path) -> None:
        with self._lock:
            if path not in self._first_party_set:
                self._first_party_set.add(path)
                self.first_party_files.append(path)
                self._invalidate_structure()
                self._refresh_tables(path)

    def remove_file(self, path: Path) -> None:
        with self._lock:
            if path in self._first_party_set:
                self._first_party_set.discard(path)
                self.first_party_files.remove(path)
            self._entries.pop(path, None)
            self._invalidate_structure()
            self._refresh_tables(path)

    def _invalidate_structure(self) -> None:
        self._module_names.clear()
        self._all_module_names = None
        self._listings.clear()
        self._lower_listings.clear()
        self._resolutions.clear()

    def _listing(self, directory: Path) -> dict[str, str]:
        listing = self._listings.get(directory)
        if listing is None:
            listing = {}
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        try:
                            listing[entry.name] = "d" if entry.is_dir() else "f"
                        except OSError:
                            continue
            except OSError:
                pass
            for path, _ in self._overlays.items():
                if path.parent == directory and path.name not in listing:
                    listing[path.name] = "f"
            self._listings[directory] = listing
        return listing

    def _lower_listing(self, directory: Path) -> dict[str, str]:
        lower = self._lower_listings.get(directory)
        if lower is None:
            lower = {name.lower(): name for name in self._listing(directory)}
            self._lower_listings[directory] = lower
        return lower

    def is_first_party_path(self, path: Path) -> bool:
        known = self._first_party_dirs.get(path)
        if known is None:
            text = str(path)
            known = any(text == prefix[:-1] or text.startswith(prefix) for prefix, _ in self._root_strings)
            self._first_party_dirs[path] = known
        return known

    # ---- module names ----------------------------------------------------
    def module_name_for(self, path: Path) -> str | None:
        """Dotted module name of a file under the deepest source root containing it."""
        try:
            return self._module_names[path]
        except KeyError:
            pass
        name = self._module_name_for(path)
        self._module_names[path] = name
        return name

    def _module_name_for(self, path: Path) -> str | None:
        text = str(path)
        for prefix, _root in self._root_strings:  # deepest root first
            if text.startswith(prefix):
                relative = text[len(prefix):]
                break
        else:
            return None
        for suffix in (".py", ".pyi"):
            if relative.endswith(suffix):
                relative = relative[: -len(suffix)]
                break
        parts = relative.split("/")
        if parts and parts[-1] == "__init__":
            parts.pop()
        if not parts or not all(part.isidentifier() for part in parts):
            return None
        return ".".join(parts)

    def is_package_file(self, path: Path) -> bool:
        return path.stem == "__init__"

    def absolute_module(self, path: Path, level: int, module: str) -> str | None:
        """The absolute name of `from <level dots><module> import ...` written in `path`; None if above the top."""
        name = self.module_name_for(path)
        if name is None:
            return None
        package_parts = name.split(".")
        if not self.is_package_file(path):
            package_parts = package_parts[:-1]
        if level > len(package_parts):
            return None
        base = package_parts[: len(package_parts) - (level - 1)] if level > 1 else package_parts
        if level > 1 and len(package_parts) - (level - 1) < 1:
            return None
        if not base:
            return None
        return ".".join(base + ([module] if module else []))

    # ---- resolution ------------------------------------------------------
    def search_dirs(self) -> list[tuple[Path, bool]]:
        dirs = [(root, True) for root in self.roots]
        dirs += [(Path(p), False) for p in self.environment.sys_path]
        return dirs

    def resolve_module(self, dotted: str) -> Resolution:
        with self._lock:
            cached = self._resolutions.get(dotted)
            if cached is None:
                cached = self._resolve(dotted)
                self._resolutions[dotted] = cached
            return cached

    def _resolve(self, dotted: str) -> Resolution:
        parts = dotted.split(".")
        top = parts[0]
        if not top:
            return Resolution(dotted, "missing", missing_part=top)
        current = self._find_top(top)
        if not current.found:
            return current
        for index in range(1, len(parts)):
            name = ".".join(parts[: index + 1])
            if current.kind not in ("package", "namespace", "stub") or not current.locations:
                if current.first_party and current.kind in ("module",) and not self._installs_importers(current):
                    return Resolution(name, "missing", first_party=True, missing_part=parts[index],
                                      found_prefix=current.name)
                return Resolution(name, "unknown", first_party=current.first_party, stdlib=current.stdlib)
            nxt = self._find_in(parts[index], current.locations, name, current.first_party, current.stdlib)
            if nxt is None and self._installs_importers(current):
                return Resolution(name, "unknown", first_party=current.first_party, stdlib=current.stdlib)
            if nxt is None:
                hint = self._case_hint(parts[index], current.locations)
                return Resolution(name, "missing", first_party=current.first_party, stdlib=current.stdlib,
                                  missing_part=parts[index], found_prefix=current.name, case_hint=hint)
            current = nxt
        return current

    def beside(self, path: Path, dotted: str) -> Path | None:
        """The file `import dotted` finds in the directory of `path` when that file runs as a script
        (its directory is then sys.path[0]), or None; never `path` itself."""
        parts = dotted.split(".")
        found = self._find_in(parts[0], [path.parent], parts[0], False, False)
        for part in parts[1:]:
            found = self.find_submodule(found, part) if found is not None else None
        if found is None or found.kind == "namespace" or found.path is None or found.path == path:
            return None
        return found.path

    def find_submodule(self, package: Resolution, name: str) -> Resolution | None:
        """`package.name` when it is a module file or package in the package's directories; never parses
        (unlike resolve_module, which asks whether the package installs import hooks)."""
        if package.kind not in ("package", "namespace", "stub") or not package.locations:
            return None
        return self._find_in(name, package.locations, f"{package.name}.{name}", package.first_party, package.stdlib)

    def _installs_importers(self, package: Resolution) -> bool:
        """A package whose code installs import hooks (six.moves, setuptools.extern) may serve virtual submodules."""
        if package.path is None or package.path.suffix != ".py" or not (package.first_party or package.stdlib):
            return False
        summary = self.summary(package.path)
        return summary is not None and (summary.import_hooks or summary.open_namespace)

    def _find_top(self, top: str) -> Resolution:
        if top == "distutils":
            shim = self._distutils_shim()
            if shim is not None:
                return shim
        portions: list[Path] = []
        first_party_portion = False
        stdlib = self.environment.is_stdlib(top)
        for directory, first_party in self.search_dirs():
            found = self._find_in(top, [directory], top, first_party, stdlib, portions_out=portions)
            if found is not None:
                if portions and not found.first_party and first_party_portion:
                    pass
                return found
            if portions and first_party:
                first_party_portion = True
        if portions:
            return Resolution(top, "namespace", locations=tuple(portions), first_party=first_party_portion,
                              stdlib=stdlib)
        if top in self.environment.builtin or top in ("__future__", "__main__") or top in self.environment.stdlib:
            return Resolution(top, "builtin", stdlib=True)
        first_party = top in self.known_first_party
        hint = None
        for directory, _ in self.search_dirs():
            hint = self._case_hint(top, [directory])
            if hint is not None:
                first_party = first_party or self.is_first_party_path(hint)
                break
        return Resolution(top, "missing", first_party=first_party, missing_part=top, case_hint=hint)

    def _distutils_shim(self) -> Resolution | None:
        """setuptools' `distutils-precedence.pth` (on by default: SETUPTOOLS_USE_DISTUTILS=local) makes
        `import distutils` load `setuptools/_distutils`, ahead of the stdlib copy (Python <= 3.11) or in
        place of the removed one (3.12+). Resolved as the third-party code it is."""
        for directory in self.environment.sys_path:
            if self._listing(directory).get("distutils-precedence.pth") != "f":
                continue
            setuptools = self._find_in("setuptools", [directory], "setuptools", False, False)
            if setuptools is None or not setuptools.locations:
                continue
            shim = self._find_in("_distutils", setuptools.locations, "distutils", False, False)
            if shim is not None and shim.kind == "package":
                return shim
        return None

    def _find_in(self, name: str, directories: Iterable[Path], dotted: str, first_party: bool, stdlib: bool,
                 portions_out: list[Path] | None = None) -> Resolution | None:
        """Find `name` in directories as FileFinder does: package, then module file, else namespace portion."""
        portions: list[Path] = [] if portions_out is None else portions_out
        for directory in directories:
            listing = self._listing(directory)
            fp = first_party or self.is_first_party_path(directory)
            if listing.get(name) == "d":
                package_dir = directory / name
                sub = self._listing(package_dir)
                for init in ("__init__.py", "__init__.pyi"):
                    if init in sub:
                        kind = "package" if init.endswith(".py") else "stub"
                        return Resolution(dotted, kind, package_dir / init, (package_dir,), fp, stdlib)
                for suffix in EXTENSION_SUFFIXES:
                    if any(n.startswith("__init__.") and n.endswith(suffix) for n in sub):
                        return Resolution(dotted, "extension", package_dir, (package_dir,), fp, stdlib)
            for filename, kind in ((name + ".py", "module"), (name + ".pyi", "stub")):
                if listing.get(filename) == "f":
                    return Resolution(dotted, kind, directory / filename, (), fp, stdlib)
            prefix = name + "."
            for entry in listing:
                if entry.startswith(prefix) and entry.endswith(EXTENSION_SUFFIXES):
                    return Resolution(dotted, "extension", directory / entry, (), fp, stdlib)
            if listing.get(name + "-stubs") == "d":
                stub_dir = directory / (name + "-stubs")
                return Resolution(dotted, "stub", stub_dir / "__init__.pyi", (stub_dir,), fp, stdlib)
            if listing.get(name) == "d":
                portions.append(directory / name)
        if portions and portions_out is None:
            fp = first_party or any(self.is_first_party_path(p) for p in portions)
            return Resolution(dotted, "namespace", None, tuple(portions), fp, stdlib)
        return None

    def _case_hint(self, name: str, directories: Iterable[Path]) -> Path | None:
        lowered = name.lower()
        for directory in directories:
            lower = self._lower_listing(directory)
            for candidate in (lowered, lowered + ".py", lowered + ".pyi"):
                actual = lower.get(candidate)
                if actual is not None and actual not in (name, name + ".py", name + ".pyi"):
                    return directory / actual
        return None

    def probe_missing(self, top_level_names: Iterable[str]) -> None:
        """Ask the target interpreter about unresolved top-level names (editable installs via import hooks)."""
        missing = []
        for name in set(top_level_names):
            if name and self.resolve_module(name).kind == "missing":
                missing.append(name)
        if not missing:
            return
        answers = self.environment.find_specs(sorted(missing))
        with self._lock:
            for name, origin in answers.items():
                if origin and not origin.startswith("error"):
                    path = None if origin in ("namespace", "built-in", "frozen") else Path(origin)
                    kind = "package" if path is not None and path.name.startswith("__init__.") else "module"
                    if path is None:
                        kind = "builtin" if origin in ("built-in", "frozen") else "namespace"
                    locations = (path.parent,) if kind == "package" and path is not None else ()
                    self._resolutions[name] = Resolution(name, kind, path, locations, False, False)
                    # submodules of a hook-installed package: resolve below its real location
                    for key in [k for k in self._resolutions if k.startswith(name + ".")]:
                        del self._resolutions[key]

    # ---- summaries ---------------------------------------------------------
    def set_overlay(self, path: Path, text: str, summary: FileSummary | None = None) -> None:
        """Use unsaved editor text for `path` instead of the disk."""
        with self._lock:
            is_new = path not in self._overlays and not path.exists()
            self._overlays[path] = (text, summary or summarize_source(text, str(path)))
            self._refresh_tables(path)
            if is_new:
                self._listings.pop(path.parent, None)
                self._lower_listings.pop(path.parent, None)
                self._resolutions.clear()
                if self.is_first_party_path(path):
                    self.add_file(path)

    def clear_overlay(self, path: Path) -> None:
        with self._lock:
            if self._overlays.pop(path, None) is not None:
                if not path.exists():
                    self.remove_file(path)
                else:
                    self._refresh_tables(path)

    def overlay_text(self, path: Path) -> str | None:
        entry = self._overlays.get(path)
        return entry[0] if entry else None

    def file_changed(self, path: Path) -> None:
        """The file on disk changed (or appeared / disappeared)."""
        with self._lock:
            self._entries.pop(path, None)
            if path.exists():
                if self.is_first_party_path(path) and path.suffix in (".py", ".pyi"):
                    if path not in self._first_party_set:
                        self.add_file(path)
                self._refresh_tables(path)
            else:
                self.remove_file(path)

    @property
    def _disk_cache(self) -> dict[str, SummaryEntry]:
        if self._disk_cache_loaded is None:
            source = self._disk_cache_source
            self._disk_cache_loaded = (source() if callable(source) else source) or {}
        return self._disk_cache_loaded

    def summary(self, path: Path) -> FileSummary | None:
        """The file's summary for lookups from other files: may be interface-only (no attribute uses)."""
        return self._summary(path, full=False)

    def full_summary(self, path: Path) -> FileSummary | None:
        """The file's complete summary, attribute uses and patch targets included: what checking it needs."""
        return self._summary(path, full=True)

    def _summary(self, path: Path, full: bool) -> FileSummary | None:
        if self.tracking is not None:
            self.tracking.add(path)
        overlay = self._overlays.get(path)
        if overlay is not None:
            return overlay[1]  # an open buffer's summary is always complete
        entry = self._entries.get(path)
        if entry is not None:
            summary = entry.summary  # decodes a marshalled entry
            if not (full and summary.interface_only):
                self._decoded_recently(path, entry)
                return summary
        return self._adopt_loaded(path, self._load_entry(path, full=full))

    def _decoded_recently(self, path: Path, entry: SummaryEntry) -> None:
        """With `bounded_decoding`, keep at most DECODED_LIMIT summaries decoded; older ones go back to
        their marshalled form.

        Indexed summaries arrive marshalled and are decoded on first use; in the language server a pass
        over every module (the static collection view) would otherwise keep all of them decoded for the
        session, about four times the memory (+250 MB on a 1M-line workspace). A one-off CLI run keeps
        them: decoding again would cost it time (~10 %) for memory it releases at exit anyway.
        """
        if not self.bounded_decoding or not entry.compactable:
            return
        decoded = self._decoded
        if decoded.get(path) is not entry:
            decoded[path] = entry  # new, or a newer entry for the file (the indexer re-summarised it)
        decoded.move_to_end(path)
        if len(decoded) > DECODED_LIMIT:
            _, oldest = decoded.popitem(last=False)
            oldest.compact()

    def _adopt_loaded(self, path: Path, entry: SummaryEntry | None) -> FileSummary | None:
        if entry is None:
            return None
        with self._lock:
            self._entries[path] = entry
            if self._tables_built and path in self._first_party_set and path not in self._contributions:
                self._refresh_tables(path)
        return entry.summary

    def _load_entry(self, path: Path, full: bool = True) -> SummaryEntry | None:
        """From the disk cache when the stat matches, else read and summarise (interface-only unless `full`).

        Only complete summaries go to the disk cache: an interface-only one is a stop-gap for a
        lookup before the file is indexed (the indexer replaces it).
        """
        try:
            stat = path.stat()
        except OSError:
            return None
        key = str(path)
        cached = self._disk_cache.get(key)
        if cached is not None and cached.size == stat.st_size and cached.mtime_ns == stat.st_mtime_ns:
            return cached
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        digest = digest_of(data)
        if cached is not None and cached.digest == digest:
            entry = SummaryEntry(stat.st_size, stat.st_mtime_ns, digest, cached.summary)
        else:
            entry = SummaryEntry(stat.st_size, stat.st_mtime_ns, digest, summarize_bytes(path, data, uses=full))
        if entry.summary.interface_only:
            return entry
        self._disk_cache[key] = entry
        self._dirty = True
        return entry

    def adopt_entries(self, entries: dict[str, SummaryEntry]) -> None:
        """Take summaries computed elsewhere (the process pool) into the index and the disk cache."""
        with self._lock:
            for key, entry in entries.items():
                if isinstance(entry, tuple):
                    entry = SummaryEntry.from_record(entry)
                path = Path(key)
                if self._tables_built and path not in self._overlays:
                    self._entries[path] = entry
                    self._refresh_tables(path)
                self._entries[Path(key)] = entry
                self._disk_cache[key] = entry
            self._dirty = self._dirty or bool(entries)

    def adopt_lookup_entries(self, entries: dict[Path, SummaryEntry]) -> None:
        """Take interface-only summaries computed elsewhere (the worker's prefetch) for files that have none.

        Like a lookup's own stop-gap summary, they never go to the disk cache: the indexer replaces them.
        """
        for path, entry in entries.items():
            if path in self._overlays or path in self._entries:
                continue
            self._adopt_loaded(path, entry)

    def has_lookup_summary(self, path: Path) -> bool:
        """True when summary(path), the interface a lookup needs, would not have to parse the file."""
        return path in self._entries or not self.needs_summary(path)  # needs_summary: False for open buffers

    def needs_summary(self, path: Path) -> bool:
        """True when summary(path) would have to read and parse the file."""
        if path in self._overlays:
            return False
        entry = self._entries.get(path)
        if entry is not None:
            return entry.interface_only
        cached = self._disk_cache.get(str(path))
        if cached is None:
            return True
        try:
            stat = path.stat()
        except OSError:
            return False
        return not (cached.size == stat.st_size and cached.mtime_ns == stat.st_mtime_ns)

    def disk_cache(self) -> tuple[dict[str, SummaryEntry], bool]:
        return self._disk_cache, self._dirty

    # ---- names -------------------------------------------------------------
    def module_summary(self, dotted: str) -> tuple[Resolution, FileSummary | None]:
        resolution = self.resolve_module(dotted)
        if resolution.path is None or resolution.kind not in ("module", "package", "stub"):
            return resolution, None
        if not (resolution.first_party or resolution.stdlib):
            return resolution, None
        return resolution, self.summary(resolution.path)

    def lookup(self, module: str, name: str, depth: int = 0) -> Symbol:
        """What `from module import name` binds."""
        if depth > MAX_DEPTH:
            return UNKNOWN
        resolution, summary = self.module_summary(module)
        if not resolution.found:
            return Symbol("broken" if resolution.kind == "missing" else "unknown", module)
        if summary is None:
            if resolution.kind == "namespace" and resolution.first_party:
                sub = self.resolve_module(f"{module}.{name}")
                if sub.found:
                    return Symbol("module", sub.name, sub.path, resolution=sub)
                return Symbol("missing", module) if sub.kind == "missing" else UNKNOWN
            return UNKNOWN
        return self.lookup_in_summary(summary, resolution.path, module, name, depth)

    def lookup_in_summary(self, summary: FileSummary, path: Path | None, module: str, name: str,
                          depth: int = 0) -> Symbol:
        """What `name` means in the namespace described by `summary` (the module `module` at `path`)."""
        if summary.open_namespace:
            return UNKNOWN
        if summary.syntax_error is not None:
            error = summary.syntax_error
            return Symbol("broken", module, path, root=(path or Path(), Span.point(error.line, error.column),
                                                        f"{module} does not parse: {error.message}"))
        if name in summary.bound:
            if name in summary.module_aliases and name not in summary.defined:
                target = summary.module_aliases[name]
                sub = self.resolve_module(target)
                if sub.found:
                    return Symbol("module", target, sub.path, resolution=sub)
                return UNKNOWN
            if name in summary.reexports and name not in summary.defined:
                source, level, original = summary.reexports[name]
                target = self._absolute_for(path, module, level, source)
                if target is None:
                    return UNKNOWN
                if not source and level:
                    pass
                symbol = self.lookup(target, original, depth + 1) if original != "*" else UNKNOWN
                if symbol.kind in ("missing", "broken"):
                    line = summary.bound.get(name, 1)
                    return Symbol("broken", module, path, root=symbol.root or (
                        path or Path(), Span.point(line, 1), f"{module} imports {original} from {target}, which fails"))
                return symbol
            info = summary.classes.get(name)
            if info is not None and name in summary.defined:
                return Symbol("class", module, path, class_info=info)
            return Symbol("value", module, path)
        if name in MODULE_DUNDERS:
            return Symbol("value", module, path)
        if path is not None and self.is_package_file(path):
            sub = self.resolve_module(f"{module}.{name}")
            if sub.found:
                return Symbol("module", sub.name, sub.path, resolution=sub)
        for star_module, level, _line in summary.star_imports:
            target = self._absolute_for(path, module, level, star_module)
            if target is None:
                return UNKNOWN
            exported = self.exported_names(target, depth + 1)
            if exported is None:
                return UNKNOWN
            if name in exported:
                return self.lookup(target, name, depth + 1)
        if summary.has_getattr or summary.import_hooks:
            return UNKNOWN
        if path is not None and path.suffix == ".py" and self._stub_beside_binds(path, name):
            return UNKNOWN  # numpy.dtypes: set at run time (setattr on the module); its stub declares it
        if path is not None and path.suffix == ".pyi":
            return UNKNOWN  # a stub lists what type checkers need: scipy's compiled _ufuncs has more
        return Symbol("missing", module, path)

    def _stub_beside_binds(self, path: Path, name: str) -> bool:
        """True when `path`'s stub (`x.pyi` beside `x.py`) binds `name`: stubs describe the runtime module."""
        stub = path.with_suffix(".pyi")
        if self._listing(path.parent).get(stub.name) != "f":
            return False
        summary = self.summary(stub)
        return summary is not None and name in summary.bound

    def _absolute_for(self, path: Path | None, module: str, level: int, source: str) -> str | None:
        if not level:
            return source
        if path is None:
            return None
        return self.absolute_module(path, level, source)

    def exported_names(self, module: str, depth: int = 0, _seen: set[str] | None = None) -> set[str] | None:
        """Names `from module import *` binds; None when that cannot be known."""
        if depth > MAX_DEPTH:
            return None
        seen = _seen if _seen is not None else set()
        if module in seen:
            return set()
        seen.add(module)
        resolution, summary = self.module_summary(module)
        if summary is None or summary.open_namespace or summary.syntax_error is not None or summary.all_dynamic:
            return None
        if summary.all_names is not None:
            return set(summary.all_names)
        names = {n for n in summary.bound if not n.startswith("_")}
        for star_module, level, _line in summary.star_imports:
            target = self._absolute_for(resolution.path, module, level, star_module)
            if target is None:
                return None
            inner = self.exported_names(target, depth + 1, seen)
            if inner is None:
                return None
            names |= {n for n in inner if not n.startswith("_")}
        return names

    def names_in_module(self, module: str) -> set[str]:
        """Every name `from module import X` could find (bound names, star exports, submodules): for did-you-mean."""
        resolution, summary = self.module_summary(module)
        names: set[str] = set()
        if summary is not None:
            names |= set(summary.bound)
            for star_module, level, _ in summary.star_imports:
                target = self._absolute_for(resolution.path, module, level, star_module)
                exported = self.exported_names(target) if target else None
                names |= exported or set()
        for location in resolution.locations:
            for entry, kind in self._listing(location).items():
                stem = entry[:-3] if entry.endswith(".py") else entry[:-4] if entry.endswith(".pyi") else entry
                if stem.isidentifier() and stem != "__init__" and (kind == "d" or entry != stem):
                    names.add(stem)
        return names

    def class_members(self, symbol: Symbol, depth: int = 0, _seen: set[tuple[str, str]] | None = None) -> ClassMembers:
        """Attributes of a first-party class through its MRO; incomplete when anything is unknowable."""
        info = symbol.class_info
        if info is None or depth > MAX_DEPTH:
            return ClassMembers(complete=False)
        seen = _seen if _seen is not None else set()
        key = (symbol.module, info.qualname)
        if key in seen:
            return ClassMembers(complete=False)
        seen.add(key)
        # a class in a stub (.pyi) lists what type checkers need, not every attribute the runtime class
        # has (numpy's compiled Generator has `_poisson_lam_max`; its stub does not say so)
        stub = symbol.path is not None and symbol.path.suffix == ".pyi"
        result = ClassMembers(set(info.members), not info.dynamic and not stub)
        for base in info.bases:
            if base is None:
                result.complete = False
                continue
            if base in ("object", "builtins.object"):
                continue
            base_symbol = self.resolve_dotted_in(symbol.module, symbol.path, base.split("."), depth + 1)
            if base_symbol.kind != "class":
                result.complete = False
                continue
            inner = self.class_members(base_symbol, depth + 1, seen)
            result.names |= inner.names
            result.complete = result.complete and inner.complete
        return result

    def resolve_dotted_in(self, module: str, path: Path | None, parts: list[str], depth: int = 0,
                          summary: FileSummary | None = None) -> Symbol:
        """What `a.b.c` means inside `module`: follow names, submodules and class attributes."""
        if summary is None:
            if path is None:
                return UNKNOWN
            summary = self.summary(path)
            if summary is None:
                return UNKNOWN
        symbol = self.lookup_in_summary(summary, path, module, parts[0], depth)
        for part in parts[1:]:
            symbol = self.attribute_of(symbol, part, depth)
        return symbol

    def attribute_of(self, symbol: Symbol, name: str, depth: int = 0) -> Symbol:
        if symbol.kind == "module":
            return self.lookup_module_attribute(symbol.module, name, depth)
        if symbol.kind == "class" and symbol.class_info is not None:
            nested = self._nested_class(symbol, name)
            if nested is not None:
                return nested
            members = self.class_members(symbol, depth)
            if name in members.names:
                return Symbol("value", symbol.module, symbol.path)
            if not members.complete or name.startswith("__"):
                return UNKNOWN
            return Symbol("missing", symbol.module, symbol.path, class_info=symbol.class_info)
        if symbol.kind in ("missing", "broken"):
            return symbol
        return UNKNOWN

    def lookup_module_attribute(self, module: str, name: str, depth: int = 0) -> Symbol:
        """`module.name` for an imported module: like lookup, but any existing submodule counts too."""
        symbol = self.lookup(module, name, depth + 1)
        if symbol.kind == "missing":
            sub = self.resolve_module(f"{module}.{name}")
            if sub.found or sub.kind == "unknown":
                return Symbol("module", sub.name, sub.path, resolution=sub) if sub.found else UNKNOWN
        return symbol

    def _nested_class(self, symbol: Symbol, name: str) -> Symbol | None:
        if symbol.path is None or symbol.class_info is None:
            return None
        summary = self.summary(symbol.path)
        if summary is None:
            return None
        info = summary.classes.get(f"{symbol.class_info.qualname}.{name}")
        if info is None:
            return None
        return Symbol("class", symbol.module, symbol.path, class_info=info)

    # ---- project-wide maps ---------------------------------------------------
    def defined_in(self, name: str) -> list[str]:
        """First-party modules that define `name` (def, class or assignment; imports do not count)."""
        with self._lock:
            self._build_tables()
            return sorted(set(self._defined_table.get(name, {}).values()))

    def _build_tables(self) -> None:
        if self._tables_built:
            return
        self._tables_built = True
        tracking, self.tracking = self.tracking, None  # suggestions, not inputs of a finding's truth
        try:
            for path in set(self.first_party_files) | set(self._overlays):
                # files not summarised yet (the editor is still indexing) join when they are
                if path in self._overlays or not self.needs_summary(path):
                    self._refresh_tables(path)
        finally:
            self.tracking = tracking

    def _refresh_tables(self, path: Path) -> None:
        """Replace what one file contributes to the project-wide tables (a no-op before they are built)."""
        if not self._tables_built:
            return
        old = self._contributions.pop(path, None)
        if old is not None:
            _module, defined, imported = old
            for name in defined:
                holders = self._defined_table.get(name)
                if holders is not None:
                    holders.pop(path, None)
            for module in imported:
                importers = self._importer_table.get(module)
                if importers is not None:
                    importers.discard(path)
        if path not in self._first_party_set and path not in self._overlays:
            return
        summary = self.summary(path)
        if summary is None:
            return
        module = self.module_name_for(path)
        defined = tuple(summary.defined) if module is not None else ()
        for name in defined:
            self._defined_table.setdefault(name, {})[path] = module  # type: ignore[assignment]
        imported = tuple(self._imported_modules(path, summary))
        for target in imported:
            self._importer_table.setdefault(target, set()).add(path)
        self._contributions[path] = (module, defined, imported)

    def _imported_modules(self, path: Path, summary: FileSummary) -> set[str]:
        targets: set[str] = set()
        for record in summary.imports:
            if record.is_from:
                base = self._absolute_for(path, "", record.level, record.module) if record.level else record.module
                if not base:
                    continue
                targets.add(base)
                targets.update(f"{base}.{imported.name}" for imported in record.names)
            else:
                for imported in record.names:
                    parts = imported.name.split(".")
                    targets.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        return targets

    def all_module_names(self) -> list[str]:
        if self._all_module_names is None:
            names = []
            for path in self.first_party_files:
                name = self.module_name_for(path)
                if name:
                    names.append(name)
            self._all_module_names = names
        return self._all_module_names

    def importers_of(self, path: Path) -> set[Path]:
        """Files that import the module at `path`, directly or through modules that import it (transitively)."""
        with self._lock:
            self._build_tables()
            importers = self._importer_table
            module = self.module_name_for(path)
            if module is None:
                return set()
            result: set[Path] = set()
            queue = [module]
            seen_modules = {module}
            while queue:
                current = queue.pop()
                for importer in importers.get(current, ()):
                    if importer in result:
                        continue
                    result.add(importer)
                    importer_module = self.module_name_for(importer)
                    if importer_module and importer_module not in seen_modules:
                        seen_modules.add(importer_module)
                        queue.append(importer_module)
            result.discard(path)
            return result
