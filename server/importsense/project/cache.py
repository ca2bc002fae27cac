"""The persistent summary cache: one pickle per project, outside the source tree, keyed by path, size, mtime and hash."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from .sources import SummaryEntry

FORMAT = 3  # bump when FileSummary changes shape


def default_cache_dir() -> Path:
    configured = os.environ.get("IMPORTSENSE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "importsense"


def cache_file_for(root: Path, cache_dir: Path) -> Path:
    key = hashlib.sha1(str(root).encode()).hexdigest()[:16]
    return cache_dir / f"summaries-{key}.pickle"


def load_cache(root: Path, cache_dir: Path) -> dict[str, SummaryEntry]:
    path = cache_file_for(root, cache_dir)
    try:
        with open(path, "rb") as handle:
            payload = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return {}
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("root") != str(root):
        return {}
    entries = payload.get("entries")
    return entries if isinstance(entries, dict) else {}


def save_cache(root: Path, cache_dir: Path, entries: dict[str, SummaryEntry]) -> None:
    """Write atomically; a failure to write the cache is never an error for the run."""
    path = cache_file_for(root, cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=cache_dir, prefix=".summaries-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump({"format": FORMAT, "root": str(root), "entries": entries}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except OSError:
        pass
