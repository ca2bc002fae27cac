"""Read a source file the way Python would (UTF-8, BOM, PEP 263 cookies), and summarise it, never raising."""

from __future__ import annotations

import hashlib
import io
import marshal
import tokenize
from pathlib import Path

from .codec import decode_summary, encode_summary
from .summary import FileSummary, SyntaxErrorInfo, summarize_source

MAX_SOURCE_BYTES = 5 * 1024 * 1024


class SummaryEntry:
    """A summary and what it was computed from (the cache key); the summary is decoded on first use."""

    __slots__ = ("size", "mtime_ns", "digest", "_data", "_summary")

    def __init__(self, size: int, mtime_ns: int, digest: str, summary: FileSummary | None = None,
                 data: tuple | None = None) -> None:
        self.size = size
        self.mtime_ns = mtime_ns
        self.digest = digest
        self._summary = summary
        self._data = data

    @property
    def summary(self) -> FileSummary:
        if self._summary is None:
            assert self._data is not None
            self._summary = decode_summary(marshal.loads(self._data))
        return self._summary

    @property
    def interface_only(self) -> bool:
        """The summary's `interface_only`, without decoding (a marshalled summary is always complete)."""
        return self._summary is not None and self._summary.interface_only

    @property
    def compactable(self) -> bool:
        """True when the decoded summary can be dropped and decoded again from its marshalled form."""
        return self._data is not None and self._summary is not None and not self.interface_only

    def compact(self) -> None:
        """Keep only the marshalled form (a fraction of the memory); the next use decodes it again."""
        if self.compactable:
            self._summary = None

    def to_record(self) -> tuple:
        """(size, mtime_ns, digest, marshalled summary): the blob is decoded only when the summary is needed."""
        data = self._data if self._data is not None else marshal.dumps(encode_summary(self.summary))
        self._data = data
        return (self.size, self.mtime_ns, self.digest, data)

    @classmethod
    def from_record(cls, record: tuple) -> "SummaryEntry":
        size, mtime_ns, digest, data = record
        return cls(size, mtime_ns, digest, data=data)


def decode_source(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, problem) for bytes read from a .py file."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "binary file (contains NUL bytes)"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "encoding declaration" in str(error) and not _has_cookie(data):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as decode_error:
                return None, (f"not valid UTF-8 (byte {decode_error.start}: {decode_error.reason}) and no "
                              "coding declaration: Python cannot import it")
        return None, f"bad encoding declaration: {error}"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        return None, f"not valid {encoding}: {error.reason if isinstance(error, UnicodeDecodeError) else error}"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def _has_cookie(data: bytes) -> bool:
    head = data.split(b"\n", 2)[:2]
    return any(b"coding" in line and line.lstrip().startswith(b"#") for line in head)


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def summarize_bytes(path: Path, data: bytes, uses: bool = True) -> FileSummary:
    """Summary of a file's bytes; a problem with the bytes becomes a syntax error at line 1."""
    if len(data) > MAX_SOURCE_BYTES:
        summary = FileSummary(
            syntax_error=SyntaxErrorInfo(1, 1, f"file too large to analyse ({len(data) // 1024} KiB > "
                                               f"{MAX_SOURCE_BYTES // 1024} KiB); its names are not checked"),
        )
        summary.open_namespace = True
        return summary
    text, problem = decode_source(data)
    if text is None:
        return FileSummary(syntax_error=SyntaxErrorInfo(1, 1, problem or "cannot decode"))
    return summarize_source(text, str(path), uses)


def summarize_path(path: Path, uses: bool = True) -> SummaryEntry | None:
    """Read and summarise one file from disk (interface only unless `uses`); None when it cannot be read."""
    try:
        stat = path.stat()
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return SummaryEntry(stat.st_size, stat.st_mtime_ns, digest_of(data), summarize_bytes(path, data, uses))


def summarize_paths(paths: list[str], uses: bool = True) -> list[tuple[str, tuple | None]]:
    """Worker entry point for the process pool: records of plain values, cheap to send back.

    With `uses=False` the summaries are interface-only (lookups into modules not indexed yet): a record
    does not say so, and must be read back with `worker.lookup_entry`, which marks them.
    """
    out: list[tuple[str, tuple | None]] = []
    for p in paths:
        entry = summarize_path(Path(p), uses)
        out.append((p, None if entry is None else entry.to_record()))
    return out
