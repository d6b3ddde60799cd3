"""The CSV importer's fast row check gives exactly what the full rules give: same rows, same uids in the
same order, same chain hashes, and the same Vietnamese problems with their lines for bad files."""
from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from broadcaster.config import load_project
from broadcaster.playlog import importer
from broadcaster.playlog.importer import ImportRejected, parse_plays
from broadcaster.playlog.store import PlayStore, plays
from dbfixtures import workdir  # noqa: F401  (fixture)
from sqlalchemy import select

NOW = datetime(2024, 8, 20, 12, 0)

# Every shape the fast check takes, and many it must hand to the full rules (which may still accept them).
VARIED = [
    "tt-my-xuyen,2g-thong-bao,2024-08-01T05:30:00,2024-08-01T05:31:30,played,a1,",
    "tt-my-xuyen,2g-thong-bao,2024-08-01T05:40:00,,played,,",                # start only: clip length
    "xa-ngoc-to,2g-huong-dan,2024-08-01T05:45:00,,interrupted,,",            # start only, not played
    " xa-dai-tam ,2g-nhac-nho , 2024-08-01 17:00 ,,Đã phát, s 2 ,",           # spaces, Vietnamese status
    "xa-dai-tam,2g-nhac-nho,2024-08-01T17:05:00.123456,2024-08-01T17:05:00.123456,ok,,",  # zero length
    "xa-dai-tam,2g-nhac-nho,2024-08-01T17:06:00, 2024-08-01T17:07:00,failed,,",   # end with a space
    "xa-dai-tam,2g-nhac-nho,2024-08-01T17:08:00,,LỖI,,2024-08-01T17:00:00",       # scheduled
    "xa-ngoc-to,2g-huong-dan,01/08/2024 06:45,,played,,",                        # dd/mm: full rules
    "xa-ngoc-to,2g-huong-dan,2024-08-01T06:50:00+07:00,,played,,",              # zone: full rules
    "xa-ngoc-to,2g-huong-dan,2024-08-01T06:55:00Z,,played,,",
    "xa-ngoc-to,2g-huong-dan,1722470400,,played,,",                             # epoch seconds
    "xa-ngoc-to,2g-huong-dan,2024-08-02T06:00:00,,played,,,",                   # extra column
    "xa-ngoc-to,2g-huong-dan,2024-08-02T06:05:00",                              # short row
    "tt-my-xuyen,2g-thong-bao,2024-08-19T20:00:00,2024-08-19T20:01:00,played,,",  # yesterday: full rules
    "tt-my-xuyen,2g-thong-bao,2024-08-02T05:30:00,2024-08-02T05:31:00,bi-ngat,b\tx,",
]
# Each is wrong: the full rules must name it with its line.
BAD = [
    "xa-khong-co,2g-thong-bao,2024-08-01T06:00:00,,played,,",
    "tt-my-xuyen,2g-thong-bo,2024-08-01T06:01:00,,played,,",
    "tt-my-xuyen,2g-thong-bao,32/08/2024 06:00,,played,,",
    "tt-my-xuyen,2g-thong-bao,2024-08-01T06:03:00,,aired,,",
    "tt-my-xuyen,2g-thong-bao,2024-08-01T06:04:00,2024-08-01T06:03:00,played,,",
    "tt-my-xuyen,2g-thong-bao,1900-08-01T06:04:00,,played,,",
    "tt-my-xuyen,2g-thong-bao,2024-08-20T11:00:00,2024-08-20T13:00:00,played,,",   # not over yet
    "tt-my-xuyen,2g-thong-bao,2024-08-01T06:05:00,2024-08-01T06:06:00,played," + "x" * 201 + ",",
    "," + "s" * 70 + ",2024-08-01T06:07:00,,played,,",
]
HEADER = "station,script,started_at,ended_at,status,source_id,scheduled_at"


class CountingUids:
    """Deterministic uids, so two parses of one file give equal rows."""

    def __init__(self):
        self._n = itertools.count()

    def __call__(self) -> str:
        return f"{next(self._n):032x}"


