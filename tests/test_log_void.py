"""Log corrections (issue 12 item 5): voiding a mistaken play — a chained void row, reports without it — on both backends."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from broadcaster.cli import main
from broadcaster.playlog.chain import play_row, row_hash
from broadcaster.playlog.schema import REASON_MAX, chain_heads, plays
from broadcaster.playlog.store import MIGRATIONS, PlayIn, PlayStore, open_store
from broadcaster.playlog.sync import sync_to
from broadcaster.playlog.verify import verify_log
from broadcaster.playlog.voids import VoidRefused, void_play
from broadcaster.report import render
from broadcaster.report.aggregate import build_report, month_period

AUGUST = month_period("2024-08")
T0 = datetime(2024, 8, 5, 5, 30)
NOW = datetime(2024, 8, 20, 9, 15)


def _august(store):
    """Four plays: three played (120 s, 60 s, 90 s: the last at another station), one interrupted."""
    store.append([
        PlayIn("xa-dai-tam", "2g-thong-bao", T0, ended_at=T0 + timedelta(seconds=120)),
        PlayIn("xa-dai-tam", "2g-nhac-nho", T0 + timedelta(days=1), ended_at=T0 + timedelta(days=1, seconds=60)),
        PlayIn("xa-dai-tam", "2g-thong-bao", T0 + timedelta(days=2), status="interrupted",
               ended_at=T0 + timedelta(days=2, seconds=20)),
        PlayIn("tt-my-xuyen", "2g-thong-bao", T0, ended_at=T0 + timedelta(seconds=90)),
    ])
    return {(r["station"], r["started_at"]): r["id"] for r in store.list_plays()}


def _raw(store) -> list[dict]:
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(plays).order_by(plays.c.id))]


def _heads(store) -> list[tuple]:
    with store.read() as conn:
        return sorted(tuple(r) for r in conn.execute(select(chain_heads)))


def test_void_appends_a_chained_row_and_leaves_the_play_untouched(store):
    ids = _august(store)
    victim = ids[("xa-dai-tam", T0)]
    before = {r["id"]: r for r in _raw(store)}
    result = void_play(store, victim, "  Nhập nhầm:\n đài Đại Tâm   không phát ", now=NOW)
    after = {r["id"]: r for r in _raw(store)}
    assert {i: after[i] for i in before} == before            # every old row exactly as it was
    void = after[result.void_id]
    assert set(after) - set(before) == {result.void_id}
    assert (void["status"], void["source"], void["voids"], void["reason"]) == \
        ("void", "void", before[victim]["uid"], "Nhập nhầm: đài Đại Tâm không phát")
    assert (void["station"], void["seq"], void["started_at"], void["duration_s"], void["scheduled_at"]) == \
        ("xa-dai-tam", 4, NOW, 0.0, None)
    station_rows = [r for r in after.values() if r["station"] == "xa-dai-tam"]
    assert void["prev_hash"] == max(station_rows, key=lambda r: r["seq"] if r is not void else 0)["row_hash"]
    assert void["row_hash"] == row_hash(void, void["prev_hash"])
    assert verify_log(store).ok and verify_log(store).rows == 5
    assert result.message().startswith(f"Đã hủy lượt phát mã {victim} (xa-dai-tam, 2g-thong-bao, bắt đầu 05/08/2024")
    # The list shows the play as voided, with why and when; the void row itself only on request.
    listed = store.list_plays()
    assert len(listed) == 4 and all(r["status"] != "void" for r in listed)
    voided = [r for r in listed if r["voided_by"] is not None]
    assert [(r["id"], r["voided_by"], r["void_reason"], r["voided_at"]) for r in voided] == \
        [(victim, result.void_id, "Nhập nhầm: đài Đại Tâm không phát", NOW)]
    assert len(store.list_plays(include_voids=True)) == 5
    recent = store.recent_plays(10)
    assert len(recent) == 4 and [r["voided_by"] for r in recent if r["id"] == victim] == [result.void_id]


@pytest.mark.parametrize("case", ["twice", "void_row", "unknown", "empty", "spaces", "too_long", "not_a_number",
                                  "beyond_64_bits", "superscript_digit", "control_characters"])
def test_refused_voids_say_why_in_vietnamese_and_change_nothing(store, case):
    ids = _august(store)
    victim = ids[("xa-dai-tam", T0)]
    first = void_play(store, victim, "trùng lượt", now=NOW)
    rows, heads = _raw(store), _heads(store)
    target, reason, expected = {
        "twice": (victim, "lần nữa", f"lượt phát mã {victim} đã được hủy lúc 20/08/2024 09:15:00 (dòng hủy mã "
                                     f"{first.void_id}, lý do: trùng lượt)"),
        "void_row": (first.void_id, "hủy dòng hủy", f"mã {first.void_id} là một dòng hủy lượt phát (đã hủy lượt "
                                                    f"mã {victim})"),
        "unknown": (9999, "không có", "không có lượt phát mã 9999 trong nhật ký"),
        "empty": (ids[("tt-my-xuyen", T0)], "", "chưa ghi lý do hủy lượt phát mã"),
        "spaces": (ids[("tt-my-xuyen", T0)], " \t\n ", "chưa ghi lý do hủy lượt phát mã"),
        "too_long": (ids[("tt-my-xuyen", T0)], "x" * (REASON_MAX + 1), f"dài {REASON_MAX + 1} ký tự, quá {REASON_MAX}"),
        "not_a_number": ("12a", "lý do", 'mã lượt phát không hợp lệ "12a"'),
        # typed or pasted by hand: no database error in English, no crash of int()
        "beyond_64_bits": ("9" * 23, "lý do", f"không có lượt phát mã {'9' * 23} trong nhật ký"),
        "superscript_digit": ("²", "lý do", 'mã lượt phát không hợp lệ "²"'),
        "control_characters": (ids[("tt-my-xuyen", T0)], "\x00\x07", "chưa ghi lý do hủy lượt phát mã"),
    }[case]
    with pytest.raises(VoidRefused) as info:
        void_play(store, target, reason, now=NOW + timedelta(minutes=1))
    assert expected in info.value.message
    assert "Traceback" not in str(info.value)
    assert _raw(store) == rows and _heads(store) == heads
    assert verify_log(store).ok


def test_the_database_refuses_a_second_void_of_the_same_play(store):
    ids = _august(store)
    uid = next(r["uid"] for r in _raw(store) if r["id"] == ids[("tt-my-xuyen", T0)])

    def void_row(minute):
        row = play_row("tt-my-xuyen", "2g-thong-bao", NOW + timedelta(minutes=minute), status="void", source="void")
        row["voids"], row["reason"] = uid, "viết thẳng, không qua void_play"
        return row

    assert store.append([void_row(0)]).new == 1
    with pytest.raises(IntegrityError):
        store.append([void_row(1)], retries=1)


def test_a_changed_reason_or_target_is_tampering(store):
    ids = _august(store)
    result = void_play(store, ids[("xa-dai-tam", T0)], "ghi nhầm", now=NOW)
    with store.write() as conn:
        conn.execute(text("UPDATE plays SET reason = 'lý do khác' WHERE id = :id"), {"id": result.void_id})
    found = verify_log(store)
    assert not found.ok and found.problems[0].ids == (result.void_id,)


def test_rows_without_a_void_keep_the_hash_they_had():
    row = play_row("a", "x", datetime(2024, 8, 1, 5, 30), ended_at=datetime(2024, 8, 1, 5, 31))
    plain = {k: v for k, v in row.items()}
    assert row_hash(dict(plain, voids=None, reason=None), "0" * 64) == row_hash(plain, "0" * 64)
    assert row_hash(dict(plain, voids="u" * 32, reason="r"), "0" * 64) != row_hash(plain, "0" * 64)


def test_migration_0005_adds_the_columns_and_old_rows_still_verify(project):
    store = open_store(project)
    store.append([PlayIn("xa-dai-tam", "2g-thong-bao", T0 + timedelta(hours=h), ended_at=T0 + timedelta(hours=h, minutes=1))
                  for h in range(3)])
    # As a database before 0005 holds it: no voids/reason columns, no index.
    with store.write() as conn:
        conn.execute(text("DROP INDEX uq_plays_voids"))
        conn.execute(text("ALTER TABLE plays DROP COLUMN voids"))
        conn.execute(text("ALTER TABLE plays DROP COLUMN reason"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0005_void_rows'"))
    store.close()
    reopened = open_store(project)
    try:
        assert "0005_void_rows" in [name for name, _ in MIGRATIONS]
        assert reopened.applied_migrations() == [name for name, _ in MIGRATIONS]
        assert verify_log(reopened).ok
        first = reopened.list_plays()[0]["id"]
        void_play(reopened, first, "ghi nhầm giờ", now=NOW)
        assert verify_log(reopened).ok
        with pytest.raises(VoidRefused):
            void_play(reopened, first, "lần hai", now=NOW)
    finally:
        reopened.close()


def test_report_leaves_voided_plays_out_of_every_count_and_format(project, store):
    ids = _august(store)
    plain = build_report(project, store, AUGUST, plan=[])
    assert (plain.totals.plays, plain.totals.interrupted, plain.totals.airtime_s, plain.totals.voided) == \
        (3, 1, 270.0, 0)
    void_play(store, ids[("xa-dai-tam", T0)], "đài Đại Tâm mất điện, không phát", now=NOW)
    void_play(store, ids[("xa-dai-tam", T0 + timedelta(days=2))], "ghi trùng", now=NOW)
    report = build_report(project, store, AUGUST, plan=[])
    t = report.totals
    assert (t.plays, t.interrupted, t.failed, t.missed, t.airtime_s, t.voided) == (2, 0, 0, 0, 150.0, 2)
    assert report.chain_ok is True
    tam = next(s for s in report.stations if s.station == "xa-dai-tam")
    assert (tam.counts.plays, tam.counts.voided) == (1, 2)
    assert sum(report.per_day["xa-dai-tam"]) == 1 and report.per_day["xa-dai-tam"][4] == 0
    # The official summary table has no line made only of voided plays.
    assert sum(r.counts.plays for r in report.summary) == 2
    assert all(not r.counts.only_voided for r in report.summary)
    line = "Số lượt đã hủy: 2 lượt phát ghi nhầm"
    table = render(report, "table")
    assert "Tổng: 2 lượt đã phát (2,5 phút), 0 bị ngắt" in table and line in table
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert sum(int(r["plays"]) for r in rows) == 2 and sum(int(r["voided"]) for r in rows) == 2
    assert sum(float(r["airtime_s"]) for r in rows) == 150.0
    book = load_workbook(io.BytesIO(render(report, "xlsx", project)))
    detail = list(book["Chi tiết"].values)
    assert detail[0][-1] == "Số lượt đã hủy" and detail[-1][-1] == 2 and detail[-1][4] == 2
    assert any(line in str(v) for row in book["Thông tin"].values for v in row)
    from docx import Document

    doc = Document(io.BytesIO(render(report, "docx", project)))
    assert any(line in p.text for p in doc.paragraphs)
    assert render(report, "png").startswith(b"\x89PNG")
    # Only one station's report: the other station's rows are not counted as voided.
    other = build_report(project, store, AUGUST, station="tt-my-xuyen", plan=[])
    assert (other.totals.plays, other.totals.voided) == (1, 0)


def test_log_void_command(project, store, workdir, capsys, monkeypatch):
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    ids = _august(store)
    victim = ids[("xa-dai-tam", T0)]
    args = ["--project", str(workdir), "log"]
    assert main(args + ["void", str(victim)]) == 1
    err = capsys.readouterr().err
    assert f"chưa ghi lý do hủy lượt phát mã {victim}" in err and '--reason "…"' in err and "Traceback" not in err
    assert main(args + ["void", str(victim), "--reason", "xác nhận nhầm phiên sáng"]) == 0
    assert f"Đã hủy lượt phát mã {victim}" in capsys.readouterr().err
    assert main(args + ["void", str(victim), "--reason", "lần nữa"]) == 1
    assert "đã được hủy" in capsys.readouterr().err
    assert main(args + ["void", "abc", "--reason", "x"]) == 1
    assert 'mã lượt phát không hợp lệ "abc"' in capsys.readouterr().err
    assert main(args + ["list", "--format", "json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(listed) == 4 and listed[victim]["void_reason"] == "xác nhận nhầm phiên sáng"
    assert listed[victim]["voided_by"] is not None and listed[ids[("tt-my-xuyen", T0)]]["voided_by"] is None
    assert main(args + ["list", "--format", "csv"]) == 0
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows[victim]["void_reason"] == "xác nhận nhầm phiên sáng" and rows[victim]["status"] == "played"
    assert main(args + ["list"]) == 0
    table = capsys.readouterr().out
    assert "Đã hủy: xác nhận nhầm phiên sáng" in table
    assert main(args + ["verify"]) == 0
    assert "Nhật ký toàn vẹn: 5 lượt phát" in capsys.readouterr().out
    assert main(args + ["void", "--help"]) == 0
    assert "Hủy một lượt phát ghi nhầm" in capsys.readouterr().out


def test_a_void_row_travels_with_sync_and_the_province_counts_without_it(project, store, tmp_path):
    ids = _august(store)
    void_play(store, ids[("xa-dai-tam", T0)], "ghi nhầm", now=NOW)
    remote = PlayStore(f"sqlite:///{tmp_path / 'province.db'}")
    try:
        assert sync_to(store, remote).new == 5
        assert verify_log(remote).ok
        report = build_report(project, remote, AUGUST, plan=[])
        assert (report.totals.plays, report.totals.voided) == (2, 1)
        assert [r["void_reason"] for r in remote.list_plays() if r["voided_by"]] == ["ghi nhầm"]
    finally:
        remote.close()
