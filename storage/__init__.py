"""Persistence: SQLModel tables, repositories in a unit of work, the engine and its migrations.

May import ``flows`` (for the event and port types it stores and implements), never ``bot``."""
