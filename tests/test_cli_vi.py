"""The command line speaks Vietnamese all the way: click's frame, usage errors, help of every command,
`say -` from standard input, Vietnamese labels in `log list`."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from broadcaster import clickvi
from broadcaster.cli import cli, main

# Words of click's English frame; none may reach staff (help, usage line, errors).
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Error:|Try '|for help|Show this message|Show the version|"
    r"\[OPTIONS\]|COMMAND \[ARGS\]|\bMissing\b|\bNo such\b|Invalid value|is not one of|is not a valid|"
    r"does not exist|unexpected extra|Did you mean|Possible options|requires an argument|does not take a value|"
    r"\bdefault:|\brequired\b|\bTEXT\b|\bINTEGER\b|\bFLOAT\b|\bRANGE\b|\bPATH\b|\bFILENAME\b|\bDIRECTORY\b|"
    r"\bFILE\b|(?<![-(])\bversion\b|Aborted|Traceback")


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """Run the real entry point (`main`, with its error handling) under CliRunner's isolation."""
    runner = CliRunner(mix_stderr=False)
    with runner.isolation(input=stdin) as (out, err):
        code = main(args)
        return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


def all_command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths += all_command_paths(command, prefix + (name,))
        else:
            paths.append(prefix + (name,))
    return paths


COMMANDS = all_command_paths(cli)


def test_every_command_is_reached():
    names = {" ".join(p) for p in COMMANDS}
    assert {"", "plan", "report", "log", "log list", "log import", "say", "normalize", "serve"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "broadcaster")
def test_help_of_every_command_is_vietnamese(path):
    code, out, err = run([*path, "-h"])
    assert code == 0, err
    assert out.startswith(f"Cách dùng: broadcaster {' '.join(path)}".replace("  ", " ").rstrip())
    assert "Tùy chọn:" in out
    assert "-h, --help" in out and "In hướng dẫn này rồi thoát." in out
    assert not ENGLISH.search(out), ENGLISH.search(out)


def test_top_help_lists_commands_in_vietnamese():
    code, out, _ = run(["--help"])
    assert code == 0
    assert "Cách dùng: broadcaster [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in out
    assert "\nLệnh:\n" in out
    assert "--version          In số phiên bản rồi thoát." in out


def test_version_is_vietnamese():
    code, out, _ = run(["--version"])
    assert code == 0
    assert out.startswith("broadcaster, phiên bản ")


def test_option_placeholders_are_vietnamese():
    _, out, _ = run(["plan", "-h"])
    assert "--from NGÀY" in out and "--station MÃ_ĐÀI" in out and "[mặc định: table]" in out
    _, out, _ = run(["program", "-h"])
    assert "--days SỐ_NGÀY" in out and "1<=x<=366" in out
    _, out, _ = run(["say", "-h"])
    assert "Cách dùng: broadcaster say [TÙY_CHỌN] NỘI_DUNG" in out and "-o, --output TỆP" in out
    _, out, _ = run(["normalize", "-h"])
    assert "Cách dùng: broadcaster normalize [TÙY_CHỌN] [NỘI_DUNG]" in out
    _, out, _ = run(["build", "-h"])
    assert "[MÃ_KỊCH_BẢN]..." in out
    _, out, _ = run(["export", "-h"])
    assert "Cách dùng: broadcaster export [TÙY_CHỌN] DẠNG" in out


