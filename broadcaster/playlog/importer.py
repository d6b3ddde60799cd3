"""Play-log stage, import: turns an as-played file (CSV or JSON from hardware and IP platforms) into log rows.

The whole file is one transaction: every row is checked first, and if any row
is wrong (unknown station or script, a date that cannot be read, a bad
status) nothing is imported and every bad row is reported with its line.
Rows already in the log (same ``source_id``, or same station, script and start
without one) are counted, not added again, so re-importing is harmless.

Accepted column names (case-insensitive), besides ours:

=============== =====================================================================
our field       also accepted (IP platforms, the de-facto provincial-system names)
=============== =====================================================================
station         station_id, ma_dai, MaDai, DichID, CumLoaID — must equal a station id
script          script_id, BanTinID, MaBanTin — must equal a script id
started_at      start, ThoiDiemBatDau, ThoiGianBatDau (ISO 8601, dd/mm/yyyy HH:MM, or
                Unix epoch seconds/milliseconds, read in the folder's time zone)
ended_at        end, ThoiDiemKetThuc, ThoiGianKetThuc
duration_s      ThoiLuong (seconds or hh:mm:ss); used when ended_at is missing
status          TrangThai: played | failed | interrupted (also đã phát, lỗi, bị ngắt)
source_id       NhatKyID, log_id, id
scheduled_at    ThoiDiemPhat
=============== =====================================================================

Other columns (TieuDe, MucDoUuTien, AmLuong …) are ignored: campaign, form,
medium and priority always come from the folder's script and station, so a
report never depends on what a device chose to send.

A row with only a start time (no end, no length) lasted as long as the
script's clip: its length is taken from the clip manifest
(``duration_source='clip'``; ``unknown`` when no clip is built yet, counted
when the log is read once it is). A play that has not aired yet in station
time — start or end after now, or its session not over — is refused with the
session's end (``aired.not_aired_yet``, the rule shared with confirmation,
the player and the web). A field too long for a log (over the CSV reader's
128 KiB, or longer than its column) is a bad row with its line, not a crash.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import BroadcasterError, Problem, ProblemsError, did_you_mean
from ..models import RELAY_FORM, unknown_station_message
from ..timeutil import YEAR_RANGE, check_year, parse_datetime, station_now
from .aired import not_aired_yet
from .bulk import UidSource
from .durations import clip_durations
from .store import AppendResult, PlayStore, play_row

MESSAGES = {
    "no_file": "không thấy tệp {path} — kiểm tra lại đường dẫn",
    "bad_format": 'định dạng "{fmt}" không hỗ trợ — chọn csv hoặc json',
    "not_utf8": "tệp không phải UTF-8 — lưu lại tệp với bảng mã UTF-8 (Excel: CSV UTF-8)",
    "bad_json": "tệp JSON không đọc được: {detail}",
    "bad_csv": "tệp CSV không đọc được ở dòng này — {detail}",
    "json_shape": "tệp JSON phải là một danh sách các lượt phát (hoặc một đối tượng có khóa plays chứa danh sách đó)",
    "not_object": "mục này phải là một đối tượng {station, script, started_at, …}",
    "missing_columns": "thiếu cột bắt buộc: {columns} — dòng đầu của tệp CSV phải có station,script,started_at",
    "empty_value": 'thiếu giá trị "{field}"',
    "unknown_script": 'kịch bản (hoặc nguồn tiếp sóng) không tồn tại "{value}"{hint}',
    "bad_datetime": '{field}: thời điểm không đọc được "{value}" — viết dạng 2024-08-01T05:30:00 hoặc 01/08/2024 05:30',
    "bad_status": 'trạng thái không hợp lệ "{value}" — chọn một trong: played, failed, interrupted',
    "bad_duration": 'thời lượng không hợp lệ "{value}" — viết số giây (0 đến {max} giây) hoặc hh:mm:ss',
    "too_deep": "tệp JSON lồng quá sâu, không phải nhật ký phát",
    "end_before_start": "thời điểm kết thúc ({end}) trước thời điểm bắt đầu ({start})",
    "rejected": "tệp {file} bị từ chối toàn bộ: {count} dòng lỗi, chưa nhập lượt phát nào — sửa các dòng trên rồi nhập lại",
    "more": "… và {count} dòng lỗi khác",
    "empty": "tệp {file} không có lượt phát nào",
    "field_too_large": "dòng này có một ô dài quá {limit} KiB — tệp nhật ký không thể có ô dài như vậy: "
                       "kiểm tra dấu nháy kép \" chưa đóng hoặc tệp xuất sai từ thiết bị",
    "too_long": '{field} dài quá {max} ký tự ("{value}") — kiểm tra lại cột này',
    "done": "Đã nhập {file}: {new} lượt mới, {existing} lượt đã có.",
}

ALIASES = {
    "station": ("station", "station_id", "ma_dai", "madai", "dichid", "cumloaid"),
    "script": ("script", "script_id", "bantinid", "mabantin"),
    "started_at": ("started_at", "start", "thoidiembatdau", "thoigianbatdau"),
    "ended_at": ("ended_at", "end", "thoidiemketthuc", "thoigianketthuc"),
    "duration_s": ("duration_s", "duration", "thoiluong"),
    "status": ("status", "trangthai"),
    "source_id": ("source_id", "nhatkyid", "log_id", "id"),
    "scheduled_at": ("scheduled_at", "thoidiemphat"),
}
REQUIRED = ("station", "script", "started_at")
STATUS_ALIASES = {
    "played": "played", "da-phat": "played", "đã phát": "played", "ok": "played", "": "played",
    "failed": "failed", "loi": "failed", "lỗi": "failed",
    "interrupted": "interrupted", "bi-ngat": "interrupted", "bị ngắt": "interrupted",
    # Not in the public contract, but the player's unsent-rows file may carry it.
    "missed": "missed",
}
MAX_REPORTED = 200
MAX_DURATION_S = 24 * 3600  # a single play longer than a day is a typing or device error
JSON_LIST_KEYS = ("plays", "data", "items", "DanhSach", "NoiDung")
# Longest value each stored field may have (the columns' sizes); ids longer than these cannot match anyway.
MAX_LENGTHS = {"station": 64, "script": 64, "source_id": 200, "status": 40}
SHOWN_CHARS = 60   # a value quoted in a message is cut to this many characters


def _shown(value) -> str:
    """A value for a message: at most SHOWN_CHARS characters."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"… ({len(text)} ký tự)"


