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
