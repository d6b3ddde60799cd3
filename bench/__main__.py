"""One benchmark run: every stage against its reference, measured side by side, printed as one table.

Run from the repository root::

    python -m bench                 # full sizes (about 20-40 minutes on a busy 2-core machine)
    python -m bench --quick         # small sizes, a smoke test (the unit test runs this)
    python -m bench --no-pg         # without the PostgreSQL rows
    python -m bench --out FILE.md   # where the results go (default docs/PERFORMANCE.md; --out - : none)

Each measurement ("task") runs in a fresh Python process, so its peak memory is its own:
the larger of the process's peak resident set (VmHWM) and the largest peak resident set of
the processes it waited for (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: FFmpeg,
build workers). PostgreSQL's own server memory is not counted. Ratios compare two tasks
of the same run, so a busy machine slows both sides alike.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(REPO / "bench") not in sys.path:
    sys.path.insert(0, str(REPO / "bench"))
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

from bench_chain import load_chained  # noqa: E402
from fake_engine import register as register_fake_engine  # noqa: E402  (test-only engine; --quick uses it)

register_fake_engine()

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

SIZES = {
    "full": {"long_scripts": 20, "import_rows": 200_000, "naive_rows": 5_000, "report_sqlite": 1_000_000,
             "report_pg": 10_000_000, "province_stations": (10, 30, 100), "province_days": 90, "fake": False},
    "quick": {"long_scripts": 1, "import_rows": 2_000, "naive_rows": 200, "report_sqlite": 5_000,
              "report_pg": 5_000, "province_stations": (2, 3, 4), "province_days": 7, "fake": True},
}

TASKS: dict = {}


def task(fn):
    TASKS[fn.__name__] = fn
    return fn


# --- child side --------------------------------------------------------------------------------------------

def peak_mb() -> float:
    """This process's peak RSS or its largest waited-for child's, in MB (see the module notes)."""
    own = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    except OSError:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(max(own, children), 1)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def cpu_seconds() -> float:
    """User + system CPU of this process and of every process it waited for (workers, FFmpeg), in s."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pg_plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_schema_url(schema: str) -> str:
    base = os.environ.get("BROADCASTER_TEST_PG_URL", PG_DEFAULT)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_plain(os.environ.get("BROADCASTER_TEST_PG_URL", PG_DEFAULT)), autocommit=True,
                         connect_timeout=5) as conn:
        conn.execute(sql)


# Build ------------------------------------------------------------------------------------------------------

def _build_folder(work: Path) -> Path:
    return work / "build" / "work"


def _edit_target(folder: Path) -> Path:
    return sorted((folder / "scripts").glob("dai-*.yaml"))[0]


@task
def build_cold(work: Path, size: dict) -> dict:
    from bench_build import make_folder

    from broadcaster.audio.ffmpeg import decode_to_pcm
    from broadcaster.build import build_clips, build_jobs
    from broadcaster.config import load_project
    from broadcaster.models import PROFILES

    (work / "build").mkdir(parents=True, exist_ok=True)
    folder = make_folder(work / "build", size["long_scripts"])
    if size["fake"]:                              # quick: the fake engine's tones instead of eSpeak
        cfg = folder / "broadcaster.yaml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("  engine: espeak\n", "  engine: fake\n")
                       .replace("  voice: vi-vn-x-south\n", "  voice: fake\n"), encoding="utf-8")
    cpu = cpu_seconds()
    seconds, result = timed(lambda: build_clips(load_project(folder)))
    cpu = cpu_seconds() - cpu
    clips = result.records + result.identity
    project = load_project(folder)
    rate = PROFILES[project.audio.profile]["rate"]
    with open(work / "build" / "all.pcm", "wb") as fh:   # the floor's input, decoded outside any timing
        for rec in clips:
            fh.write(decode_to_pcm(folder / rec.path, rate).samples)
    return {"seconds": seconds, "cpu": cpu, "clips": len(clips), "built": result.synthesized, "jobs": build_jobs(),
            "audio_s": sum(r.duration_s for r in clips), "rate": rate, "bitrate": PROFILES[project.audio.profile]["bitrate"]}


def _encode_cmd(raw: Path, rate: int, bitrate: str, out: Path, skip: int | None = None, count: int | None = None):
    from broadcaster.audio.ffmpeg import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-threads", "1", "-f", "s16le", "-ar", str(rate),
           "-ac", "1"]
    if skip is not None:
        cmd += ["-ss", f"{skip / rate:.6f}", "-t", f"{count / rate:.6f}"]
    return cmd + ["-i", str(raw), "-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3", str(out)]


@task
def build_floor_1(work: Path, size: dict) -> dict:
    cold = json.loads((work / "build_cold.json").read_text())
    raw = work / "build" / "all.pcm"
    cmd = _encode_cmd(raw, cold["rate"], cold["bitrate"], work / "build" / "floor.mp3")
    cpu = cpu_seconds()
    seconds, _ = timed(subprocess.run, cmd, check=True, capture_output=True)
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu}


