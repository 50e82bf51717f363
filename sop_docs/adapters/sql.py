"""One code path for SQLite and PostgreSQL: the package's SQL run through SQLAlchemy Core.

Queries are written once, with `?` placeholders, in the SQL both engines understand (`ON CONFLICT`,
`RETURNING`); `Conn.execute` turns them into SQLAlchemy `text()` clauses with bound parameters
(compiled once per statement) and hands back rows readable by name or position, as sqlite3.Row
was. Transactions are explicit (`BEGIN` … `COMMIT` on a connection in autocommit), so reads
outside one take no lock, exactly as before on SQLite.

On PostgreSQL each office is a schema of its own (`kantor_<kode>`), named on the connection's
search_path: no query can reach another office's rows by forgetting a filter, and `pg_dump -n`
takes or restores one office alone.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import TextClause

from sop_docs.core.addresses import secret_in_clear
from sop_docs.errors import InvalidSettings

KANTOR = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True)
class Target:
    """Where an office's records live: a SQLite file, or an office's schema in PostgreSQL."""

    url: str                   # what SQLAlchemy connects to (no password: libpq finds it)
    path: Path | None = None   # SQLite: the file
    kantor: str = ""           # PostgreSQL: the office's code, its schema is kantor_<kode>

    @property
    def postgresql(self) -> bool:
        return self.path is None

    @property
    def schema(self) -> str:
        return f"kantor_{self.kantor}"

    @property
    def shown(self) -> str:
        """How logs and messages name it (never with a password: there is none in it)."""
        if self.path is not None:
            return str(self.path)
        u = make_url(self.url)
        return f"postgresql://{u.username + '@' if u.username else ''}{u.host or ''}" \
               f"{':' + str(u.port) if u.port else ''}/{u.database or ''} (kantor {self.kantor})"


def is_postgresql(database: str) -> bool:
    return database.strip().lower().startswith(_PG_SCHEMES)


def target_of(database: str, kantor: str, root: Path) -> Target:
    """`[system] database` (a path, absolute or inside the workspace, or a postgresql:// URL) and
    `kantor`, checked: a password written in clear and an office code that could not be a schema
    name are refused."""
    if not is_postgresql(database):
        path = Path(database)
        return Target(url="", path=path if path.is_absolute() else root / path)
    why = secret_in_clear(database.replace("postgresql+psycopg://", "postgresql://", 1))
    if why:
        raise InvalidSettings(
            f"sop.toml: [system] database (or SOP_DOCS_DATABASE) holds {why}; sop.toml is readable by "
            "staff. Put the "
            "password in PGPASSWORD (the unit's EnvironmentFile) or in a passfile "
            "(?passfile=/etc/sop-docs/pgpass) — see docs/service.md, PostgreSQL.")
    if not KANTOR.match(kantor):
        raise InvalidSettings(
            f"sop.toml: [system] kantor {kantor!r}: with PostgreSQL every office needs its code, "
            "lower-case letters, digits and _ (e.g. kantor = \"diskominfo\"), at most 40, "
            "starting with a letter")
    rest = database.split("://", 1)[1]
    try:
        url = make_url(f"postgresql+psycopg://{rest}")
    except ArgumentError as e:
        raise InvalidSettings(f"sop.toml: [system] database is not a PostgreSQL URL: {e}") from e
    if not url.database:
        raise InvalidSettings("sop.toml: [system] database names no database "
                              "(postgresql://user@host/DATABASE)")
    from psycopg import ProgrammingError
    from psycopg.conninfo import make_conninfo

    try:      # libpq's own check of the ?options (a typo would otherwise fail at every connect)
        make_conninfo("", **{k: v if isinstance(v, str) else ",".join(v)
                             for k, v in url.query.items()})
    except ProgrammingError as e:
        raise InvalidSettings(f"sop.toml: [system] database: {e} (see the libpq connection "
                              "parameters, e.g. ?sslmode=verify-full)") from e
    return Target(url=url.render_as_string(hide_password=False), kantor=kantor)


# -- connections ---------------------------------------------------------------------------------

# libpq's own guards against a half-dead network (a watcher must notice a lost database within
# seconds, and the server must drop a vanished watcher's session, with its lease, just as fast)
_PG_CONNECT = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 2,
               "keepalives_interval": 1, "keepalives_count": 3, "tcp_user_timeout": 6000,
               "options": "-c lock_timeout=30000 -c tcp_keepalives_idle=2 "
                          "-c tcp_keepalives_interval=1 -c tcp_keepalives_count=3 "
                          "-c tcp_user_timeout=6000 -c idle_in_transaction_session_timeout=60000"}


def engine_for(target: Target, *, schema: str | None = None) -> Engine:
    """An engine that hands out connections in autocommit (transactions are begun by hand);
    on PostgreSQL with `schema` (default: the target's office) first on the search path."""
    if target.path is not None:
        eng = create_engine(f"sqlite:///{target.path}", poolclass=NullPool,
                            isolation_level="AUTOCOMMIT", connect_args={"timeout": 30})
        return eng
    args = dict(_PG_CONNECT, application_name=f"sop-docs {socket.gethostname()} {os.getpid()}"[:63])
    own = make_url(target.url).query.get("options")       # the administrator's, kept (first)
    if own:
        args["options"] = f"{own if isinstance(own, str) else ' '.join(own)} {args['options']}"
    eng = create_engine(target.url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                        connect_args=args)
    path = schema if schema is not None else target.schema

    @event.listens_for(eng, "connect")
    def _search_path(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{path}", public')

    return eng


class Rec:
    """A row, read by column name or by position (what sqlite3.Row offered)."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: Mapping[str, int]) -> None:
        self._values, self._index = values, index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def get(self, key: str, default: Any = None) -> Any:
        i = self._index.get(key)
        return default if i is None else self._values[i]

    def __repr__(self) -> str:
        return f"Rec({dict(zip(self._index, self._values, strict=False))!r})"


class Cursor:
    """What one statement gave: its rows (all fetched at once), or how many rows it changed."""

    def __init__(self, rows: list[Rec], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount

    def fetchone(self) -> Rec | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Rec]:
        return self._rows

    def __iter__(self) -> Iterator[Rec]:
        return iter(self._rows)


_CLAUSES: dict[str, tuple[TextClause, tuple[str, ...]]] = {}


def _clause(sql: str) -> tuple[TextClause, tuple[str, ...]]:
    """`?` placeholders as named binds (`:p0`, `:p1`, …); a colon written in the SQL stays one."""
    found = _CLAUSES.get(sql)
    if found is None:
        parts = sql.replace(":", r"\:").split("?")
        names = tuple(f"p{i}" for i in range(len(parts) - 1))
        out = parts[0] + "".join(f":{n}{p}" for n, p in zip(names, parts[1:], strict=True))
        found = (text(out), names)
        if len(_CLAUSES) < 4096:
            _CLAUSES[sql] = found
    return found


class Conn:
    """The package's view of one database connection (SQLite or PostgreSQL alike)."""

    def __init__(self, sa: Connection, postgresql: bool) -> None:
        self.sa, self.postgresql = sa, postgresql
        self.raw: Any = sa.connection.dbapi_connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        clause, names = _clause(sql)
        result = self.sa.execute(clause, dict(zip(names, params, strict=True)))
        if not result.returns_rows:
            return Cursor([], result.rowcount)
        index = {k: i for i, k in enumerate(result.keys())}
        return Cursor([Rec(tuple(r), index) for r in result.fetchall()], -1)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        clause, names = _clause(sql)
        batch = [dict(zip(names, r, strict=True)) for r in rows]
        if batch:
            self.sa.execute(clause, batch)

    def run(self, sql: str) -> None:
        """A statement as written, with no parameters (BEGIN, COMMIT, DDL)."""
        self.sa.exec_driver_sql(sql)

    @property
    def in_transaction(self) -> bool:
        if self.postgresql:
            return int(self.raw.info.transaction_status) != 0     # psycopg: IDLE is 0
        return bool(self.raw.in_transaction)

    def close(self) -> None:
        self.sa.close()


def in_clause(values: Sequence[Any]) -> str:
    """`(?,?,…)` for `values`; `(NULL)` for none (an empty IN list is not SQL to PostgreSQL)."""
    return "(" + (",".join("?" * len(values)) or "NULL") + ")"
