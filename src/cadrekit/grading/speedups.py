"""Cut nbgrader's fixed costs per submission in ``cadrekit grade`` workers; nothing checked or written changes.

nbgrader opens a new database engine for each of its nine gradebook sessions per submission, so
SQLAlchemy compiles every query again each time and checks that every table exists, and it checks
its own metadata schema against the JSON Schema meta-schema for every cell. On SQLite, every one
of its ~40 commits per submission waits for the disk twice over in the default rollback journal.
Together these cost more than the grading itself. The patches are process-wide, so only grading
worker processes apply them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import types
from collections.abc import Iterator

import jsonschema


def apply() -> None:
    """Engine per database reused, schema compiled once, SQLite commits without a second fsync."""
    import nbgrader.api
    import nbgrader.nbgraderformat.common
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "connect", _normal_sync_under_wal):
        return  # applied already
    # One engine per URL: Gradebook.close() disposes its pool, the engine's compiled queries stay.
    nbgrader.api.create_engine = functools.cache(nbgrader.api.create_engine)
    nbgrader.api.Base.metadata.create_all = _once_per_engine(nbgrader.api.Base.metadata.create_all)
    nbgrader.nbgraderformat.common.jsonschema = types.SimpleNamespace(validate=validate_with_cached_schema)
    event.listen(Engine, "connect", _normal_sync_under_wal)


def _once_per_engine(create_all):
    """``MetaData.create_all`` that creates missing tables on an engine's first Gradebook only."""
    done = set()

    def create(bind, **kwargs):
        if bind not in done:
            create_all(bind=bind, **kwargs)
            done.add(bind)

    return create


@functools.lru_cache(maxsize=8)
def _validator(schema_json: str):
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_with_cached_schema(instance, schema) -> None:
    """``jsonschema.validate``, same error for the same instance, with the schema checked once."""
    error = jsonschema.exceptions.best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(instance))
    if error is not None:
        raise error


def _normal_sync_under_wal(dbapi_connection, _record) -> None:
    """WAL with synchronous=NORMAL survives crashes intact (a power cut may undo the last commits)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        mode = dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode == "wal":
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")


@contextlib.contextmanager
def write_ahead_log(db_url: str) -> Iterator[None]:
    """A SQLite gradebook in WAL mode (it stays so), held open while a batch writes to it.

    In WAL mode concurrent writers and formgrader's readers stop blocking each other and a commit
    costs one fsync instead of several. Holding a connection keeps SQLite from checkpointing and
    deleting the log each time nbgrader closes its engine.
    """
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    connection = sqlite3.connect(url.database, timeout=60)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        yield
    finally:
        connection.close()
