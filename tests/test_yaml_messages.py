"""PyYAML's English syntax errors become Vietnamese explanations with FILE:LINE, in the one YAML reader."""
from __future__ import annotations

import pytest

from broadcaster.cli import main
from broadcaster.yamlfile import load_yaml

ENGLISH = ("mapping values", "found", "expected", "while ", "scanning", "parsing", "could not", "stream")

CASES = [
    ("id: x\ntitle: Ngày: 5\ntext: a\n", 2, "có dấu hai chấm (:) ở chỗ không được phép"),
    ("id: x\ntitle: y\n  text: z\n", 3, "có dấu hai chấm (:) ở chỗ không được phép"),
    ("id: x\ntitle\ntext: z\n", 2, "thiếu dấu hai chấm (:) sau tên khóa"),
    ("id: x\n\ttitle: y\n", 2, "có ký tự Tab"),
    ('id: x\ntitle: "abc\ntext: z\nfoo: bar\n', 2, "dấu nháy mở ở dòng này chưa được đóng (tệp hết trước dấu nháy đóng ở dòng 5)"),
    ('id: x\ntitle: "C:\\Users"\n', 2, "dấu gạch chéo ngược (\\) không hợp lệ"),
    ("items: [a, b\nfoo: 1\n", 1, "ngoặc vuông [ mở ở dòng này chưa được đóng hoặc thiếu dấu phẩy giữa các mục (phát hiện ở dòng 2)"),
    ("items: {a: 1\n", 1, "ngoặc nhọn { mở ở dòng này chưa được đóng"),
    ("items: [\n", 2, "thiếu giá trị hoặc có ngoặc thừa (hết tệp)"),
    ("id: *abc\n", 1, "giá trị bắt đầu bằng * hoặc &"),
    ("id: @abc\n", 1, "ký tự '@' không được đứng đầu một giá trị"),
    ("id: x\n---\nid: y\n", 2, "tệp có hơn một phần YAML (dòng ---)"),
    ("text: |abc\n  x\n", 1, "sau dấu | hoặc > phải xuống dòng ngay"),
    ("text: | x\n", 1, "sau giá trị còn chữ thừa"),
    ("stations:\n  - id: a\n    name: b\n   media: fm\n", 4, "thụt lề không khớp với các dòng trên"),
    ("id: x\ntitle: a\x07\n", 2, "ký tự điều khiển không in được (mã U+0007)"),
]


@pytest.mark.parametrize("text, line, words", CASES)
def test_yaml_syntax_errors_are_vietnamese_with_the_line(tmp_path, text, line, words):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    data, problems = load_yaml(path, "scripts/x.yaml")
    assert data is None and len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.line) == ("scripts/x.yaml", line)
    assert str(problem).startswith(f"scripts/x.yaml:{line}: lỗi cú pháp YAML: ")
    assert words in problem.message
    assert not any(word in problem.message for word in ENGLISH), problem.message


@pytest.mark.parametrize("text, line, code", [
    ('id: x\ntitle: "a\\vb"\n', 2, "U+000B"),                       # Word's line break, pasted into a title
    ('organization: "X\\0"\n', 1, "U+0000"),
    ('recipients:\n  - ok\n  - "b\\x1f"\n', 3, "U+001F"),
])
def test_control_characters_written_as_escapes_are_refused_like_raw_ones(tmp_path, text, line, code):
    """YAML's reader refuses a raw control character; the same character written as an escape in a quoted string
    must not get through to the report (Word and Excel refuse it with an English error)."""
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    data, problems = load_yaml(path, "x.yaml")
    assert data is None and [(p.file, p.line) for p in problems] == [("x.yaml", line)]
    assert f"ký tự điều khiển không in được (mã {code})" in problems[0].message
    path.write_text('title: "tab\\tand\\nnew line"\n', encoding="utf-8")
    assert load_yaml(path, "x.yaml") == ({"title": "tab\tand\nnew line"}, [])


def test_an_unlisted_problem_is_still_vietnamese_first(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", encoding="utf-8")
    problem = load_yaml(path, "x.yaml")[1][0]
    assert problem.line == 2
    assert problem.message.startswith("lỗi cú pháp YAML: cấu trúc YAML không hợp lệ — kiểm tra thụt lề")
    assert problem.message.endswith("chi tiết kỹ thuật: found duplicate YAML directive")


def test_check_prints_the_vietnamese_yaml_error(fake_folder, capsys):
    path = fake_folder / "schedules" / "2g.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Lịch phát", "name: Lịch phát: ", 1),
                    encoding="utf-8")
    assert main(["--project", str(fake_folder), "check"]) == 1
    out = capsys.readouterr().out
    assert "schedules/2g.yaml:4: lỗi cú pháp YAML: có dấu hai chấm (:) ở chỗ không được phép" in out
    assert "mapping values" not in out