@task
def build_floor_n(work: Path, size: dict) -> dict:
    cold = json.loads((work / "build_cold.json").read_text())
    raw = work / "build" / "all.pcm"
    cores = os.cpu_count() or 1
    samples = raw.stat().st_size // 2
    part = -(-samples // cores)
    started = time.perf_counter()
    procs = [subprocess.Popen(_encode_cmd(raw, cold["rate"], cold["bitrate"], work / "build" / f"floor{i}.mp3",
                                          i * part, part), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(cores)]
    assert all(p.wait() == 0 for p in procs)
    return {"seconds": time.perf_counter() - started, "cores": cores}


@task
def build_warm(work: Path, size: dict) -> dict:
    from broadcaster.build import build_clips
    from broadcaster.config import load_project

    folder = _build_folder(work)
    seconds, result = timed(lambda: build_clips(load_project(folder)))
    return {"seconds": seconds, "built": result.synthesized}


@task
def build_edit(work: Path, size: dict) -> dict:
    from broadcaster.build import build_clips
    from broadcaster.config import load_project

    folder = _build_folder(work)
    path = _edit_target(folder)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Kính thưa bà con", "Thưa bà con", 1), encoding="utf-8")
    cpu = cpu_seconds()
    seconds, result = timed(lambda: build_clips(load_project(folder)))
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "built": result.synthesized, "script": path.stem}


# Programme assembly ---------------------------------------------------------------------------------------

def _programme(folder: Path):
    from broadcaster.config import load_project
    from broadcaster.export.programme import silence_clip
    from broadcaster.manifest import read_manifest
    from broadcaster.schedule.program import Piece, Programme

    project = load_project(folder)
    clips = [rec for key, rec in sorted(read_manifest(project).items()) if not key.startswith("_station/")]
    gap = silence_clip(project)
    pieces, offset = [], 0.0
    for i, rec in enumerate(clips):
        if i:
            pieces.append(Piece("gap", gap, "Khoảng lặng", offset, 2.0, None, "gap.mp3"))
            offset += 2.0
        pieces.append(Piece("script", folder / rec.path, rec.title, offset, rec.duration_s, None, Path(rec.path).name))
        offset += rec.duration_s
    station = project.stations[0]
    return project, Programme(station, date(2025, 1, 1), station.sessions[0], tuple(pieces), (), offset)


@task
def programme_join(work: Path, size: dict) -> dict:
    from broadcaster.audio.ffmpeg import ffmpeg_exe
    from broadcaster.export.programme import write_programme

    project, programme = _programme(_build_folder(work))
    ffmpeg_exe()
    times = [timed(write_programme, project, programme)[0] for _ in range(3)]
    return {"seconds": statistics.median(times), "pieces": len(programme.pieces)}


def _pieces_pcm(work: Path) -> tuple[Path, int, str]:
    from broadcaster.audio.ffmpeg import decode_to_pcm
    from broadcaster.models import PROFILES

    project, programme = _programme(_build_folder(work))
    rate = PROFILES[project.audio.profile]["rate"]
    raw = work / "build" / "programme.pcm"
    with open(raw, "wb") as fh:
        for piece in programme.pieces:
            fh.write(decode_to_pcm(piece.path, rate).samples)
    return raw, rate, PROFILES[project.audio.profile]["bitrate"]


@task
def programme_reencode(work: Path, size: dict) -> dict:
    raw, rate, bitrate = _pieces_pcm(work)   # decoding is not timed: the reference is the encode alone
    cmd = _encode_cmd(raw, rate, bitrate, work / "build" / "programme-reencoded.mp3")
    seconds, _ = timed(subprocess.run, cmd, check=True, capture_output=True)
    return {"seconds": seconds}


@task
def programme_pydub(work: Path, size: dict) -> dict:
    from pydub import AudioSegment

    from broadcaster.audio.ffmpeg import ffmpeg_exe

    AudioSegment.converter = ffmpeg_exe()
    _, programme = _programme(_build_folder(work))
    started = time.perf_counter()
    joined = AudioSegment.empty()
    for piece in programme.pieces:           # what a user might write: decode and += in a loop
        joined += AudioSegment.from_file(piece.path, format="mp3")
    joined.export(work / "build" / "programme-pydub.mp3", format="mp3", bitrate="96k")
    return {"seconds": time.perf_counter() - started}


# Log import -------------------------------------------------------------------------------------------------

def _import_setup(work: Path, size: dict):
    from bench_log_report import month_rows, sample_project, write_csv

    folder = work / "import"
    if not (folder / "wf").exists():
        project = sample_project(folder / "wf")
        write_csv(folder / "import.csv", month_rows(project, size["import_rows"], datetime(2024, 8, 1)))
    from broadcaster.config import load_project

    return load_project(folder / "wf"), folder / "import.csv"


def _chained_rows(project, csv_path: Path) -> tuple[list[str], list[tuple]]:
    """The rows of the CSV parsed, checked and chained exactly as `log import` does, as tuples."""
    from broadcaster.playlog.importer import parse_plays
    from broadcaster.playlog.store import GENESIS, plays, row_hash

    heads: dict = {}
    rows = []
    for r in sorted(parse_plays(project, csv_path), key=lambda r: (r["station"], r["started_at"])):
        seq, prev = heads.get(r["station"], (0, GENESIS))
        r["seq"], r["prev_hash"] = seq + 1, prev
        r["row_hash"] = row_hash(r, prev)
        heads[r["station"]] = (r["seq"], r["row_hash"])
        rows.append(r)
    columns = [c.name for c in plays.columns if c.name != "id"]
    return columns, [tuple(r.get(c) for c in columns) for r in rows]


def _sqlite_value(v):
    return v.isoformat(sep=" ", timespec="microseconds") if isinstance(v, datetime) else v


@task
def import_sqlite(work: Path, size: dict) -> dict:
    from broadcaster.playlog.importer import import_file
    from broadcaster.playlog.store import PlayStore

    project, csv_path = _import_setup(work, size)
    store = PlayStore(f"sqlite:///{work / 'import' / 'ours.db'}")
    seconds, result = timed(import_file, project, store, csv_path)
    store.close()
    return {"seconds": seconds, "rows": result.new}


@task
def import_sqlite_raw(work: Path, size: dict) -> dict:
    from broadcaster.playlog.store import PlayStore

    project, csv_path = _import_setup(work, size)
    db = work / "import" / "raw.db"
    PlayStore(f"sqlite:///{db}").close()           # same table and indexes
    columns, rows = _chained_rows(project, csv_path)
    rows = [tuple(_sqlite_value(v) for v in r) for r in rows]
    conn = sqlite3.connect(db)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -65536"):   # as PlayStore sets
        conn.execute(f"PRAGMA {pragma}")
    sql = f"INSERT INTO plays ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

    def insert():
        with conn:
            conn.executemany(sql, rows)
    seconds, _ = timed(insert)
    conn.close()
    return {"seconds": seconds, "rows": len(rows)}


@task
def import_sqlite_naive(work: Path, size: dict) -> dict:
    from broadcaster.playlog.store import PlayStore

    project, csv_path = _import_setup(work, size)
    db = work / "import" / "naive.db"
    PlayStore(f"sqlite:///{db}").close()
    columns, rows = _chained_rows(project, csv_path)
    rows = [tuple(_sqlite_value(v) for v in r) for r in rows[:size["naive_rows"]]]
    conn = sqlite3.connect(db)
    sql = f"INSERT INTO plays ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    started = time.perf_counter()
    for row in rows:                          # one INSERT and one commit per play
        conn.execute(sql, row)
        conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "rows": len(rows)}


