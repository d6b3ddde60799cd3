"""Where `log import`'s time goes, and the database's own floor: raw inserts with each plays index dropped.

Run: ``python bench/bench_import_floor.py [ROWS] [REPS]`` (default 100,000 rows, best of 3).

Part 1 times `log import`'s phases on SQLite and PostgreSQL (parse + check; de-duplicate, chain and
insert), in wall time and CPU time: this process's (``time.process_time``) and, for PostgreSQL, the
server backend's (``/proc/PID/stat`` of ``pg_backend_pid()``; the server must run on this machine).
CPU time is what the work costs; on a shared 2-core machine wall time mostly says how busy it was.

Part 2 inserts the same rows, parsed and chained beforehand, into a fresh copy of the table (every
migration applied), raw: SQLite ``executemany`` in one ``BEGIN IMMEDIATE`` transaction with the
PRAGMAs PlayStore sets; PostgreSQL ``COPY`` of the text lines ``log import`` sends, in 4,096-line
writes — with all indexes, then with each secondary index dropped in turn, then with none; plus the
other ways tried (binary COPY with ``set_types``, psycopg ``write_row``, an unlogged staging table
and ``INSERT … SELECT``, a multi-row INSERT, rows in start order, a larger cache, synchronous FULL).
"""
from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime
from operator import itemgetter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_log_report import month_rows, sample_project, write_csv  # noqa: E402

from broadcaster.config import load_project  # noqa: E402
from broadcaster.playlog.bulk import KNOWN_COLUMNS, chain_records  # noqa: E402
from broadcaster.playlog.chain import GENESIS, HASHED_FIELDS, row_hash  # noqa: E402
from broadcaster.playlog.importer import parse_plays  # noqa: E402
from broadcaster.playlog.schema import _SQLITE_INSERT  # noqa: E402
from broadcaster.playlog.store import PlayStore  # noqa: E402

PG = os.environ.get("BROADCASTER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_PLAIN = PG.replace("postgresql+psycopg://", "postgresql://", 1)
PRAGMAS = ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -65536")
SECONDARY = ("ix_plays_day", "ix_plays_started", "ix_plays_station_scheduled", "uq_plays_source_id",
             "uq_plays_voids")


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_PLAIN, autocommit=True) as conn:
        conn.execute(sql)


def schema_url(schema: str) -> str:
    return f"{PG}?options=-csearch_path%3D{schema}"


def line(label: str, rows: int, wall: float, cpu: float, server: float | None = None) -> None:
    text = f"| {label} | {wall:.3f} | {rows / wall:,.0f} | {cpu:.3f} |"
    if server is not None:
        text += f" {server:.3f} | {rows / max(server, 1e-9):,.0f} |"
    else:
        text += f" {rows / max(cpu, 1e-9):,.0f} |"
    print(text, flush=True)


def phases(project, csv_path: Path, work: Path, rows: int, reps: int) -> None:
    print("\n| log import, phase | wall s | rows/s (wall) | client CPU s | server CPU s | note |")
    print("|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgresql"):
        for _ in range(reps):
            schema = f"floor_{uuid.uuid4().hex[:8]}"
            if backend == "sqlite":
                for f in work.glob("phase.db*"):
                    f.unlink()
                store = PlayStore(f"sqlite:///{work / 'phase.db'}")
                pid = None
            else:
                pg_admin(f'CREATE SCHEMA "{schema}"')
                store = PlayStore(schema_url(schema))
                with store.engine.connect() as conn:
                    pid = conn.exec_driver_sql("select pg_backend_pid()").scalar()
            try:
                s0 = backend_cpu(pid) if pid else 0.0
                w0, c0 = time.perf_counter(), time.process_time()
                parsed = parse_plays(project, csv_path)
                w1, c1 = time.perf_counter(), time.process_time()
                store.append(parsed, durable=True)
                w2, c2 = time.perf_counter(), time.process_time()
                server = backend_cpu(pid) - s0 if pid else 0.0
            finally:
                store.close()
                if backend != "sqlite":
                    pg_admin(f'DROP SCHEMA "{schema}" CASCADE')
            print(f"| {backend}: parse + check | {w1 - w0:.3f} | | {c1 - c0:.3f} | | |")
            print(f"| {backend}: dedupe + chain + insert + commit | {w2 - w1:.3f} | | {c2 - c1:.3f} | "
                  f"{server:.3f} | |" if pid else
                  f"| {backend}: dedupe + chain + insert + commit | {w2 - w1:.3f} | | {c2 - c1:.3f} | (in process) | |")
            print(f"| {backend}: whole import | {w2 - w0:.3f} | {rows / (w2 - w0):,.0f} | {c2 - c0:.3f} | "
                  f"{server:.3f} | load {os.getloadavg()[0]:.1f} |", flush=True)


