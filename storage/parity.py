"""SQLite refuses what PostgreSQL would refuse: an over-long string or an integer out of its
column's range.

SQLite stores any value in any column (``VARCHAR(100)`` holds a megabyte, ``INTEGER`` holds
2^62), so a value PostgreSQL refuses with ``StringDataRightTruncation`` or "integer out of range"
went through the suite unnoticed and failed only in production. ``STRICT`` tables do not help:
they check the storage class only, never a length, and refuse ``VARCHAR(n)`` as a type name.
So every INSERT and UPDATE on SQLite is checked here against the declared column types, before
SQLite sees it, and a refused value raises the DB-API ``DataError`` PostgreSQL's driver raises
(``sqlalchemy.exc.DataError`` once SQLAlchemy wraps it), with the column's name and never the
value: error messages end up in logs."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import BigInteger, Engine, Integer, SmallInteger, String, TypeDecorator, event
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

# PostgreSQL's integer, bigint and smallint ranges.
_RANGES: tuple[tuple[type[TypeEngine[Any]], int], ...] = (
    (BigInteger, 2**63),
    (SmallInteger, 2**15),
    (Integer, 2**31),
)


def limit_of(type_: TypeEngine[Any]) -> tuple[str, int] | None:
    """("length", n) for a string column of at most n characters, ("range", n) for an integer
    column holding -n..n-1, None when PostgreSQL sets no such limit (Text, dates, booleans)."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, String):
        return None if type_.length is None else ("length", type_.length)
    for kind, bound in _RANGES:
        if isinstance(type_, kind):
            return ("range", bound)
    return None


def refuse_what_postgresql_refuses(engine: Engine) -> None:
    """Installs the check on a SQLite engine."""
    event.listen(engine, "before_cursor_execute", _check, retval=False)


def _check(
    _conn: Any,
    _cursor: Any,
    _statement: str,
    _parameters: Any,
    context: DefaultExecutionContext | None,
    _executemany: bool,
) -> None:
    compiled = getattr(context, "compiled", None)
    if not isinstance(compiled, SQLCompiler) or not (compiled.isinsert or compiled.isupdate):
        return
    assert context is not None
    binds = compiled.binds
    for parameters in context.compiled_parameters:
        for name, value in parameters.items():
            if value is None or name not in binds:
                continue
            limit = limit_of(binds[name].type)
            if limit is None:
                continue
            kind, bound = limit
            if kind == "length" and isinstance(value, str) and len(value) > bound:
                raise sqlite3.DataError(f"value too long for {name} (at most {bound} characters)")
            if (
                kind == "range"
                and isinstance(value, int)
                and not isinstance(value, bool)
                and not -bound <= value < bound
            ):
                raise sqlite3.DataError(f"integer out of range for {name}")
