"""Healthy tests: this file collects."""

import pytest

from app.ws.manager import broadcast, connect_all
from tests.helpers import make_urls


@pytest.mark.parametrize("count", [1, 2, 3])
def test_connect_all(count):
    assert len(connect_all(make_urls(count))) == count


def test_broadcast():
    broadcast(connect_all(make_urls(2)), "news")
