"""Integration tests for the websocket layer (written before the refactor)."""

from ..helpers import make_urls
from app.ws.batch_message_types import BatchMessage
from app.ws.types import ConnectionExecutor


def test_batch_message():
    assert BatchMessage("t").topic == "t"


def test_executor():
    executor = ConnectionExecutor(make_urls(1)[0])
    executor.connect()
