"""Chain marks (playlog.marks): the report's check re-hashes only rows after a mark; tampering after a mark is still found.

SQLite and PostgreSQL: the marks are dropped by database triggers, so the
tampering here is raw SQL through a connection of its own, as a sqlite3 shell
or psql would do it.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from broadcaster.playlog import bulk, migrations, verify as verify_mod
from broadcaster.playlog.marks import chain_marks
from broadcaster.playlog.store import PlayIn, PlayStore
from broadcaster.playlog.verify import verify_log, verify_period
from broadcaster.report.aggregate import build_report, month_period
from broadcaster.report import render

T = datetime(2024, 8, 1, 5, 30)
AUG = (datetime(2024, 8, 1), datetime(2024, 9, 1))


def _plays(station: str, first: int, count: int) -> list[PlayIn]:
    return [PlayIn(station, "x", T + timedelta(minutes=first + i),
                   ended_at=T + timedelta(minutes=first + i, seconds=40),
                   campaign="c", form="f", medium="m", priority="p") for i in range(count)]


def _tamper(store, sql, **params):
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def _marks(store) -> dict:
    with store.read() as conn:
        return {r.station: r.seq for r in conn.execute(select(chain_marks))}


def _ids(store, station):
    return [r["id"] for r in sorted(store.list_plays(station=station), key=lambda r: r["seq"])]


@pytest.fixture
def marked(store):
    """Two stations of 6 plays each in August, checked once: both chains marked at seq 6."""
    store.append(_plays("a", 0, 6) + _plays("b", 0, 6))
    first = verify_period(store, *AUG)
    assert first.ok and first.hashed == 12 and first.earlier == 0
    assert _marks(store) == {"a": 6, "b": 6}
    return store


def test_a_second_check_re_hashes_only_the_rows_after_the_mark(marked, monkeypatch):
    store = marked
    store.append(_plays("a", 100, 3))
    hashed = []
    real = bulk.chain_digest
    monkeypatch.setattr(bulk, "chain_digest", lambda *a: hashed.append((a[1], a[2])) or real(*a))
    second = verify_period(store, *AUG)
    assert second.ok and second.rows == 15 and second.stations == 2
    assert second.hashed == 3 and second.earlier == 12
    assert hashed == [("a", 7), ("a", 8), ("a", 9)]        # only the new rows, nothing of the marked ones
    assert _marks(store) == {"a": 9, "b": 6}
    hashed.clear()
    third = verify_period(store, *AUG)
    assert third.ok and third.rows == 15 and third.hashed == 0 and third.earlier == 15 and hashed == []


def test_log_verify_stays_a_full_check_and_sets_the_marks(store):
    store.append(_plays("a", 0, 4) + _plays("b", 0, 2))
    for _ in range(2):
        result = verify_log(store)
        assert result.ok and result.rows == 6 and result.hashed == 6
    assert _marks(store) == {"a": 4, "b": 2}
    assert verify_period(store, *AUG).hashed == 0


def _findings(result):
    return [(p.station, p.kind, p.ids, p.message) for p in result.problems]


@pytest.mark.parametrize("kind", ["update", "delete", "insert", "insert_low_id"])
def test_tampering_after_a_mark_is_reported_by_the_report(marked, project, kind):
    store = marked
    a = _ids(store, "a")
    forged_sql = ("INSERT INTO plays ({id}uid, station, seq, script, started_at, duration_s, status, source, "
                  "prev_hash, row_hash) SELECT {value}'forged', station, 3, script, :t, 60, 'played', 'import', "
                  "prev_hash, row_hash FROM plays WHERE id = :id")
    if kind == "update":
        _tamper(store, "UPDATE plays SET duration_s = 999 WHERE id = :id", id=a[2])
        expected = [("a", "edited", (a[2],))]
    elif kind == "delete":
        _tamper(store, "DELETE FROM plays WHERE id = :id", id=a[2])
        expected = [("a", "deleted", (a[3],))]
    else:
        # A forged middle row: a seq already used, hash copied from a real row; with a new id, or with an
        # id below every row (SQLite: not read after the marks, so the marks must not be used).
        low = kind == "insert_low_id"
        _tamper(store, forged_sql.format(id="id, " if low else "", value="-5, " if low else ""),
                id=a[2], t=T + timedelta(hours=5))
        forged = tuple(r["id"] for r in store.list_plays(station="a") if r["uid"] == "forged")
        # Its own time is not what was hashed; sorted before the real seq 3 (lower id), it makes that one the repeat.
        expected = [("a", "edited", forged), ("a", "inserted", (a[2],) if low else forged)]
    if kind in ("update", "delete") or store.backend == "postgresql":
        assert _marks(store) == {}                       # the database dropped them
    report = build_report(project, store, month_period("2024-08"), plan=[])
    assert report.chain_ok is False
    assert [(s, k, i) for s, k, i, _ in _findings(report.chain)] == expected
    if kind == "insert" and store.backend == "sqlite":
        assert report.chain.hashed == 1                  # the new row alone, read after the marks
    else:
        assert report.chain.hashed == 12 - (kind == "delete") + kind.startswith("insert")
    # Exactly what the check says on a log that never had a mark.
    _tamper(store, "DELETE FROM chain_marks")
    assert _findings(verify_period(store, *AUG)) == _findings(report.chain)
    assert _marks(store) == {}                           # a broken chain is never marked


def test_rows_of_a_station_without_a_chain_head_after_a_mark_are_reported(marked):
    store = marked
    _tamper(store, "INSERT INTO plays (uid, station, seq, script, started_at, duration_s, status, source, prev_hash, "
                   "row_hash) VALUES ('forged', 'z', 1, 'x', :t, 60, 'played', 'import', 'p', 'h')", t=T)
    result = verify_period(store, *AUG)
    assert [(p.station, p.kind) for p in result.problems] == [("z", "inserted")]


def test_rows_written_around_the_chain_after_a_mark_are_reported(marked):
    store = marked
    # Past the head (the insert trigger lets such rows through: they are read as new rows) ...
    _tamper(store, "INSERT INTO plays (uid, station, seq, script, started_at, duration_s, status, source, prev_hash, "
                   "row_hash) VALUES ('forged', 'a', 7, 'x', :t, 60, 'played', 'import', 'p', 'h')",
            t=T + timedelta(days=2))
    forged = [r["id"] for r in store.list_plays(station="a") if r["uid"] == "forged"]
    result = verify_period(store, *AUG)
    assert [(p.station, p.kind, p.ids) for p in result.problems] == [("a", "inserted", tuple(forged))]
    assert result.hashed == 1 and _marks(store) == {"a": 6, "b": 6}
    # ... and a chain head moved by hand.
    _tamper(store, "DELETE FROM plays WHERE uid = 'forged'")
    verify_period(store, *AUG)
    assert _marks(store) == {"a": 6, "b": 6}
    _tamper(store, "UPDATE chain_heads SET seq = 8 WHERE station = 'b'")
    result = verify_period(store, *AUG)
    assert [(p.station, p.kind) for p in result.problems] == [("b", "deleted")]
    assert "số thứ tự 7–8" in result.problems[0].message


def test_a_mark_that_no_longer_matches_its_row_is_ignored(marked):
    store = marked
    _tamper(store, "UPDATE chain_marks SET row_hash = 'f' WHERE station = 'a'")
    result = verify_period(store, *AUG)
    assert result.ok and result.hashed == 6 and result.earlier == 6      # a re-hashed in full, b from its mark
    assert _marks(store) == {"a": 6, "b": 6}


def test_a_change_committed_during_the_check_keeps_the_mark_unwritten(store, monkeypatch):
    store.append(_plays("a", 0, 5))
    ids = _ids(store, "a")
    real = verify_mod.save_marks

    def tamper_then_save(conn, marks):
        # Another session edits a row after the rows were read, before the mark is written.
        _tamper(store, "UPDATE plays SET duration_s = 1 WHERE id = :id", id=ids[1])
        return real(conn, marks)
    monkeypatch.setattr(verify_mod, "save_marks", tamper_then_save)
    assert verify_period(store, *AUG).ok                 # the snapshot read before the edit
    assert _marks(store) == {}
    monkeypatch.setattr(verify_mod, "save_marks", real)
    result = verify_period(store, *AUG)
    assert [(p.kind, p.ids) for p in result.problems] == [("edited", (ids[1],))]


def test_a_database_from_before_the_marks_is_migrated_and_marked(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:6])
    import broadcaster.playlog.store as store_mod
    monkeypatch.setattr(store_mod, "MIGRATIONS", migrations.MIGRATIONS)
    old = PlayStore(url)
    old.append(_plays("a", 0, 4))
    assert "0007_chain_marks" not in old.applied_migrations()
    old.close()
    monkeypatch.undo()
    store = PlayStore(url)
    assert "0007_chain_marks" in store.applied_migrations()
    assert verify_period(store, *AUG).hashed == 4 and verify_period(store, *AUG).hashed == 0
    _tamper(store, "UPDATE plays SET status = 'failed' WHERE seq = 2")
    assert [p.kind for p in verify_period(store, *AUG).problems] == ["edited"]
    store.close()


def test_a_read_only_database_is_checked_without_marks(tmp_path):
    path = tmp_path / "log.db"
    writer = PlayStore(f"sqlite:///{path}")
    writer.append(_plays("a", 0, 3))
    writer.close()
    reader = PlayStore(f"sqlite:///{path}")
    reader.engine.dispose()

    @event.listens_for(reader.engine, "connect")
    def _read_only(dbapi_connection, _record):     # every write now fails with "readonly database"
        dbapi_connection.execute("PRAGMA query_only = ON")
    for _ in range(2):
        result = verify_period(reader, *AUG)
        assert result.ok and result.hashed == 3
    reader.close()
    assert _marks(PlayStore(f"sqlite:///{path}")) == {}


def test_the_report_says_which_rows_an_earlier_check_covered(marked, project):
    store = marked
    store.append(_plays("b", 200, 2))
    report = build_report(project, store, month_period("2024-08"), plan=[])
    assert report.chain_ok and report.chain.hashed == 2
    from docx import Document

    doc_text = "\n".join(p.text for p in Document(io.BytesIO(render(report, "docx", project))).paragraphs)
    assert "đã kiểm tra chuỗi mã băm của 14 lượt phát" in doc_text
    assert "2 lượt được tính lại mã băm lần này; 12 lượt đã được kiểm tra ở lần trước" in doc_text
