"""Property-based tests (hypothesis): no input crashes the YAML loaders, the log import parsers or the normaliser.

"No crash" means: a loader returns its value and its `Problem`s, an import either
returns rows or raises `BroadcasterError` (with Vietnamese text), the normaliser
returns a string. Any other exception is a bug that staff would see as
"lỗi không mong đợi".

Example budgets (``max_examples``) keep the whole file under about a minute on the
shared test machine. Runs are derandomised, so the suite is repeatable; set
BROADCASTER_HYPOTHESIS_EXPLORE=1 to search with fresh random inputs (and more of them).
"""
from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadcaster.config import inspect_project, load_config, load_script
from broadcaster.speech.checks import script_problems
from broadcaster.errors import BroadcasterError, Problem
from broadcaster.playlog.importer import parse_plays
from broadcaster.schedule.load import load_schedule
from broadcaster.speech.normalize import NormalizeOptions, normalize_text, normalize_with_warnings, split_for_speech
from broadcaster.yamlfile import load_yaml
from conftest import copy_sample, use_engine

EXPLORE = os.environ.get("BROADCASTER_HYPOTHESIS_EXPLORE") == "1"
SCALE = 5 if EXPLORE else 1


def budget(examples: int):
    return settings(max_examples=examples * SCALE, deadline=None, derandomize=not EXPLORE, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


# --- values staff (and devices) really write, and their broken cousins -------------------------

DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat() if d.year >= 1000 else f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.tuples(st.integers(0, 10000), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
    st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 10000)).map(
        lambda t: f"{t[0]}/{t[1]}/{t[2]}"),
    st.sampled_from(["2024-02-30", "2023-02-29", "2024-13-01", "0000-01-01", "9999-12-31", "2024-02-30 10:00",
                     "2024-01-01 99:00", "2024-01-01T25:61:61", "2024-01-01 10:00:00+99:00", "31/02/2024",
                     "2024-1-1", "1/1/1", "2024-02-29", "1970-01-01", "2200-12-31", "2201-01-01"]),
)
TIMES = st.one_of(
    st.tuples(st.integers(0, 99), st.integers(0, 99)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}"),
    st.tuples(st.integers(0, 30), st.integers(0, 70), st.integers(0, 70)).map(lambda t: f"{t[0]}:{t[1]}:{t[2]}"),
    st.sampled_from(["24:00", "05:30", "5h30", "6h", "-1:00", "1e3", ".inf", "12:60", "00:00", "23:59"]),
)
WORDS = st.sampled_from(["sang", "chieu", "all", "xa-dai-tam", "tt-my-xuyen", "2g-thong-bao", "2g-nhac-nho",
                         "dung-2g", "mon", "t2", "cn", "sunday", "emergency", "priority", "normal", "tin",
                         "thong-bao", "loa-day", "fm", "ip", "espeak", "fake", "vi", "en", "Đài xã", "'", '"',
                         "~", "null", "true", "no", "-1", "0", "1e999", ".nan", "0x1F", "0o17", "1_000",
                         "&a", "*a", "!!str", "!!binary x", "!!python/object:os.system", "<<", "? ", "|", ">"])
SCALARS = st.one_of(DATES, TIMES, WORDS, st.integers(-10**20, 10**20).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.text(alphabet=string.ascii_letters + string.digits + " -_:/.àđươ", max_size=20))


def flow_value(depth: int = 2):
    if depth == 0:
        return SCALARS
    inner = flow_value(depth - 1)
    return st.one_of(
        SCALARS,
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(["script", "from", "until", "days", "dates", "sessions", "per_week",
                                            "priority", "name", "start", "end", "id"]), inner),
                 max_size=4).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    )


def yaml_document(keys: list[str]):
    """A YAML-shaped document: known (and misspelt) keys, values of every kind, lists of mappings."""
    key = st.one_of(st.sampled_from(keys), st.sampled_from(keys).map(lambda k: k[:-1] or "x"),
                    st.sampled_from(["items", "sessions", "stations", "valid", "campaigns", "report", "speech"]))
    block_item = st.lists(st.tuples(key, flow_value()), min_size=1, max_size=4).map(
        lambda kv: "  - " + "\n    ".join(f"{k}: {v}" for k, v in kv))
    entry = st.one_of(
        st.tuples(key, flow_value()).map(lambda kv: f"{kv[0]}: {kv[1]}"),
        st.tuples(key, st.lists(block_item, min_size=1, max_size=3)).map(lambda kv: kv[0] + ":\n" + "\n".join(kv[1])),
        st.tuples(key, st.lists(flow_value(1), min_size=1, max_size=3)).map(
            lambda kv: kv[0] + ":\n" + "\n".join(f"  - {v}" for v in kv[1])),
        st.tuples(key, st.lists(st.tuples(key, flow_value(1)), min_size=1, max_size=3)).map(
            lambda kv: kv[0] + ":\n" + "\n".join(f"  {k}: {v}" for k, v in kv[1])),
    )
    return st.lists(entry, max_size=8).map("\n".join)