@task
def import_pg(work: Path, size: dict) -> dict:
    from broadcaster.playlog.importer import import_file
    from broadcaster.playlog.store import PlayStore
    from broadcaster.playlog.verify import verify_log

    project, csv_path = _import_setup(work, size)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE SCHEMA "{schema}"')
    try:
        store = PlayStore(pg_schema_url(schema))
        seconds, result = timed(import_file, project, store, csv_path)
        check = verify_log(store)
        store.close()
    finally:
        pg_admin(f'DROP SCHEMA "{schema}" CASCADE')
    return {"seconds": seconds, "rows": result.new, "chain_problems": len(check.problems), "verified": check.rows}


def _pg_copy_raw(work: Path, size: dict, naive: bool) -> dict:
    import psycopg

    from broadcaster.playlog.store import PlayStore

    project, csv_path = _import_setup(work, size)
    columns, rows = _chained_rows(project, csv_path)
    if naive:
        rows = rows[:size["naive_rows"]]
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE SCHEMA "{schema}"')
    try:
        PlayStore(pg_schema_url(schema)).close()    # same table and indexes
        with psycopg.connect(pg_plain(pg_schema_url(schema))) as conn:
            started = time.perf_counter()
            if naive:                                # one INSERT and one commit per play
                sql = f"INSERT INTO plays ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                for row in rows:
                    conn.execute(sql, row)
                    conn.commit()
            else:
                with conn.cursor() as cur, cur.copy(f"COPY plays ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                conn.commit()
            seconds = time.perf_counter() - started
    finally:
        pg_admin(f'DROP SCHEMA "{schema}" CASCADE')
    return {"seconds": seconds, "rows": len(rows)}


@task
def import_pg_raw(work: Path, size: dict) -> dict:
    return _pg_copy_raw(work, size, naive=False)


@task
def import_pg_naive(work: Path, size: dict) -> dict:
    return _pg_copy_raw(work, size, naive=True)


# Month report at scale ----------------------------------------------------------------------------------

REPORT_MONTH = "2024-08"
HANDWRITTEN = ("SELECT station, campaign, status, count(*), sum(duration_s) FROM plays "
               "WHERE started_at >= '2024-08-01 00:00:00' AND started_at < '2024-09-01 00:00:00' "
               "GROUP BY station, campaign, status")


def _report_project(work: Path):
    from bench_log_report import sample_project

    folder = work / "report" / "wf"
    if not folder.exists():
        sample_project(folder)
    from broadcaster.config import load_project

    return load_project(folder)


def _report_store(work: Path, size: dict, backend: str):
    from broadcaster.playlog.store import PlayStore

    if backend == "sqlite":
        return PlayStore(f"sqlite:///{work / 'report' / 'report.db'}")
    schema = (work / "report" / "pg_schema").read_text().strip()
    return PlayStore(pg_schema_url(schema))


def _load_lists(project) -> tuple[list, list]:
    """(id, medium) per station and (id, campaign, form, priority) per script, for ``load_chained``."""
    return ([(st.id, st.medium) for st in project.stations],
            [(sc.id, sc.campaign, sc.form, sc.priority) for sc in project.scripts])


@task
def report_load_sqlite(work: Path, size: dict) -> dict:
    project = _report_project(work)
    store = _report_store(work, size, "sqlite")
    seconds, _ = timed(load_chained, store, *_load_lists(project), size["report_sqlite"])
    with store.write() as conn:
        conn.exec_driver_sql("ANALYZE")
    rows = store.count()
    store.close()
    return {"seconds": seconds, "rows": rows}


@task
def report_load_pg(work: Path, size: dict) -> dict:
    project = _report_project(work)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE SCHEMA "{schema}"')
    (work / "report" / "pg_schema").write_text(schema)
    store = _report_store(work, size, "postgresql")
    seconds, _ = timed(load_chained, store, *_load_lists(project), size["report_pg"])
    with store.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE plays")
    rows = store.count()
    store.close()
    return {"seconds": seconds, "rows": rows}


def _report(work: Path, size: dict, backend: str) -> dict:
    import dataclasses

    from broadcaster.report import render
    from broadcaster.report.aggregate import build_report, month_period

    project = _report_project(work)
    store = _report_store(work, size, backend)
    project = dataclasses.replace(project, database_url=store.url)
    period = month_period(REPORT_MONTH)
    times = []
    for _ in range(3):
        seconds, report = timed(build_report, project, store, period, plan=[], verify=False)
        started = time.perf_counter()
        render(report, "csv")
        times.append(seconds + time.perf_counter() - started)
    total = report.totals.plays + report.totals.interrupted
    plan = _explain(store, period)
    store.close()
    return {"seconds": min(times), "runs": times, "plays": total, "plan": plan}


def _report_chain(work: Path, size: dict, backend: str, before: bool = False) -> dict:
    """The chain check of the month alone (now, or as before playlog.scan), then (now) the whole report with it.

    Now: the first check (no chain mark yet: every row re-hashed, then the marks are set) and a later
    one (only rows after the marks); then the report as a user runs it, first with the marks cleared
    and then three more times (the second and later reports, which find the marks).
    """
    import dataclasses

    from bench_chain import verify_period_before

    from broadcaster.playlog.marks import chain_marks
    from broadcaster.playlog.verify import verify_period
    from broadcaster.report import render
    from broadcaster.report.aggregate import build_report, month_period

    store = _report_store(work, size, backend)
    period = (datetime(2024, 8, 1), datetime(2024, 9, 1))
    if before:
        if size["report_sqlite" if backend == "sqlite" else "report_pg"] > BEFORE_MAX_ROWS:
            store.close()
            return {"skipped": f"the check as before keeps every row in memory (about 1.3 GB per million rows); "
                               f"run only up to {BEFORE_MAX_ROWS:,} rows (see the 1,000,000-row figures in the notes)"}
        chain_s, chain = timed(verify_period_before, store, *period)
        store.close()
        return {"chain_s": chain_s, "chain_rows": chain.rows, "problems": len(chain.problems)}

    def clear_marks():
        with store.write() as conn:
            conn.execute(chain_marks.delete())
    clear_marks()
    chain_s, chain = timed(verify_period, store, *period)
    later_s, later = timed(verify_period, store, *period)
    out = {"chain_s": chain_s, "chain_rows": chain.rows, "problems": len(chain.problems), "first_hashed": chain.hashed,
           "later_chain_s": later_s, "later_hashed": later.hashed, "later_earlier": later.earlier}
    project = dataclasses.replace(_report_project(work), database_url=store.url)

    def report_once():
        seconds, report = timed(build_report, project, store, month_period(REPORT_MONTH), plan=[], verify=True)
        started = time.perf_counter()
        render(report, "csv")
        return seconds + time.perf_counter() - started, report
    clear_marks()
    first_s, first = report_once()
    times, hashed = [], []
    for _ in range(3):
        seconds, report = report_once()
        times.append(seconds)
        hashed.append(report.chain.hashed)
    out.update(seconds=min(times), runs=times, first_s=first_s, first_report_hashed=first.chain.hashed,
               later_report_hashed=hashed, chain_ok=report.chain_ok and first.chain_ok)
    # A later report after a day's worth of new plays (appended as the player or log import would).
    from broadcaster.playlog.store import PlayIn

    stations = [st.id for st in project.stations]
    new = [PlayIn(stations[i % len(stations)], "bench-new", datetime(2024, 8, 31, 12) + timedelta(seconds=i),
                  ended_at=datetime(2024, 8, 31, 12) + timedelta(seconds=i + 1)) for i in range(APPENDED)]
    store.append(new)
    after_s, after = report_once()
    out.update(appended=APPENDED, after_append_s=after_s, after_append_hashed=after.chain.hashed,
               chain_ok=out["chain_ok"] and after.chain_ok)
    store.close()
    return out


APPENDED = 10_000   # new plays between two reports in the report-with-chain-check row


@task
def report_chain_sqlite(work: Path, size: dict) -> dict:
    return _report_chain(work, size, "sqlite")


@task
def report_chain_before_sqlite(work: Path, size: dict) -> dict:
    return _report_chain(work, size, "sqlite", before=True)


@task
def report_chain_pg(work: Path, size: dict) -> dict:
    return _report_chain(work, size, "postgresql")


@task
def report_chain_before_pg(work: Path, size: dict) -> dict:
    return _report_chain(work, size, "postgresql", before=True)


BEFORE_MAX_ROWS = 1_000_000


def _explain(store, period) -> str:
    from sqlalchemy.dialects import postgresql, sqlite

    import broadcaster.report.aggregate as agg

    captured = {}

    class Capture:
        def read(self):
            class Ctx:
                def __enter__(ctx):
                    class Conn:
                        def execute(conn, query):
                            captured["q"] = query
                            return []

                        def exec_driver_sql(conn, sql):   # SET LOCAL jit = off
                            return []
                    return Conn()

                def __exit__(ctx, *exc):
                    return False
            return Ctx()

    fake = Capture()
    fake.backend, fake.engine = store.backend, store.engine
    agg.query_period(fake, period, summary=False)     # the query over plays (no play_days, or no triggers)
    dialect = sqlite.dialect() if store.backend == "sqlite" else postgresql.dialect()
    sql = str(captured["q"].compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    with store.read() as conn:
        if store.backend == "sqlite":
            lines = [" ".join(str(c) for c in row[1:]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        else:
            conn.exec_driver_sql("SET LOCAL jit = off")   # as query_period runs it
            lines = [row[0] for row in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql)]
    return sql + "\n\n" + "\n".join(lines) + "\n\n" + _explain_summary(store, period)


def _explain_summary(store, period) -> str:
    """The plan of what query_period runs on PostgreSQL when play_days (migration 0008) is kept."""
    from sqlalchemy import text

    from broadcaster.playlog import day_summary

    if store.backend == "sqlite":
        return "-- play_days: none on SQLite (migration 0008 is PostgreSQL's); the query above is the report's"
    sql, params = day_summary.period_sql(period.start, period.end)
    shown = sql.replace(":first", f"'{params['first']}'").replace(":last", f"'{params['last']}'")
    with store.read() as conn:
        ready = day_summary.summary_ready(conn)
        lines = [row[0] for row in conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params)]
        groups = conn.execute(text(f"SELECT count(*) FROM {day_summary.TABLE}")).scalar()
    return (f"-- play_days: {groups} groups in the table; triggers in place: {ready}\n"
            + shown + "\n\n" + "\n".join(lines))


@task
def report_sqlite(work: Path, size: dict) -> dict:
    return _report(work, size, "sqlite")


@task
def report_pg(work: Path, size: dict) -> dict:
    return _report(work, size, "postgresql")


def _handwritten(work: Path, size: dict, backend: str) -> dict:
    store = _report_store(work, size, backend)
    sql = HANDWRITTEN if backend == "postgresql" else HANDWRITTEN.replace(":00'", ":00.000000'")
    times = []
    with store.read() as conn:
        for _ in range(3):
            seconds, rows = timed(lambda: conn.exec_driver_sql(sql).all())
            times.append(seconds)
    store.close()
    return {"seconds": min(times), "groups": len(rows), "plays": sum(r[3] for r in rows)}


@task
def report_sqlite_sql(work: Path, size: dict) -> dict:
    return _handwritten(work, size, "sqlite")


@task
def report_pg_sql(work: Path, size: dict) -> dict:
    return _handwritten(work, size, "postgresql")


# Normaliser ------------------------------------------------------------------------------------------------

@task
def normalize(work: Path, size: dict) -> dict:
    from bench_normalize import sentences

    from broadcaster.speech.normalize import normalize_text

    # Real notice text: the real-notice corpus, our own corpus and the seed letter, one block each of 256 lines
    # (as `normalize -` reads them).
    lines = sentences()
    texts = ["\n".join(lines[i:i + 256]) for i in range(0, len(lines), 256)]
    for t in texts:
        normalize_text(t)
    chars = sum(len(t) for t in texts)
    rounds = 1 if size["fake"] else 5
    times = []
    for _ in range(rounds):
        seconds, _ = timed(lambda: [normalize_text(t) for t in texts])
        times.append(seconds)
    return {"seconds": statistics.median(times), "chars": chars}


# Province -------------------------------------------------------------------------------------------------

def province_folder(root: Path, stations: int, days: int) -> Path:
    """A folder with ``stations`` commune stations (2 sessions each), 3 scripts, a schedule of ``days`` days."""
    from bench_plan import synthetic_folder

    import bench_plan

    bench_plan.STATIONS = stations
    root.mkdir(parents=True, exist_ok=True)
    synthetic_folder(root)
    until = date(2025, 1, 1) + timedelta(days=days - 1)
    sched = root / "schedules" / "nam.yaml"
    sched.write_text(sched.read_text(encoding="utf-8").replace("until: 2025-12-31", f"until: {until}"), encoding="utf-8")
    return root


@task
def province_plan(work: Path, size: dict) -> dict:
    from broadcaster.commands.schedule_cmds import plan_json
    from broadcaster.config import load_project
    from broadcaster.schedule import Durations, expand_plan, inspect_schedules

    stations, days = size["province_stations"][-1], size["province_days"]
    root = province_folder(work / "province" / "plan", stations, days)
    first = date(2025, 1, 1)
    started, cpu = time.perf_counter(), time.process_time()
    project = load_project(root)
    schedules, problems = inspect_schedules(project)
    assert not [p for p in problems if p.severity == "error"], problems
    plays = expand_plan(project, schedules, first, first + timedelta(days=days - 1), durations=Durations(project))
    text = plan_json(plays)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_s": cpu, "plays": len(plays), "stations": stations, "days": days,
            "json_mb": len(text) / 1e6}


@task
def province_setup(work: Path, size: dict) -> dict:
    """Clips for the largest province folder (untimed for the rows: programmes and exports use built clips)."""
    from broadcaster.build import build_clips
    from broadcaster.config import load_project

    stations = size["province_stations"][-1]
    root = province_folder(work / "province" / f"st{stations}", stations, 2)
    seconds, result = timed(lambda: build_clips(load_project(root)))
    for k in size["province_stations"][:-1]:
        other = province_folder(work / "province" / f"st{k}", k, 2)
        shutil.copytree(root / "audio_out", other / "audio_out")
    return {"seconds": seconds, "clips": len(result.records) + len(result.identity)}


def _day_programmes(work: Path, stations: int) -> dict:
    from broadcaster.config import load_project
    from broadcaster.schedule import inspect_schedules
    from broadcaster.export.programme import prepare_programmes, write_programme

    project = load_project(work / "province" / f"st{stations}")
    schedules, _ = inspect_schedules(project)
    day = date(2025, 1, 1)
    started = time.perf_counter()
    programmes = prepare_programmes(project, schedules, day, day)
    for programme in programmes:
        write_programme(project, programme)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "programmes": len(programmes), "stations": stations}