class ImportRejected(ProblemsError):
    """The file has bad rows: all are listed, none was imported."""

    def __init__(self, problems: list[Problem], display: str):
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(Problem(display, None, MESSAGES["more"].format(count=len(problems) - MAX_REPORTED)))
        # __str__ runs inside the base constructor: set the summary first.
        self.bad_rows = len({p.line for p in problems})
        self.summary = MESSAGES["rejected"].format(file=display, count=self.bad_rows)
        super().__init__(shown)

    def __str__(self) -> str:
        return super().__str__() + "\n" + self.summary


@dataclass(frozen=True)
class ImportResult:
    """What one import did."""

    file: str
    new: int
    existing: int

    def message(self) -> str:
        return MESSAGES["done"].format(file=self.file, new=self.new, existing=self.existing)


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower()


def _column_map(names) -> dict[str, str]:
    """Our field → the file's column name, for the columns the file has."""
    by_key = {_key(n): n for n in names if n is not None}
    out = {}
    for field_name, aliases in ALIASES.items():
        for alias in aliases:
            if alias in by_key:
                out[field_name] = by_key[alias]
                break
    return out


class _RowReader:
    """Checks and converts one input row at a time, collecting problems."""

    def __init__(self, project, display: str, now: datetime | None = None):
        self.project = project
        self.display = display
        self.tz = ZoneInfo(project.timezone)
        self.stations = {s.id: s for s in project.stations}
        self.scripts = {s.id: s for s in project.scripts}
        # Relay plays (tiếp sóng) are imported by relay id, outside any campaign unless the row names one.
        from ..schedule.expand import relay_script

        for relay in getattr(project, "relays", ()):
            self.scripts.setdefault(relay.id, relay_script(relay))
        self.problems: list[Problem] = []
        self.now = now if now is not None else station_now(project.timezone)
        self.durations = clip_durations(project)
        self.new_uid = UidSource()

    def _time(self, field_name: str, value, line: int | None) -> datetime | None:
        if value is None or value == "":
            return None
        if type(value) is str:  # fast path: ISO 8601, what devices and our own exports write
            try:
                moment = datetime.fromisoformat(value)
                check_year(moment.date(), value)
                return moment if moment.tzinfo is None else moment.astimezone(self.tz).replace(tzinfo=None)
            except (ValueError, OverflowError):  # OverflowError: 9999-12-31T23:00Z moved to +07:00
                if not value.strip():
                    return None
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool) or str(value).strip().isdigit():
                number = float(value)
                if number > 1e11:  # milliseconds
                    number /= 1000.0
                return datetime.fromtimestamp(number, timezone.utc).astimezone(self.tz).replace(tzinfo=None)
            text = str(value).strip()
            if text.endswith("Z"):
                text = text[:-1] + "+00:00"
            moment = parse_datetime(text)
            if moment.tzinfo is not None:
                moment = moment.astimezone(self.tz).replace(tzinfo=None)
            return moment
        except (ValueError, OverflowError, OSError):
            self.problems.append(Problem(self.display, line, MESSAGES["bad_datetime"].format(
                field=field_name, value=_shown(value))))
            return None

    def _duration(self, value, line: int | None) -> float | None:
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        try:
            if ":" in text:
                parts = [float(p) for p in text.split(":")]
                seconds = 0.0
                for part in parts:
                    seconds = seconds * 60 + part
            else:
                seconds = float(text)
            # NaN, infinity, negative or absurd lengths would crash the row's end time or go backwards.
            if not 0 <= seconds <= MAX_DURATION_S:
                raise ValueError(text)
            return seconds
        except ValueError:
            self.problems.append(Problem(self.display, line, MESSAGES["bad_duration"].format(
                value=_shown(value), max=MAX_DURATION_S)))
            return None

    def row(self, raw: dict, line: int | None) -> dict | None:
        """One input row → a log row dict, or None with its problems recorded.

        Args:
            raw: Our field names (ALIASES keys) → the raw values; missing fields may be absent.
            line: Line number for messages.
        """
        problems = self.problems
        before = len(problems)
        values = {}
        for name in REQUIRED:
            value = raw.get(name)
            if type(value) is str:
                value = value.strip()
            elif value is not None and not isinstance(value, (int, float)):
                value = str(value).strip()
            if value is None or value == "":
                problems.append(Problem(self.display, line, MESSAGES["empty_value"].format(field=name)))
                value = None
            elif name in MAX_LENGTHS and len(str(value)) > MAX_LENGTHS[name]:
                problems.append(Problem(self.display, line, MESSAGES["too_long"].format(
                    field=name, max=MAX_LENGTHS[name], value=_shown(value))))
                value = None
            values[name] = value
        station = script = started = None
        if values["station"] is not None:
            station = self.stations.get(str(values["station"]))
            if station is None:
                problems.append(Problem(self.display, line, unknown_station_message(
                    str(values["station"]), self.stations, shown=_shown(values["station"]))))
        if values["script"] is not None:
            script = self.scripts.get(str(values["script"]))
            if script is None:
                problems.append(Problem(self.display, line, MESSAGES["unknown_script"].format(
                    value=_shown(values["script"]), hint=did_you_mean(str(values["script"]), self.scripts))))
        if values["started_at"] is not None:
            started = self._time("started_at", values["started_at"], line)
        # Empty optional fields are the usual case: skip the calls for them.
        value = raw.get("ended_at")
        ended = None if value is None or value == "" else self._time("ended_at", value, line)
        value = raw.get("scheduled_at")
        scheduled = None if value is None or value == "" else self._time("scheduled_at", value, line)
        value = raw.get("duration_s")
        duration = None if value is None or value == "" else self._duration(value, line)
        raw_status = raw.get("status")
        status = STATUS_ALIASES.get(str(raw_status).strip().lower() if raw_status is not None else "")
        if status is None:
            problems.append(Problem(self.display, line, MESSAGES["bad_status"].format(value=_shown(raw_status))))
        source_id = raw.get("source_id")
        source_id = str(source_id).strip() or None if source_id is not None else None
        if source_id is not None and len(source_id) > MAX_LENGTHS["source_id"]:
            problems.append(Problem(self.display, line, MESSAGES["too_long"].format(
                field="source_id", max=MAX_LENGTHS["source_id"], value=_shown(source_id))))
        if started and ended and ended < started:
            problems.append(Problem(self.display, line, MESSAGES["end_before_start"].format(
                end=ended.isoformat(sep=" "), start=started.isoformat(sep=" "))))
        if len(problems) > before:
            return None
        if ended is None and duration is not None:
            ended = started + timedelta(seconds=duration)
        seconds, duration_source = None, None
        if ended is None and status == "played":
            # Only a start time: the play lasted as long as the scheduled clip (or the relay's planned length).
            seconds = self.durations.get(script.id)
            duration_source = "clip" if seconds else "unknown"
        refusal = not_aired_yet(station, started, now=self.now, ended_at=ended, duration_s=seconds)
        if refusal:
            problems.append(Problem(self.display, line, refusal))
            return None
        campaign = script.campaign or None
        if script.form == RELAY_FORM and raw.get("campaign") and self.project.campaign(str(raw["campaign"]).strip()):
            campaign = str(raw["campaign"]).strip()
        return play_row(station.id, script.id, started, status=status, source="import", ended_at=ended,
                        duration_s=seconds, scheduled_at=scheduled, source_id=source_id,
                        campaign=campaign, form=script.form, medium=station.medium,
                        priority=script.priority, duration_source=duration_source, uid=self.new_uid())


    def fast_csv(self, index: dict[str, int]):
        """A checker for full-width CSV rows: values list → the row dict ``row`` would give, or None.

        Only the usual row is taken here: known station and script (ids within their column
        sizes), ISO 8601 times without a zone in the accepted years, no length column value,
        a known status, a short source_id, an end not before the start, a play begun before
        yesterday's midnight and over by now. Anything else returns None without recording a
        problem or taking a uid, and the caller passes the row to ``row`` (the full rules and
        their messages). The dict is ``play_row``'s, key for key (tests/test_import_fast.py
        compares the two on every row of varied files).

        Args:
            index: Our field names (ALIASES keys) → column positions; station, script and started_at present.
        """
        stations = {k: v for k, v in self.stations.items() if 0 < len(k) <= MAX_LENGTHS["station"]}
        scripts = {k: v for k, v in self.scripts.items() if 0 < len(k) <= MAX_LENGTHS["script"]}
        i_station, i_script, i_start = index["station"], index["script"], index["started_at"]
        i_end, i_sched = index.get("ended_at"), index.get("scheduled_at")
        i_length, i_status, i_source = index.get("duration_s"), index.get("status"), index.get("source_id")
        now = self.now
        cutoff = datetime.combine(now.date() - timedelta(days=1), datetime.min.time())
        low, high = YEAR_RANGE
        fromiso = datetime.fromisoformat
        durations, new_uid, statuses = self.durations, self.new_uid, STATUS_ALIASES
        max_source = MAX_LENGTHS["source_id"]
        # Per (station, script): (station id, script id, campaign, form, medium, priority, clip length).
        pairs: dict[tuple, tuple] = {}

        def moment(text: str):
            # The ISO time, or False when the full rules must judge it (zone, year, any other shape).
            try:
                value = fromiso(text)
            except ValueError:
                return False
            return value if value.tzinfo is None and low <= value.year <= high else False

        def check(values: list[str]) -> dict | None:
            pair = (values[i_station].strip(), values[i_script].strip())
            known = pairs.get(pair)
            if known is None:
                station, script = stations.get(pair[0]), scripts.get(pair[1])
                if station is None or script is None:
                    return None
                known = pairs[pair] = (station.id, script.id, script.campaign or None, script.form,
                                       station.medium, script.priority, durations.get(script.id))
            started = moment(values[i_start].strip())
            if not started or started >= cutoff:
                return None
            if i_length is not None and values[i_length] != "":
                return None
            text = values[i_end] if i_end is not None else ""
            ended = None if text == "" else moment(text)
            if ended is False:
                return None
            text = values[i_sched] if i_sched is not None else ""
            scheduled = None if text == "" else moment(text)
            if scheduled is False:
                return None
            status = statuses.get(values[i_status].strip().lower() if i_status is not None else "")
            if status is None:
                return None
            source_id = values[i_source].strip() or None if i_source is not None else None
            if source_id is not None and len(source_id) > max_source:
                return None
            if ended is not None:
                if ended < started or ended > now:
                    return None
                seconds, d_source = round((ended - started).total_seconds(), 3), "log"
            elif status == "played":
                seconds = known[6]
                if seconds and started + timedelta(seconds=float(seconds)) > now:
                    return None
                d_source = "clip" if seconds else "unknown"
                seconds = round(float(seconds if seconds and seconds > 0 else 0.0), 3)
            else:
                seconds, d_source = 0.0, "log"
            return {"uid": new_uid(), "station": known[0], "script": known[1], "clip_hash": None,
                    "campaign": known[2], "form": known[3], "medium": known[4], "priority": known[5],
                    "scheduled_at": scheduled, "started_at": started, "ended_at": ended, "duration_s": seconds,
                    "status": status, "source": "import", "source_id": source_id, "duration_source": d_source}

        return check