# (arguments, the exact Vietnamese error line) — one example of each click usage error class.
USAGE_ERRORS = [
    # MissingParameter (option)
    (["plan"], "lỗi: thiếu tùy chọn '--from'."),
    # MissingParameter (argument)
    (["init"], "lỗi: thiếu tham số 'THƯ_MỤC'."),
    # UsageError: no such command, with a suggestion
    (["reprot"], "lỗi: không có lệnh 'reprot'. Có phải ý bạn là 'report'?"),
    (["log", "lst"], "lỗi: không có lệnh 'lst'. Có phải ý bạn là 'list'?"),
    (["xyzzy"], "lỗi: không có lệnh 'xyzzy'."),
    # NoSuchOption, with one suggestion, several, none
    (["export", "m3u", "--froce"], "lỗi: không có tùy chọn --froce. Có phải ý bạn là --force?"),
    (["export", "m3u", "--forse"], "lỗi: không có tùy chọn --forse. Có phải ý bạn là một trong: --force, --jobs?"),
    (["plan", "--form", "2024-08-01"],
     "lỗi: không có tùy chọn --form. Có phải ý bạn là một trong: --format, --from, --to?"),
    (["plan", "--xyz"], "lỗi: không có tùy chọn --xyz."),
    # BadParameter: a choice, a date, a number, a range
    (["plan", "--from", "2024-08-01", "--format", "xml"],
     "lỗi: giá trị không hợp lệ cho '--format': 'xml' không hợp lệ — chọn một trong: 'table', 'csv', 'json'."),
    (["plan", "--from", "2024-02-30"],
     'lỗi: giá trị không hợp lệ cho \'--from\': ngày không hợp lệ "2024-02-30" — viết theo dạng YYYY-MM-DD '
     "(2024-07-15) hoặc dd/mm/yyyy (15/07/2024)"),
    (["program", "--date", "2024-08-01", "--days", "abc"],
     "lỗi: giá trị không hợp lệ cho '--days': 'abc' không phải là số hợp lệ."),
    (["program", "--date", "2024-08-01", "--days", "0"],
     "lỗi: giá trị không hợp lệ cho '--days': 0 nằm ngoài khoảng 1<=x<=366."),
    # BadOptionUsage: an option without its value, a flag given a value
    (["plan", "--from"], "lỗi: tùy chọn '--from' cần một giá trị."),
    (["--debug=yes", "check"], "lỗi: tùy chọn '--debug' không nhận giá trị."),
    # UsageError: extra arguments
    (["init", "a", "b"], "lỗi: thừa tham số không dùng đến (b)."),
]