def _province_task(index: int):
    def run(work: Path, size: dict) -> dict:
        return _day_programmes(work, size["province_stations"][index])
    return run


for _i, _name in enumerate(("province_day_small", "province_day_mid", "province_day")):
    TASKS[_name] = _province_task(_i)


@task
def province_m3u(work: Path, size: dict) -> dict:
    from broadcaster.config import load_project
    from broadcaster.export import export
    from broadcaster.schedule import inspect_schedules

    stations = size["province_stations"][-1]
    project = load_project(work / "province" / f"st{stations}")
    schedules, _ = inspect_schedules(project)
    seconds, result = timed(export, project, schedules, "m3u", date(2025, 1, 1), 1, work / "province" / "m3u")
    return {"seconds": seconds, "stations": stations}


@task
def province_usb(work: Path, size: dict) -> dict:
    from broadcaster.config import load_project
    from broadcaster.export import export
    from broadcaster.schedule import inspect_schedules

    stations = size["province_stations"][-1]
    project = load_project(work / "province" / f"st{stations}")
    schedules, _ = inspect_schedules(project)
    started = time.perf_counter()
    for st in project.stations:           # one stick per station
        export(project, schedules, "usb", date(2025, 1, 1), 1, work / "province" / "usb" / st.id, st.id)
    return {"seconds": time.perf_counter() - started, "stations": stations}