def _read_text(path: Path, display: str) -> str:
    if not path.is_file():
        raise BroadcasterError(MESSAGES["no_file"].format(path=display))
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BroadcasterError(MESSAGES["not_utf8"], file=display) from exc


def _parse_csv(text: str, reader: _RowReader) -> list[dict]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(rows, None)
    except csv.Error as exc:
        raise ImportRejected([_csv_problem(reader, rows, 1, exc)], reader.display) from exc
    if header is None:
        return []
    columns = _column_map(header)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportRejected([Problem(reader.display, 1, MESSAGES["missing_columns"].format(
            columns=", ".join(missing)))], reader.display)
    fields = [(name, header.index(col)) for name, col in columns.items()]
    width = max(i for _, i in fields) + 1
    fast = reader.fast_csv(dict(fields))
    out: list[dict] = []
    line = rows.line_num
    while True:
        line_start = line + 1
        try:
            values = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot go on after a broken field: report it with what was found so far.
            reader.problems.append(_csv_problem(reader, rows, line_start, exc))
            break
        line = rows.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) >= width:
            play = fast(values)          # the usual row, checked in one go; None: ask the full rules
            if play is not None:
                out.append(play)
                continue
            raw = {name: values[i] for name, i in fields}
        else:
            raw = {name: values[i] for name, i in fields if i < len(values)}
        play = reader.row(raw, line_start)
        if play is not None:
            out.append(play)
    return out


