"""Bulk appends: PostgreSQL takes large batches through COPY with the hash chain intact, and
SQLite and PostgreSQL give the same report from the same rows."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from broadcaster.config import load_project
from broadcaster.playlog.store import COPY_MIN_ROWS, PlayIn, PlayStore, copy_plays, plays
from broadcaster.playlog.verify import verify_log
from broadcaster.report import render
from broadcaster.report.aggregate import build_report, month_period
from dbfixtures import workdir  # noqa: F401  (fixture)

# Text COPY escapes: tab, newline, backslash, and the letters of Vietnamese names.
AWKWARD = ("máy\tphát 1", "dòng\nmới", "gạch\\ngược", "Đài xã Ngọc Tố", None)


def month_plays(project, count: int) -> list[PlayIn]:
    """``count`` plays over August 2024 with fixed uids, so both databases hash the same rows."""
    stations = [s for s in project.stations]
    scripts = list(project.scripts)
    out = []
    for i in range(count):
        st, sc = stations[i % len(stations)], scripts[(i // len(stations)) % len(scripts)]
        start = datetime(2024, 8, 1, 5, 30) + timedelta(minutes=7 * i)
        status = ("played", "played", "interrupted", "failed", "missed")[i % 5]
        out.append(PlayIn(st.id, sc.id, start, status=status, ended_at=start + timedelta(seconds=60 + i % 50),
                          campaign=sc.campaign, form=sc.form, medium=st.medium, priority=sc.priority,
                          source_id=None if i % 3 else f"{AWKWARD[i % len(AWKWARD)] or ''}#{i}",
                          clip_hash=AWKWARD[i % len(AWKWARD)], uid=f"{i:032x}"))
    return out


def stored(store: PlayStore) -> list[tuple]:
    with store.read() as conn:
        rows = conn.execute(select(plays).order_by(plays.c.station, plays.c.seq)).all()
    return [tuple(v for k, v in r._mapping.items() if k != "id") for r in rows]


@pytest.mark.pg
def test_copy_keeps_the_chain_and_the_values(workdir, pg_url, tmp_path):  # noqa: F811
    project = load_project(workdir)
    items = month_plays(project, COPY_MIN_ROWS + 500)
    pg = PlayStore(pg_url)
    lite = PlayStore(f"sqlite:///{tmp_path / 'log.db'}")
    try:
        assert pg.append(items).new == len(items)      # one batch of ≥ COPY_MIN_ROWS: the COPY path
        assert lite.append(items).new == len(items)
        check = verify_log(pg)
        assert check.rows == len(items) and check.problems == ()
        assert stored(pg) == stored(lite)              # same seq, prev_hash, row_hash and values
        # Appending the same plays again finds them all.
        again = pg.append(items)
        assert again.new == 0 and again.existing == len(items)
    finally:
        pg.close()
        lite.close()


@pytest.mark.pg
def test_copy_reports_a_duplicate_like_insert(workdir, pg_url):  # noqa: F811
    project = load_project(workdir)
    store = PlayStore(pg_url)
    try:
        rows = [dict(p.as_row(), seq=1, prev_hash="0" * 64, row_hash="x") for p in month_plays(project, 2)]
        rows[1]["uid"] = rows[0]["uid"]
        with pytest.raises(IntegrityError):
            with store.write() as conn:
                copy_plays(conn, rows)
        assert store.count() == 0                      # nothing half-written
    finally:
        store.close()


@pytest.mark.pg
def test_sqlite_and_postgresql_give_the_same_report(workdir, pg_url, tmp_path):  # noqa: F811
    base = load_project(workdir)
    items = month_plays(base, 3000)
    texts = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'r.db'}"), ("postgresql", pg_url)):
        project = dataclasses.replace(base, database_url=url)
        store = PlayStore(url)
        try:
            store.append(items)
            report = build_report(project, store, month_period("2024-08"), plan=[])
            texts[name] = (render(report, "csv"), report.totals, report.per_day)
        finally:
            store.close()
    assert texts["sqlite"] == texts["postgresql"]
    csv_text, totals, _ = texts["sqlite"]
    assert totals.plays + totals.interrupted + totals.failed + totals.missed == 3000
    assert totals.plays == 1200 and totals.interrupted == 600 and totals.failed == 600


def test_bulk_chain_matches_the_reference_hash_on_every_row():
    """bulk.chain_records writes the canonical text a second time: every row must hash as store.row_hash does."""
    from broadcaster.playlog.bulk import UidSource, chain_records
    from broadcaster.playlog.chain import GENESIS, HASHED_FIELDS, play_row, row_hash

    from broadcaster.playlog.bulk import KNOWN_COLUMNS, KNOWN_HASHED
    from broadcaster.playlog.schema import _INSERT_COLUMNS

    # The fast path is only taken when it knows every hashed field and column: a field added to the
    # chain must be added to bulk.py too, or imports silently fall back to the slow path.
    assert KNOWN_HASHED == tuple(HASHED_FIELDS) and KNOWN_COLUMNS == tuple(_INSERT_COLUMNS)
    uids = UidSource()
    made = [uids() for _ in range(5000)]
    assert len(set(made)) == 5000 and made == sorted(made) and all(len(u) == 32 for u in made)
    rows = []
    for i in range(40):
        start = datetime(2024, 8, 1, 5, 30, 0, 1000 * i) + timedelta(minutes=i)
        rows.append(play_row(f"st{i % 2}", f"sc{i % 3}", start, status=("played", "failed")[i % 2],
                             ended_at=start + timedelta(seconds=i) if i % 4 else None,
                             duration_s=None if i % 5 else 12.3456, scheduled_at=start if i % 3 else None,
                             source_id=AWKWARD[i % len(AWKWARD)], clip_hash=AWKWARD[(i + 1) % len(AWKWARD)],
                             campaign=None if i % 2 else "cp", form="tin", medium="loa", priority="thuong",
                             uid=uids(), duration_source=(None, "log", "clip")[i % 3]))
        if i % 7 == 3:   # a void row (migration 0005): its target and reason are hashed, tabs and all
            rows[-1].update(status="void", source="void", voids=f"{i:032x}", reason=AWKWARD[i % 4] or "ghi nhầm")
    for backend in ("sqlite", "postgresql"):
        batch = [dict(r) for r in rows]
        heads = {"st0": (0, GENESIS), "st1": (7, "a" * 64)}
        records = chain_records(batch, heads, backend, row_hash, HASHED_FIELDS)
        prev = {"st0": GENESIS, "st1": "a" * 64}
        for r, rec in zip(batch, records):
            assert r["prev_hash"] == prev[r["station"]]
            assert r["row_hash"] == row_hash(r, r["prev_hash"])
            prev[r["station"]] = r["row_hash"]
            if backend == "sqlite":
                assert rec[10] == r["started_at"].isoformat(sep=" ", timespec="microseconds")
            else:
                assert rec.endswith("\n") and rec.count("\t") == 20 and "\n" not in rec[:-1]
        assert heads == {st: (max(r["seq"] for r in batch if r["station"] == st), prev[st]) for st in heads}
    # A canonical text that differs from the reference's falls back to the reference for every row.
    batch = [dict(r) for r in rows]
    chain_records(batch, {"st0": (0, GENESIS), "st1": (0, GENESIS)}, "sqlite", lambda r, p: f"ref{r['seq']}",
                  HASHED_FIELDS)
    assert all(r["row_hash"] == f"ref{r['seq']}" for r in batch)


def test_old_plays_fast_path_refuses_what_the_rule_refuses():
    """aired.not_aired_yet's shortcut for plays begun before yesterday gives the full rule's answer."""
    from broadcaster.playlog.aired import not_aired_yet

    from datetime import time

    from broadcaster.models import Session, Station

    station = Station("xa", "Xã", "loa", (Session("toi", time(23, 0), time(1, 0)),))
    now = datetime(2024, 8, 10, 0, 30)
    # Started two days ago, still playing "now": refused as unfinished either way.
    old = datetime(2024, 8, 8, 23, 30)
    assert "chưa phát xong" in not_aired_yet(station, old, now=now, ended_at=now + timedelta(minutes=1))
    assert "chưa phát xong" in not_aired_yet(station, old, now=now, duration_s=2 * 86400)
    assert not_aired_yet(station, old, now=now, ended_at=old + timedelta(minutes=5)) is None
    # Yesterday evening's session ends after midnight: still the full rule (session open until 01:00).
    late = datetime(2024, 8, 9, 23, 10)
    assert "chưa kết thúc" in not_aired_yet(station, late, now=now, ended_at=late + timedelta(minutes=1))


def test_report_splits_sources_and_start_only_rows_alike_on_both_databases(workdir, pg_url, tmp_path):  # noqa: F811
    """The report's one query (ix_plays_day) splits played rows by length source and start-only rows by
    script: the same figures from SQLite and PostgreSQL, and the right ones."""
    base = load_project(workdir)
    items = month_plays(base, 600)
    st, sc = base.stations[0], base.scripts[0]
    for i in range(40):       # only a start time: length from the clip (none built here: "unknown")
        start = datetime(2024, 8, 3 + i % 20, 19, 0) + timedelta(minutes=i)
        items.append(PlayIn(st.id, sc.id, start, campaign=sc.campaign, form=sc.form, medium=st.medium,
                            priority=sc.priority, uid=f"a{i:031x}"))
    for i in range(25):       # confirmed sessions: the planned length
        start = datetime(2024, 8, 5 + i % 10, 21, 0) + timedelta(minutes=i)
        items.append(PlayIn(st.id, sc.id, start, source="confirm", ended_at=start + timedelta(seconds=90),
                            campaign=sc.campaign, form=sc.form, medium=st.medium, priority=sc.priority,
                            uid=f"b{i:031x}"))
    seen = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 's.db'}"), ("postgresql", pg_url)):
        project = dataclasses.replace(base, database_url=url)
        store = PlayStore(url)
        try:
            store.append(items)
            report = build_report(project, store, month_period("2024-08"), plan=[])
            seen[name] = (render(report, "csv"), report.details, report.totals, report.unknown_airtime,
                          report.clip_airtime, report.per_day)
        finally:
            store.close()
    assert seen["sqlite"] == seen["postgresql"]
    _, details, totals, unknown, clip, _ = seen["sqlite"]
    assert (unknown, clip) == (40, 0)
    sources: dict = {}
    for d in details:
        for src, n, seconds in d.sources:
            sources[src] = (sources.get(src, (0, 0.0))[0] + n, sources.get(src, (0, 0.0))[1] + seconds)
    assert sources["unknown"] == (40, 0.0) and sources["confirm"] == (25, 25 * 90.0)
    assert sources["log"][0] == 240          # month_plays: 2 of every 5 rows played
    assert totals.plays == 240 + 40 + 25


def test_migration_0006_swaps_the_report_index_and_the_report_reads_it_alone(workdir, tmp_path):  # noqa: F811
    """A log made before 0006 (ix_plays_report) gets ix_plays_day and ix_plays_started on open; the report's
    query is then a search of ix_plays_day alone, in group order (no temporary B-tree)."""
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite

    import broadcaster.report.aggregate as agg

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = PlayStore(url)
    store.append(month_plays(load_project(workdir), 50))
    with store.write() as conn:
        for sql in ("DROP INDEX ix_plays_day", "DROP INDEX ix_plays_started",
                    "CREATE INDEX ix_plays_report ON plays (started_at, station, campaign, form, medium, status, "
                    "duration_s)", "DELETE FROM schema_migrations WHERE name = '0006_report_day_index'"):
            conn.execute(text(sql))
    store.close()
    store = PlayStore(url)
    try:
        with store.read() as conn:   # (SQLAlchemy's inspector skips expression indexes)
            names = {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_plays_day", "ix_plays_started"} <= names and "ix_plays_report" not in names
        captured = []

        class Capture:
            backend = "sqlite"

            def read(self):
                import contextlib

                @contextlib.contextmanager
                def cm():
                    class Conn:
                        def execute(self, query):
                            captured.append(query)
                            return []
                    yield Conn()
                return cm()

        agg.query_period(Capture(), month_period("2024-08"), summary=False)   # the direct query's plan
        sql = str(captured[0].compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        with store.read() as conn:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        assert plan == ["SEARCH plays USING COVERING INDEX ix_plays_day (<expr>>? AND <expr><?)"], plan
        assert sum(n for *_, n, _s, _o, _p in agg.query_period(store, month_period("2024-08"))) == 50
    finally:
        store.close()
