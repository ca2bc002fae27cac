"""IncrementalSummarizer: a buffer's FileSummary after an edit, re-parsing only the top-level statements it touched.

The text is cut into chunks: each top-level statement (decorators included) with the comment and blank
lines before it. A chunk is parsed and summarised on its own, in coordinates relative to its first line,
and cached by its text; the file's summary is the chunks' summaries shifted into place and merged.

What makes the merge exact (the hypothesis test compares it with `summarize_source(text)`):
- Pass 1 (bindings, imports, classes) is sequential and per statement; first-binding-wins and
  last-class-wins merge in chunk order. `__all__` is replayed in order when several chunks touch it.
- Pass 2 (attribute uses, patch targets) depends on file-wide facts: the roots (names bound only by
  imports or only by classes), module-level `x = C()` instances, instance candidates found by a regex
  over the text, and the mock imports. A chunk's pass 2 is cached under those facts restricted to the
  words the chunk contains, and recomputed when they change.
- After an edit only the lines that differ from the last good text are re-parsed, widened to whole
  chunks. When that region does not parse on its own the text after the unchanged prefix is parsed
  (the prefix is known to end at a clean statement boundary), and as a last resort the whole text.
  A text that does not parse gives exactly the summary `summarize_source` gives, and the last good
  chunks are kept for the next edit.

This module drives the passes of `summary._Summarizer` per chunk, so it shares their exact semantics.
"""

from __future__ import annotations

import ast
import bisect
import re
import unicodedata
import warnings
from dataclasses import dataclass, field, replace

from ..model import Span
from .summary import (
    _IMPORT_HOOKS,
    _OPENING_TEXT,
    AttributeUse,
    ClassInfo,
    FileSummary,
    ImportedName,
    ImportRecord,
    PatchTarget,
    SyntaxErrorInfo,
    _Summarizer,
    _UseCollector,
    apply_class_stores,
    ctor_assignments,
    handed_names,
    judged_uses,
    line_starts,
    lines_mentioning,
    summarize_source,
)

