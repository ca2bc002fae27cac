"""Test helpers."""


def make_urls(count: int) -> list[str]:
    return [f"ws://localhost:{8000 + i}" for i in range(count)]
