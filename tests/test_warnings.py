"""Warnings once: each distinct warning is shown once per run with its count; commands that do not
read schedules show no schedule warnings."""
from __future__ import annotations

import re

from click.testing import CliRunner

from broadcaster.cli import main
from broadcaster.errors import Problem
from broadcaster.notices import WarningCollector, split_words_warning


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    runner = CliRunner(mix_stderr=False)
    with runner.isolation(input=stdin) as (out, err):
        code = main(args)
        return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


# --- the collector ------------------------------------------------------------------------------

def test_collector_shows_each_distinct_warning_once_with_its_count():
    notices = WarningCollector()
    for _ in range(12):
        notices.add("tệp âm thanh chưa được tạo")
    notices.add("giọng đọc khác")
    notices.add(Problem("schedules/2g.yaml", 13, "kịch bản hết hiệu lực", "warning"))
    notices.add(Problem("schedules/2g.yaml", 13, "kịch bản hết hiệu lực", "warning"))
    assert notices.lines() == [
        "cảnh báo: tệp âm thanh chưa được tạo (×12)",
        "cảnh báo: giọng đọc khác",
        "schedules/2g.yaml:13: cảnh báo: kịch bản hết hiệu lực (×2)",
    ]
    assert notices.counts()[0] == ("cảnh báo: tệp âm thanh chưa được tạo", 12)
    assert len(notices) == 3


def test_flush_shows_a_warning_once_even_when_it_comes_back_later():
    notices = WarningCollector()
    shown: list[str] = []
    notices.add("a")
    assert notices.flush(shown.append) == 1
    notices.add("a")
    notices.add("b")
    assert notices.flush(shown.append) == 1
    assert notices.flush(shown.append) == 0
    assert shown == ["cảnh báo: a", "cảnh báo: b"]


WORDS_TEMPLATE = "các từ viết tắt chưa có trong bảng: {words} (thêm vào lexicon.yaml nếu cần đọc khác)"


def test_word_list_warnings_merge_into_one_line_with_a_count_per_word():
    template = WORDS_TEMPLATE
    notices = WarningCollector()
    for words in (["ABC"], ["XYZ", "ABC"], ["ABC"]):
        notices.add_words(template, words)
    assert notices.lines() == ["cảnh báo: " + template.format(words="ABC (×3), XYZ")]


def test_split_words_warning_reads_back_the_normaliser_warning():
    template = WORDS_TEMPLATE
    assert split_words_warning(template, template.format(words="ABC, XYZ")) == ["ABC", "XYZ"]
    assert split_words_warning(template, "văn bản dùng bảng mã VNI") is None


# --- normalize: one warning for a long input -----------------------------------------------------

def test_normalize_prints_a_repeated_warning_once_with_its_count(tmp_path):
    lines = ["Họp tổ dân phố với ABC lúc 7h30."] * 300 + ["XYZ và ABC"] * 20 + ["Kính thưa bà con."] * 30
    code, out, err = run(["--project", str(tmp_path), "normalize", "-"], stdin="\n".join(lines) + "\n")
    assert code == 0, err
    assert len(out.splitlines()) == 350
    assert err.splitlines() == [
        'cảnh báo: đọc chưa chắc: «ABC» → «a bê xê» (chữ viết tắt chưa có trong bảng); muốn đọc khác, '
        'thêm vào lexicon.yaml dòng  "ABC": "cách đọc" (×320)',
        'cảnh báo: đọc chưa chắc: «XYZ» → «ích i dét» (chữ viết tắt chưa có trong bảng); muốn đọc khác, '
        'thêm vào lexicon.yaml dòng  "XYZ": "cách đọc" (×20)']


def test_normalize_of_a_big_file_prints_a_handful_of_lines_not_one_per_line(tmp_path):
    lines = [f"Ngày {i % 28 + 1}/8/2024, tổ {i} họp với KQT và TXB." for i in range(3000)]
    code, out, err = run(["--project", str(tmp_path), "normalize", "-"], stdin="\n".join(lines))
    assert code == 0
    assert len(out.splitlines()) == 3000
    assert len(err.splitlines()) == 2
    assert re.search(r"«KQT».*\(×3000\)", err) and re.search(r"«TXB».*\(×3000\)", err)


# --- schedule warnings: once, and only from commands that read schedules -----------------------

def _folder_with_schedule_warnings(fake_folder):
    schedule = fake_folder / "schedules" / "2g.yaml"
    text = schedule.read_text(encoding="utf-8")
    schedule.write_text(text.replace("until: 2024-09-30", "until: 2024-12-30"), encoding="utf-8")
    return fake_folder


def test_plan_prints_each_schedule_warning_once(fake_folder):
    folder = _folder_with_schedule_warnings(fake_folder)
    code, out, err = run(["--project", str(folder), "plan", "--from", "2024-08-01", "--to", "2024-08-07"])
    assert code == 0, err
    warnings = [ln for ln in err.splitlines() if "cảnh báo:" in ln]
    assert len(warnings) == 6
    assert len(set(warnings)) == len(warnings)
    assert all(ln.startswith("schedules/2g.yaml:1") for ln in warnings)


def test_commands_that_do_not_read_schedules_print_no_schedule_warnings(fake_folder):
    folder = _folder_with_schedule_warnings(fake_folder)
    log = folder / "plays.csv"
    log.write_text("station,script,started_at,ended_at\n"
                   "xa-dai-tam,2g-thong-bao,2024-08-06T17:00:00,2024-08-06T17:01:00\n", encoding="utf-8")
    for args in (["log", "import", str(log)], ["log", "list"], ["log", "verify"],
                 ["report", "--month", "2024-08", "--format", "csv"], ["normalize", "Kính thưa bà con"]):
        code, _, err = run(["--project", str(folder), *args])
        assert code == 0, (args, err)
        assert "schedules/" not in err and "cảnh báo" not in err, (args, err)
