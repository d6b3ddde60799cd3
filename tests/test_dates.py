"""No crash on any date: every date, time and month in every file and option is refused with a
Vietnamese message (FILE:LINE for files), never "lỗi không mong đợi"."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from broadcaster.cli import main
from broadcaster.yamlfile import DateSafeLoader, load_yaml


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    runner = CliRunner(mix_stderr=False)
    with runner.isolation(input=stdin) as (out, err):
        code = main(args)
        return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(folder: Path, name: str, needle: str) -> int:
    for number, line in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_the_issue_example_schedule_from_30_february(fake_folder):
    edit(fake_folder, "schedules/2g.yaml", "from: 2024-07-15", "from: 2024-02-30")
    code, out, err = run(["--project", str(fake_folder), "check"])
    assert code == 1
    assert out.splitlines() == [
        'schedules/2g.yaml:7: ngày không hợp lệ "2024-02-30" — viết theo dạng YYYY-MM-DD (2024-07-15) '
        "hoặc dd/mm/yyyy (15/07/2024)"]
    assert "không mong đợi" not in err and "ValueError" not in out + err
    assert err.strip() == "Có 1 lỗi, 0 cảnh báo."
    # every command that reads the schedule says the same, with exit 1
    code, _, err = run(["--project", str(fake_folder), "plan", "--from", "2024-08-01"])
    assert code == 1 and 'schedules/2g.yaml:7: ngày không hợp lệ "2024-02-30"' in err


# (file, text to replace, replacement, the value named in the message)
FILE_FIELDS = [
    ("schedules/2g.yaml", "until: 2024-09-30", "until: 2024-09-31", "2024-09-31"),
    ("schedules/2g.yaml", "exclude: [2024-09-02]", "exclude: [2024-13-02]", "2024-13-02"),
    ("schedules/2g.yaml", "exclude: [2024-09-02]", "dates: [0000-01-01]", "0000-01-01"),
    ("schedules/2g.yaml", "exclude: [2024-09-02]", "exclude: [29/02/2023]", "29/02/2023"),
    ("schedules/2g.yaml", "from: 2024-08-01}", "from: 2024-02-30}", "2024-02-30"),
    ("schedules/2g.yaml", "from: 2024-08-01}", "from: 2024-08-01 25:00}", "2024-08-01 25:00"),
    ("schedules/2g.yaml", "from: 2024-08-01}", "from: 2024-08-01, dates: [2023-02-29]}", "2023-02-29"),
    ("broadcaster.yaml", "    from: 2024-07-15", "    from: 2024-02-30", "2024-02-30"),
    ("broadcaster.yaml", "    until: 2024-09-30", "    until: 9999-99-99", "9999-99-99"),
    ("broadcaster.yaml", 'start: "05:30", end: "06:00"', 'start: "25:30", end: "06:00"', "25:30"),
    ("broadcaster.yaml", 'start: "05:30", end: "06:00"', "start: 05:61, end: 06:00", "05:61"),
    ("broadcaster.yaml", 'start: "05:30", end: "06:00"', "start: 2024-02-30, end: 06:00", "2024-02-30"),
    ("broadcaster.yaml", "period_end_day: 15", "period_end_day: 32", "32"),
    ("broadcaster.yaml", "period_end_day: 15", "period_end_day: 2024-02-30", "2024-02-30"),
    ("scripts/2g-thong-bao.yaml", "valid: {from: 2024-07-15", "valid: {from: 2024-02-30", "2024-02-30"),
    ("scripts/2g-thong-bao.yaml", "until: 2024-09-30}", "until: 2024-04-31}", "2024-04-31"),
]


@pytest.mark.parametrize("name, old, new, value", FILE_FIELDS, ids=lambda v: str(v)[:30])
def test_every_date_and_time_field_is_a_check_error_with_its_line(fake_folder, name, old, new, value):
    if not (fake_folder / name).exists():
        pytest.fail(f"sample file missing: {name}")
    edit(fake_folder, name, old, new)
    line = line_of(fake_folder, name, new.split("\n")[0])
    code, out, err = run(["--project", str(fake_folder), "check"])
    assert code == 1, out + err
    assert "không mong đợi" not in err and "Error" not in out + err
    mine = [ln for ln in out.splitlines() if ln.startswith(f"{name}:{line}: ")]
    assert mine, out
    assert any(value in ln for ln in mine), out


def test_a_lexicon_key_shaped_like_an_impossible_date_does_not_crash(fake_folder):
    (fake_folder / "lexicon.yaml").write_text('2024-02-30: "ngày ba mươi tháng hai"\nUBND: "ủy ban"\n',
                                              encoding="utf-8")
    code, out, err = run(["--project", str(fake_folder), "check"])
    assert "không mong đợi" not in err
    code, out, err = run(["--project", str(fake_folder), "normalize", "UBND họp"])
    assert code == 0, err
    assert out.strip() == "ủy ban họp"


def test_yaml_keeps_an_impossible_date_as_the_text_written():
    data = yaml.load("a: 2024-02-30\nb: 2024-02-29\nc: 2024-02-30 10:00\nd: 0000-01-01\n", Loader=DateSafeLoader)
    assert data == {"a": "2024-02-30", "b": __import__("datetime").date(2024, 2, 29), "c": "2024-02-30 10:00",
                    "d": "0000-01-01"}
    # the plain SafeLoader is untouched
    with pytest.raises(ValueError):
        yaml.load("a: 2024-02-30", Loader=yaml.SafeLoader)


def test_load_yaml_gives_no_problem_for_the_date_itself(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("from: 2024-02-30\n", encoding="utf-8")
    data, problems = load_yaml(path, "x.yaml")
    assert problems == [] and data == {"from": "2024-02-30"}


BAD_DATES = ["2024-02-30", "31/02/2024", "2024-13-01", "0000-01-01", "9999-12-31", "00/00/0000", "2024-2-30",
             "hôm qua", ""]


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize("args", [
    ["plan", "--from", "{}"],
    ["program", "--date", "{}"],
    ["export", "m3u", "--date", "{}", "--to", "out"],
    ["log", "confirm", "--date", "{}", "--station", "xa-dai-tam"],
    ["log", "list", "--from", "{}"],
    ["log", "list", "--to", "{}"],
    ["report", "--from", "{}", "--to", "2024-08-31"],
    ["report", "--month", "{}"],
    ["report", "--period", "{}"],
    ["play", "--station", "xa-dai-tam", "--sink", "null", "--until", "{}T10:00"],
], ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else None)
def test_every_date_option_refuses_impossible_dates_in_vietnamese(fake_folder, args, value):
    argv = [a.replace("{}", value) for a in args]
    code, out, err = run(["--project", str(fake_folder), *argv])
    assert code in (1, 2), (argv, code, out, err)
    assert "không mong đợi" not in err and "Traceback" not in err and "Error" not in err, (argv, err)
    assert err.startswith(("lỗi:", "Cách dùng:")), (argv, err)
