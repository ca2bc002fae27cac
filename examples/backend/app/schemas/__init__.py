"""Schemas. The file is User.py: this import works on macOS and Windows, and fails on Linux and in CI."""

from app.schemas.user import UserSchema

__all__ = ["UserSchema"]
