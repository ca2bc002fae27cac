"""Connection pool built on the manager."""

from .types import BatchMessage, WebSocketManager


def connect_all(urls: list[str]) -> list[WebSocketManager]:
    managers = [WebSocketManager(url) for url in urls]
    for manager in managers:
        manager.connect()
    return managers


def broadcast(managers: list[WebSocketManager], topic: str) -> None:
    for manager in managers:
        manager.send(BatchMessage(topic))
