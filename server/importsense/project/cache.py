"""The persistent summary cache: one marshal file per project, outside the source tree, keyed by path, size, mtime and hash."""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
from pathlib import Path
from typing import BinaryIO

from ..atomic import replace_file
from .sources import SummaryEntry

FORMAT = 7  # bump when FileSummary changes shape or meaning


def user_cache_dir() -> Path:
    """importsense's directory in the user's cache: `$XDG_CACHE_HOME/importsense` or `~/.cache/importsense`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "importsense"


def default_cache_dir() -> Path:
    """Where project caches go: `$IMPORTSENSE_CACHE_DIR`, else the user cache directory."""
    configured = os.environ.get("IMPORTSENSE_CACHE_DIR")
    return Path(configured) if configured else user_cache_dir()


def cache_file_for(root: Path, cache_dir: Path) -> Path:
    key = hashlib.sha1(str(root).encode()).hexdigest()[:16]
    return cache_dir / f"summaries-{key}.marshal"


def load_cache(root: Path, cache_dir: Path) -> dict[str, SummaryEntry]:
    path = cache_file_for(root, cache_dir)
    try:
        with open(path, "rb") as handle:
            payload = marshal.load(handle)
    except (OSError, EOFError, TypeError, ValueError):
        return {}
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("root") != str(root):
        return {}
    entries = payload.get("entries")
    if not isinstance(entries, dict):
        return {}
    try:
        return {path: SummaryEntry.from_record(record) for path, record in entries.items()}
    except (TypeError, ValueError):
        return {}


def save_cache(root: Path, cache_dir: Path, entries: dict[str, SummaryEntry]) -> None:
    """Write atomically; a failure to write the cache is never an error for the run."""
    path = cache_file_for(root, cache_dir)
    records = {name: entry.to_record() for name, entry in entries.items()}
    payload = {"format": FORMAT, "root": str(root), "entries": records}
    try:
        replace_file(path, lambda handle: marshal.dump(payload, handle), make_parent=True)
    except OSError:
        pass


class FindingsCache:
    """Findings per file, reused while the file and every file its check consulted are unchanged.

    The whole cache is dropped when anything structural changes: the set of first-party files, the
    settings, the target interpreter or its sys.path directories, or importsense itself.
    """

    def __init__(self, project) -> None:
        self.project = project
        self.path = project.cache_dir / f"findings-{hashlib.sha1(str(project.root).encode()).hexdigest()[:16]}.marshal"
        self._key: str | None = None
        self.entries: dict[str, tuple] = {}  # path -> ((size, mtime_ns), (dependency, its stat) pairs or their numbers)
        self.findings: dict[str, list] = {}  # path -> findings, only where there are some
        self._pairs: list = []  # (dependency, stat) by number, as loaded
        self._body_offset: int | None = None  # where the unread per-file entries start (fast load)
        self.fixes: dict[tuple, object] = {}
        self.dirty = False
        self._stats: dict[Path, tuple[int, int] | None] = {}

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = self._structural_key()
        return self._key

    def _structural_key(self) -> str:
        from .. import __version__

        project = self.project
        settings = project.settings
        env = project.environment
        digest = hashlib.sha1()
        for part in (
            __version__, str(FORMAT), str(settings.roots), str(settings.exclude), str(settings.select),
            str(settings.ignore), str(sorted((k, v.value) for k, v in settings.severity.items())),
            str(settings.known_first_party), env.python, str(env.sys_path), str(env.problem),
            str(project.roots),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        for directory in env.sys_path:
            try:
                digest.update(str(os.stat(directory).st_mtime_ns).encode())
            except OSError:
                digest.update(b"-")
        digest.update("\0".join(sorted(map(str, project.file_stats))).encode())
        return digest.hexdigest()

    def stat(self, path: Path) -> tuple[int, int] | None:
        known = self.project.file_stats.get(path)
        if known is not None:
            return known
        if path not in self._stats:
            try:
                info = os.stat(path)
                self._stats[path] = (info.st_size, info.st_mtime_ns)
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def load(self) -> dict:
        """{path: findings} for every cached file whose inputs are unchanged.

        The file holds a small header (key, a digest of every project file's stat when the cache was
        complete, the stats of the files outside the project that checks consulted, the pickled
        findings) and a body (each file's stat and dependencies, marshal data). When nothing in the
        project changed since a complete run, the body is not even read: a warm run is the file walk.
        """
        try:
            with open(self.path, "rb") as handle:
                header = marshal.loads(handle.read(int.from_bytes(handle.read(8), "little")))
                if not isinstance(header, tuple) or len(header) != 4 or header[0] != self.key:
                    return {}
                _, manifest, outside, blob = header
                findings_by_name, fixes = pickle.loads(blob)
                self.findings, self.fixes = findings_by_name, fixes
                if manifest is not None and manifest == self._manifest() and all(
                        self.stat(Path(name)) == stat for name, stat in outside):
                    self._body_offset = handle.tell()  # read only if this run stores new entries
                    overlays = self.project.overlays
                    return {path: findings_by_name.get(str(path), []) for path in self.project.file_stats
                            if path not in overlays}
                pairs, stored = marshal.loads(handle.read())
        except Exception:  # a damaged or foreign cache is just a cold start
            self.findings, self.fixes = {}, {}
            return {}
        self.entries = stored  # dependencies as numbers into `pairs` until saved again
        self._pairs = pairs
        overlays = self.project.overlays
        paths = {str(path): path for path in self.project.file_stats}
        stat_of = self._stat_by_name(paths)
        changed = {i for i, (name, stat) in enumerate(pairs) if stat_of(name) != stat}
        fresh = {}
        for key, (stat, deps) in stored.items():
            if stat_of(key) != stat or not changed.isdisjoint(deps):
                continue
            path = paths.get(key) or Path(key)
            if path not in overlays:
                fresh[path] = findings_by_name.get(key, [])
        return fresh

    def _stat_by_name(self, paths: dict[str, Path]):
        by_name = {name: self.project.file_stats[path] for name, path in paths.items()}
        missing = object()

        def stat_of(name: str):
            known = by_name.get(name, missing)
            if known is missing:
                known = self.stat(Path(name))
                by_name[name] = known
            return known

        return stat_of

    def _manifest(self) -> str:
        """A digest of every project file's path and stat."""
        stats = self.project.file_stats
        listing = sorted(f"{path}\0{size}\0{mtime}" for path, (size, mtime) in stats.items())
        return hashlib.sha1("\n".join(listing).encode()).hexdigest()

    def _read_body(self) -> None:
        """The per-file entries skipped by a fast load: needed before this run's entries are added."""
        offset, self._body_offset = self._body_offset, None
        if offset is None:
            return
        try:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                self._pairs, self.entries = marshal.loads(handle.read())
        except Exception:  # noqa: BLE001 - start the entries afresh
            self._pairs, self.entries = [], {}

    def store(self, path: Path, findings: list, deps: set[Path]) -> None:
        if path in self.project.overlays:
            return
        self._read_body()
        stat = self.stat(path)
        if stat is None:
            return
        overlays = self.project.overlays
        dep_stats = frozenset((str(dep), self.stat(dep)) for dep in deps if dep not in overlays)
        key = str(path)
        self.entries[key] = (stat, dep_stats)
        if findings:
            self.findings[key] = findings
        else:
            self.findings.pop(key, None)
        for finding in findings:
            self.fixes.pop(self._fix_key(finding), None)
        self.dirty = True

    def _fix_key(self, finding) -> tuple:
        return (str(finding.path), finding.span, finding.rule, finding.message)

    def fix_for(self, finding) -> tuple[bool, object]:
        key = self._fix_key(finding)
        if key in self.fixes:
            return True, self.fixes[key]
        return False, None

    def remember_fix(self, finding, fix) -> None:
        self.fixes[self._fix_key(finding)] = fix
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self._read_body()
        try:
            blob = pickle.dumps((self.findings, self.fixes), protocol=pickle.HIGHEST_PROTOCOL)
            numbers: dict[tuple, int] = {}  # each distinct (dependency, stat) once; entries refer to it by number
            loaded = self._pairs
            stored = {key: (stat, tuple(numbers.setdefault(loaded[pair] if isinstance(pair, int) else pair,
                                                           len(numbers)) for pair in deps))
                      for key, (stat, deps) in self.entries.items()}
            pairs = list(numbers)
            manifest, outside = self._completeness(pairs, stored)
            header = marshal.dumps((self.key, manifest, outside, blob))

            def write(handle: BinaryIO) -> None:
                handle.write(len(header).to_bytes(8, "little"))
                handle.write(header)
                marshal.dump((pairs, stored), handle)

            replace_file(self.path, write, make_parent=True)
            self.dirty = False
        except OSError:
            pass

    def _completeness(self, pairs: list, stored: dict) -> tuple[str | None, tuple]:
        """(manifest, stats outside the project) when every project file has an entry valid right now, else (None, ())."""
        paths = {str(path): path for path in self.project.file_stats}
        overlays = self.project.overlays
        if overlays or len(stored) < len(paths):
            return None, ()
        stat_of = self._stat_by_name(paths)
        if any(stat_of(name) != stat for name, stat in pairs):
            return None, ()
        if any(stored.get(name, (None,))[0] != stat_of(name) for name in paths):
            return None, ()
        outside = tuple(sorted({(name, stat) for name, stat in pairs if name not in paths}))
        return self._manifest(), outside
