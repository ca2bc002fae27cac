"""Open documents kept by LSP's rules: lines end at \\n, \\r\\n or \\r only; columns in the negotiated encoding.

pygls splits lines with `str.splitlines()`, which also breaks at \\f, \\v, \\x1c-\\x1e, U+0085, U+2028 and
U+2029; an editor does not, so edits after such a character would land in the wrong place. This store
applies incremental changes itself, line by line, so a change costs what it touches, not the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_PIECES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_keepends(text: str) -> list[str]:
    """Lines of `text` with their breaks (\\n, \\r\\n, \\r); "".join() gives `text` back."""
    return _PIECES.findall(text)


def content_of(line: str) -> str:
    """A line without its break."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def column_to_index(content: str, column: int, encoding: str = UTF16) -> int:
    """Code-point index in `content` of an LSP column counted in `encoding` units, clamped to the line."""
    if column <= 0:
        return 0
    if encoding == UTF32 or content.isascii():
        return min(column, len(content))
    units = 0
    for index, character in enumerate(content):
        width = _width(character, encoding)
        if units + width > column:
            return index  # a column inside a character rounds down to its start
        units += width
        if units == column:
            return index + 1
    return len(content)


def index_to_column(content: str, index: int, encoding: str = UTF16) -> int:
    """LSP column (in `encoding` units) of code-point `index` in `content`."""
    index = max(0, min(index, len(content)))
    if encoding == UTF32:
        return index
    head = content[:index]
    if head.isascii():
        return index
    if encoding == UTF8:
        return len(head.encode("utf-8", "surrogatepass"))
    return len(head.encode("utf-16-le", "surrogatepass")) // 2


def _width(character: str, encoding: str) -> int:
    code = ord(character)
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 2 if code >= 0x10000 else 1


class Lines(Protocol):
    """Anything that can give the content of a 0-based line (for position conversion)."""

    def line_content(self, line: int) -> str: ...

    @property
    def line_total(self) -> int: ...


class TextLines:
    """The lines of a text that is not open (a file read from disk), split by LSP's rules on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            lines = split_keepends(self.text)
            if not lines or lines[-1].endswith(("\n", "\r")):
                lines.append("")
            self._lines = lines
        return self._lines

    def line_content(self, line: int) -> str:
        lines = self._split()
        return content_of(lines[line]) if 0 <= line < len(lines) else ""

    @property
    def line_total(self) -> int:
        return len(self._split())


@dataclass
class TextDocument:
    """One open document: its text as lines (each with its break; the last has none), version and revision."""

    uri: str
    language_id: str
    version: int
    lines: list[str] = field(default_factory=lambda: [""])
    revision: int = 0  # bumped on every change; the scheduler drops results of older revisions
    _text: str | None = None

    @classmethod
    def create(cls, uri: str, language_id: str, version: int, text: str) -> TextDocument:
        document = cls(uri, language_id, version)
        document.set_text(text)
        return document

    @property
    def path(self) -> Path | None:
        return uri_to_path(self.uri)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.lines)
        return self._text

    @property
    def line_total(self) -> int:
        return len(self.lines)

    def line_content(self, line: int) -> str:
        return content_of(self.lines[line]) if 0 <= line < len(self.lines) else ""

    def set_text(self, text: str) -> None:
        lines = split_keepends(text)
        if not lines or lines[-1].endswith(("\n", "\r")):
            lines.append("")
        self.lines = lines
        self._text = text
        self.revision += 1

    def apply_change(self, start: tuple[int, int], end: tuple[int, int], new_text: str,
                     encoding: str = UTF16) -> None:
        """Replace the range start..end (0-based line, column in `encoding` units) with `new_text`.

        Positions past the end of a line clamp to the line's end, lines past the end of the document
        to its end, and an end before the start is treated as the start (as editors do).
        """
        lines = self.lines
        start_line, start_index = self._clamp(start, encoding)
        end_line, end_index = self._clamp(end, encoding)
        end_line, end_index = max((end_line, end_index), (start_line, start_index))
        first, last = start_line, end_line
        segment = lines[first][:start_index] + new_text + lines[last][end_index:]
        if first > 0 and segment.startswith("\n") and lines[first - 1].endswith("\r"):
            first -= 1  # a \r before and a \n after now form one \r\n break
            segment = lines[first] + segment
        pieces = split_keepends(segment)
        if last == len(lines) - 1:
            if not pieces or pieces[-1].endswith(("\n", "\r")):
                pieces.append("")  # the document's last line (after its final break, maybe empty)
        elif pieces and not pieces[-1].endswith(("\n", "\r")):
            raise AssertionError("a middle line lost its break")  # cannot happen: lines[last] kept its break
        lines[first:last + 1] = pieces
        if not lines:
            lines.append("")
        self._text = None
        self.revision += 1

    def _clamp(self, position: tuple[int, int], encoding: str) -> tuple[int, int]:
        line, column = position
        if line < 0:
            return 0, 0
        if line >= len(self.lines):
            last = len(self.lines) - 1
            return last, len(content_of(self.lines[last]))
        return line, column_to_index(content_of(self.lines[line]), column, encoding)

    def offset_at(self, line: int, column: int, encoding: str = UTF16) -> int:
        """String index in `text` of an LSP position."""
        line, index = self._clamp((line, column), encoding)
        return sum(len(piece) for piece in self.lines[:line]) + index


class DocumentStore:
    """The open documents by URI."""

    def __init__(self) -> None:
        self._documents: dict[str, TextDocument] = {}
        self.encoding = UTF16

    def open(self, uri: str, language_id: str, version: int, text: str) -> TextDocument:
        previous = self._documents.get(uri)
        document = TextDocument.create(uri, language_id, version, text)
        if previous is not None:
            document.revision = previous.revision + 1
        self._documents[uri] = document
        return document

    def get(self, uri: str) -> TextDocument | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> TextDocument | None:
        return self._documents.pop(uri, None)

    def by_path(self, path: Path) -> TextDocument | None:
        for document in self._documents.values():
            if document.path == path:
                return document
        return None

    def __iter__(self) -> Iterator[TextDocument]:
        return iter(list(self._documents.values()))

    def __len__(self) -> int:
        return len(self._documents)


def uri_to_path(uri: str) -> Path | None:
    """The file system path of a file: URI (None for other schemes)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"
    if re.match(r"^/[A-Za-z]:", path):  # file:///c:/x on Windows
        path = path[1:]
    return Path(path)


def path_to_uri(path: Path) -> str:
    return path.absolute().as_uri()