# --- parent side: order, table, document --------------------------------------------------------------------

BUILD = ["build_cold", "build_floor_1", "build_floor_n", "build_warm", "build_edit",
         "programme_join", "programme_reencode", "programme_pydub"]
IMPORT = ["import_sqlite", "import_sqlite_raw", "import_sqlite_naive"]
IMPORT_PG = ["import_pg", "import_pg_raw", "import_pg_naive"]
# The check as before runs first: report_chain_* appends plays at its end.
REPORT = ["report_load_sqlite", "report_sqlite", "report_sqlite_sql", "report_chain_before_sqlite", "report_chain_sqlite"]
REPORT_PG = ["report_load_pg", "report_pg", "report_pg_sql", "report_chain_before_pg", "report_chain_pg"]
OTHER = ["normalize", "province_plan", "province_setup", "province_day_small", "province_day_mid", "province_day",
         "province_m3u", "province_usb"]

# (row id, label, what, target text)
ROWS = [
    ("build_floor1", "cold build ÷ FFmpeg floor, 1 core", "ratio", "≤ 1.0×"),
    ("build_floorN", "cold build ÷ FFmpeg floor, all cores", "ratio", ""),
    ("build_warm", "warm rebuild ÷ cold build", "percent", "≤ 5 %"),
    ("build_edit", "one edited script ÷ cold build", "percent", "≤ 10 %"),
    ("programme", "session programme (stream copy) ÷ re-encode from PCM", "ratio", ""),
    ("programme_pydub", "naive pydub += loop ÷ our programme", "ratio", "(contrast)"),
    ("import_sqlite", "log import, SQLite: rows/s (÷ raw executemany)", "rate", "≥ 100,000 rows/s"),
    ("import_sqlite_naive", "naive one INSERT+commit per play, SQLite: rows/s", "rate", "(contrast)"),
    ("import_pg", "log import, PostgreSQL COPY: rows/s (÷ raw COPY)", "rate", "≥ 100,000 rows/s"),
    ("import_pg_naive", "naive one INSERT+commit per play, PostgreSQL: rows/s", "rate", "(contrast)"),
    ("report_sqlite", "month report, SQLite (÷ hand-written GROUP BY)", "seconds", "≤ 1.0 s"),
    ("report_pg", "month report, PostgreSQL (÷ hand-written GROUP BY)", "seconds", "≤ 1.5 s"),
    ("report_chain_sqlite", "month report with chain check, SQLite (÷ figures only)", "seconds", "≤ 1.0 s"),
    ("chain_sqlite", "chain check of the month, SQLite: now ÷ before", "ratio", ""),
    ("report_chain_pg", "month report with chain check, PostgreSQL (÷ figures only)", "seconds", "≤ 1.5 s"),
    ("chain_pg", "chain check of the month, PostgreSQL: now ÷ before", "ratio", ""),
    ("normalize", "normaliser, real notice text: characters/s", "rate", ""),
    ("province_plan", "province plan (stations × 2 sessions × days)", "seconds", "≤ 1.0 s"),
    ("province_day", "day's programmes, all stations", "seconds", ""),
    ("province_linear", "programmes per station at each size", "scaling", "linear"),
    ("province_usb", "USB export, one day, every station", "seconds", ""),
    ("province_m3u", "M3U export, one day, all stations", "seconds", ""),
]


