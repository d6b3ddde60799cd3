"""Benchmark of the play-log and report stages: import throughput into SQLite, monthly report over 1,000,000 plays.

Run from the repository root::

    /work/venv/bin/python bench/bench_log_report.py [--import-rows 200000] [--report-rows 1000000] [--no-pg]

Targets: ``log import`` ≥ 50,000 rows/s into SQLite (printed beside a raw
``sqlite3.executemany`` of the same rows into the same table, and the ratio);
the monthly report over 1,000,000 plays ≤ 1.5 s on SQLite and on PostgreSQL
(PostgreSQL from BROADCASTER_TEST_PG_URL, default the local test server; it
is skipped with a note when unreachable). The report is counted by the
database (GROUP BY), so the time is the query plus the plan expansion and the
CSV rendering. The hash-chain check a real report adds (``verify_period``,
every counted row re-hashed in Python) is timed and printed separately: it
grows with the rows and has no target yet.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from broadcaster.config import load_project  # noqa: E402
from broadcaster.playlog.importer import import_file, parse_plays  # noqa: E402
from broadcaster.playlog.store import PlayIn, PlayStore, plays, row_hash  # noqa: E402
from broadcaster.report import render  # noqa: E402
from broadcaster.report.aggregate import build_report, month_period  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IMPORT_TARGET = 50_000
REPORT_TARGET_S = 1.5


def sample_project(folder: Path):
    """The repository's sample working folder (4 stations, 3 scripts), copied."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "broadcaster.yaml", folder / "broadcaster.yaml")
    shutil.copytree(REPO / "scripts", folder / "scripts")
    if (REPO / "schedules").is_dir():
        shutil.copytree(REPO / "schedules", folder / "schedules")
    return load_project(folder)


def month_rows(project, count: int, month_start: datetime):
    """``count`` distinct plays spread over the 31 days of August, all stations and scripts."""
    stations = [s.id for s in project.stations]
    scripts = [s.id for s in project.scripts]
    span = 31 * 86400
    per_slot = len(stations) * len(scripts)
    step = span / (count / per_slot + 1)
    i = 0
    slot = 0
    while i < count:
        moment = month_start + timedelta(seconds=int(slot * step))
        for st in stations:
            for sc in scripts:
                if i >= count:
                    return
                yield st, sc, moment
                i += 1
        slot += 1


def write_csv(path: Path, rows) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("station,script,started_at,ended_at,status,source_id\n")
        for st, sc, t in rows:
            fh.write(f"{st},{sc},{t.isoformat()},{(t + timedelta(seconds=75)).isoformat()},played,\n")
            n += 1
    return n


