"""Rate limiting (check_rate_limit was replaced by enforce_rate_limit)."""

import time

_calls: dict[str, list[float]] = {}


def enforce_rate_limit(key: str, limit: int = 10, window: float = 1.0) -> bool:
    now = time.monotonic()
    recent = [t for t in _calls.get(key, []) if now - t < window]
    recent.append(now)
    _calls[key] = recent
    return len(recent) <= limit