def sqlite_floor(records: list, work: Path, reps: int) -> None:
    template = work / "template.db"
    for f in work.glob("template.db*"):
        f.unlink()
    PlayStore(f"sqlite:///{template}").close()
    with sqlite3.connect(template) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def run(label, drop=(), rows=records, pragmas=PRAGMAS, sql=None, multi=0):
        best_wall = best_cpu = float("inf")
        for _ in range(reps):
            db = work / "raw.db"
            for f in work.glob("raw.db*"):
                f.unlink()
            shutil.copy(template, db)
            conn = sqlite3.connect(db, isolation_level=None)
            for pragma in pragmas:
                conn.execute(f"PRAGMA {pragma}")
            for name in drop:
                conn.execute(f"DROP INDEX {name}")
            w, c = time.perf_counter(), time.process_time()
            conn.execute("BEGIN IMMEDIATE")
            if multi:
                full = len(rows) // multi * multi
                many = _SQLITE_INSERT + (", (" + ", ".join("?" * len(KNOWN_COLUMNS)) + ")") * (multi - 1)
                conn.executemany(many, [list(itertools.chain.from_iterable(rows[i:i + multi]))
                                        for i in range(0, full, multi)])
                conn.executemany(_SQLITE_INSERT, rows[full:])
            else:
                conn.executemany(_SQLITE_INSERT, rows)
            conn.execute("COMMIT")
            best_wall = min(best_wall, time.perf_counter() - w)
            best_cpu = min(best_cpu, time.process_time() - c)
            conn.close()
        line(label, len(rows), best_wall, best_cpu)

    print("\n| raw SQLite executemany, same rows | wall s | rows/s (wall) | CPU s | rows/s (CPU) |")
    print("|---|---|---|---|---|")
    run("all indexes")
    for name in SECONDARY:
        run(f"without {name}", (name,))
    run("without ix_plays_day and ix_plays_started", ("ix_plays_day", "ix_plays_started"))
    run("no secondary index (uid and station+script+start kept)", SECONDARY)
    run("all indexes, rows in start order", rows=sorted(records, key=itemgetter(10, 1)))
    run("all indexes, one INSERT of 500 rows per statement", multi=500)
    run("all indexes, cache 256 MB + temp_store MEMORY",
        pragmas=PRAGMAS[:2] + ("cache_size = -262144", "temp_store = MEMORY"))
    run("all indexes, synchronous FULL (what log import commits with)",
        pragmas=("journal_mode = WAL", "synchronous = FULL", "cache_size = -65536"))