YAML_TOKENS = st.lists(st.one_of(
    st.sampled_from(["\n", "  ", " ", "- ", ": ", ":", "{", "}", "[", "]", ", ", "'", '"', "#", "&a ", "*a",
                     "<<: ", "? ", "|\n", ">\n", "!!binary ", "!!python/name:os.system ", "!!set ", "%YAML 1.1\n",
                     "---\n", "...\n", "\t", "\\", "\x00", "\ufeff", "id", "from", "until", "items", "script",
                     "sessions", "stations", "valid", "text", "2024-02-30", "05:30", "24:00"]),
    SCALARS), max_size=40).map("".join)

SCHEDULE_KEYS = ["name", "campaign", "stations", "from", "until", "days", "dates", "exclude", "sessions", "items",
                 "script", "per_week", "priority"]
SCRIPT_KEYS = ["id", "title", "campaign", "form", "priority", "repeat", "valid", "language", "text", "source",
               "engine", "voice", "from", "until"]
CONFIG_KEYS = ["organization", "place", "timezone", "stations", "station_groups", "campaigns", "speech", "audio",
               "database", "report", "id", "name", "media", "sessions", "start", "end", "from", "until",
               "period_end_day", "engine", "voice", "dialect", "loudness_lufs", "profile"]


@pytest.fixture(scope="module")
def project_folder(tmp_path_factory) -> Path:
    folder = copy_sample(tmp_path_factory.mktemp("prop") / "work")
    use_engine(folder, "fake", "fake")
    return folder


@pytest.fixture(scope="module")
def project(project_folder):
    loaded, problems = inspect_project(project_folder)
    assert loaded is not None and not [p for p in problems if p.severity == "error"]
    return loaded


def _problems_ok(value, problems) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.message, str) and problem.message
        str(problem)


# --- YAML loaders ---------------------------------------------------------------------------------

@budget(400)
@given(text=st.one_of(YAML_TOKENS, yaml_document(SCHEDULE_KEYS)))
def test_schedule_loader_never_crashes(project, tmp_path_factory, text):
    path = tmp_path_factory.getbasetemp() / "prop-schedule.yaml"
    path.write_text(text, encoding="utf-8")
    schedule, problems = load_schedule(project, path, "schedules/x.yaml")
    _problems_ok(schedule, problems)
    if schedule is None:
        assert any(p.severity == "error" for p in problems)


@budget(400)
@given(text=st.one_of(YAML_TOKENS, yaml_document(SCRIPT_KEYS)))
def test_script_loader_never_crashes(project, tmp_path_factory, text):
    path = tmp_path_factory.getbasetemp() / "prop-script.yaml"
    path.write_text(text, encoding="utf-8")
    campaigns = {c.id: c for c in project.campaigns}
    script, problems = load_script(path, "scripts/x.yaml", campaigns)
    _problems_ok(script, problems)
    if script is not None:  # the engine, voice and language checks never crash either
        _problems_ok(script, script_problems(script, project.speech))


@budget(250)
@given(text=st.one_of(YAML_TOKENS, yaml_document(CONFIG_KEYS)))
def test_config_loader_never_crashes(tmp_path_factory, text):
    root = tmp_path_factory.getbasetemp() / "prop-config"
    root.mkdir(exist_ok=True)
    (root / "broadcaster.yaml").write_text(text, encoding="utf-8")
    config, problems = load_config(root)
    _problems_ok(config, problems)


STATION = st.fixed_dictionaries({"id": WORDS, "name": SCALARS, "media": WORDS,
                                 "sessions": st.lists(st.fixed_dictionaries(
                                     {"name": WORDS, "start": TIMES, "end": TIMES}), max_size=3)})


@budget(250)
@given(stations=st.lists(STATION, max_size=3),
       campaign=st.fixed_dictionaries({"id": WORDS, "name": SCALARS, "from": DATES, "until": DATES}),
       end_day=st.one_of(st.integers(-5, 40), DATES, WORDS))
