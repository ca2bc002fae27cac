"""Convert `ast` positions (1-based lines, UTF-8 byte columns) into code-point columns."""

from __future__ import annotations


class LineTable:
    """The lines of one source text, to turn UTF-8 byte offsets into 1-based code-point columns."""

    __slots__ = ("_lines", "_ascii")

    def __init__(self, text: str) -> None:
        self._lines: list[str] | None = None
        self._ascii = text.isascii()
        if not self._ascii:
            # ast numbers lines like the tokenizer: \n, \r\n and \r end a line.
            self._lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def column(self, line: int, byte_offset: int) -> int:
        """1-based code-point column of `byte_offset` on 1-based `line`."""
        if self._ascii or self._lines is None or not (1 <= line <= len(self._lines)):
            return byte_offset + 1
        text = self._lines[line - 1]
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def line_text(self, line: int) -> str:
        if self._lines is None:
            return ""
        return self._lines[line - 1] if 1 <= line <= len(self._lines) else ""
