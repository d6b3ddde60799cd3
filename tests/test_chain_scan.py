"""Chain check fast path (playlog.scan): same findings as the reference row_hash over SQLAlchemy rows — SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from broadcaster.playlog import bulk, scan
from broadcaster.playlog.chain import play_row
from broadcaster.playlog.store import PlayIn, PlayStore, chain_heads, plays, row_hash
from broadcaster.playlog.verify import _check_station, verify_log, verify_period
from broadcaster.playlog.voids import void_play

T = datetime(2024, 8, 1, 5, 30)


def _reference(store):
    """verify_log as before the fast path: every row through SQLAlchemy, hashed by chain.row_hash."""
    problems = []
    with store.read() as conn:
        heads = {r.station: (r.seq, r.last_hash) for r in conn.execute(select(chain_heads))}
        stations = sorted(set(heads) | {s for (s,) in conn.execute(select(plays.c.station).distinct())})
        for st in stations:
            rows = [dict(r._mapping) for r in conn.execute(
                select(plays).where(plays.c.station == st).order_by(plays.c.seq, plays.c.id))]
            head_seq = heads.get(st, (0, ""))[0]
            problems += _check_station(st, [[(r["id"], r["seq"], r["prev_hash"], r["row_hash"],
                                             r["seq"] > head_seq or row_hash(r, r["prev_hash"]) == r["row_hash"])
                                             for r in rows]], heads.get(st))
    return problems


def _tamper(store, sql, **params):
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def _ids(store, station):
    return [r["id"] for r in sorted(store.list_plays(station=station), key=lambda r: r["seq"])]


@pytest.fixture
def tampered(store, monkeypatch):
    """One station per kind of tampering, plus intact and old (pre-0004/0005) rows; chunks of 2 rows."""
    monkeypatch.setattr(scan, "CHUNK", 2)
    for st in ("ok", "edit", "gap", "ins", "swap", "void", "old"):
        store.append([PlayIn(st, "x", T + timedelta(minutes=i), ended_at=T + timedelta(minutes=i, seconds=40),
                             campaign="c", form="f", medium="m", priority="p") for i in range(5)])
    old = [play_row("old", "y", T + timedelta(days=1, minutes=i)) for i in range(3)]
    for r in old:
        r["duration_source"] = None     # hashed without it, as before migration 0004
    store.append(old)
    edit, gap, ins, swap, void, old_ids = (_ids(store, s) for s in ("edit", "gap", "ins", "swap", "void", "old"))
    _tamper(store, "UPDATE plays SET status = 'failed' WHERE id = :id", id=edit[1])
    _tamper(store, "DELETE FROM plays WHERE id = :id", id=gap[2])
    _tamper(store, "INSERT INTO plays (uid, station, seq, script, started_at, duration_s, status, source, prev_hash, "
                   "row_hash) VALUES ('forged', 'ins', 99, 'x', :t, 60, 'played', 'import', 'p', 'h')",
            t=T + timedelta(days=2))
    _tamper(store, "UPDATE plays SET seq = CASE WHEN id = :a THEN 3 ELSE 2 END WHERE id IN (:a, :b)",
            a=swap[1], b=swap[2])
    result = void_play(store, void[0], "nhập nhầm đài", now=T + timedelta(hours=3))
    _tamper(store, "UPDATE plays SET reason = 'khác' WHERE id = :id", id=result.void_id)
    _tamper(store, "UPDATE plays SET script = 'z' WHERE id = :id", id=old_ids[7])
    return {"edit": edit, "gap": gap, "swap": swap, "void": result.void_id, "old": old_ids}


def test_fast_verify_finds_every_tampering_as_the_reference_does(store, tampered):
    result = verify_log(store)
    assert list(result.problems) == _reference(store)
    found = {(p.station, p.kind, p.ids) for p in result.problems}
    assert ("edit", "edited", (tampered["edit"][1],)) in found
    assert ("gap", "deleted", (tampered["gap"][3],)) in found
    assert any(s == "ins" and k == "inserted" for s, k, _ in found)
    assert ("swap", "edited", (tampered["swap"][2], tampered["swap"][1])) in found
    assert ("void", "edited", (tampered["void"],)) in found
    assert ("old", "edited", (tampered["old"][7],)) in found
    assert not any(s == "ok" for s, _, _ in found)
    assert result.rows == store.count() and result.stations == 7


def test_fast_verify_of_a_period_finds_the_same_rows(store, tampered):
    result = verify_period(store, datetime(2024, 8, 1), datetime(2024, 8, 2))
    found = {(p.station, p.kind, p.ids) for p in result.problems}
    assert ("edit", "edited", (tampered["edit"][1],)) in found
    assert ("gap", "deleted", (tampered["gap"][3],)) in found
    assert ("swap", "edited", (tampered["swap"][2], tampered["swap"][1])) in found
    assert ("void", "edited", (tampered["void"],)) in found
    assert not any(s in ("ok", "old", "ins") for s, _, _ in found)   # their tampering is outside the day
    assert result.rows == 7 * 5 - 1 + 1        # 35 rows of 1 August, one deleted, one void row


def test_import_and_verify_hash_with_the_same_function(store, monkeypatch):
    calls = []
    real = bulk.chain_digest

    def spy(*args):
        calls.append(args[2])
        return real(*args)
    monkeypatch.setattr(bulk, "chain_digest", spy)
    n = bulk.COPY_MIN_ROWS      # PostgreSQL takes the bulk path (COPY) from this many rows on
    store.append([PlayIn("a", "x", T + timedelta(minutes=i), ended_at=T + timedelta(minutes=i, seconds=5),
                         scheduled_at=T + timedelta(minutes=i)) for i in range(n)])
    assert calls == list(range(1, n + 1))        # import
    calls.clear()
    assert verify_log(store).ok
    assert calls == list(range(1, n + 1))        # verify: every row hashed by the same function, no fallback


def test_a_time_stored_in_another_text_shape_is_judged_by_the_reference(tmp_path, monkeypatch):
    # SQLite only: PostgreSQL stores timestamps, SQLite text that a hand edit can shape otherwise.
    store = PlayStore(f"sqlite:///{tmp_path / 'log.db'}")
    store.append([PlayIn("a", "x", T + timedelta(minutes=i)) for i in range(3)])
    ids = _ids(store, "a")
    _tamper(store, "UPDATE plays SET started_at = '2024-08-01 05:31:00' WHERE id = :id", id=ids[1])
    fallbacks = []
    real = scan.reference_ok
    monkeypatch.setattr(scan, "reference_ok", lambda conn, i: fallbacks.append(i) or real(conn, i))
    result = verify_log(store)
    assert fallbacks == [ids[1]]
    assert list(result.problems) == _reference(store)
    store.close()