def test_config_with_generated_stations_and_dates_never_crashes(tmp_path_factory, stations, campaign, end_day):
    """Structured broadcaster.yaml: the values are written unquoted, as staff type them."""
    root = tmp_path_factory.getbasetemp() / "prop-config2"
    root.mkdir(exist_ok=True)
    lines = ["organization: Trung tâm", "stations:"]
    for s in stations:
        lines += [f"  - id: {s['id']}", f"    name: {s['name']}", f"    media: {s['media']}", "    sessions:"]
        lines += [f"      - {{name: {x['name']}, start: {x['start']}, end: {x['end']}}}" for x in s["sessions"]]
    lines += ["campaigns:", f"  - {{id: {campaign['id']}, name: {campaign['name']}, from: {campaign['from']}, "
                            f"until: {campaign['until']}}}", "report:", f"  period_end_day: {end_day}"]
    (root / "broadcaster.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config, problems = load_config(root)
    _problems_ok(config, problems)


ITEM = st.fixed_dictionaries({"script": WORDS}, optional={
    "from": DATES, "until": DATES, "dates": st.lists(DATES, max_size=3), "days": st.lists(WORDS, max_size=3),
    "sessions": st.lists(WORDS, max_size=2), "per_week": st.one_of(st.integers(-3, 30), WORDS),
    "priority": WORDS})


@budget(300)
@given(header=st.fixed_dictionaries({}, optional={
    "stations": st.one_of(WORDS, st.lists(WORDS, max_size=3)), "from": DATES, "until": DATES,
    "days": st.lists(WORDS, max_size=4), "dates": st.lists(DATES, max_size=3), "exclude": st.lists(DATES, max_size=3),
    "sessions": st.lists(WORDS, max_size=3), "campaign": WORDS}),
    items=st.lists(ITEM, max_size=4))
def test_schedule_with_generated_dates_never_crashes(project, tmp_path_factory, header, items):
    """Structured schedules whose dates are written unquoted (PyYAML builds them as timestamps)."""
    def flow(value):
        return "[" + ", ".join(value) + "]" if isinstance(value, list) else str(value)

    lines = [f"{k}: {flow(v)}" for k, v in header.items()] + ["items:"]
    lines += ["  - {" + ", ".join(f"{k}: {flow(v)}" for k, v in item.items()) + "}" for item in items]
    path = tmp_path_factory.getbasetemp() / "prop-schedule2.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schedule, problems = load_schedule(project, path, "schedules/x.yaml")
    _problems_ok(schedule, problems)
    if schedule is not None:
        # a schedule that loads can be asked about any day without crashing
        for day in (schedule.first_day(), schedule.last_day()):
            if day is not None:
                schedule.active_on(day)


@budget(200)
@given(raw=st.binary(max_size=200))
def test_load_yaml_of_arbitrary_bytes_never_crashes(tmp_path_factory, raw):
    path = tmp_path_factory.getbasetemp() / "prop-raw.yaml"
    path.write_bytes(raw)
    data, problems = load_yaml(path, "x.yaml", allow_empty=True)
    _problems_ok(data, problems)


# --- log import parsers -------------------------------------------------------------------------

MOMENTS = st.one_of(
    DATES,
    st.tuples(DATES, TIMES).map(lambda t: f"{t[0]} {t[1]}"),
    st.tuples(DATES, TIMES).map(lambda t: f"{t[0]}T{t[1]}"),
    st.tuples(DATES, TIMES).map(lambda t: f"{t[0]}T{t[1]}Z"),
    st.integers(-10**22, 10**22).map(str),
    st.sampled_from(["06/08/2024 17:00", "31/02/2024 17:00", "2024-08-06T17:00:00+07:00", "2024-08-06T17:00:00+25:00",
                     "1e30", "-1", "nan", "inf", "1722938400", "1722938400000", "99999999999999999999", " ", ""]),
)
DURATIONS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), TIMES, WORDS,
                      st.sampled_from(["1:00:00", "99:99:99", "::", "1:2:3:4", "-5", "1e9", "0", "60"]))
STATUSES = st.sampled_from(["played", "failed", "interrupted", "missed", "đã phát", "lỗi", "bị ngắt", "", "ok",
                            "PLAYED", "xyz"])