def pg_floor(lines: list[str], tuples: list[tuple], reps: int) -> None:
    import psycopg

    statement = f"COPY plays ({', '.join(KNOWN_COLUMNS)}) FROM STDIN"
    types = ["varchar", "varchar", "int4", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar",
             "timestamp", "timestamp", "timestamp", "float8", "varchar", "varchar", "varchar", "varchar",
             "varchar", "varchar", "varchar", "varchar"]

    def text_copy(batch):
        def go(conn):
            with conn.cursor() as cur, cur.copy(statement) as copy:
                for i in range(0, len(lines), batch):
                    copy.write("".join(lines[i:i + batch]))
        return go

    def write_row(conn):
        with conn.cursor() as cur, cur.copy(statement) as copy:
            for row in tuples:
                copy.write_row(row)

    def binary(conn):
        with conn.cursor() as cur, cur.copy(statement.replace("STDIN", "STDIN (FORMAT BINARY)")) as copy:
            copy.set_types(types)
            for row in tuples:
                copy.write_row(row)

    def staging(conn):
        conn.execute("CREATE UNLOGGED TABLE stage (LIKE plays INCLUDING DEFAULTS)")
        with conn.cursor() as cur, cur.copy(statement.replace("COPY plays", "COPY stage", 1)) as copy:
            for i in range(0, len(lines), 4096):
                copy.write("".join(lines[i:i + 4096]))
        columns = ", ".join(KNOWN_COLUMNS)
        conn.execute(f"INSERT INTO plays ({columns}) SELECT {columns} FROM stage")
        conn.execute("DROP TABLE stage")

    def run(label, how, drop=()):
        best_wall = best_server = float("inf")
        for _ in range(reps):
            schema = f"floor_{uuid.uuid4().hex[:8]}"
            pg_admin(f'CREATE SCHEMA "{schema}"')
            try:
                PlayStore(schema_url(schema)).close()
                with psycopg.connect(PG_PLAIN, options=f"-csearch_path={schema}") as conn:
                    for name in drop:
                        conn.execute(f"DROP INDEX {name}")
                    pid = conn.execute("select pg_backend_pid()").fetchone()[0]
                    conn.commit()
                    s, w = backend_cpu(pid), time.perf_counter()
                    how(conn)
                    conn.commit()
                    best_wall = min(best_wall, time.perf_counter() - w)
                    best_server = min(best_server, backend_cpu(pid) - s)
            finally:
                pg_admin(f'DROP SCHEMA "{schema}" CASCADE')
        print(f"| {label} | {best_wall:.3f} | {len(lines) / best_wall:,.0f} | {best_server:.3f} | "
              f"{len(lines) / max(best_server, 1e-9):,.0f} |", flush=True)

    print("\n| raw PostgreSQL, same rows | wall s | rows/s (wall) | server CPU s | rows/s (server CPU) |")
    print("|---|---|---|---|---|")
    run("text COPY, 4,096-line writes, all indexes", text_copy(4096))
    run("text COPY, one write", text_copy(10 ** 9))
    run("text COPY, 1,024-line writes", text_copy(1024))
    run("psycopg write_row (text), all indexes", write_row)
    run("binary COPY, set_types + write_row", binary)
    run("unlogged staging table + INSERT … SELECT", staging)
    for name in SECONDARY:
        run(f"text COPY without {name}", text_copy(4096), (name,))
    run("text COPY without ix_plays_day and ix_plays_started", text_copy(4096), ("ix_plays_day", "ix_plays_started"))
    run("text COPY, no secondary index", text_copy(4096), SECONDARY)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    work = Path(tempfile.mkdtemp(prefix="import-floor-"))
    try:
        sample_project(work / "wf")
        write_csv(work / "import.csv", month_rows(load_project(work / "wf"), rows, datetime(2024, 8, 1)))
        project = load_project(work / "wf")
        print(f"{rows:,} rows, best of {reps}; load at start {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        phases(project, work / "import.csv", work, rows, reps)
        parsed = sorted(parse_plays(project, work / "import.csv"), key=itemgetter("station", "started_at"))
        heads = {p["station"]: (0, GENESIS) for p in parsed}
        records = chain_records([dict(p) for p in parsed], heads, "sqlite", row_hash, HASHED_FIELDS)
        heads = {p["station"]: (0, GENESIS) for p in parsed}
        chained = [dict(p) for p in parsed]
        lines = chain_records(chained, heads, "postgresql", row_hash, HASHED_FIELDS)
        tuples = [tuple(r.get(c) for c in KNOWN_COLUMNS) for r in chained]
        sqlite_floor(records, work, reps)
        pg_floor(lines, tuples, reps)
        print(f"\nload at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
