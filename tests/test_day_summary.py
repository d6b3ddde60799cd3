"""play_days (migration 0008, PostgreSQL): the report's figures read from the per-day summary are exactly those
of a GROUP BY over plays, whatever wrote the rows (append, COPY, voids, raw SQL); SQLite has no summary."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from broadcaster.config import load_project
from broadcaster.playlog import day_summary
from broadcaster.playlog.migrations import MIGRATIONS
from broadcaster.playlog.store import COPY_MIN_ROWS, PlayIn, PlayStore, play_row
from broadcaster.playlog.voids import void_play
from broadcaster.report import render
from broadcaster.report.aggregate import build_report, month_period, query_period, query_voided
from dbfixtures import pg_url, workdir  # noqa: F401  (fixtures)

PERIOD = month_period("2024-08")


def log_rows(project, count: int = 240) -> list:
    """Played, interrupted, failed, start-only, confirmed and NULL-campaign plays over several days and stations,
    with lengths in quarter seconds (exact in binary: sums in any order agree to the bit)."""
    stations, scripts = project.stations, project.scripts
    out = []
    for i in range(count):
        st, sc = stations[i % len(stations)], scripts[(i // len(stations)) % len(scripts)]
        start = datetime(2024, 7, 30, 6, 0) + timedelta(minutes=83 * i)      # from July into September
        kind = i % 6
        common = dict(campaign=None if i % 11 == 0 else sc.campaign, form=sc.form, medium=st.medium,
                      priority=sc.priority, uid=f"{i:032x}")
        if kind == 0:       # only a start time
            out.append(PlayIn(st.id, sc.id, start, **common))
        elif kind == 1:     # confirmed: the planned length
            out.append(PlayIn(st.id, sc.id, start, source="confirm", ended_at=start + timedelta(seconds=90), **common))
        else:
            status = ("played", "played", "interrupted", "failed")[kind - 2]
            out.append(PlayIn(st.id, sc.id, start, status=status, duration_s=30 + (i % 17) * 0.25, **common))
    return out


def _sorted(rows: list) -> list:
    # Group order is not part of the result (PostgreSQL sorts NULL campaigns last, '' first).
    return sorted(rows, key=lambda r: tuple(str(v) for v in r))


def direct(store: PlayStore, **kw) -> list:
    return _sorted(query_period(store, PERIOD, summary=False, **kw))


def from_summary(store: PlayStore, **kw) -> list:
    with store.read() as conn:
        assert day_summary.summary_ready(conn)
    return _sorted(query_period(store, PERIOD, **kw))


def same_figures(store: PlayStore, project=None) -> None:
    """query_period from the summary equals the direct GROUP BY: whole month, per campaign and station, minus voids."""
    assert from_summary(store) == direct(store) != []
    st = store.list_plays()[0]["station"]
    voided = [v[0] for v in query_voided(store, PERIOD)]
    assert from_summary(store, station=st, voided_ids=voided) == direct(store, station=st, voided_ids=voided)
    assert from_summary(store, campaign="dung-2g", voided_ids=voided) == \
        direct(store, campaign="dung-2g", voided_ids=voided)
    with store.read() as conn:
        assert day_summary.compare(conn) == []
    if project is not None:
        report = build_report(project, store, PERIOD, plan=[])
        with store.write() as conn:     # the same report with the triggers gone: read from plays
            conn.execute(text("DROP TRIGGER play_days_insert ON plays"))
        again = build_report(project, store, PERIOD, plan=[])
        assert render(report, "csv") == render(again, "csv")
        assert (report.totals, report.per_day, report.details) == (again.totals, again.per_day, again.details)
        with store.write() as conn:
            day_summary.rebuild(conn)


@pytest.mark.pg
def test_summary_equals_the_group_by_after_every_kind_of_write(workdir, pg_url):  # noqa: F811
    project = dataclasses.replace(load_project(workdir), database_url=pg_url)
    store = PlayStore(pg_url)
    try:
        items = log_rows(project)
        store.append(items[:100])                          # small batches: executemany
        store.append(items[100:])
        extra = log_rows(project, COPY_MIN_ROWS + 300)[240:]   # one batch of ≥ COPY_MIN_ROWS: the COPY path
        store.append([dataclasses.replace(p, uid="c" + p.uid[1:]) for p in extra])
        same_figures(store, project)
        # Voids: a void row is no play; the voided plays leave the figures.
        plays = [r for r in store.list_plays() if r["started_at"].month == 8]
        for row in plays[3:60:7]:
            void_play(store, row["id"], "ghi nhầm khi nhập tệp", now=datetime(2024, 9, 20))
        assert len(query_voided(store, PERIOD)) >= 4
        same_figures(store, project)
        # Raw SQL: moved between groups, lengths changed, rows deleted, hash columns rewritten.
        with store.write() as conn:
            conn.execute(text("UPDATE plays SET station = 'xa-khac', campaign = NULL WHERE id % 9 = 2"))
            conn.execute(text("UPDATE plays SET duration_s = duration_s + 0.5, ended_at = NULL WHERE id % 13 = 1"))
            conn.execute(text("UPDATE plays SET duration_s = 0, ended_at = NULL WHERE id % 10 = 4"))
            conn.execute(text("UPDATE plays SET status = 'missed' WHERE id % 8 = 5 AND status <> 'void'"))
            conn.execute(text("UPDATE plays SET row_hash = 'x' WHERE id % 5 = 0"))
            conn.execute(text("DELETE FROM plays WHERE id % 7 = 3"))
        same_figures(store, project)
        with store.write() as conn:                        # every play of a day gone: its groups too
            conn.execute(text("DELETE FROM plays WHERE started_at >= :a AND started_at < :b"),
                         {"a": datetime(2024, 8, 10), "b": datetime(2024, 8, 11)})
            assert conn.execute(text("SELECT count(*) FROM play_days WHERE plays <= 0")).scalar() == 0
        same_figures(store, project)
    finally:
        store.close()


@pytest.mark.pg
def test_pre_0004_rows_and_a_database_migrated_with_rows_in_it(workdir, pg_url):  # noqa: F811
    project = dataclasses.replace(load_project(workdir), database_url=pg_url)
    store = PlayStore(pg_url)
    try:
        old = [play_row(s.id, "2g-nhac-nho", datetime(2024, 8, 6 + i % 5, 17, i)) for i, s in
               enumerate(project.stations * 3)]
        old += [play_row("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 7, 18, 0), source="confirm",
                         ended_at=datetime(2024, 8, 7, 18, 1, 30))]
        for r in old:
            r["duration_source"] = None            # rows as before migration 0004
        store.append(old)
        store.append(log_rows(project, 120))
        void_play(store, [r for r in store.list_plays() if r["started_at"].month == 8][5]["id"], "trùng lượt phát")
        expected = direct(store)
        assert any(r[6] is None for r in expected)
        # As a database from before 0008: no summary, no triggers; rows written meanwhile.
        with store.write() as conn:
            day_summary.drop(conn)
            conn.execute(text("DELETE FROM schema_migrations WHERE name = '0008_day_summary'"))
        assert _sorted(query_period(store, PERIOD)) == expected     # no summary: read from plays
        store.append(log_rows(project, 300)[120:])
        expected = direct(store)
        store.close()
        store = PlayStore(pg_url)                          # opening migrates: 0008 counts the rows there
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
        voided = [v[0] for v in query_voided(store, PERIOD)]
        assert voided and from_summary(store, voided_ids=voided) == direct(store, voided_ids=voided)
        assert from_summary(store) == expected
        same_figures(store, project)
    finally:
        store.close()


@pytest.mark.pg
def test_a_dropped_trigger_falls_back_and_verify_finds_the_stale_summary(workdir, pg_url):  # noqa: F811
    project = dataclasses.replace(load_project(workdir), database_url=pg_url)
    store = PlayStore(pg_url)
    try:
        store.append(log_rows(project, 60))
        with store.write() as conn:
            conn.execute(text("DROP TRIGGER play_days_delete ON plays"))
            conn.execute(text("DELETE FROM plays WHERE id % 4 = 0"))
            assert not day_summary.summary_ready(conn)
            stale = day_summary.compare(conn)
        assert stale and all(a is not None and (b is None or a[0] > b[0]) for _, a, b in stale)
        assert _sorted(query_period(store, PERIOD)) == direct(store)     # not read from the stale table
        with store.write() as conn:                            # a disabled trigger is no trigger
            day_summary.rebuild(conn)
            conn.execute(text("ALTER TABLE plays DISABLE TRIGGER play_days_insert"))
            assert not day_summary.summary_ready(conn)
            conn.execute(text("SET LOCAL session_replication_role = replica"))   # nor one that does not fire
            conn.execute(text("ALTER TABLE plays ENABLE TRIGGER play_days_insert"))
            assert not day_summary.summary_ready(conn)
        with store.write() as conn:
            day_summary.rebuild(conn)
            assert day_summary.summary_ready(conn) and day_summary.compare(conn) == []
        assert from_summary(store) == direct(store)
    finally:
        store.close()


@pytest.mark.pg
def test_truncate_empties_the_summary(workdir, pg_url):  # noqa: F811
    store = PlayStore(pg_url)
    try:
        store.append(log_rows(load_project(workdir), 30))
        with store.write() as conn:
            conn.execute(text("TRUNCATE plays"))
            assert conn.execute(text("SELECT count(*) FROM play_days")).scalar() == 0
    finally:
        store.close()



def test_sqlite_keeps_no_summary_and_reads_its_covering_index(workdir, tmp_path):  # noqa: F811
    """SQLite: 0008 is recorded but adds no table or trigger (row triggers cost the import 2.5×); the report
    reads plays, and the figures are the GROUP BY's."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    project = dataclasses.replace(load_project(workdir), database_url=url)
    store = PlayStore(url)
    try:
        assert "0008_day_summary" in store.applied_migrations()
        store.append(log_rows(project, 120))
        with store.read() as conn:
            names = {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE 'play_days%'")}
            assert names == set() and not day_summary.summary_ready(conn) and day_summary.compare(conn) == []
        assert _sorted(query_period(store, PERIOD)) == direct(store) != []
    finally:
        store.close()


@pytest.mark.pg
def test_log_verify_finds_a_stale_summary_says_so_and_recounts_it(workdir, pg_url, capsys, monkeypatch):  # noqa: F811
    from broadcaster.cli import main

    monkeypatch.setenv("BROADCASTER_DATABASE_URL", pg_url)
    store = PlayStore(pg_url)
    try:
        project = load_project(workdir)
        store.append(log_rows(project, 60))
        assert main(["--project", str(workdir), "log", "verify"]) == 0
        assert capsys.readouterr().err == ""                   # all kept: nothing to say
        with store.write() as conn:                            # writes the triggers do not see
            conn.execute(text("ALTER TABLE plays DISABLE TRIGGER play_days_insert"))
        store.append(log_rows(project, 90)[60:])
        assert _sorted(query_period(store, PERIOD)) == direct(store)   # triggers off: read from plays
        assert main(["--project", str(workdir), "log", "verify"]) == 0   # the chain itself is intact
        err = capsys.readouterr().err
        assert "lệch với nhật ký" in err and "bị xóa hoặc bị tắt" in err and "Đã tính lại" in err
        assert "Traceback" not in err
        with store.read() as conn:
            assert day_summary.summary_ready(conn) and day_summary.compare(conn) == []
        assert from_summary(store) == direct(store)
        assert main(["--project", str(workdir), "log", "verify"]) == 0
        assert capsys.readouterr().err == ""
    finally:
        store.close()
