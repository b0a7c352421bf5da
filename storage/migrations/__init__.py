"""Alembic migrations of the helpline schema (a package, so it is installed with ``storage``)."""
