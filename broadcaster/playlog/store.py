"""Play-log stage, storage: turns play records into hash-chained rows in SQLite or PostgreSQL (same code).

The log (nhật ký phát) is one table of plays (lượt phát). Each station's rows
form a hash chain: ``row_hash = sha256(canonical(fields) + prev_hash)`` where
``prev_hash`` is the ``row_hash`` of the station's previous row and ``seq``
counts the station's rows from 1. A per-station chain head (``chain_heads``)
holds the last ``seq`` and hash; appending locks that head row
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every writer starts with
``BEGIN IMMEDIATE``, which takes the database write lock), so several
processes may append at once and each chain stays a line.

Schema changes are named, recorded steps (table ``schema_migrations``): each
step is a function (``playlog.migrations``), applied once, in order, inside a
locked transaction. The tables are in ``playlog.schema``, rows and their hash
in ``playlog.chain``, the PostgreSQL COPY path in ``playlog.bulk``; their
names are re-exported here, where callers have always found them.

Where a play's airtime came from is recorded in ``duration_source``
(DURATION_SOURCES): ``log`` (the device or player gave an end time or a
length), ``clip`` (only a start time was logged: the scheduled clip's length
from the clip manifest), ``confirm`` (the operator confirmed the plan: the
planned length), ``unknown`` (only a start time and no clip built yet). The
column came with migration ``0004_duration_source``. Rows written before it
keep ``duration_source`` NULL and their hash unchanged: a migration may not
rewrite hashed fields, or ``log verify`` could no longer tell a migration from
tampering. Their source is derived when read (``effective_duration_source``),
and a played row with no end time and 0 s (old rows, ``unknown`` rows) gets
its clip's length when the report or ``log list`` reads it
(``playlog.durations``), so a clip built later still counts.

A play being aired right now is not a log row: the player keeps it in
``play_progress`` (one row per station, with a heartbeat) and appends the
chained row with its final status when it ends, or, after a crash, as
``interrupted`` on the next start. Rows are therefore never updated, which is
what lets ``log verify`` treat any change as tampering.
"""
from __future__ import annotations

import contextlib
import time as _time
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from ..errors import BroadcasterError
from .bulk import COPY_MIN_ROWS, copy_plays
from .chain import GENESIS, AppendResult, PlayIn, play_row, row_hash  # noqa: F401  (re-exported)
from .migrations import MIGRATIONS
from .schema import (DURATION_SOURCE_LABELS, DURATION_SOURCES, SOURCE_LABELS, STATUS_LABELS,  # noqa: F401
                     STATUSES, VOID_STATUS, _SQLITE_INSERT, chain_heads, play_progress, plays, schema_migrations,
                     sync_progress)

MESSAGES = {
    "cannot_open": "không mở được cơ sở dữ liệu nhật ký {url}: {detail}",
    "cannot_open_hint_sqlite": "kiểm tra thư mục chứa tệp có tồn tại và cho phép ghi, còn chỗ trống trên đĩa; không có lượt phát nào bị mất",
    "cannot_open_hint_pg": "kiểm tra máy chủ PostgreSQL đang chạy, địa chỉ, cổng, tên người dùng, mật khẩu và tên cơ sở dữ liệu (database trong broadcaster.yaml hoặc biến BROADCASTER_DATABASE_URL); không có lượt phát nào bị mất — chạy lại lệnh khi kết nối được",
    "bad_url": 'địa chỉ cơ sở dữ liệu không hợp lệ "{url}" — viết dạng sqlite:///broadcaster.db hoặc postgresql://người-dùng@máy-chủ:5432/tên-csdl',
    "unsupported": 'loại cơ sở dữ liệu "{backend}" chưa được hỗ trợ — dùng sqlite hoặc postgresql',
    "no_driver": 'trình điều khiển "{driver}" của cơ sở dữ liệu chưa được cài — viết địa chỉ dạng postgresql://… (dùng psycopg 3 đã cài sẵn) hoặc sqlite:///…',
    "no_log": "chưa có nhật ký phát ({url} chưa có) — nhật ký được tạo khi ghi lượt phát đầu tiên: "
              "nhập tệp nhật ký của thiết bị, xác nhận một phiên đã phát (trang Nhật ký phát của bảng điều khiển, "
              "hoặc lệnh log import / log confirm), hoặc phát bằng trình phát của broadcaster (lệnh play)",
    "busy": "cơ sở dữ liệu {url} đang bận quá lâu (tiến trình khác giữ khóa ghi) — thử lại sau; không có lượt phát nào bị mất",
}