def bench_import(project, folder: Path, n: int) -> None:
    csv_path = folder / "import.csv"
    write_csv(csv_path, month_rows(project, n, datetime(2024, 8, 1)))
    store = PlayStore(f"sqlite:///{folder / 'import.db'}")
    t0 = time.perf_counter()
    result = import_file(project, store, csv_path)
    ours = time.perf_counter() - t0
    assert result.new == n, result

    # The same rows, parsed and chained, written by raw sqlite3 into the same table and indexes.
    raw_db = folder / "raw.db"
    PlayStore(f"sqlite:///{raw_db}").close()
    items = parse_plays(project, csv_path)
    rows, heads = [], {}
    for p in items:
        r = dict(p)
        seq, prev = heads.get(r["station"], (0, "0" * 64))
        r["seq"], r["prev_hash"] = seq + 1, prev
        r["row_hash"] = row_hash(r, prev)
        heads[r["station"]] = (r["seq"], r["row_hash"])
        rows.append(r)
    columns = [c.name for c in plays.columns if c.name != "id"]

    def value(v):
        return v.isoformat(sep=" ", timespec="microseconds") if isinstance(v, datetime) else v

    tuples = [tuple(value(r.get(c)) for c in columns) for r in rows]
    conn = sqlite3.connect(raw_db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")   # as PlayStore sets it
    t0 = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO plays ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", tuples)
    raw = time.perf_counter() - t0
    conn.close()

    t0 = time.perf_counter()
    again = import_file(project, store, csv_path)
    reimport = time.perf_counter() - t0
    assert again.new == 0
    store.close()
    ok = n / ours >= IMPORT_TARGET
    print(f"import (log import, CSV → SQLite, parse + check + dedupe + hash chain): {n:,} rows in {ours:.2f} s "
          f"= {n / ours:,.0f} rows/s  [{'OK' if ok else 'SLOW'} ≥ {IMPORT_TARGET:,}]")
    print(f"raw sqlite3 executemany of the same rows (same table, indexes; no parsing/checks/hashing): "
          f"{raw:.2f} s = {n / raw:,.0f} rows/s")
    print(f"ratio ours/raw throughput: {raw / ours:.2f}  (raw is {ours / raw:.1f}× faster)")
    print(f"re-import of the same file (0 new): {reimport:.2f} s = {n / reimport:,.0f} rows/s")


def load_million(project, store: PlayStore, n: int, label: str) -> None:
    t0 = time.perf_counter()
    batch: list[PlayIn] = []
    scripts = {s.id: s for s in project.scripts}
    media = {s.id: s.medium for s in project.stations}
    for st, sc, t in month_rows(project, n, datetime(2024, 8, 1)):
        s = scripts[sc]
        batch.append(PlayIn(st, sc, t, ended_at=t + timedelta(seconds=75), campaign=s.campaign, form=s.form,
                            medium=media[st], priority=s.priority,
                            status="interrupted" if len(batch) % 97 == 0 else "played"))
        if len(batch) == 100_000:
            store.append(batch)
            batch = []
    if batch:
        store.append(batch)
    took = time.perf_counter() - t0
    print(f"[{label}] loaded {n:,} plays through PlayStore.append in {took:.1f} s = {n / took:,.0f} rows/s")


def bench_report(project, store: PlayStore, label: str, n: int) -> None:
    period = month_period("2024-08")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = build_report(project, store, period, verify=False)
        text = render(report, "csv")
        times.append(time.perf_counter() - t0)
    played = sum(int(line.split(",")[4]) for line in text.splitlines()[1:])
    assert played + report.totals.interrupted == n, (played, report.totals.interrupted, n)
    best = min(times)
    t0 = time.perf_counter()
    from broadcaster.report.aggregate import query_groups

    query_groups(store, period)
    query = time.perf_counter() - t0
    from broadcaster.playlog.verify import verify_period

    t0 = time.perf_counter()
    chain = verify_period(store, datetime(2024, 8, 1), datetime(2024, 9, 1))
    print(f"[{label}] chain check of the {chain.rows:,} rows counted: {time.perf_counter() - t0:.2f} s "
          f"({'intact' if chain.ok else 'BROKEN'})")
    print(f"[{label}] monthly report over {n:,} plays: {best:.2f} s best of 3 "
          f"(runs {', '.join(f'{t:.2f}' for t in times)}; GROUP BY query alone {query:.2f} s; "
          f"{played:,} played in the CSV)  [{'OK' if best <= REPORT_TARGET_S else 'SLOW'} ≤ {REPORT_TARGET_S} s]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--report-rows", type=int, default=1_000_000)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-log-") as tmp:
        folder = Path(tmp)
        project = sample_project(folder / "wf")
        bench_import(project, folder, args.import_rows)

        sqlite_store = PlayStore(f"sqlite:///{folder / 'report.db'}")
        project_sqlite = dataclasses.replace(project, database_url=sqlite_store.url)
        load_million(project_sqlite, sqlite_store, args.report_rows, "sqlite")
        bench_report(project_sqlite, sqlite_store, "sqlite", args.report_rows)
        sqlite_store.close()

        if args.no_pg:
            return 0
        try:
            import psycopg

            base = os.environ.get("BROADCASTER_TEST_PG_URL", PG_DEFAULT)
            plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        except Exception as exc:  # no server: say so, the SQLite figures stand
            print(f"[postgresql] skipped: {type(exc).__name__}: {exc}")
            return 0
        try:
            sep = "&" if "?" in base else "?"
            pg_store = PlayStore(f"{base}{sep}options=-csearch_path%3D{schema}")
            load_million(project, pg_store, args.report_rows, "postgresql")
            with pg_store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE plays")
            bench_report(project, pg_store, "postgresql", args.report_rows)
            pg_store.close()
        finally:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
