"""Did-you-mean and "defined in" helpers shared by the rules."""

from __future__ import annotations

import difflib
from typing import Iterable


def close_matches(name: str, candidates: Iterable[str], limit: int = 3, cutoff: float = 0.6) -> list[str]:
    """Close spellings of `name`, best first; a case-only difference always counts."""
    pool = [c for c in set(candidates) if c != name]
    lowered = [c for c in pool if c.lower() == name.lower()]
    matches = difflib.get_close_matches(name, pool, n=limit, cutoff=cutoff)
    # names sharing a long common word ("check_rate_limit" vs "enforce_rate_limit") count too
    if len(matches) < limit:
        for candidate in _shared_word_matches(name, pool):
            if candidate not in matches:
                matches.append(candidate)
            if len(matches) >= limit:
                break
    ordered = lowered + [m for m in matches if m not in lowered]
    return ordered[:limit]


def _shared_word_matches(name: str, pool: list[str]) -> list[str]:
    words = _words(name)
    if len(words) < 2:
        return []
    scored = []
    for candidate in pool:
        other = _words(candidate)
        shared = words & other
        if len(shared) >= max(2, len(words) - 1):
            scored.append((len(shared), -abs(len(other) - len(words)), candidate))
    scored.sort(reverse=True)
    return [c for *_, c in scored]


def _words(name: str) -> set[str]:
    out: list[str] = []
    for chunk in name.split("_"):
        current = ""
        for char in chunk:
            if char.isupper() and current and not current[-1].isupper():
                out.append(current)
                current = char
            else:
                current += char
        if current:
            out.append(current)
    return {w.lower() for w in out if w}


def same_kind(name: str, candidate: str) -> bool:
    """CamelCase names go with CamelCase, snake_case with snake_case."""
    return name[:1].isupper() == candidate[:1].isupper()