def _csv_problem(reader: _RowReader, rows, line: int, exc: csv.Error) -> Problem:
    """A Vietnamese problem for the csv module's error (a field over its 128 KiB limit, a stray quote)."""
    detail = str(exc)
    if "field larger than field limit" in detail:
        return Problem(reader.display, line, MESSAGES["field_too_large"].format(limit=csv.field_size_limit() // 1024))
    return Problem(reader.display, line, MESSAGES["bad_csv"].format(detail=detail))


def _json_items(text: str, display: str) -> list[tuple[object, int | None]]:
    """The file's play objects with their line numbers (list, wrapped list, or one object per line)."""
    decoder = json.JSONDecoder()
    stripped = text.strip()
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise BroadcasterError(MESSAGES["too_deep"], file=display) from exc
    except json.JSONDecodeError as exc:
        lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
        try:  # JSON Lines: one object per line
            return [(json.loads(ln), n) for n, ln in lines]
        except json.JSONDecodeError:
            raise BroadcasterError(MESSAGES["bad_json"].format(detail=exc.msg), file=display, line=exc.lineno) from exc
    if isinstance(data, dict):
        for key in JSON_LIST_KEYS:
            if isinstance(data.get(key), list):
                return [(item, None) for item in data[key]]
        return [(data, 1)]
    if not isinstance(data, list):
        raise BroadcasterError(MESSAGES["json_shape"], file=display)
    # Find where each element starts to report real line numbers.
    items: list[tuple[object, int | None]] = []
    pos = text.index("[") + 1 if stripped.startswith("[") else 0
    for item in data:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        line = text.count("\n", 0, pos) + 1
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            line = None
        items.append((item, line))
    return items


def _parse_json(text: str, reader: _RowReader) -> list[dict]:
    out: list[dict] = []
    for number, (item, line) in enumerate(_json_items(text, reader.display), 1):
        if not isinstance(item, dict):
            reader.problems.append(Problem(reader.display, line or number, MESSAGES["not_object"]))
            continue
        raw = {name: item[col] for name, col in _column_map(item.keys()).items()}
        play = reader.row(raw, line or number)
        if play is not None:
            out.append(play)
    return out


def parse_plays(project, path: str | Path, fmt: str | None = None, display: str | None = None,
                now: datetime | None = None) -> list[dict]:
    """Read and check an as-played file; every bad row is reported at once.

    Args:
        project: The working folder (stations, scripts, time zone).
        path: The CSV or JSON file.
        fmt: ``csv`` or ``json``; default from the extension (JSON when it starts with [ or {).
        display: Name of the file in messages.
        now: The current station time (default: the clock in the folder's time zone).

    Returns:
        Row dicts for ``PlayStore.append``, with campaign, form, medium and priority filled from the folder.

    Raises:
        ImportRejected: At least one row is wrong; lists all of them.
        BroadcasterError: The file is missing or not readable.
    """
    path = Path(path)
    display = display or str(path)
    if fmt is not None and fmt not in ("csv", "json"):
        raise BroadcasterError(MESSAGES["bad_format"].format(fmt=fmt))
    text = _read_text(path, display)
    if not text.strip():
        raise BroadcasterError(MESSAGES["empty"].format(file=display),
                               hint="kiểm tra lại tệp xuất từ thiết bị (tệp CSV cần dòng tiêu đề station,script,started_at)")
    if fmt is None:
        suffix = path.suffix.lower()
        fmt = "json" if suffix in (".json", ".jsonl", ".ndjson") or text.lstrip()[:1] in ("[", "{") else "csv"
    reader = _RowReader(project, display, now)
    plays = _parse_json(text, reader) if fmt == "json" else _parse_csv(text, reader)
    if reader.problems:
        raise ImportRejected(reader.problems, display)
    return plays


def import_file(project, store, path: str | Path, fmt: str | None = None,
                display: str | None = None, now: datetime | None = None) -> ImportResult:
    """Import an as-played file into the log in one transaction.

    Args:
        store: The play log, or a function that opens it (called once the file is found good).

    Returns:
        New and already-logged counts ("0 lượt mới, N lượt đã có" on a re-import).

    Raises:
        ImportRejected: Bad rows; nothing was imported.
        BroadcasterError: File or database problems; nothing was imported.
    """
    display = display or str(path)
    plays = parse_plays(project, path, fmt, display, now)
    if not isinstance(store, PlayStore):
        store = store()     # opened only now: a rejected file does not create a log
    # One fsync more on SQLite: an import reported done is still there after a power cut.
    result: AppendResult = store.append(plays, durable=True)
    return ImportResult(display, result.new, result.existing)