@pytest.mark.parametrize("args, expected", USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_usage_errors_are_vietnamese(args, expected):
    code, out, err = run(args)
    assert code == 2
    assert out == ""
    assert expected in err.splitlines(), err
    assert err.startswith("Cách dùng: broadcaster")
    assert "Xem hướng dẫn: broadcaster" in err and " -h" in err
    assert not ENGLISH.search(err), ENGLISH.search(err)


def test_a_path_type_error_is_vietnamese(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = run(["--project", str(tmp_path), "log", "import", str(folder)])
    assert code == 2
    assert f"'{folder}' là một thư mục, cần một tệp." in err
    assert not ENGLISH.search(err), ENGLISH.search(err)


def test_path_and_file_errors_of_click_types_are_vietnamese(tmp_path):
    with pytest.raises(click.BadParameter) as caught:
        click.Path(exists=True).convert(str(tmp_path / "nope.csv"), None, None)
    assert caught.value.format_message() == (
        f"giá trị không hợp lệ: không có '{tmp_path / 'nope.csv'}' — kiểm tra lại tên và đường dẫn.")
    error = click.FileError("nhat-ky.csv")
    assert error.format_message() == "không mở được tệp 'nhat-ky.csv': lỗi không rõ"
    missing = click.MissingParameter(param_type="parameter")
    assert missing.format_message() == "thiếu tham số."


def _click_message_ids() -> tuple[set[str], set[str]]:
    """Every literal message id in the installed click's source: (gettext ids, ngettext singular ids)."""
    single, plural = set(), set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                if node.func.id == "_":
                    single.add(node.args[0].value)
                elif node.func.id == "ngettext":
                    plural.add(node.args[0].value)
    return single, plural


def test_every_click_message_has_a_vietnamese_translation():
    single, plural = _click_message_ids()
    assert len(single) > 50 and len(plural) > 5
    assert single - set(clickvi.CATALOG) == set()
    assert plural - set(clickvi.PLURALS) == set()
    # and each translation keeps no English frame word
    for text in [*clickvi.CATALOG.values(), *(t for pair in clickvi.PLURALS.values() for t in pair)]:
        assert not ENGLISH.search(text), text


# --- say - ---------------------------------------------------------------------------------------

def test_say_dash_reads_standard_input_like_normalize(fake_folder):
    text = "Kính thưa bà con, ngày 15/9/2024 UBND xã họp."
    code, spoken_stdin, err = run(["--project", str(fake_folder), "say", "-", "-o", str(fake_folder / "a.mp3"),
                                   "--show-text"], stdin=text + "\n")
    assert code == 0, err
    code, spoken_arg, _ = run(["--project", str(fake_folder), "say", text, "-o", str(fake_folder / "b.mp3"),
                               "--show-text"])
    assert code == 0
    assert spoken_stdin == spoken_arg
    assert "ủy ban nhân dân" in spoken_stdin and "-" != spoken_stdin.strip()
    code, normalized, _ = run(["--project", str(fake_folder), "normalize", "-"], stdin=text + "\n")
    assert spoken_stdin.strip() == normalized.strip()


def test_say_dash_writes_the_clip_from_standard_input(fake_folder):
    out = fake_folder / "thong-bao.mp3"
    code, _, err = run(["--project", str(fake_folder), "say", "-", "-o", str(out)], stdin="Kính thưa bà con.\n")
    assert code == 0, err
    assert out.stat().st_size > 1000
    assert f"Đã ghi {out}" in err


@pytest.mark.parametrize("stdin", ["", "   \n\n"])
def test_say_dash_with_empty_input_names_the_input_not_the_output(fake_folder, stdin):
    out = fake_folder / "thong-bao.mp3"
    code, _, err = run(["--project", str(fake_folder), "say", "-", "-o", str(out)], stdin=stdin)
    assert code == 1
    assert err.startswith("lỗi: đầu vào chuẩn (-) không có chữ nào để đọc")
    assert "thong-bao" not in err.split("—")[0]
    assert not out.exists()


def test_say_messages_name_the_input_when_nothing_is_left_to_read(fake_folder):
    out = fake_folder / "thong-bao.mp3"
    code, _, err = run(["--project", str(fake_folder), "say", "-", "-o", str(out)], stdin="... !!!\n")
    assert code == 1
    assert err.startswith("lỗi: đầu vào chuẩn (-): sau khi chuẩn hóa không còn chữ nào để đọc")
    code, _, err = run(["--project", str(fake_folder), "say", "... !!!", "-o", str(out)])
    assert code == 1
    assert err.startswith('lỗi: nội dung "... !!!": sau khi chuẩn hóa không còn chữ nào để đọc')
    assert not out.exists()


# --- log list labels ----------------------------------------------------------------------------

def test_log_list_table_shows_vietnamese_sources_and_machine_formats_keep_values(fake_folder):
    log = fake_folder / "plays.csv"
    log.write_text("station,script,started_at,ended_at\n"
                   "xa-dai-tam,2g-thong-bao,2024-08-06T17:00:00,2024-08-06T17:01:00\n", encoding="utf-8")
    code, _, err = run(["--project", str(fake_folder), "log", "import", str(log)])
    assert code == 0, err
    code, out, _ = run(["--project", str(fake_folder), "log", "list"])
    assert code == 0
    row = out.splitlines()[2]
    assert "Nhập tệp" in row and "Đã phát" in row
    assert not re.search(r"\bimport\b|\bplayed\b", out)
    _, out_csv, _ = run(["--project", str(fake_folder), "log", "list", "--format", "csv"])
    assert out_csv.splitlines()[1].split(",")[6:8] == ["played", "import"]
    _, out_json, _ = run(["--project", str(fake_folder), "log", "list", "--format", "json"])
    assert '"source": "import"' in out_json


@pytest.mark.parametrize("args, usage, english", [
    (["record"], "broadcaster record [TÙY_CHỌN] MÃ_KỊCH_BẢN", "SCRIPT_ID"),
    (["voice", "add"], "broadcaster voice add [TÙY_CHỌN] TỆP_GIỌNG", "MODEL"),
    (["log", "void"], "broadcaster log void [TÙY_CHỌN] MÃ_LƯỢT", " ID"),
])
def test_argument_placeholders_are_vietnamese(args, usage, english, capsys):
    # Trial C: `record … SCRIPT_ID`, `voice add … MODEL`, `log void … ID` (display only: names unchanged).
    from broadcaster.cli import main

    assert main([*args, "--help"]) == 0
    out = capsys.readouterr().out
    assert usage in out and english not in out