STATION_IDS = st.sampled_from(["xa-dai-tam", "tt-my-xuyen", "xa-dai-tm", "", " ", "1"])
SCRIPT_IDS = st.sampled_from(["2g-thong-bao", "2g-nhac-nho", "2g-thong-ba", "", "0"])
# Our column names and the provincial platform's, as the two kinds of file carry them.
OUR_COLUMNS = ["station", "script", "started_at", "ended_at", "duration_s", "status", "source_id", "scheduled_at"]
PROVINCIAL = ["DichID", "BanTinID", "ThoiDiemBatDau", "ThoiDiemKetThuc", "ThoiLuong", "TrangThai", "NhatKyID",
              "ThoiDiemPhat"]
FIELD_VALUES = [STATION_IDS, SCRIPT_IDS, MOMENTS, MOMENTS, DURATIONS, STATUSES, SCALARS, MOMENTS]


def row_values():
    return st.tuples(*FIELD_VALUES)


def csv_cell(value: str, sep: str) -> str:
    if any(ch in value for ch in (sep, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


@budget(500)
@given(provincial=st.booleans(), sep=st.sampled_from([",", ";", "\t"]),
       columns=st.lists(st.integers(0, 7), min_size=1, max_size=9),
       rows=st.lists(row_values(), max_size=6), noise=st.one_of(st.just(""), YAML_TOKENS))
def test_csv_import_parser_never_crashes(project, tmp_path_factory, provincial, sep, columns, rows, noise):
    names = PROVINCIAL if provincial else OUR_COLUMNS
    lines = [sep.join(names[i] for i in columns)]
    lines += [sep.join(csv_cell(row[i], sep) for i in columns) for row in rows]
    path = tmp_path_factory.getbasetemp() / "prop-plays.csv"
    path.write_text("\n".join(lines) + "\n" + noise, encoding="utf-8")
    try:
        plays = parse_plays(project, path, "csv", "plays.csv")
    except BroadcasterError as exc:
        assert str(exc)
    else:
        assert isinstance(plays, list)


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                         st.floats(allow_nan=False, allow_infinity=False), SCALARS, MOMENTS)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                 st.dictionaries(WORDS, inner, max_size=3)),
                           max_leaves=6)


@budget(400)
@given(provincial=st.booleans(), wrap=st.sampled_from(["list", "plays", "DanhSach", "object", "lines"]),
       rows=st.lists(st.tuples(row_values(), st.lists(st.integers(0, 7), max_size=8),
                               st.dictionaries(st.sampled_from(PROVINCIAL + OUR_COLUMNS), JSON_VALUES, max_size=3)),
                     max_size=5))
def test_json_import_parser_never_crashes(project, tmp_path_factory, provincial, wrap, rows):
    names = PROVINCIAL if provincial else OUR_COLUMNS
    items = []
    for values, keep, extra in rows:
        item = {names[i]: values[i] for i in keep}
        item.update(extra)  # values of any JSON type: numbers, null, nested lists and objects
        items.append(item)
    if wrap == "list":
        text = json.dumps(items, ensure_ascii=False, indent=1)
    elif wrap == "object":
        text = json.dumps(items[0] if items else {}, ensure_ascii=False)
    elif wrap == "lines":
        text = "\n".join(json.dumps(i, ensure_ascii=False) for i in items) or "{}"
    else:
        text = json.dumps({wrap: items}, ensure_ascii=False)
    path = tmp_path_factory.getbasetemp() / "prop-plays.json"
    path.write_text(text, encoding="utf-8")
    try:
        plays = parse_plays(project, path, "json", "plays.json")
    except BroadcasterError as exc:
        assert str(exc)
    else:
        assert isinstance(plays, list)


@budget(200)
@given(text=st.text(max_size=300))
def test_json_import_of_arbitrary_text_never_crashes(project, tmp_path_factory, text):
    path = tmp_path_factory.getbasetemp() / "prop-plays-any.json"
    path.write_text(text, encoding="utf-8")
    for fmt in ("json", "csv"):
        try:
            parse_plays(project, path, fmt, "plays")
        except BroadcasterError as exc:
            assert str(exc)


# --- the normaliser -------------------------------------------------------------------------------