def sized(base: dict, overrides: list[str]) -> dict:
    """The size table with ``KEY=N`` overrides (``province_stations=10,30,100`` for a tuple)."""
    size = dict(base)
    for item in overrides:
        key, _, value = item.partition("=")
        if key not in size:
            raise SystemExit(f"unknown size {key!r}; known: {', '.join(size)}")
        if isinstance(size[key], tuple):
            size[key] = tuple(int(v) for v in value.split(","))
        elif isinstance(size[key], bool):
            size[key] = value.lower() in ("1", "true", "yes")
        else:
            size[key] = int(value)
    return size


def run_task(name: str, work: Path, quick: bool, sizes: list[str] = ()) -> dict:
    cmd = [sys.executable, "-m", "bench", "--task", name, "--work", str(work)] + (["--quick"] if quick else [])
    cmd += [f"--size={s}" for s in sizes]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return {"error": tail or f"exit {proc.returncode}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    (work / f"{name}.json").write_text(json.dumps(result))
    return result


def pg_reason() -> str | None:
    try:
        pg_admin("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure: no PostgreSQL rows
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def _fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def make_rows(r: dict, size: dict) -> list[dict]:
    """The table: one dict per row with value, reference, ratio, target, met, peak MB, note."""
    out = []

    def get(name, key="seconds"):
        v = r.get(name, {})
        return None if "error" in v or "skipped" in v else v.get(key)

    def row(rid, value, ref=None, ratio=None, met=None, mem=None, note=""):
        label, what, target = next((lab, w, t) for i, lab, w, t in ROWS if i == rid)
        out.append({"id": rid, "label": label, "value": value, "reference": ref, "ratio": ratio, "target": target,
                    "met": met, "peak_mb": mem, "note": note})

    def err(*names):
        for n in names:
            v = r.get(n, {})
            if "skipped" in v:
                return "skipped: " + v["skipped"]
            if "error" in v:
                return f"{n} failed: {v['error']}"
        return ""

    cold, f1, fn = get("build_cold"), get("build_floor_1"), get("build_floor_n")
    c = r.get("build_cold", {})
    mem = r.get("build_cold", {}).get("peak_mb")
    note = (f"{c.get('clips')} clips, {c.get('audio_s', 0) / 60:.1f} min of audio, {c.get('jobs')} jobs"
            if cold else err("build_cold"))
    cpu_c, cpu_f = get("build_cold", "cpu"), get("build_floor_1", "cpu")
    if cpu_c and cpu_f:   # CPU seconds depend far less on what else the machine runs than wall time does
        note += f"; CPU {cpu_c:.1f} s = {cpu_c / cpu_f:.2f}× the floor's {cpu_f:.1f} s"
    row("build_floor1", f"{cold:.2f} s" if cold else "—", f"{f1:.2f} s" if f1 else "—",
        f"{cold / f1:.2f}×" if cold and f1 else "—", (cold / f1 <= 1.0) if cold and f1 else None, mem,
        note or err("build_floor_1"))
    row("build_floorN", f"{cold:.2f} s" if cold else "—", f"{fn:.2f} s" if fn else "—",
        f"{cold / fn:.2f}×" if cold and fn else "—", None, mem,
        f"floor split over {r.get('build_floor_n', {}).get('cores', '?')} FFmpeg processes" if fn else err("build_floor_n"))
    for rid, name, limit in (("build_warm", "build_warm", 0.05), ("build_edit", "build_edit", 0.10)):
        v = get(name)
        row(rid, f"{v:.3f} s" if v is not None else "—", f"{cold:.2f} s" if cold else "—",
            f"{100 * v / cold:.2f} %" if v is not None and cold else "—", (v / cold <= limit) if v is not None and cold else None,
            r.get(name, {}).get("peak_mb"),
            (f"{r[name].get('built')} clip(s) rebuilt"
             + (f"; CPU {r[name]['cpu']:.1f} s" if r[name].get("cpu") is not None else "")) if v is not None else err(name))
    pj, pr, pp = get("programme_join"), get("programme_reencode"), get("programme_pydub")
    row("programme", f"{pj:.3f} s" if pj else "—", f"{pr:.2f} s" if pr else "—",
        f"{pj / pr:.3f}×" if pj and pr else "—", None, r.get("programme_join", {}).get("peak_mb"),
        f"{r.get('programme_join', {}).get('pieces', '?')} pieces, median of 3; re-encode = one LAME pass over the decoded PCM"
        if pj else err("programme_join", "programme_reencode"))
    row("programme_pydub", f"{pp:.2f} s" if pp else "—", f"{pj:.3f} s" if pj else "—",
        f"{pp / pj:.1f}×" if pp and pj else "—", None, r.get("programme_pydub", {}).get("peak_mb"),
        "decode every clip, += in a loop, export" if pp else err("programme_pydub"))
    for rid, ours, raw, naive, rid_naive in (("import_sqlite", "import_sqlite", "import_sqlite_raw", "import_sqlite_naive",
                                              "import_sqlite_naive"),
                                             ("import_pg", "import_pg", "import_pg_raw", "import_pg_naive", "import_pg_naive")):
        s, n = get(ours), get(ours, "rows")
        rs, rn = get(raw), get(raw, "rows")
        rate = n / s if s and n else None
        raw_rate = rn / rs if rs and rn else None
        extra = ""
        if rid == "import_pg" and s:
            extra = f"; chain verified: {r[ours].get('verified')} rows, {r[ours].get('chain_problems')} problems"
        row(rid, _fmt_rate(rate) if rate else "—", _fmt_rate(raw_rate) if raw_rate else "—",
            f"{rate / raw_rate:.2f}×" if rate and raw_rate else "—", (rate >= 100_000) if rate else None,
            r.get(ours, {}).get("peak_mb"),
            (f"{n:,} rows; parse + check + dedupe + hash chain vs insert of pre-chained rows{extra}" if rate
             else err(ours, raw)))
        ns, nn = get(naive), get(naive, "rows")
        nrate = nn / ns if ns and nn else None
        row(rid_naive, _fmt_rate(nrate) if nrate else "—", _fmt_rate(rate) if rate else "—",
            f"{nrate / rate:.3f}×" if nrate and rate else "—", None, r.get(naive, {}).get("peak_mb"),
            f"{nn:,} rows" if nrate else err(naive))
    for rid, ours, hand, limit, key in (("report_sqlite", "report_sqlite", "report_sqlite_sql", 1.0, "report_sqlite"),
                                        ("report_pg", "report_pg", "report_pg_sql", 1.5, "report_pg")):
        load = "report_load_" + ("sqlite" if rid == "report_sqlite" else "pg")
        s, h = (get(ours), get(hand)) if get(load) is not None else (None, None)
        plays = r.get(ours, {}).get("plays")
        if s and not plays:
            r[ours] = {"error": "the report counted no plays"}
            s = None
        row(rid, f"{s:.3f} s" if s else "—", f"{h:.3f} s" if h else "—", f"{s / h:.2f}×" if s and h else "—",
            (s <= limit) if s else None, r.get(ours, {}).get("peak_mb"),
            f"{plays:,} plays (size {size[key]:,}; loaded in {r[load]['seconds']:.0f} s); best of 3, query + plan + CSV"
            f" (figures only: `build_report(verify=False)`); plays counted = the GROUP BY's: "
            f"{'yes' if plays == r.get(hand, {}).get('plays') else 'NO'}" if s else err(load, ours, hand))
    for suffix, limit in (("sqlite", 1.0), ("pg", 1.5)):
        ours, figures, before = f"report_chain_{suffix}", f"report_{suffix}", f"report_chain_before_{suffix}"
        s, f = get(ours), get(figures)
        c = r.get(ours, {})
        row(ours, f"{s:.3f} s" if s else "—", f"{f:.3f} s" if f else "—", f"{s / f:.2f}×" if s and f else "—",
            (s <= limit) if s else None, c.get("peak_mb"),
            f"second and later reports (chain marks set by the first): best of 3, `build_report(verify=True)` + CSV "
            f"over {c.get('chain_rows', 0):,} chained rows, rows re-hashed {c.get('later_report_hashed')}; the "
            f"first report (no mark: re-hashes {c.get('first_report_hashed', 0):,} rows, sets the marks) "
            f"{c.get('first_s', 0):.2f} s; "
            f"a report after {c.get('appended', 0):,} new plays {c.get('after_append_s', 0):.3f} s "
            f"({c.get('after_append_hashed', 0):,} rows re-hashed); "
            f"chain intact: {c.get('chain_ok')}" if s else err(ours, figures))
        now, old = get(ours, "chain_s"), get(before, "chain_s")
        b = r.get(before, {})
        row(f"chain_{suffix}", f"{now:.2f} s" if now else "—", f"{old:.2f} s" if old else "—",
            f"{now / old:.3f}×" if now and old else "—", None, c.get("peak_mb"),
            f"first `verify_period` of August (no mark), {c.get('chain_rows', 0):,} rows, {c.get('problems')} problems; "
            + (f"before (SQLAlchemy row dicts, `row_hash`): {b.get('problems')} problems, peak {b.get('peak_mb')} MB; "
               if old else f"before: {err(before)}; ")
            + f"a later check (marks set): {c.get('later_chain_s', 0):.3f} s, {c.get('later_hashed')} rows re-hashed, "
            f"{c.get('later_earlier', 0):,} covered by the marks" if now else err(ours, before))
    s, chars = get("normalize"), get("normalize", "chars")
    row("normalize", _fmt_rate(chars / s) if s else "—", None, None, None, r.get("normalize", {}).get("peak_mb"),
        f"{chars:,} characters (seed letter + corpus), median" if s else err("normalize"))
    s = get("province_plan")
    p = r.get("province_plan", {})
    row("province_plan", f"{s:.2f} s" if s else "—", None, None, (s <= 1.0) if s else None, p.get("peak_mb"),
        f"{p.get('stations')} stations × 2 sessions × {p.get('days')} days = {p.get('plays', 0):,} plays; "
        f"load + check + expand + JSON ({p.get('cpu_s', 0):.2f} s of CPU)" if s else err("province_plan"))
    s = get("province_day")
    d = r.get("province_day", {})
    row("province_day", f"{s:.2f} s" if s else "—", None, None, None, d.get("peak_mb"),
        f"{d.get('programmes')} programmes of {d.get('stations')} stations, clips built beforehand "
        f"({r.get('province_setup', {}).get('clips', '?')} clips in {r.get('province_setup', {}).get('seconds', 0):.0f} s)"
        if s else err("province_setup", "province_day"))
    per = []
    for name in ("province_day_small", "province_day_mid", "province_day"):
        v = r.get(name, {})
        if v.get("seconds"):
            per.append((v["stations"], v["seconds"] / v["stations"]))
    spread = max(x for _, x in per) / min(x for _, x in per) if len(per) == 3 else None
    row("province_linear", " / ".join(f"{x * 1000:.0f}" for _, x in per) + " ms" if per else "—", None,
        f"max÷min {spread:.2f}" if spread else "—", (spread <= 1.5) if spread else None,
        max((r.get(n, {}).get("peak_mb") or 0) for n in ("province_day_small", "province_day_mid", "province_day")),
        "per station at " + " / ".join(str(k) for k, _ in per) + " stations" if per else err("province_day_small"))
    for rid in ("province_usb", "province_m3u"):
        s = get(rid)
        row(rid, f"{s:.2f} s" if s else "—", None, None, None, r.get(rid, {}).get("peak_mb"),
            f"{r[rid].get('stations')} stations" if s else err(rid))
    return out


def table_text(rows: list[dict]) -> str:
    head = ("row", "value", "reference", "ratio", "target", "met", "peak MB")
    lines = [head] + [(x["label"], x["value"], x["reference"] or "", x["ratio"] or "", x["target"],
                       "" if x["met"] is None else ("yes" if x["met"] else "NO"),
                       "" if x["peak_mb"] is None else f"{x['peak_mb']:.0f}") for x in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)


def markdown(rows: list[dict], results: dict, args, started: datetime, took: float) -> str:
    out = ["# Performance", "",
           f"Measured by `python -m bench{' --quick' if args.quick else ''}{' --no-pg' if args.no_pg else ''}"
           f"{' --only ' + args.only if args.only else ''}{''.join(' --size ' + x for x in args.size)}` "
           f"on {started:%Y-%m-%d %H:%M} UTC in {took / 60:.1f} min: {platform.platform()}, Python "
           f"{platform.python_version()}, {os.cpu_count()} cores, load average at start "
           f"{results.get('_load', '?')}. One run; every ratio compares two measurements of the same run.", "",
           "Peak memory: the larger of the measuring process's peak resident set (VmHWM) and the largest",
           "peak resident set among the processes it waited for (`getrusage(RUSAGE_CHILDREN).ru_maxrss`:",
           "FFmpeg, build workers); each row's task runs in its own fresh process. The PostgreSQL server's",
           "memory is not counted.", "",
           "| row | value | reference | ratio | target | met | peak MB | notes |", "|---|---|---|---|---|---|---|---|"]
    for x in rows:
        met = "" if x["met"] is None else ("yes" if x["met"] else "**no**")
        mem = "" if x["peak_mb"] is None else f"{x['peak_mb']:.0f}"
        out.append(f"| {x['label']} | {x['value']} | {x['reference'] or ''} | {x['ratio'] or ''} | {x['target']} | "
                   f"{met} | {mem} | {x['note']} |")
    out += ["", "## How to reproduce", "",
            "```", "python -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'",
            "python -m bench            # full sizes; PostgreSQL from BROADCASTER_TEST_PG_URL",
            "python -m bench --quick    # small sizes: checks that every row runs",
            "python -m bench --only report,report_pg --size report_pg=1000000 --out -   # some groups, other sizes",
            "```", "",
            "Sizes of this run: " + ", ".join(f"{k} = {v}" for k, v in sized(SIZES["quick" if args.quick else "full"], args.size).items()) + ".",
            "", "What each row measures:", "",
            "- **Cold build**: the sample folder plus the long scripts built from nothing with eSpeak NG and FFmpeg "
            "(load included), against LAME alone (`-threads 1`) encoding the same total duration, decoded from the "
            "built clips beforehand, to the same profile; on all cores the same PCM is cut into one part per core, "
            "encoded by parallel FFmpeg processes.",
            "- **Warm / edited**: the same folder built again (nothing to do), and after one long script's text changed.",
            "- **Programme**: one session programme joined from the built clips by `write_programme` (stream copy, "
            "median of 3) against one LAME pass over the same audio as PCM; pydub decodes every clip and `+=`s them.",
            "- **Log import**: `import_file` of a CSV (parse, check, de-duplicate, hash chain, insert) against inserting "
            "the same rows, parsed and chained beforehand, with `sqlite3.executemany` / psycopg `COPY`, into the same "
            "table and indexes; the naive rows insert and commit one play at a time.",
            "- **Month report**: `build_report(verify=False)` + CSV rendering, best of 3, against a hand-written "
            "`SELECT station, campaign, status, count(*), sum(duration_s) … GROUP BY` over the same month. The "
            "plays are generated, chained and written through the store's own insert path, in batches of 100,000 "
            "(`bench_chain.load_chained`: `executemany` on SQLite, COPY on PostgreSQL, as `log import` writes), "
            "so the chain check re-hashes every row as on a real log. On "
            "PostgreSQL the report reads the per-day table `play_days` (migration 0008, kept by triggers that fire "
            "during the load); the hand-written reference still reads `plays`.",
            "- **Month report with chain check**: `build_report(verify=True)` + CSV (what `broadcaster report` runs) "
            "against the figures only; **chain check now ÷ before**: `verify_period` of the month alone against the "
            "check as it was before the streaming path (SQLAlchemy row dicts of every row, `row_hash`; kept in "
            "`bench/bench_chain.py`), each in its own process, so the peak memory of each is its own.",
            "- **Province**: the `bench_plan` folder (fake speech engine) with 2 sessions per station; plan = load, "
            "check, expand and JSON of every play; programmes = `prepare_programmes` + `write_programme` for one "
            "day with every clip already built; USB = one `export usb` per station; M3U = one `export m3u`."]
    for name, title in (("report_sqlite", "SQLite"), ("report_pg", "PostgreSQL")):
        plan = results.get(name, {}).get("plan")
        if plan:
            out += ["", f"## Report query plan, {title}", "", "```", plan.strip(), "```"]
    notes = REPO / "bench" / "PERFORMANCE_NOTES.md"
    if notes.exists():
        out += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--no-pg", action="store_true", help="leave out the PostgreSQL rows")
    parser.add_argument("--out", default=str(REPO / "docs" / "PERFORMANCE.md"), help="results file ('-': none)")
    parser.add_argument("--only", help="comma-separated groups to run: build, import, import_pg, report, report_pg, "
                                       "other (default: all)")
    parser.add_argument("--size", action="append", default=[], metavar="KEY=N",
                        help="override one size, e.g. --size import_rows=50000 --size report_pg=1000000")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    size = sized(SIZES["quick" if args.quick else "full"], args.size)
    if args.task:                                   # child: one measurement, JSON on the last line
        result = TASKS[args.task](Path(args.work), size)
        result["peak_mb"] = peak_mb()
        print(json.dumps(result))
        return 0
    started, t0 = datetime.utcnow(), time.perf_counter()
    results: dict = {"_load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    reason = "--no-pg" if args.no_pg else pg_reason()
    groups = {"build": BUILD, "import": IMPORT, "import_pg": IMPORT_PG, "report": REPORT, "report_pg": REPORT_PG,
              "other": OTHER}
    chosen = args.only.split(",") if args.only else list(groups)
    order = [name for g in chosen for name in groups[g]]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        try:
            for name in order:
                if reason and name in IMPORT_PG + REPORT_PG:
                    results[name] = {"skipped": reason}
                    continue
                print(f"… {name}", file=sys.stderr, flush=True)
                results[name] = run_task(name, work, args.quick, args.size)
                if name == "build_cold" and "error" in results[name]:
                    for other in BUILD[1:]:
                        results[other] = {"error": "no cold build"}
        finally:
            schema = work / "report" / "pg_schema"
            if schema.exists():
                pg_admin(f'DROP SCHEMA IF EXISTS "{schema.read_text().strip()}" CASCADE')
    rows = make_rows(results, size)
    print(table_text(rows))
    if args.out != "-":
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown(rows, results, args, started, time.perf_counter() - t0), encoding="utf-8")
        print(f"→ {out}", file=sys.stderr)
    failed = [name for name, v in results.items() if isinstance(v, dict) and "error" in v]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