def _parse(project, path, monkeypatch, fast: bool):
    monkeypatch.setattr(importer, "UidSource", CountingUids)
    taken = []
    original = importer._RowReader.fast_csv

    def fast_csv(self, index):
        check = original(self, index)

        def spy(values):
            row = check(values) if fast else None
            taken.append(row is not None)
            return row
        return spy
    monkeypatch.setattr(importer._RowReader, "fast_csv", fast_csv)
    try:
        return parse_plays(project, path, "csv", "plays.csv", now=NOW), taken
    except ImportRejected as exc:
        return str(exc), taken


def test_fast_csv_rows_equal_the_full_rules_rows(workdir, monkeypatch, tmp_path):  # noqa: F811
    project = load_project(workdir)
    path = tmp_path / "plays.csv"
    path.write_text("\n".join([HEADER] + VARIED * 3) + "\n", encoding="utf-8")
    fast_rows, taken = _parse(project, path, monkeypatch, fast=True)
    full_rows, _ = _parse(project, path, monkeypatch, fast=False)
    assert isinstance(fast_rows, list) and len(fast_rows) == len(VARIED) * 3
    assert fast_rows == full_rows
    assert [list(r) for r in fast_rows] == [list(r) for r in full_rows]    # same keys in the same order
    assert sum(taken) >= 7 * 3 and not all(taken)                          # both paths were used
    # Same rows in, same database rows out (seq, prev_hash, row_hash), on SQLite.
    stored = []
    for rows in (fast_rows, full_rows):
        store = PlayStore(f"sqlite:///{tmp_path / f'log{len(stored)}.db'}")
        try:
            store.append(rows)
            with store.read() as conn:
                stored.append(conn.execute(select(plays).order_by(plays.c.id)).all())
        finally:
            store.close()
    assert stored[0] == stored[1] and len(stored[0]) == len(VARIED)       # repeats are found, not added


@pytest.mark.parametrize("bad", range(len(BAD)))
def test_fast_csv_bad_rows_get_the_full_rules_messages(workdir, monkeypatch, tmp_path, bad):  # noqa: F811
    project = load_project(workdir)
    path = tmp_path / "plays.csv"
    path.write_text("\n".join([HEADER] + VARIED[:3] + [BAD[bad]] + VARIED[:2]) + "\n", encoding="utf-8")
    fast_text, _ = _parse(project, path, monkeypatch, fast=True)
    full_text, _ = _parse(project, path, monkeypatch, fast=False)
    assert isinstance(fast_text, str) and fast_text == full_text
    assert "plays.csv:5:" in fast_text and "chưa nhập lượt phát nào" in fast_text


def test_import_commit_is_durable_on_sqlite_and_the_connection_gets_normal_back(tmp_path):
    store = PlayStore(f"sqlite:///{tmp_path / 'log.db'}")
    try:
        with store.write(durable=True) as conn:
            raw = conn.connection.driver_connection
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2      # FULL for this commit
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 1             # NORMAL again
        with store.write() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    finally:
        store.close()


def test_chain_records_iso_cache_keeps_zones_apart():
    """Equal instants in two zones compare equal but hash as their own text: the ISO cache must not mix them."""
    from datetime import timedelta, timezone

    from broadcaster.playlog.bulk import chain_records
    from broadcaster.playlog.chain import GENESIS, HASHED_FIELDS, play_row, row_hash

    ict = timezone(timedelta(hours=7))
    moments = [datetime(2024, 8, 1, 5, 30), datetime(2024, 8, 1, 5, 30, tzinfo=ict),
               datetime(2024, 7, 31, 22, 30, tzinfo=timezone.utc), datetime(2024, 8, 1, 5, 30)]
    rows = []
    for i, moment in enumerate(moments):
        row = play_row("st", f"sc{i}", datetime(2024, 8, 1, 5, i), ended_at=datetime(2024, 8, 1, 6, 0), uid=f"{i:032x}")
        row["started_at"] = moment       # as a caller might hand it, zone and all
        rows.append(row)
    assert moments[1] == moments[2] and moments[1].isoformat() != moments[2].isoformat()
    for backend in ("sqlite", "postgresql"):
        batch = [dict(r) for r in rows]
        chain_records(batch, {"st": (0, GENESIS)}, backend, row_hash, HASHED_FIELDS)
        prev = GENESIS
        for r in batch:
            assert r["row_hash"] == row_hash(r, prev)
            prev = r["row_hash"]