TEXT_PIECES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789 .,:/-%hH", max_size=25),
    DATES, TIMES, WORDS,
    st.integers(-10**40, 10**40).map(str),
    st.sampled_from(["UBND", "HĐND", "Sở TT&TT", "2G", "4G", "5G", "XIV", "mùng", "ngày", "tháng", "năm", "lúc",
                     "từ", "đến", "số", "0912 345 678", "+84 912345678", "1.000.000đ", "50%", "3,5 km", "m²", "°C",
                     "https://x.vn", "a@b.vn", "Quý III/2024", "05/2024/NĐ-CP", "10-15/8", "6h-7h30", "1/2",
                     "I.", "II.", "V", "ABC", "\n", "  ", "\t", "—", "…", "“", "„"]),
)
NORMALIZE_TEXT = st.lists(TEXT_PIECES, max_size=12).map(" ".join)
DIALECT_OPTIONS = st.builds(NormalizeOptions, dialect=st.sampled_from(["north", "south"]),
                            mong=st.booleans())


@budget(1500)
@given(text=NORMALIZE_TEXT, options=DIALECT_OPTIONS)
def test_normalizer_never_crashes(text, options):
    spoken, warnings = normalize_with_warnings(text, options)
    assert isinstance(spoken, str) and all(isinstance(w, str) for w in warnings)
    assert normalize_text(text, options) == spoken
    for clause, pause in split_for_speech(spoken):
        assert isinstance(clause, str) and pause >= 0


@budget(150)
@given(lexicon=st.dictionaries(st.one_of(WORDS, DATES, st.text(min_size=1, max_size=8)),
                               st.text(min_size=1, max_size=12), max_size=4),
       text=NORMALIZE_TEXT)
def test_normalizer_with_any_lexicon_never_crashes(lexicon, text):
    options = NormalizeOptions(lexicon=lexicon)
    assert isinstance(normalize_text(text, options), str)


def test_yaml_safe_loader_still_refuses_python_tags(tmp_path):
    """Safety is not traded for robustness: a Python tag is a problem, nothing is constructed."""
    path = tmp_path / "x.yaml"
    path.write_text("a: !!python/object/apply:os.system ['echo x']\n", encoding="utf-8")
    data, problems = load_yaml(path, "x.yaml")
    assert data is None and problems and problems[0].line == 1
    assert yaml.safe_load("a: 1") == {"a": 1}


# --- what the search found (kept as plain examples, whatever the random seed) ---------------------

@pytest.mark.parametrize("text, spoken", [
    ("1,5.2", "một phẩy năm chấm hai"),
    ("0,0.0", "không phẩy không chấm không"),
])
def test_found_normalizer_decimal_then_dot(text, spoken):
    assert normalize_text(text, NormalizeOptions(dialect="south")) == spoken


@pytest.mark.parametrize("text, line, words", [
    ("!!set ---\n", 1, "set"),
    ("a: !!set [1]\n", 1, "set"),
    ("a: " + "[" * 5000, 1, "lồng nhau quá sâu"),
    ("[" * 3000 + "]" * 3000, 1, "lồng nhau quá sâu"),
])
def test_found_yaml_misused_tags_and_deep_nesting(tmp_path, text, line, words):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    data, problems = load_yaml(path, "x.yaml")
    assert data is None and len(problems) == 1
    assert problems[0].line == line and words in problems[0].message


@pytest.mark.parametrize("text, expected", [
    ("speech: 2024-02-30\n", 'broadcaster.yaml:1: "speech" phải là một bảng khóa: giá trị, không phải một đoạn chữ'),
    ("report: [1]\n", 'broadcaster.yaml:1: "report" phải là một bảng khóa: giá trị, không phải một danh sách'),
    ("station_groups:\n  xa-fm: 2000-01-01\n",
     'broadcaster.yaml:2: "xa-fm" phải là một danh sách mã đài, không phải ngày 2000-01-01'),
    ("station_groups: 5\n", 'broadcaster.yaml:1: "station_groups" phải là một bảng nhóm: [mã đài, …], không phải giá trị 5'),
])
def test_found_config_sections_of_the_wrong_kind(tmp_path, text, expected):
    (tmp_path / "broadcaster.yaml").write_text(text, encoding="utf-8")
    _, problems = load_config(tmp_path)
    assert expected in [str(p) for p in problems]


def test_found_import_time_that_overflows_in_the_station_time_zone(project, tmp_path):
    path = tmp_path / "plays.csv"
    path.write_text("station,script,started_at\nxa-dai-tam,2g-thong-bao,9999-12-31T17:00Z\n", encoding="utf-8")
    with pytest.raises(BroadcasterError) as caught:
        parse_plays(project, path, "csv", "plays.csv")
    assert 'plays.csv:2: started_at: thời điểm không đọc được "9999-12-31T17:00Z"' in str(caught.value)
