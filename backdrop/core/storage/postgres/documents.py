"""Documents of the built-in registry in `backdrop.documents` (kind, key, JSONB document)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import psycopg
from psycopg import sql

from backdrop.core.storage.base import Document
from backdrop.core.storage.postgres.codec import dumps

Connection = psycopg.Connection[tuple[Any, ...]]


def get(conn: Connection, kind: str, key: str) -> Document | None:
    found = conn.execute(
        "SELECT document FROM backdrop.documents WHERE kind = %s AND key = %s", [kind, key]
    ).fetchone()
    return dict(found[0]) if found else None


def find(conn: Connection, kind: str, where: Mapping[str, Any]) -> list[Document]:
    """Documents whose top-level fields equal `where` (a null also matches a missing field,
    as in MongoDB), ordered by key."""
    conditions: list[sql.Composable] = [sql.SQL("kind = %s")]
    params: list[Any] = [kind]
    for name, value in where.items():
        field = sql.SQL("document -> {}").format(sql.Literal(name))
        if value is None:
            conditions.append(sql.SQL("coalesce(jsonb_typeof({}), 'null') = 'null'").format(field))
        else:
            conditions.append(sql.SQL("{} = %s::jsonb").format(field))
            params.append(dumps(value))
    statement = sql.SQL("SELECT document FROM backdrop.documents WHERE {} ORDER BY key").format(
        sql.SQL(" AND ").join(conditions)
    )
    return [dict(row[0]) for row in conn.execute(statement, params)]


def put(conn: Connection, kind: str, key: str, document: Mapping[str, Any]) -> None:
    conn.execute(
        "INSERT INTO backdrop.documents (kind, key, document) VALUES (%s, %s, %s::jsonb)"
        " ON CONFLICT (kind, key) DO UPDATE SET document = EXCLUDED.document",
        [kind, key, dumps(document)],
    )


def delete(conn: Connection, kind: str, key: str) -> bool:
    return (
        conn.execute(
            "DELETE FROM backdrop.documents WHERE kind = %s AND key = %s", [kind, key]
        ).rowcount
        > 0
    )


def every(conn: Connection) -> Iterator[tuple[str, str, Document]]:
    """Every document as (kind, key, document), ordered by kind and key."""
    rows = conn.execute("SELECT kind, key, document FROM backdrop.documents ORDER BY kind, key")
    for kind, key, document in rows:
        yield str(kind), str(key), dict(document)
