"""Play log: migrations, hash chain and verify, import, confirm, concurrency, sync — on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from broadcaster.cli import main
from broadcaster.errors import BroadcasterError
from broadcaster.playlog.confirm import confirm_plan
from broadcaster.playlog.importer import ImportRejected, import_file
from broadcaster.playlog.store import MIGRATIONS, PlayIn, PlayStore, open_store
from broadcaster.playlog.sync import sync_to
from broadcaster.playlog.verify import verify_log
from dbfixtures import REPO, session_plan

DAY = date(2024, 8, 1)


def _csv(path, rows, header="station,script,started_at,ended_at,status,source_id"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rows(n, station="tt-my-xuyen", script="2g-thong-bao", start=datetime(2024, 8, 1, 5, 30), prefix="r"):
    out = []
    for i in range(n):
        t = start + timedelta(minutes=i)
        out.append(f"{station},{script},{t.isoformat()},{(t + timedelta(seconds=90)).isoformat()},played,{prefix}{i}")
    return out


# --- store ------------------------------------------------------------------------------------------------

def test_migrations_are_named_recorded_and_idempotent(project):
    first = open_store(project)
    assert first.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert first.migrate() == []
    again = open_store(project)
    assert again.migrate() == []
    assert again.applied_migrations() == [name for name, _ in MIGRATIONS]
    first.close()
    again.close()


def test_append_is_idempotent_and_chains_per_station(store):
    t = datetime(2024, 8, 1, 5, 30)
    plays = [PlayIn("a", "x", t + timedelta(minutes=i), ended_at=t + timedelta(minutes=i, seconds=30)) for i in range(3)]
    plays += [PlayIn("b", "x", t, source_id="b-1")]
    assert (store.append(plays).new, store.append(plays).new) == (4, 0)
    again = store.append([PlayIn("b", "y", t + timedelta(hours=1), source_id="b-1")])
    assert (again.new, again.existing) == (0, 1)     # same source_id: already there
    rows = store.list_plays(station="a")
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[1]["prev_hash"] == rows[0]["row_hash"] and rows[2]["prev_hash"] == rows[1]["row_hash"]
    assert rows[0]["duration_s"] == 30.0
    result = verify_log(store)
    assert result.ok and result.rows == 4 and result.stations == 2


def _tamper(store, sql, **params):
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_verify_reports_edited_deleted_and_inserted_rows(store):
    t = datetime(2024, 8, 1, 5, 30)
    store.append([PlayIn("a", "x", t + timedelta(minutes=i)) for i in range(6)])
    ids = [r["id"] for r in store.list_plays(station="a")]
    _tamper(store, "UPDATE plays SET status = 'failed' WHERE id = :id", id=ids[1])
    _tamper(store, "DELETE FROM plays WHERE id = :id", id=ids[3])
    _tamper(store, "DELETE FROM plays WHERE id = :id", id=ids[5])
    _tamper(store, "INSERT INTO plays (uid, station, seq, script, started_at, duration_s, status, source, prev_hash, "
                   "row_hash) VALUES ('forged', 'a', 99, 'x', :t, 60, 'played', 'import', 'p', 'h')",
            t=t + timedelta(days=1))
    forged = [r["id"] for r in store.list_plays(station="a") if r["uid"] == "forged"][0]
    result = verify_log(store)
    kinds = {(p.kind, p.ids) for p in result.problems}
    assert ("edited", (ids[1],)) in kinds
    assert ("deleted", (ids[4],)) in kinds                   # the gap before the row after the deleted one
    assert any(p.kind == "deleted" and "cuối" in p.message for p in result.problems)   # tail deletion
    assert ("inserted", (forged,)) in kinds
    assert any(str(ids[1]) in p.message for p in result.problems)


def test_verify_catches_a_row_edited_with_its_hash_recomputed(store):
    from broadcaster.playlog.store import row_hash

    t = datetime(2024, 8, 1, 5, 30)
    store.append([PlayIn("a", "x", t + timedelta(minutes=i)) for i in range(3)])
    row = store.list_plays(station="a")[1]
    row["status"] = "failed"
    _tamper(store, "UPDATE plays SET status = 'failed', row_hash = :h WHERE id = :id",
            h=row_hash(row, row["prev_hash"]), id=row["id"])
    result = verify_log(store)
    assert [(p.kind, p.ids) for p in result.problems] == [("edited", (row["id"],))]


def test_verify_reports_a_row_written_with_a_used_sequence_number(store):
    from broadcaster.playlog.store import row_hash

    t = datetime(2024, 8, 1, 5, 30)
    store.append([PlayIn("a", "x", t + timedelta(minutes=i)) for i in range(3)])
    first, second, _ = store.list_plays(station="a")
    forged = dict(second, uid="forged", script="y", id=None)
    forged["row_hash"] = row_hash(forged, first["row_hash"])
    with store.engine.begin() as conn:
        from broadcaster.playlog.store import plays

        conn.execute(plays.insert().values({k: v for k, v in forged.items() if k in plays.c and k != "id"}))
    forged_id = [r["id"] for r in store.list_plays(station="a") if r["uid"] == "forged"][0]
    result = verify_log(store)
    assert [(p.kind, p.ids) for p in result.problems] == [("inserted", (forged_id,))]


def test_log_verify_command_exit_1_names_the_rows(project, store, capsys, monkeypatch, workdir):
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    store.append([PlayIn("tt-my-xuyen", "2g-thong-bao", datetime(2024, 8, 1, 5, 30 + i)) for i in range(3)])
    assert main(["--project", str(workdir), "log", "verify"]) == 0
    assert "toàn vẹn" in capsys.readouterr().out
    victim = store.list_plays()[1]["id"]
    _tamper(store, "UPDATE plays SET duration_s = 999 WHERE id = :id", id=victim)
    assert main(["--project", str(workdir), "log", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"id {victim}" in err and "bị sửa" in err and "Traceback" not in err


def test_database_down_is_a_vietnamese_error_naming_the_url_without_password(tmp_path):
    with pytest.raises(BroadcasterError) as info:
        PlayStore("postgresql://bob:secret@127.0.0.1:1/province")
    message = str(info.value)
    assert "127.0.0.1:1/province" in message and "secret" not in message and "***" in message
    assert "không" in message and "PostgreSQL" in message
    with pytest.raises(BroadcasterError) as info:
        PlayStore(f"sqlite:///{tmp_path}/missing/folder/log.db")
    assert "missing" in str(info.value)
    with pytest.raises(BroadcasterError):
        PlayStore("mysql://x@y/z")


def test_relative_sqlite_url_is_resolved_against_the_working_folder(workdir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = PlayStore("sqlite:///broadcaster.db", workdir)
    assert (workdir / "broadcaster.db").exists() and not (tmp_path / "broadcaster.db").exists()
    s.close()


# --- import -------------------------------------------------------------------------------------------------

def test_import_csv_fills_fields_and_reimport_adds_nothing(project, store, tmp_path):
    path = _csv(tmp_path / "plays.csv", _rows(5) + [
        "xa-ngoc-to,2g-huong-dan,01/08/2024 05:45,,interrupted,",
        "xa-dai-tam,2g-nhac-nho,2024-08-01 17:00,,,"])
    first = import_file(project, store, path)
    assert (first.new, first.existing) == (7, 0)
    second = import_file(project, store, path)
    assert (second.new, second.existing) == (0, 7)
    assert "0 lượt mới, 7 lượt đã có" in second.message()
    row = store.list_plays(station="xa-ngoc-to")[0]
    assert (row["campaign"], row["form"], row["medium"], row["priority"], row["status"], row["source"]) == \
        ("dung-2g", "bai", "ip", "normal", "interrupted", "import")
    fm = store.list_plays(station="xa-dai-tam")[0]
    assert (fm["status"], fm["medium"], fm["form"]) == ("played", "fm", "nhac-nho")
    assert store.list_plays(station="tt-my-xuyen")[0]["duration_s"] == 90.0
    assert verify_log(store).ok


def test_import_rejects_the_whole_file_and_lists_every_bad_line(project, store, tmp_path):
    path = _csv(tmp_path / "bad.csv", _rows(2) + [
        "xa-khong-co,2g-thong-bao,2024-08-01T06:00:00,,played,x1",
        "tt-my-xuyen,2g-thong-bo,2024-08-01T06:01:00,,played,x2",
        "tt-my-xuyen,2g-thong-bao,32/08/2024 06:00,,played,x3",
        "tt-my-xuyen,2g-thong-bao,2024-08-01T06:03:00,,aired,x4",
    ])
    with pytest.raises(ImportRejected) as info:
        import_file(project, store, path, display="bad.csv")
    message = str(info.value)
    for line in (4, 5, 6, 7):
        assert f"bad.csv:{line}:" in message
    assert "2g-thong-bao" in message          # did-you-mean for the misspelt script
    assert "chưa nhập lượt phát nào" in message and "4 dòng lỗi" in message
    assert store.count() == 0


def test_import_missing_required_column(project, store, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("station,started_at\ntt-my-xuyen,2024-08-01T05:30\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="script"):
        import_file(project, store, path)


def test_import_json_with_platform_field_names(project, store, tmp_path):
    from zoneinfo import ZoneInfo

    epoch = int(datetime(2024, 8, 1, 5, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp())
    items = [
        {"DichID": "xa-ngoc-to", "BanTinID": "2g-thong-bao", "ThoiDiemBatDau": epoch, "ThoiLuong": "00:02:05",
         "NhatKyID": "gtech-1", "TieuDe": "bỏ qua"},
        {"station": "xa-ngoc-to", "script": "2g-nhac-nho", "started_at": "2024-08-01T09:30:00+07:00",
         "status": "played"},
        {"station": "xa-ngoc-to", "script": "2g-nhac-nho", "started_at": "2024-08-01T02:45:00Z"},
    ]
    path = tmp_path / "asplayed.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    result = import_file(project, store, path)
    assert result.new == 3
    rows = store.list_plays(station="xa-ngoc-to")
    assert [r["started_at"] for r in rows] == [datetime(2024, 8, 1, 5, 30), datetime(2024, 8, 1, 9, 30),
                                              datetime(2024, 8, 1, 9, 45)]
    assert rows[0]["duration_s"] == 125.0 and rows[0]["source_id"] == "gtech-1"
    assert import_file(project, store, path).existing == 3


def test_import_json_bad_item_reports_its_line(project, store, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n {"station": "tt-my-xuyen", "script": "2g-thong-bao", "started_at": "2024-08-01T05:30"},\n'
                    ' {"station": "tt-my-xuyen", "script": "2g-thong-bao", "started_at": "hôm qua"}\n]\n',
                    encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(project, store, path, display="bad.json")
    assert "bad.json:3:" in str(info.value)
    assert store.count() == 0


def test_two_concurrent_imports_count_every_row_once(project, store, tmp_path):
    a = _csv(tmp_path / "a.csv", _rows(300, prefix="a") + _rows(200, station="xa-dai-tam", prefix="d"))
    b = _csv(tmp_path / "b.csv", _rows(300, prefix="a")[100:] + _rows(150, station="xa-ngoc-to", prefix="n"))
    results = []
    errors = []

    def run(path):
        try:
            s = open_store(project)
            results.append(import_file(project, s, path))
            s.close()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count() == 300 + 200 + 150
    assert sum(r.new for r in results) == 650
    assert verify_log(store).ok


def test_two_import_processes_at_once(project, store, tmp_path, workdir):
    a = _csv(tmp_path / "a.csv", _rows(400, prefix="p"))
    b = _csv(tmp_path / "b.csv", _rows(400, prefix="p")[200:] + _rows(100, station="xa-tham-don", prefix="q"))
    env = dict(os.environ, BROADCASTER_DATABASE_URL=project.database_url, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-m", "broadcaster", "--project", str(workdir), "log", "import", str(p)],
                              env=env, stderr=subprocess.PIPE, text=True) for p in (a, b, a)]
    outputs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert store.count() == 500
    assert verify_log(store).ok


def test_log_import_command_messages(project, workdir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    path = _csv(tmp_path / "p.csv", _rows(3))
    assert main(["--project", str(workdir), "log", "import", str(path)]) == 0
    assert "3 lượt mới, 0 lượt đã có" in capsys.readouterr().err
    assert main(["--project", str(workdir), "log", "import", str(path)]) == 0
    assert "0 lượt mới, 3 lượt đã có" in capsys.readouterr().err
    bad = _csv(tmp_path / "bad.csv", ["tt-my-xuyen,nope,2024-08-01T05:30,,played,"])
    assert main(["--project", str(workdir), "log", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:2:" in err and "Traceback" not in err
    assert main(["--project", str(workdir), "log", "list", "--format", "json", "--from", "2024-08-01",
                 "--to", "2024-08-01"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 3 and listed[0]["station"] == "tt-my-xuyen" and listed[0]["status"] == "played"
    assert main(["--project", str(workdir), "log", "list", "--format", "csv", "--status", "failed"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("id,station,script,started_at")



@pytest.mark.parametrize("status, expected", [("failed", {"r1"}), ("loi", {"r1"}), ("Lỗi", {"r1"}),
                                              ("da-phat", {"r0", "r2"}), ("Đã phát", {"r0", "r2"}),
                                              ("đã-phát", {"r0", "r2"}), ("bi ngat", set()), ("PLAYED", {"r0", "r2"})])
def test_log_list_status_takes_the_vietnamese_words_the_table_shows(project, workdir, tmp_path, capsys, monkeypatch,
                                                                    status, expected):
    # Trial C: `--status da-phat` was refused although the table prints "Đã phát" and `log import` takes da-phat.
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    rows = _rows(3)
    rows[1] = rows[1].replace(",played,", ",failed,")
    assert main(["--project", str(workdir), "log", "import", str(_csv(tmp_path / "p.csv", rows))]) == 0
    capsys.readouterr()
    assert main(["--project", str(workdir), "log", "list", "--format", "json", "--status", status]) == 0
    assert {r["source_id"] for r in json.loads(capsys.readouterr().out)} == expected


def test_log_list_refuses_an_unknown_status_listing_both_words(workdir, capsys):
    assert main(["--project", str(workdir), "log", "list", "--status", "xong"]) == 2
    assert ('"xong" không hợp lệ — chọn một trong: played (đã phát), interrupted (bị ngắt), failed (lỗi), '
            'missed (bỏ lỡ)') in capsys.readouterr().err
    assert main(["--project", str(workdir), "log", "list", "--source", "Nhập tệp", "--format", "json"]) == 0


# --- confirm ------------------------------------------------------------------------------------------------

def test_confirm_logs_the_plan_once(project, store):
    plan = session_plan(project, DAY, "xa-tham-don", "sang", "06:00", ["2g-thong-bao", "2g-huong-dan"]) + \
        session_plan(project, DAY, "xa-tham-don", "chieu", "17:00", ["2g-thong-bao", "2g-nhac-nho"])
    first = confirm_plan(project, store, DAY, "xa-tham-don", "sang", plan=plan)
    assert (first.planned, first.new, first.existing) == (2, 2, 0)
    again = confirm_plan(project, store, DAY, "xa-tham-don", plan=plan)
    assert (again.planned, again.new, again.existing) == (4, 2, 2)
    rows = store.list_plays(station="xa-tham-don")
    assert {r["source"] for r in rows} == {"confirm"} and all(r["scheduled_at"] == r["started_at"] for r in rows)
    assert rows[0]["started_at"] == datetime(2024, 8, 1, 6, 0) and rows[0]["duration_s"] == 60.0
    with pytest.raises(BroadcasterError, match="phiên"):
        confirm_plan(project, store, DAY, "xa-tham-don", "toi", plan=plan)
    with pytest.raises(BroadcasterError, match="xa-tham-don"):
        confirm_plan(project, store, DAY, "xa-tham-dn", plan=plan)


def test_log_confirm_command_with_the_real_schedule(project, workdir, capsys, monkeypatch):
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    args = ["--project", str(workdir), "log", "confirm", "--date", "2024-08-05", "--station", "xa-dai-tam",
            "--session", "sang"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "lượt mới" in err
    assert main(args) == 0
    assert "0 lượt mới" in capsys.readouterr().err
    s = open_store(project)
    assert s.count() >= 1 and verify_log(s).ok
    s.close()


# --- sync ---------------------------------------------------------------------------------------------------

def test_sync_is_idempotent_and_resumes_after_a_cut(project, db_url, tmp_path):
    local = PlayStore(f"sqlite:///{tmp_path}/station.db")
    t = datetime(2024, 8, 1, 5, 30)
    local.append([PlayIn("xa-ngoc-to", "2g-thong-bao", t + timedelta(minutes=i), source_id=f"s{i}")
                  for i in range(25)])
    remote = PlayStore(db_url)
    remote.append([PlayIn("xa-ngoc-to", "2g-thong-bao", t + timedelta(minutes=3), source_id="s3")])  # already there

    class Cut(Exception):
        pass

    calls = {"n": 0}
    real_append = remote.append

    def flaky(rows, **kw):  # the connection is cut during the third batch
        calls["n"] += 1
        if calls["n"] == 3:
            raise Cut()
        return real_append(rows, **kw)

    remote.append = flaky
    with pytest.raises(Cut):
        sync_to(local, remote, batch=10)
    assert remote.count() == 20          # two batches committed (one row was already there)
    remote.append = real_append
    result = sync_to(local, remote, batch=10)
    assert (result.sent, result.new) == (5, 5)
    assert remote.count() == 25
    assert sync_to(local, remote, batch=10).sent == 0
    # Forget the progress: everything is resent and recognised.
    with local.engine.begin() as conn:
        conn.execute(text("DELETE FROM sync_progress"))
    again = sync_to(local, remote, batch=10)
    assert (again.sent, again.new, again.existing) == (25, 0, 25)
    assert verify_log(remote).ok and verify_log(local).ok
    local_uids = {r["uid"] for r in local.list_plays()}
    assert {r["uid"] for r in remote.list_plays()} - local_uids == {
        r["uid"] for r in remote.list_plays() if r["source_id"] == "s3"}
    local.close()
    remote.close()


def test_log_sync_command_to_postgresql(workdir, tmp_path, pg_url, capsys, monkeypatch):
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", f"sqlite:///{tmp_path}/station.db")
    path = _csv(tmp_path / "p.csv", _rows(12))
    assert main(["--project", str(workdir), "log", "import", str(path)]) == 0
    assert main(["--project", str(workdir), "log", "sync", "--to", pg_url, "--batch", "5"]) == 0
    assert "12 lượt mới" in capsys.readouterr().err
    assert main(["--project", str(workdir), "log", "sync", "--to", pg_url]) == 0
    assert "gửi 0 lượt" in capsys.readouterr().err
    remote = PlayStore(pg_url)
    assert remote.count() == 12 and verify_log(remote).ok
    remote.close()


def test_play_row_takes_its_optional_columns_by_name_only():
    """Thirteen optional columns by position would be easy to swap: only station, script and start are positional."""
    from broadcaster.playlog.store import play_row

    with pytest.raises(TypeError):
        play_row("xa-a", "b1", datetime(2024, 8, 6, 17, 0), "played")
    row = play_row("xa-a", "b1", datetime(2024, 8, 6, 17, 0), ended_at=datetime(2024, 8, 6, 17, 2), source="confirm")
    assert (row["duration_s"], row["source"], row["duration_source"]) == (120.0, "confirm", "confirm")
