"""Message and connection types (batch_message_types.py was merged into this module)."""

from dataclasses import dataclass


@dataclass
class BatchMessage:
    topic: str
    payload: bytes = b""


class WebSocketManager:
    """Was called ConnectionExecutor."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.open = False

    def connect(self) -> None:
        self.open = True

    def send(self, message: BatchMessage) -> None:
        if not self.open:
            raise RuntimeError("not connected")
