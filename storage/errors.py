"""Exceptions raised by the storage layer that callers are expected to handle."""

from __future__ import annotations


class ConcurrentUpdate(Exception):
    """Someone else changed the row since it was read; reload and try again."""


class DuplicateReference(Exception):
    """A new ticket's reference is already taken by another ticket; draw a new one."""