_ODD_BREAKS = ("\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")  # str.splitlines breaks there too
SEGMENT_LINES = 48  # a text is parsed in segments of at least this many lines; each that parses is a chunk
MIN_CHUNK_LINES = 24  # small statements (imports, constants) are grouped so a file has fewer, larger chunks
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_WORD = re.compile(r"\w+")
_OPEN_PAREN = re.compile(r"\s*\(")
_BREAKS = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines with their breaks (\\n, \\r\\n, \\r only, as Python's tokenizer counts them); "".join() gives `text`."""
    if not any(odd in text for odd in _ODD_BREAKS):
        return text.splitlines(keepends=True)
    return _LINES.findall(text)


# The FileSummary fields the merge knows how to combine. A field added to FileSummary that is not listed
# here turns incremental summaries off (every update summarises the whole text): correct, only slower,
# until the merge learns the new field.
MERGED_FIELDS = frozenset({
    "bound", "defined", "reexports", "module_aliases", "all_names", "all_dynamic", "star_imports", "has_getattr",
    "open_namespace", "imports", "classes", "attribute_uses", "patch_targets", "syntax_error", "line_count",
    "import_hooks", "interface_only",  # always False here: an open buffer's summary is complete
})
INCREMENTAL = MERGED_FIELDS == frozenset(FileSummary.__dataclass_fields__)


class _Fallback(Exception):
    """Something the incremental path cannot handle: summarise the whole text instead."""


@dataclass
class _Chunk:
    """One chunk's text, statements and pass-1 results, relative to its first line (line 1)."""

    text: str
    body: list[ast.stmt]
    words: frozenset[str]
    bound: dict[str, int]
    defined: dict[str, int]
    kinds: dict[str, set[str]]
    reexports: dict[str, tuple[str, int, str]]
    module_aliases: dict[str, str]
    classes: dict[str, ClassInfo]
    imports: tuple[ImportRecord, ...]
    star: tuple[tuple[str, int, int], ...]
    has_getattr: bool
    open_namespace: bool
    touches_all: bool
    all_names: tuple[str, ...] | None
    all_dynamic: bool
    import_hooks: bool = False
    class_stores: dict[str, set[str]] = field(default_factory=dict)
    condition_key: frozenset[str] = frozenset()  # the names from earlier chunks its pass 1 saw as conditions
    conditions_out: frozenset[str] = frozenset()  # condition names known after this chunk
    ctors: tuple[tuple[str, str, int], ...] | None = None
    pass2_key: tuple | None = None
    uses: tuple[AttributeUse, ...] = ()
    patches: tuple[PatchTarget, ...] = ()
    stored: frozenset[tuple[str, str]] = frozenset()


@dataclass
class _Placed:
    """A chunk at a place in the file: lines [start, end) (0-based), with its results shifted there."""

    start: int
    end: int
    chunk: _Chunk
    shifted_pass1: tuple | None = None
    shifted_pass2: tuple | None = None
    pass2_of: tuple | None = None


class IncrementalSummarizer:
    """Summaries of successive versions of one buffer; each equals `summarize_source` of that version."""

    def __init__(self, filename: str = "<unknown>") -> None:
        self.filename = filename
        self.mode = ""  # how the last update was done: unchanged | incremental | partial | full | error | fallback
        self._text: str | None = None
        self._summary: FileSummary | None = None
        self._lines: list[str] | None = None  # the last text that parsed, by lines
        self._placed: list[_Placed] = []
        self._chunks: dict[str, _Chunk] = {}
        self._variants: dict[tuple[str, frozenset[str]], _Chunk] = {}

    @property
    def summary(self) -> FileSummary | None:
        """The summary of the last text given to `update`."""
        return self._summary

    def update(self, text: str) -> FileSummary:
        """The summary of `text`, reusing what the previous versions already computed."""
        if self._summary is not None and text == self._text:
            self.mode = "unchanged"
            return self._summary
        if not INCREMENTAL:
            self.mode = "fallback"
            self._text, self._summary = text, summarize_source(text, self.filename)
            return self._summary
        try:
            summary = self._update(text)
        except (_Fallback, RecursionError, MemoryError):
            self._reset()
            self.mode = "fallback"
            summary = summarize_source(text, self.filename)
        self._text = text
        self._summary = summary
        return summary

    def _reset(self) -> None:
        self._lines = None
        self._placed = []
        self._chunks = {}
        self._variants = {}

    # ---- structure: which chunks make up the text ---------------------------
    def _update(self, text: str) -> FileSummary:
        lines = split_lines(text)
        line_count = text.count("\n") + 1
        if self._lines is None or "\x00" in text or "barry_as_FLUFL" in text:
            placed = self._parse_from(lines, 0, full=True)
            mode = "full"
        else:
            placed, mode = self._restructure(lines)
        if isinstance(placed, FileSummary):
            self.mode = "error"
            placed.line_count = line_count
            return placed
        self.mode = mode
        self._lines = lines
        self._placed = placed
        summary = self._merge(line_count)
        self._chunks = {p.chunk.text: p.chunk for p in placed if not p.chunk.condition_key}
        return summary

    def _restructure(self, lines: list[str]) -> tuple[list[_Placed] | FileSummary, str]:
        old = self._lines
        assert old is not None
        old_n, new_n = len(old), len(lines)
        prefix = 0
        limit = min(old_n, new_n)
        while prefix < limit and old[prefix] == lines[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[old_n - 1 - suffix] == lines[new_n - 1 - suffix]:
            suffix += 1
        placed = self._placed
        if not placed:
            return self._parse_from(lines, 0, full=True), "full"
        changed_end = old_n - suffix
        starts = [p.start for p in placed]
        first = max(bisect.bisect_right(starts, prefix) - 1, 0)
        if changed_end > prefix:
            last = max(bisect.bisect_right(starts, changed_end - 1) - 1, first)
        else:  # lines inserted before old line `prefix`
            last = first
        delta = new_n - old_n
        region_start = placed[first].start
        region_end = placed[last].end + delta
        region = "".join(lines[region_start:region_end])
        body = _parse(region)
        if isinstance(body, list):
            middle = self._place(body, lines, region_start, region_end, parsed_text=region)
            after = [self._moved(p, delta) for p in placed[last + 1:]]
            return placed[:first] + middle + after, "incremental"
        if _starts_at_column_zero(lines, region_start, region_end):
            result = self._parse_from(lines, region_start, full=False)
            if isinstance(result, FileSummary):
                return result, "error"
            return placed[:first] + result, "partial"
        return self._parse_from(lines, 0, full=True), "full"

    def _parse_from(self, lines: list[str], start: int, *, full: bool) -> list[_Placed] | FileSummary:
        """Chunks for lines[start:], as if parsed as one text (blank lines standing in for the lines before).

        A long text is parsed in segments cut at lines that start in column 0: when every segment parses
        on its own, the whole does and its statements are the segments' (each segment ends at a clean
        statement boundary). A segment that does not parse is joined to the next. Short parses also
        let other threads run in between: one long `ast.parse` would hold the GIL for seconds.
        """
        end = len(lines)
        if end - start > 2 * SEGMENT_LINES:
            placed: list[_Placed] = []
            pending = start
            size = SEGMENT_LINES
            while pending < end:
                cut = _segment_cut(lines, pending + size, end)
                text = "".join(lines[pending:cut])
                body = _parse(text, self.filename)
                if isinstance(body, list):
                    # parsed on its own: one chunk as it is (no second parse to cut it along statements)
                    chunk = self._chunks.get(text)
                    if chunk is None:
                        chunk = self._chunks[text] = self._summarize_chunk(text, body)
                    placed.append(_Placed(pending, cut, chunk))
                    pending, size = cut, SEGMENT_LINES
                elif cut == end:
                    break
                else:
                    size *= 2  # the cut fell inside a statement or a string: retry with a longer segment
            if pending == end:
                return placed
        text = ("\n" * start) + "".join(lines[start:])
        body = _parse(text, self.filename)
        if not isinstance(body, list):
            return body
        return self._place(body, lines, start, end, absolute=True)

    def _place(self, body: list[ast.stmt], lines: list[str], begin: int, end: int,
               absolute: bool = False, parsed_text: str | None = None) -> list[_Placed]:
        """Cut lines[begin:end] into chunks along the top-level statements of `body`.

        `parsed_text` is the text `body` was parsed from when it is exactly lines[begin:end]: a region
        that turns out to be one chunk then needs no second parse.
        """
        base = 0 if absolute else begin  # statement line N is index N - 1 + base
        groups: list[list[int]] = []
        for stmt in body:
            first = stmt.lineno
            decorators = getattr(stmt, "decorator_list", None)
            if decorators:
                first = min(first, *(d.lineno for d in decorators))
            last = stmt.end_lineno or stmt.lineno
            first_index, end_index = first - 1 + base, last + base
            if groups and first_index < groups[-1][1]:
                groups[-1][1] = max(groups[-1][1], end_index)
            else:
                groups.append([first_index, end_index])
        result: list[_Placed] = []
        cursor = begin
        if parsed_text is not None and len(groups) == 1 and groups[0][1] >= end and parsed_text not in self._chunks:
            self._chunks[parsed_text] = self._summarize_chunk(parsed_text, body)
        for number, (_, group_end) in enumerate(groups):
            group_end = min(max(group_end, cursor), end)
            if group_end - cursor < MIN_CHUNK_LINES and number + 1 < len(groups):
                continue  # too small on its own: the next statement joins this chunk
            if group_end > cursor:
                result.append(_Placed(cursor, group_end, self._chunk("".join(lines[cursor:group_end]))))
                cursor = group_end
        if cursor < end:
            result.append(_Placed(cursor, end, self._chunk("".join(lines[cursor:end]))))
        return result

    def _moved(self, placed: _Placed, delta: int) -> _Placed:
        if delta == 0:
            return placed
        return _Placed(placed.start + delta, placed.end + delta, placed.chunk)

    def _chunk(self, text: str) -> _Chunk:
        cached = self._chunks.get(text)
        if cached is not None:
            return cached
        body = _parse(text, self.filename)
        if not isinstance(body, list):
            raise _Fallback("a chunk does not parse on its own")
        chunk = self._summarize_chunk(text, body)
        self._chunks[text] = chunk
        return chunk

    def _summarize_chunk(self, text: str, body: list[ast.stmt], conditions: frozenset[str] = frozenset()) -> _Chunk:
        """Pass 1 over one chunk's statements, knowing the condition names earlier chunks assigned."""
        owner = _Summarizer(text)
        owner.condition_names = set(conditions)
        owner.module_statements(body, guard="", type_checking=False)
        summary = owner.summary
        chunk = _Chunk(
            text=text, body=body, words=_words(text),
            bound=summary.bound, defined=summary.defined, kinds=owner.binding_kinds,
            reexports=summary.reexports, module_aliases=summary.module_aliases, classes=summary.classes,
            imports=tuple(owner.imports), star=tuple(owner.star),
            has_getattr=summary.has_getattr, open_namespace=summary.open_namespace,
            touches_all=summary.all_names is not None or summary.all_dynamic,
            all_names=summary.all_names, all_dynamic=summary.all_dynamic,
            import_hooks=summary.import_hooks, class_stores=owner.class_stores,
            condition_key=conditions, conditions_out=frozenset(owner.condition_names),
        )
        return chunk

    # ---- merge: the chunks' results into one summary ------------------------
    def _resolve_conditions(self) -> None:
        """Give each chunk the pass 1 that saw the condition names (`PY3 = sys.version_info ...`) before it."""
        incoming: frozenset[str] = frozenset()
        variants: dict[tuple[str, frozenset[str]], _Chunk] = {}
        for placed in self._placed:
            chunk = placed.chunk
            key = incoming & chunk.words if incoming else frozenset()
            if chunk.condition_key != key:
                variant = self._variants.get((chunk.text, key))
                if variant is None:
                    variant = self._summarize_chunk(chunk.text, chunk.body, key)
                placed.chunk = chunk = variant
                placed.shifted_pass1 = placed.shifted_pass2 = placed.pass2_of = None
            variants[(chunk.text, chunk.condition_key)] = chunk
            if chunk.conditions_out:
                incoming = incoming | chunk.conditions_out
        self._variants = variants

    def _merge(self, line_count: int) -> FileSummary:
        self._resolve_conditions()
        summary = FileSummary(line_count=line_count)
        bound, defined = summary.bound, summary.defined
        kinds: dict[str, set[str]] = {}
        imports: list[ImportRecord] = []
        star: list[tuple[str, int, int]] = []
        all_chunks: list[_Placed] = []
        stores: dict[str, set[str]] = {}
        for placed in self._placed:
            chunk = placed.chunk
            s_bound, s_defined, s_classes, s_imports, s_star = self._shift_pass1(placed)
            for name, line in s_bound.items():
                if name not in bound:
                    bound[name] = line
            for name, line in s_defined.items():
                if name not in defined:
                    defined[name] = line
            for name, names_kinds in chunk.kinds.items():
                known = kinds.get(name)
                if known is None:
                    kinds[name] = set(names_kinds)
                else:
                    known |= names_kinds
            for name, origin in chunk.reexports.items():
                summary.reexports.setdefault(name, origin)
            for name, module in chunk.module_aliases.items():
                summary.module_aliases.setdefault(name, module)
            for qualname, info in s_classes.items():
                if qualname in summary.classes and not info.dynamic:  # defined twice: see summary.py
                    info = replace(info, dynamic=True)
                summary.classes[qualname] = info
            imports.extend(s_imports)
            star.extend(s_star)
            summary.has_getattr = summary.has_getattr or chunk.has_getattr
            summary.open_namespace = summary.open_namespace or chunk.open_namespace
            summary.import_hooks = summary.import_hooks or chunk.import_hooks
            for class_name, attributes in chunk.class_stores.items():
                stores.setdefault(class_name, set()).update(attributes)
            if chunk.touches_all:
                all_chunks.append(placed)
        summary.imports = tuple(imports)
        summary.star_imports = tuple(star)
        apply_class_stores(summary.classes, stores)  # `Klass.attr = ...` at module level, `x.attr = ...` anywhere
        for before, after in zip(self._placed, self._placed[1:]):  # text patterns across a chunk boundary
            hooks, opening = _flags_across(before.chunk.text, after.chunk.text)
            summary.import_hooks = summary.import_hooks or hooks
            summary.open_namespace = summary.open_namespace or opening
        if len(all_chunks) == 1:
            summary.all_names = all_chunks[0].chunk.all_names
            summary.all_dynamic = all_chunks[0].chunk.all_dynamic
        elif all_chunks:
            replay = _Summarizer("")
            for placed in all_chunks:  # `__all__ += ...` reads what came before: replay in order
                owner = _Summarizer(placed.chunk.text)
                owner.condition_names = set(placed.chunk.condition_key)
                owner.summary.all_names = replay.summary.all_names
                owner.summary.all_dynamic = replay.summary.all_dynamic
                owner.module_statements(placed.chunk.body, guard="", type_checking=False)
                replay = owner
            summary.all_names = replay.summary.all_names
            summary.all_dynamic = replay.summary.all_dynamic
        self._pass2(summary, kinds, handed_names(stores))
        return summary

    def _shift_pass1(self, placed: _Placed) -> tuple:
        if placed.shifted_pass1 is None:
            chunk, offset = placed.chunk, placed.start
            placed.shifted_pass1 = (
                {name: line + offset for name, line in chunk.bound.items()},
                {name: line + offset for name, line in chunk.defined.items()},
                {q: _shift_class(info, offset) for q, info in chunk.classes.items()},
                tuple(_shift_import(record, offset) for record in chunk.imports),
                tuple((module, level, line + offset) for module, level, line in chunk.star),
            )
        return placed.shifted_pass1

    def _pass2(self, summary: FileSummary, kinds: dict[str, set[str]], opened: set[str]) -> None:
        """Attribute uses and patch targets: each chunk's, under the file-wide facts (see collect_uses)."""
        roots: dict[str, tuple[str, ...]] = {}
        for name, name_kinds in kinds.items():
            if len(name_kinds) == 1:
                kind = next(iter(name_kinds))
                if kind == "import" or kind == "class":
                    roots[name] = (name,)
        root_names = frozenset(roots)
        placed_list = self._placed
        candidates: set[str] = set(roots)
        ctor_lines: dict[int, list[int]] = {}  # placed index -> chunk-relative lines of `x = Root(...)`
        if roots:
            for number, placed in enumerate(placed_list):
                for name, head, line in _ctor_matches(placed.chunk):
                    if head in root_names:
                        candidates.add(name)
                        ctor_lines.setdefault(number, []).append(line)
            for number in range(len(placed_list) - 1):
                for name, head, line in _ctor_across(placed_list[number].chunk.text,
                                                     placed_list[number + 1].chunk.text):
                    if head in root_names:
                        candidates.add(name)
                        ctor_lines.setdefault(number, []).append(line)
        instances: dict[str, tuple[str, ...]] = {}
        if ctor_lines:
            body: list[ast.stmt] = []
            for placed in placed_list:
                body.extend(placed.chunk.body)
            instances = _UseCollector(_Summarizer(""), roots).instances_in(body, None)
        mock = (
            summary.reexports.get("patch"), summary.reexports.get("mock"),
            summary.module_aliases.get("mock"), summary.module_aliases.get("unittest"),
        )
        uses: list[AttributeUse] = []
        patches: list[PatchTarget] = []
        stored: set[tuple[str, str]] = set()
        for number, placed in enumerate(placed_list):
            chunk = placed.chunk
            words = chunk.words
            lines = tuple(sorted(ctor_lines.get(number, ())))
            key = (
                root_names & words,
                frozenset(candidates & words),
                frozenset((n, instances[n]) for n in words & instances.keys()),
                lines,
                mock,
            )
            if chunk.pass2_key != key:
                _chunk_pass2(chunk, key, roots, candidates & words, instances, list(lines), summary)
            if placed.pass2_of is not chunk.pass2_key or placed.shifted_pass2 is None:
                offset = placed.start
                placed.shifted_pass2 = (
                    tuple(_shift_use(use, offset) for use in chunk.uses),
                    tuple(_shift_patch(patch, offset) for patch in chunk.patches),
                )
                placed.pass2_of = chunk.pass2_key
            uses.extend(placed.shifted_pass2[0])
            patches.extend(placed.shifted_pass2[1])
            stored |= chunk.stored
        summary.attribute_uses = judged_uses(uses, stored, opened)
        summary.patch_targets = tuple(patches)


# ---- pass 2 of one chunk: mirrors _Summarizer.collect_uses, with the file-wide facts given ------

def _chunk_pass2(chunk: _Chunk, key: tuple, roots: dict[str, tuple[str, ...]], candidates: set[str],
                 instances: dict[str, tuple[str, ...]], ctor_lines: list[int], summary: FileSummary) -> None:
    """Attribute uses, patch targets and stored attributes of one chunk, given the file-wide facts."""
    owner = _Summarizer(chunk.text)
    owner.summary = FileSummary(reexports=summary.reexports, module_aliases=summary.module_aliases)
    owner.ctor_lines = ctor_lines
    text = chunk.text
    starts = owner._starts()
    hit_lines = lines_mentioning(text, starts, candidates)  # the same gate collect_uses uses
    if hit_lines:
        owner.hits = sorted(hit_lines)
        _UseCollector(owner, roots).visit_block(chunk.body, None, instances, False)
    chunk.uses = tuple(owner.uses)
    chunk.patches = tuple(owner.patches)
    chunk.stored = frozenset(owner.stored)
    chunk.pass2_key = key


def _flags_across(before: str, after: str) -> tuple[bool, bool]:
    """(import hooks, open namespace) patterns that start on one chunk's last line and run into the next."""
    tail = before[before.rfind("\n", 0, len(before) - 1) + 1:] if before else ""
    head_end = len(after)
    stripped = after.lstrip()
    if stripped:
        line_end = after.find("\n", len(after) - len(stripped))
        head_end = line_end + 1 if line_end != -1 else len(after)
    window = tail + after[:head_end]
    crossing = len(tail)

    def across(pattern: re.Pattern[str]) -> bool:
        return any(m.start() < crossing < m.end() for m in pattern.finditer(window))

    return across(_IMPORT_HOOKS), across(_OPENING_TEXT)


def _ctor_matches(chunk: _Chunk) -> tuple[tuple[str, str, int], ...]:
    """Every `name = dotted(` in the chunk's text: (name, head of dotted, chunk-relative line)."""
    if chunk.ctors is None:
        starts = line_starts(chunk.text)
        chunk.ctors = tuple(
            (m.group(1), m.group(2).split(".", 1)[0], bisect.bisect_right(starts, m.start()))
            for m in ctor_assignments(chunk.text)
        )
    return chunk.ctors


def _ctor_across(before: str, after: str) -> list[tuple[str, str, int]]:
    """A `name = dotted(` match that starts in one chunk and ends at a `(` opening the next one."""
    opening = _OPEN_PAREN.match(after)
    if opening is None:
        return []
    window = before + after[: opening.end()]
    found = []
    starts = line_starts(before)
    for match in ctor_assignments(window):
        if match.end() > len(before):
            found.append((match.group(1), match.group(2).split(".", 1)[0],
                          bisect.bisect_right(starts, match.start())))
    return found


# ---- small helpers -----------------------------------------------------------------

def _parse(text: str, filename: str = "<unknown>") -> list[ast.stmt] | FileSummary:
    """The module's statements, or the summary `summarize_source` gives for a text that does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=filename).body
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        message = error.msg or "invalid syntax"
        return FileSummary(syntax_error=SyntaxErrorInfo(line, max(column, 1), message))
    except (ValueError, RecursionError, MemoryError) as error:
        return FileSummary(syntax_error=SyntaxErrorInfo(1, 1, f"cannot parse: {type(error).__name__}: {error}"))


_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")


def _segment_cut(lines: list[str], at_least: int, end: int) -> int:
    """The first line index >= at_least starting in column 0 with code (a possible statement start), else `end`.

    Never before `else` / `elif` / `except` / `finally`: they continue the statement above them.
    """
    for index in range(at_least, end):
        line = lines[index]
        first = line[:1]
        if first and first not in " \t\f#\r\n" and not _CONTINUATION.match(line):
            return index
    return end


def _starts_at_column_zero(lines: list[str], begin: int, end: int) -> bool:
    """True when the first line of lines[begin:end] holding code starts in column 0 (no indentation)."""
    for index in range(begin, end):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return line[0] not in " \t\f"
    return False


def _words(text: str) -> frozenset[str]:
    words = set(_WORD.findall(text))
    if not text.isascii():
        words |= {unicodedata.normalize("NFKC", w) for w in words if not w.isascii()}
    return frozenset(words)


def _shift_span(span: Span, offset: int) -> Span:
    return Span(span.start_line + offset, span.start_column, span.end_line + offset, span.end_column)


def _shift_import(record: ImportRecord, offset: int) -> ImportRecord:
    if offset == 0:
        return record
    return ImportRecord(
        record.is_from, record.module, record.level,
        tuple(ImportedName(n.name, n.asname, _shift_span(n.span, offset)) for n in record.names),
        _shift_span(record.span, offset),
        _shift_span(record.module_span, offset) if record.module_span is not None else None,
        record.guard, record.scope, record.type_checking,
    )


def _shift_class(info: ClassInfo, offset: int) -> ClassInfo:
    if offset == 0:
        return info
    return ClassInfo(info.name, info.qualname, info.line + offset, info.end_line + offset, info.members,
                     info.bases, info.dynamic, info.decorators)


def _shift_use(use: AttributeUse, offset: int) -> AttributeUse:
    if offset == 0:
        return use
    return AttributeUse(use.root, use.attrs, tuple(_shift_span(s, offset) for s in use.spans), use.instance,
                        use.root_name)


def _shift_patch(patch: PatchTarget, offset: int) -> PatchTarget:
    if offset == 0:
        return patch
    return PatchTarget(patch.kind, patch.target, _shift_span(patch.span, offset), patch.object_root, patch.create,
                       patch.quote)