BUSY_TIMEOUT_S = 30.0
# Chunk for "IN (...)" look-ups: below SQLite's old 999-variable limit and cheap for PostgreSQL.
IN_CHUNK = 900


# --- opening a database ----------------------------------------------------------------------------------

def hide_password(url: str) -> str:
    """The URL with its password replaced by ***, for messages and sync bookkeeping."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def normalize_url(url: str, root: Path | None = None) -> str:
    """Fill in the driver and make relative SQLite paths relative to the working folder.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver we install);
    ``sqlite:///broadcaster.db`` is relative to the working folder, not to the
    directory the command happens to run in.

    Raises:
        BroadcasterError: The URL cannot be parsed or names another database.
    """
    try:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BroadcasterError(MESSAGES["bad_url"].format(url=hide_password(url))) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:") and root is not None:
            path = Path(database)
            if not path.is_absolute():
                parsed = parsed.set(database=str((Path(root) / path).resolve()))
    else:
        raise BroadcasterError(MESSAGES["unsupported"].format(backend=backend))
    return parsed.render_as_string(hide_password=False)


def _sqlite_setup(engine: Engine) -> None:
    # Python's sqlite3 module would open transactions on its own; hand that to
    # SQLAlchemy's "begin" event so that writers can say BEGIN IMMEDIATE: it
    # takes the write lock at the start, so two writers wait for each other
    # (busy_timeout) instead of both reading a chain head and one failing later.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA cache_size = -65536")   # 64 MB: index inserts of large imports stay in memory
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = conn.get_execution_options().get("broadcaster_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class PlayStore:
    """The play log in one database (SQLite file or PostgreSQL), migrated on open.

    Args:
        url: SQLAlchemy URL (``sqlite:///…``, ``postgresql://…``).
        root: The working folder, for relative SQLite paths.
        migrate: Apply pending migrations now.
    """

    def __init__(self, url: str, root: Path | None = None, *, migrate: bool = True):
        self.url = normalize_url(url, root)
        self.display_url = hide_password(self.url)
        parsed = make_url(self.url)
        self.backend = parsed.get_backend_name()
        if self.backend == "sqlite" and parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            if not folder.is_dir():
                raise self._error(FileNotFoundError(f"thư mục {folder} không tồn tại"))
        kwargs: dict = {"future": True}
        if self.backend == "sqlite":
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
            # Server-side prepared statements (psycopg prepares a query after a few runs) get a
            # generic plan for the IN (...) look-ups that ignores the unique indexes: 100× slower.
            kwargs["connect_args"] = {"connect_timeout": 10, "prepare_threshold": None}
        try:
            self.engine = create_engine(self.url, **kwargs)
        except ImportError as exc:  # e.g. postgresql+psycopg2:// without psycopg2 installed
            raise BroadcasterError(MESSAGES["no_driver"].format(driver=parsed.drivername)) from exc
        if self.backend == "sqlite":
            _sqlite_setup(self.engine)
        if migrate:
            self.migrate()

    # -- errors and transactions --

    def _error(self, exc: BaseException) -> BroadcasterError:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = MESSAGES["cannot_open_hint_sqlite" if self.backend == "sqlite" else "cannot_open_hint_pg"]
        if "database is locked" in detail:
            return BroadcasterError(MESSAGES["busy"].format(url=self.display_url))
        return BroadcasterError(MESSAGES["cannot_open"].format(url=self.display_url, detail=detail), hint=hint)

    @contextlib.contextmanager
    def read(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A read transaction; database failures become BroadcasterError.

        Args:
            snapshot: PostgreSQL: REPEATABLE READ, so every statement sees the same snapshot (a chain
                check that may end by writing marks, ``playlog.marks``); SQLite's transactions already do.
        """
        try:
            with self.engine.connect() as conn:
                if snapshot and self.backend == "postgresql":
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, IntegrityError):
                raise
            raise self._error(exc) from exc

    @contextlib.contextmanager
    def write(self, *, durable: bool = False) -> Iterator[Connection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE); committed at the end, rolled back on error.

        Args:
            durable: SQLite: commit with ``synchronous = FULL`` (the WAL is synced at this commit,
                so a power cut right after it cannot take the transaction back); the connection's
                usual NORMAL (atomic, synced at checkpoints) is restored afterwards. Costs one
                fsync; ``log import`` asks for it. PostgreSQL commits are always durable.
        """
        try:
            with self.engine.connect() as conn:
                conn.execution_options(broadcaster_write=True)
                raw = conn.connection.driver_connection if durable and self.backend == "sqlite" else None
                if raw is not None:     # may not change inside a transaction: set before BEGIN
                    raw.execute("PRAGMA synchronous = FULL")
                try:
                    with conn.begin():
                        yield conn
                finally:
                    if raw is not None:
                        raw.execute("PRAGMA synchronous = NORMAL")
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, IntegrityError):
                raise
            raise self._error(exc) from exc

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def exists(self) -> bool:
        """True when the log has been created (its plays table is there); creates nothing.

        A SQLite file that is not there is not opened (opening would create it).
        """
        parsed = make_url(self.url)
        if self.backend == "sqlite" and parsed.database and parsed.database != ":memory:" \
                and not parsed.database.startswith("file:") and not Path(parsed.database).is_file():
            return False
        with self.read() as conn:
            return self.engine.dialect.has_table(conn, "plays")

    # -- migrations --

    def applied_migrations(self) -> list[str]:
        """Names of the migration steps recorded in schema_migrations."""
        with self.read() as conn:
            if not self.engine.dialect.has_table(conn, "schema_migrations"):
                return []
            return [r[0] for r in conn.execute(select(schema_migrations.c.name).order_by(schema_migrations.c.name))]

    def migrate(self) -> list[str]:
        """Apply the pending migration steps, in order, each recorded once; return the names applied."""
        if len(self.applied_migrations()) == len(MIGRATIONS):
            return []
        done: list[str] = []
        with self.write() as conn:
            if self.backend == "postgresql":
                # Two processes opening a fresh database at once must not both create tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('broadcaster.schema_migrations'))"))
            schema_migrations.create(conn, checkfirst=True)
            applied = {r[0] for r in conn.execute(select(schema_migrations.c.name))}
            for name, step in MIGRATIONS:
                if name in applied:
                    continue
                step(conn)
                conn.execute(schema_migrations.insert().values(name=name, applied_at=datetime.now()))
                done.append(name)
        return done

    # -- appending --

    def _lock_heads(self, conn: Connection, stations: Iterable[str]) -> dict[str, tuple[int, str]]:
        heads: dict[str, tuple[int, str]] = {}
        for station in sorted(set(stations)):    # one order for every writer: no deadlock
            if self.backend == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                conn.execute(pg_insert(chain_heads).values(station=station, seq=0, last_hash=GENESIS)
                             .on_conflict_do_nothing(index_elements=["station"]))
            row = conn.execute(select(chain_heads.c.seq, chain_heads.c.last_hash)
                               .where(chain_heads.c.station == station).with_for_update()).first()
            if row is None:  # SQLite: the IMMEDIATE transaction already holds the write lock
                conn.execute(chain_heads.insert().values(station=station, seq=0, last_hash=GENESIS))
                row = (0, GENESIS)
            heads[station] = (row[0], row[1])
        return heads

    def _existing(self, conn: Connection, rows: Sequence[dict], carried_uids: bool) -> tuple[set, set, set]:
        # Fresh uids (made by play_row just now) cannot be in the log: only look up carried ones (sync).
        uids = [r["uid"] for r in rows] if carried_uids else []
        source_ids = [r["source_id"] for r in rows if r["source_id"]]
        found_uids: set = set()
        found_sources: set = set()
        for i in range(0, len(uids), IN_CHUNK):
            found_uids.update(v for (v,) in conn.execute(select(plays.c.uid).where(plays.c.uid.in_(uids[i:i + IN_CHUNK]))))
        for i in range(0, len(source_ids), IN_CHUNK):
            found_sources.update(v for (v,) in conn.execute(
                select(plays.c.source_id).where(plays.c.source_id.in_(source_ids[i:i + IN_CHUNK]))))
        keys: set = set()
        by_station: dict[str, list[datetime]] = {}
        for r in rows:
            by_station.setdefault(r["station"], []).append(r["started_at"])
        for station, starts in by_station.items():
            query = select(plays.c.script, plays.c.started_at).where(
                plays.c.station == station, plays.c.started_at >= min(starts), plays.c.started_at <= max(starts))
            keys.update((station, script, started) for script, started in conn.execute(query))
        return found_uids, found_sources, keys

    def append(self, items: Sequence[PlayIn] | Sequence[dict], *, conn: Connection | None = None,
               retries: int = 3, carried_uids: bool = False, durable: bool = False) -> AppendResult:
        """Append plays to their stations' chains in one transaction; plays already logged are skipped.

        A play is already logged when its ``uid`` or ``source_id`` is in the log, or
        a row with the same (station, script, started_at) exists. Plays are chained
        in order of start time within each station.

        Args:
            items: PlayIn objects, or row dicts from ``PlayIn.as_row()`` (sync carries uids).
            conn: An open write transaction to use (the caller commits); default: a new one.
            retries: Attempts when a concurrent writer of another station took the same source_id.
            carried_uids: The rows carry uids from another log (sync): skip rows whose uid is known.
            durable: Commit with ``write(durable=True)`` (``log import``); ignored with ``conn``.

        Returns:
            Counts of new and existing plays.

        Raises:
            BroadcasterError: The database cannot be reached; nothing was written.
        """
        rows = [i.as_row() if isinstance(i, PlayIn) else dict(i) for i in items]
        if conn is not None:
            return self._append(conn, rows, carried_uids)
        for attempt in range(retries):
            try:
                with self.write(durable=durable) as wconn:
                    return self._append(wconn, rows, carried_uids)
            except IntegrityError:
                if attempt == retries - 1:
                    raise
                _time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _append(self, conn: Connection, rows: list[dict], carried_uids: bool = False) -> AppendResult:
        result = AppendResult()
        if not rows:
            return result
        heads = self._lock_heads(conn, (r["station"] for r in rows))
        uids, sources, keys = self._existing(conn, rows, carried_uids)
        fresh: list[dict] = []
        for r in sorted(rows, key=itemgetter("station", "started_at")):
            key = (r["station"], r["script"], r["started_at"])
            if r["uid"] in uids or (r["source_id"] and r["source_id"] in sources) or key in keys:
                result.existing += 1
                continue
            if carried_uids:
                uids.add(r["uid"])
            keys.add(key)
            if r["source_id"]:
                sources.add(r["source_id"])
            fresh.append(r)
        if fresh:
            self._insert(conn, fresh, heads)
            for station, (seq, last) in heads.items():
                conn.execute(chain_heads.update().where(chain_heads.c.station == station)
                             .values(seq=seq, last_hash=last))
        result.new = len(fresh)
        return result

    def _insert(self, conn: Connection, rows: list[dict], heads: dict[str, tuple[int, str]]) -> None:
        # Chain (seq, prev_hash, row_hash; ``heads`` advance) and insert in one pass, straight through the
        # driver (bulk.py). Small PostgreSQL batches, and columns added since bulk.KNOWN_COLUMNS, go row by row.
        from .bulk import KNOWN_COLUMNS, chain_records, copy_chained
        from .chain import HASHED_FIELDS

        if self.backend == "sqlite":
            conn.exec_driver_sql(_SQLITE_INSERT, chain_records(rows, heads, self.backend, row_hash, HASHED_FIELDS))
            return
        if len(rows) >= COPY_MIN_ROWS and {c.name for c in plays.columns} == {"id", *KNOWN_COLUMNS}:
            copy_chained(conn.connection.driver_connection, f"COPY plays ({', '.join(KNOWN_COLUMNS)}) FROM STDIN",
                         rows, heads, row_hash, HASHED_FIELDS)
            return
        for r in rows:
            seq, prev = heads[r["station"]]
            r["seq"], r["prev_hash"] = seq + 1, prev
            r["row_hash"] = row_hash(r, prev)
            heads[r["station"]] = (r["seq"], r["row_hash"])
        (copy_plays if len(rows) >= COPY_MIN_ROWS else lambda c, rs: c.execute(plays.insert(), rs))(conn, rows)

    # -- reading --

    def logged_slots(self, station: str, since: datetime) -> set[tuple[str, datetime]]:
        """(script, scheduled_at) of the station's plays scheduled at or after ``since``, any status."""
        with self.read() as conn:
            query = select(plays.c.script, plays.c.scheduled_at).where(
                plays.c.station == station, plays.c.scheduled_at >= since)
            return {(s, t) for s, t in conn.execute(query)}

    def list_plays(self, *, start: datetime | None = None, end: datetime | None = None,
                   station: str | None = None, script: str | None = None, status: str | None = None,
                   source: str | None = None, limit: int | None = None, include_voids: bool = False) -> list[dict]:
        """Plays of the log, filtered, in order of start time, each with its voiding (``with_voids``).

        Args:
            start: Plays started at or after this moment.
            end: Plays started before this moment.
            station, script, status, source: Exact matches.
            limit: At most this many rows.
            include_voids: Also return the void rows themselves (status VOID_STATUS); by
                default they are left out and shown on the play they void instead.
        """
        query = select(plays) if include_voids else select(plays).where(plays.c.status != VOID_STATUS)
        for column, value in ((plays.c.station, station), (plays.c.script, script), (plays.c.status, status),
                              (plays.c.source, source)):
            if value is not None:
                query = query.where(column == value)
        if start is not None:
            query = query.where(plays.c.started_at >= start)
        if end is not None:
            query = query.where(plays.c.started_at < end)
        query = query.order_by(plays.c.started_at, plays.c.station, plays.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.read() as conn:
            return self.with_voids(conn, [dict(r._mapping) for r in conn.execute(query)])

    def recent_plays(self, limit: int) -> list[dict]:
        """The newest plays of the log, newest first (``list_plays`` reads oldest first), void rows left out.

        Args:
            limit: At most this many rows.
        """
        query = select(plays).where(plays.c.status != VOID_STATUS) \
            .order_by(plays.c.started_at.desc(), plays.c.id.desc()).limit(limit)
        with self.read() as conn:
            return self.with_voids(conn, [dict(r._mapping) for r in conn.execute(query)])

    @staticmethod
    def with_voids(conn: Connection, rows: list[dict]) -> list[dict]:
        """The rows, each with ``voided_by`` (id of the void row), ``void_reason`` and ``voided_at`` (else None).

        Voids are staff corrections, a handful per month: all of them are read at once
        (through the partial index on ``voids``) rather than looked up row by row.
        """
        found = {uid: (vid, reason, at) for vid, uid, reason, at in conn.execute(
            select(plays.c.id, plays.c.voids, plays.c.reason, plays.c.started_at).where(plays.c.voids.isnot(None)))}
        for row in rows:
            row["voided_by"], row["void_reason"], row["voided_at"] = found.get(row["uid"], (None, None, None))
        return rows

    def count(self) -> int:
        """Number of rows in the log."""
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(plays)).scalar_one()




class NoPlayLog(BroadcasterError):
    """Reading a play log that does not exist yet (nothing was created)."""


def open_store(project, url: str | None = None, *, must_exist: bool = False) -> PlayStore:
    """The project's play log (``database:`` or BROADCASTER_DATABASE_URL), or the given URL.

    Args:
        project: The working folder.
        url: Another database instead of the project's.
        must_exist: For commands that only read (``report``, ``log list``, ``log verify``,
            the web pages): a log that does not exist yet is not created (no empty SQLite
            file, no tables on a PostgreSQL server) — NoPlayLog says how to start one.

    Raises:
        NoPlayLog: ``must_exist`` and there is no log yet.
        BroadcasterError: The database cannot be reached.
    """
    if not must_exist:
        return PlayStore(url or project.database_url, project.root)
    store = PlayStore(url or project.database_url, project.root, migrate=False)
    if not store.exists():
        store.close()
        raise NoPlayLog(MESSAGES["no_log"].format(url=store.display_url))
    store.migrate()
    return store

