"""Loading a working folder: broadcaster.yaml and scripts/*.yaml into a validated `Project`.

Every problem is collected (not just the first) and reported as FILE:LINE: message;
the shipped defaults in broadcaster/defaults/ fill what the user's file leaves out.
"""
from __future__ import annotations

import os
import re
from dataclasses import fields, replace
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import models
from .errors import Problem, ProblemsError, did_you_mean, valid_list
from .models import AudioSettings, Campaign, Project, Relay, Script, Session, SpeechSettings, Station
from .timeutil import parse_time
from .yamlfile import MESSAGES as FILE_MESSAGES
from .lexicon import read_lexicon
from .stationcheck import check_station
from .yamlfile import FileChecker, LDict, LList, check_keys, kind_of, load_yaml

CONFIG_NAME = "broadcaster.yaml"
REPEAT_RANGE = (1, 10)

MESSAGES = {
    **FILE_MESSAGES,
    "no_config": "không thấy tệp broadcaster.yaml trong thư mục {root} — chạy trong thư mục làm việc có tệp này, hoặc tạo mới bằng: broadcaster init THƯ_MỤC",
    "dup_id": 'mã "{value}" bị trùng (đã dùng ở {first})',
    "dup_id_case": ('mã "{value}" trùng với "{other}" ở {first} — chỉ khác chữ hoa/thường nhưng trên Windows và thẻ nhớ '
                    'USB vẫn là cùng một tệp; đổi một trong hai mã'),
    "empty_text": "nội dung đọc (text) đang trống — viết nội dung thông báo dưới dòng  text: |",
    "repeat_range": "số lần đọc (repeat) = {value} nằm ngoài khoảng {lo}–{hi}",
    "session_order": 'phiên "{name}" kết thúc ({end}) không sau giờ bắt đầu ({start}) — sửa giờ end cho muộn hơn start',
    "session_dup": 'tên phiên "{name}" bị trùng với phiên {name} {start}–{end} của đài này — đặt một tên khác, ví dụ "{name}-2"',
    "session_overlap": 'phiên "{a}" ({a_start}–{a_end}) trùng giờ với phiên "{b}" ({b_start}–{b_end}) ở cùng đài',
    "valid_order": "ngày hết hiệu lực ({until}) trước ngày bắt đầu ({start})",
    "no_stations": "chưa khai báo đài nào (stations:) — thêm ít nhất một đài với id, name, media, sessions",
    "no_organization": ("tên cơ quan/đơn vị (organization) đang trống — tên này đứng ở đầu báo cáo Word; ghi tên "
                        "đầy đủ, ví dụ  organization: Trung tâm Văn hóa - Thể thao - Truyền thanh huyện Mỹ Xuyên"),
    "no_scripts": "thư mục scripts/ chưa có kịch bản nào (*.yaml)",
    "timezone": 'múi giờ không hợp lệ "{value}" — viết tên múi giờ IANA, ví dụ Asia/Ho_Chi_Minh',
    "audio_range": "{key} ({help}) = {value} nằm ngoài khoảng {lo}–{hi}",
    "web_host": 'tên máy không hợp lệ "{value}" — chỉ ghi tên máy hoặc địa chỉ IP của máy chạy bảng điều khiển, không có http://, số cổng hay dấu *, ví dụ  may-chu.xa.local  hoặc  192.168.1.10',
    "period_end_day": 'ngày chốt kỳ báo cáo (report.period_end_day) phải là một số từ 1 đến 31 hoặc để trống, không phải "{value}"',
    "group_member": 'nhóm "{group}" có đài không tồn tại "{station}"{hint}',
    "relay_url": ('địa chỉ tiếp sóng không hợp lệ "{value}" — viết địa chỉ luồng http:// hoặc https:// (MP3/AAC), '
                  'ví dụ  http://stream.vov.vn/vov1.mp3, hoặc  input:default  cho đầu vào sound card (máy thu FM)'),
    "relay_unknown": 'nguồn tiếp sóng không tồn tại "{value}"{hint} — các nguồn trong relays: {valid}',
    "relay_fallback": 'nguồn tiếp sóng "{relay}": kịch bản dự phòng (fallback) không tồn tại "{value}"{hint} — ghi mã một kịch bản trong scripts/',
    "relay_limit": "outage_limit_s = {value} phải là số giây từ 5 đến 3600 (nguồn mất tín hiệu bao lâu thì phát dự phòng)",
}

# The Vietnamese name of each limited text (models.TEXT_LIMITS) in messages, by broadcaster.yaml or script key.
LABELS = {"organization": "tên cơ quan/đơn vị", "place": "địa danh", "station_name": "tên đài",
          "session_name": "tên phiên", "campaign_name": "tên chiến dịch", "directive": "văn bản chỉ đạo",
          "title": "tiêu đề", "number": "số hiệu báo cáo", "report_title": "tiêu đề báo cáo",
          "superior": "cơ quan cấp trên", "signer_title": "chức vụ người ký", "signer_name": "họ tên người ký",
          "recipients": "nơi nhận"}
STATION_KEYS = ["id", "name", "media", "sessions", "groups", "opening", "closing"]
SESSION_KEYS = ["name", "start", "end", "relay"]
RELAY_KEYS = ["id", "name", "url", "fallback", "outage_limit_s"]
CAMPAIGN_KEYS = ["id", "name", "directive", "from", "until"]
SCRIPT_KEYS = ["id", "title", "campaign", "form", "priority", "repeat", "valid", "language", "text",
               "source", "engine", "voice", "audio"]
TOP_KEYS = ["organization", "place", "timezone", "stations", "station_groups", "campaigns", "speech",
            "audio", "database", "report", "web", "relays"]
SPEECH_KEYS = [f.name for f in fields(SpeechSettings)]
AUDIO_KEYS = [f.name for f in fields(AudioSettings)]
WEB_KEYS = ["allowed_hosts"]
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = re.compile(rf"^{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?$")
REPORT_KEYS = ["number", "title", "signer_title", "signer_name", "recipients", "period_end_day",
               "superior"]


def _shipped_defaults() -> dict:
    path = resources.files("broadcaster") / "defaults" / CONFIG_NAME
    data, problems = load_yaml(Path(str(path)))
    if problems:  # a broken package, not a user error
        raise ProblemsError(problems)
    return data


def relay_url_problem(value) -> str | None:
    """Why ``value`` cannot be a relay source (None when it can): http(s)://HOST… or input:NAME."""
    from urllib.parse import urlsplit

    text = str(value).strip() if isinstance(value, str) else ""
    if text.startswith("input:"):
        return None if re.fullmatch(r"input:[A-Za-z0-9_.:,@=-]+", text) else MESSAGES["relay_url"].format(value=value)
    try:
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        ok = False
    return None if ok else MESSAGES["relay_url"].format(value=value)


def _relays(col: FileChecker, raw: Any, line: int) -> tuple[Relay, ...]:
    """The ``relays:`` list: id, name, url (http/https stream or input:NAME), optional fallback and limit."""
    if raw in (None, []):
        return ()
    if not isinstance(raw, list):
        col.add(line, MESSAGES["type"].format(key="relays", expected="một danh sách nguồn tiếp sóng", got=kind_of(raw)))
        return ()
    out, seen = [], {}
    for i, item in enumerate(raw):
        rm = col.mapping(item, raw.line_of(i) if isinstance(raw, LList) else line, "relays")
        if rm is None:
            continue
        col.problems += check_keys(rm, RELAY_KEYS, ["id", "name", "url"], col.display)
        rid = col.safe_id(rm)
        if rid is None or "url" not in rm:
            continue
        if rid.casefold() in seen:
            col.add(rm.line_of("id"), MESSAGES["dup_id"].format(value=rid, first=f"dòng {seen[rid.casefold()]}"))
            continue
        seen[rid.casefold()] = rm.line_of("id")
        problem = relay_url_problem(rm.get("url"))
        if problem:
            col.add(rm.line_of("url"), problem)
            continue
        limit = rm.get("outage_limit_s", 60)
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 5 <= limit <= 3600:
            col.add(rm.line_of("outage_limit_s"), MESSAGES["relay_limit"].format(value=limit))
            limit = 60
        fallback = col.text(rm, "fallback") or None
        out.append(Relay(rid, col.text(rm, "name", rid), str(rm["url"]).strip(), fallback, float(limit),
                         col.display, rm.line))
    return tuple(out)


def _sessions(col: FileChecker, station: LDict, relays: dict | None = None) -> tuple[Session, ...]:
    raw = station.get("sessions") or []
    if not isinstance(raw, list):
        col.add(station.line_of("sessions"), MESSAGES["type"].format(
            key="sessions", expected="một danh sách phiên", got=kind_of(raw)))
        return ()
    out: list[Session] = []
    for i, item in enumerate(raw):
        line = raw.line_of(i) if isinstance(raw, LList) else station.line
        sm = col.mapping(item, line, "sessions")
        if sm is None:
            continue
        col.problems += check_keys(sm, SESSION_KEYS, ["name", "start", "end"], col.display)
        try:
            start = parse_time(sm.get("start"))
            end = parse_time(sm.get("end"))
        except ValueError as exc:
            col.add(sm.line_of("start") if "start" in sm else sm.line, str(exc))
            continue
        name = str(sm.get("name", ""))
        if len(name) > models.TEXT_LIMITS["session_name"]:
            col.add(sm.line_of("name"), MESSAGES["long_field"].format(
                label=LABELS["session_name"], key="name", length=len(name), limit=models.TEXT_LIMITS["session_name"]))
        if end <= start:
            col.add(sm.line_of("end"), MESSAGES["session_order"].format(
                name=name, start=start.strftime("%H:%M"), end=end.strftime("%H:%M")))
            continue
        for other in out:
            if other.name == name:  # plan, confirm and export find a station's session by its name
                col.add(sm.line_of("name"), MESSAGES["session_dup"].format(
                    name=name, start=other.start.strftime("%H:%M"), end=other.end.strftime("%H:%M")))
            if start < other.end and other.start < end:
                col.add(sm.line, MESSAGES["session_overlap"].format(
                    a=name, a_start=start.strftime("%H:%M"), a_end=end.strftime("%H:%M"), b=other.name,
                    b_start=other.start.strftime("%H:%M"), b_end=other.end.strftime("%H:%M")))
        relay = None if sm.get("relay") is None else str(sm.get("relay"))
        if relay is not None and relay not in (relays or {}):
            col.add(sm.line_of("relay"), MESSAGES["relay_unknown"].format(
                value=relay, hint=did_you_mean(relay, relays or {}),
                valid=valid_list(relays or {}) or "(chưa khai báo nguồn nào trong relays:)"))
            relay = None
        out.append(Session(name, start, end, relay))
    return tuple(out)


def _stations(col: FileChecker, raw: Any, line: int, relays: dict | None = None) -> tuple[Station, ...]:
    if not isinstance(raw, list) or not raw:
        col.add(line, MESSAGES["no_stations"])
        return ()
    seen: dict[str, tuple[str, int]] = {}
    out = []
    for i, item in enumerate(raw):
        sm = col.mapping(item, raw.line_of(i) if isinstance(raw, LList) else line, "stations")
        if sm is None:
            continue
        col.problems += check_keys(sm, STATION_KEYS, ["id"], col.display)  # name, sessions: check_station
        sid = col.safe_id(sm)
        if sid is None:
            continue
        if sid.casefold() in seen:  # ids are file names: Windows and FAT ignore case
            other, other_line = seen[sid.casefold()]
            col.add(sm.line_of("id"), MESSAGES["dup_id" if other == sid else "dup_id_case"].format(
                value=sid, other=other, first=f"dòng {other_line}"))
            continue
        seen[sid.casefold()] = (sid, sm.line_of("id"))
        groups = sm.get("groups") or []
        check_station(col, sm, sid)
        name = col.text(sm, "name", sid, limit=models.TEXT_LIMITS["station_name"], label=LABELS["station_name"])
        out.append(Station(
            id=sid, name=name, medium=col.choice(sm, "media", models.MEDIA, "loa-day", "phương tiện (media)"),
            sessions=_sessions(col, sm, relays), groups=tuple(str(g) for g in groups) if isinstance(groups, list) else (str(groups),),
            opening=col.text(sm, "opening"), closing=col.text(sm, "closing"),
            file=col.display, line=sm.line))
    return tuple(out)


def _campaigns(col: FileChecker, raw: Any, line: int) -> tuple[Campaign, ...]:
    if raw in (None, []):
        return ()
    if not isinstance(raw, list):
        col.add(line, MESSAGES["type"].format(key="campaigns", expected="một danh sách chiến dịch", got=kind_of(raw)))
        return ()
    out, seen = [], {}
    for i, item in enumerate(raw):
        cm = col.mapping(item, raw.line_of(i), "campaigns")
        if cm is None:
            continue
        col.problems += check_keys(cm, CAMPAIGN_KEYS, ["id", "name"], col.display)
        cid = col.safe_id(cm)
        if cid is None:
            continue
        if cid in seen:
            col.add(cm.line_of("id"), MESSAGES["dup_id"].format(value=cid, first=f"dòng {seen[cid]}"))
            continue
        seen[cid] = cm.line_of("id")
        start, end = col.date(cm, "from"), col.date(cm, "until")
        if start and end and end < start:
            col.add(cm.line_of("until"), MESSAGES["valid_order"].format(until=end, start=start))
        out.append(Campaign(cid, col.text(cm, "name", cid, limit=models.TEXT_LIMITS["campaign_name"],
                                          label=LABELS["campaign_name"]),
                            col.text(cm, "directive", limit=models.TEXT_LIMITS["directive"], label=LABELS["directive"]),
                            start, end,
                            col.display, cm.line))
    return tuple(out)


def _settings(col: FileChecker, cls, merged: dict, user: LDict | None, key: str, keys: list[str]):
    if user is not None and key in user:
        section = col.mapping(user[key], user.line_of(key), key)
        if section is not None:
            col.problems += check_keys(section, keys, [], col.display)
    values = {k: v for k, v in merged.items() if k in keys}
    try:
        return cls(**values)
    except TypeError as exc:  # pragma: no cover - guarded by check_keys
        col.add(user.line_of(key) if user else None, str(exc))
        return cls()


def _check_speech(col: FileChecker, speech: SpeechSettings, user: LDict | None) -> dict[str, int]:
    """The dialect (engines and voices are speech/checks.py's); returns where each speech key is written
    ("" → the section's line), which the speech checks report at."""
    section = user.get("speech") if isinstance(user, dict) else None
    lines = {"": section.line, **getattr(section, "key_lines", {})} if isinstance(section, LDict) else (
        {"": user.line_of("speech")} if user else {})
    dialects = models.SETTINGS["speech"]["dialect"]["choices"]
    if speech.dialect not in dialects:
        col.add(lines.get("dialect", lines.get("")), MESSAGES["choice"].format(
            what="giọng số (dialect)", value=speech.dialect, hint="", valid=", ".join(dialects)))
    return lines


# Sane bounds of the numeric audio settings (models.SETTINGS): anything else is a typing mistake.
AUDIO_RANGES = {key: rule["range"] for key, rule in models.SETTINGS["audio"].items() if "range" in rule}


def _check_audio(col: FileChecker, audio: AudioSettings, user: LDict | None) -> AudioSettings:
    section = user.get("audio") if isinstance(user, dict) else None
    line = section.line_of("profile") if isinstance(section, LDict) else None
    at = (lambda k: section.line_of(k) if k in section else section.line) if isinstance(section, LDict) else (lambda k: line)
    fixed = {}
    for key, (lo, hi) in AUDIO_RANGES.items():
        value = getattr(audio, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            col.add(at(key), MESSAGES["type"].format(key=key, expected="một số", got=kind_of(value)))
        elif not lo <= value <= hi:
            col.add(at(key), MESSAGES["audio_range"].format(key=key, value=value, lo=lo, hi=hi,
                                                                 help=models.SETTINGS["audio"][key]["help"]))
        else:
            continue
        fixed[key] = getattr(AudioSettings, key)
    if not isinstance(audio.chime, bool):
        col.add(at("chime"), MESSAGES["type"].format(key="chime", expected="true hoặc false", got=kind_of(audio.chime)))
        fixed["chime"] = True
    if audio.profile not in models.PROFILES:
        col.add(line, MESSAGES["choice"].format(what="cấu hình âm thanh (profile)", value=audio.profile,
                                                hint=did_you_mean(audio.profile, models.PROFILES),
                                                valid=valid_list(models.PROFILES)))
    return replace(audio, **fixed) if fixed else audio


def host_problem(value) -> str | None:
    """Why ``value`` cannot be an allowed host of the web console (None when it can)."""
    import ipaddress

    text = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    try:
        ipaddress.ip_address(text.strip("[]"))
        return None
    except ValueError:
        pass
    if text and HOST_NAME.match(text) and not text.replace(".", "").isdigit():
        return None
    return MESSAGES["web_host"].format(value=value)


def _web_hosts(col: FileChecker, user: LDict) -> tuple[str, ...]:
    """The ``web: allowed_hosts`` list, each entry a host name or an IP address."""
    section = user.get("web")
    if section is None:
        return ()
    web = col.mapping(section, user.line_of("web"), "web")
    if web is None:
        return ()
    col.problems += check_keys(web, WEB_KEYS, [], col.display)
    raw = web.get("allowed_hosts")
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        col.add(web.line_of("allowed_hosts"), MESSAGES["type"].format(
            key="allowed_hosts", expected="một danh sách tên máy", got=kind_of(raw)))
        return ()
    hosts = []
    for i, value in enumerate(raw):
        problem = host_problem(value)
        if problem:
            col.add(raw.line_of(i) if isinstance(raw, LList) else web.line_of("allowed_hosts"), problem)
        else:
            hosts.append(str(value).strip().strip("[]").rstrip(".").lower())
    return tuple(hosts)


def _check_period_end_day(col: FileChecker, report: LDict) -> None:
    """``report.period_end_day`` is a day of the month (1–31) or empty; anything else is refused here,
    with its line, instead of failing later inside `report --period`."""
    value = report.get("period_end_day")
    if value is None or value == "":
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        col.add(report.line_of("period_end_day"), MESSAGES["period_end_day"].format(value=value))
        report["period_end_day"] = None


def _check_texts(col: FileChecker, user: LDict) -> None:
    """The organisation, place and report-header texts fit models.TEXT_LIMITS (each recipient is one line)."""
    for key in ("organization", "place"):
        col.text(user, key, limit=models.TEXT_LIMITS[key], label=LABELS[key])
    report = user.get("report")
    if not isinstance(report, LDict):
        return
    limit = models.TEXT_LIMITS["report_line"]
    for key in ("number", "title", "superior", "signer_title", "signer_name"):
        col.text(report, key, limit=limit, label=LABELS["report_title" if key == "title" else key])
    recipients = report.get("recipients")
    for i, line in enumerate(recipients if isinstance(recipients, LList) else []):
        if isinstance(line, str) and len(line.strip()) > limit:
            col.add(recipients.line_of(i), MESSAGES["long_field"].format(
                label=LABELS["recipients"], key="recipients", length=len(line.strip()), limit=limit))


def load_config(root: Path) -> tuple[dict, list[Problem]]:
    """broadcaster.yaml merged over the shipped defaults, plus the parsed settings objects."""
    path = root / CONFIG_NAME
    display = CONFIG_NAME
    col = FileChecker(display)
    if not path.exists():
        col.add(None, MESSAGES["no_config"].format(root=root))
        return {}, col.problems
    user, problems = load_yaml(path, display)
    col.problems += problems
    if problems:
        return {}, col.problems
    if not isinstance(user, dict):
        col.add(1, "nội dung phải là một bảng khóa: giá trị")
        return {}, col.problems
    col.problems += check_keys(user, TOP_KEYS, [], display)
    _check_texts(col, user)
    if "organization" in user and not str(user.get("organization") or "").strip():  # the report's heading
        col.add(user.line_of("organization"), MESSAGES["no_organization"])
    if isinstance(user.get("report"), dict):
        _check_period_end_day(col, user["report"])  # before the merge, so a refused value is not used
    defaults = _shipped_defaults()
    merged: dict[str, Any] = dict(defaults)
    for key, value in user.items():
        if key in ("speech", "audio", "report") and isinstance(value, dict):
            merged[key] = {**defaults.get(key, {}), **value}
        elif key in ("speech", "audio", "report") and value is not None:
            # `speech: abc` — a section that is not a mapping: reported with its line, defaults kept.
            if key == "report":  # speech and audio are reported by _settings
                col.mapping(value, user.line_of(key), key)
        else:
            merged[key] = value
    speech = _settings(col, SpeechSettings, merged.get("speech") or {}, user, "speech", SPEECH_KEYS)
    audio = _settings(col, AudioSettings, merged.get("audio") or {}, user, "audio", AUDIO_KEYS)
    if isinstance(user.get("report"), dict):
        col.problems += check_keys(user["report"], REPORT_KEYS, [], display)
    speech_lines = _check_speech(col, speech, user)
    audio = _check_audio(col, audio, user)
    timezone = str(merged.get("timezone") or "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(timezone)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        col.add(user.line_of("timezone") if "timezone" in user else 1, MESSAGES["timezone"].format(value=timezone))
    relays = _relays(col, user.get("relays"), user.line_of("relays") if "relays" in user else 1)
    stations = _stations(col, user.get("stations"), user.line_of("stations") if "stations" in user else 1,
                         {r.id: r for r in relays})
    campaigns = _campaigns(col, user.get("campaigns"), user.line_of("campaigns") if "campaigns" in user else 1)
    groups = merged.get("station_groups") or {}
    if not isinstance(groups, dict):
        col.add(user.line_of("station_groups"), MESSAGES["type"].format(
            key="station_groups", expected="một bảng nhóm: [mã đài, …]", got=kind_of(groups)))
        groups = {}
    ids = {s.id for s in stations}
    clean_groups: dict[str, tuple[str, ...]] = {}
    for gname, members in groups.items():
        line = groups.line_of(gname) if isinstance(groups, LDict) else None
        if isinstance(members, str):  # `xa-fm: xa-dai-tam` — one station
            members = [members]
        if members is not None and not isinstance(members, list):
            col.add(line, MESSAGES["type"].format(key=gname, expected="một danh sách mã đài", got=kind_of(members)))
            continue
        for member in members or []:
            if str(member) not in ids:
                col.add(line, MESSAGES["group_member"].format(group=gname, station=member,
                                                              hint=did_you_mean(member, ids)))
        clean_groups[str(gname)] = tuple(str(m) for m in members or ())
    database = os.environ.get("BROADCASTER_DATABASE_URL") or str(merged.get("database") or "sqlite:///broadcaster.db")
    return {
        "organization": str(merged.get("organization") or ""),
        "place": str(merged.get("place") or ""),
        "timezone": timezone,
        "stations": stations, "campaigns": campaigns, "speech": speech, "audio": audio,
        "database_url": database, "report": dict(merged.get("report") or {}),
        "station_groups": clean_groups,
        "allowed_hosts": _web_hosts(col, user), "relays": relays, "speech_lines": speech_lines,
    }, col.problems


def load_script(path: Path, display: str, campaigns: dict[str, Campaign]) -> tuple[Script | None, list[Problem]]:
    """One scripts/*.yaml file → Script, or None with the problems found."""
    data, problems = load_yaml(path, display)
    if problems:
        return None, problems
    col = FileChecker(display)
    if not isinstance(data, dict):
        col.add(1, "nội dung phải là một bảng khóa: giá trị (id, title, text …), không phải " + kind_of(data))
        return None, col.problems
    col.problems += check_keys(data, SCRIPT_KEYS, ["id", "title"] + ([] if "audio" in data else ["text"]), display)
    sid = col.safe_id(data)
    text = col.text(data, "text", limit=models.TEXT_MAX)
    if "text" in data and not text.strip() and "audio" not in data:
        col.add(data.line_of("text"), MESSAGES["empty_text"])
    audio = None
    if "audio" in data:
        from .recordings import script_audio_problem

        audio = str(data["audio"] or "").strip()
        problem = script_audio_problem(path.parent.parent, audio, sid or "ID")
        if problem:
            col.add(data.line_of("audio"), problem)
    campaign_id = col.text(data, "campaign") or None
    if campaign_id is not None and campaign_id not in campaigns:
        col.add(data.line_of("campaign"), MESSAGES["choice"].format(
            what="chiến dịch (campaign)", value=campaign_id, hint=did_you_mean(campaign_id, campaigns),
            valid=valid_list(campaigns) or "(chưa khai báo chiến dịch nào trong broadcaster.yaml)"))
    form = col.choice(data, "form", models.SCRIPT_FORMS, "thong-bao", "hình thức (form)")
    priority = col.choice(data, "priority", models.PRIORITIES, "normal", "mức ưu tiên (priority)")
    language = col.choice(data, "language", models.LANGUAGES, "vi", "ngôn ngữ (language)")
    engine = data.get("engine")  # engine, voice and language together: speech/checks.py
    repeat = data.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int):
        col.add(data.line_of("repeat"), MESSAGES["type"].format(key="repeat", expected="một số nguyên", got=kind_of(repeat)))
        repeat = 1
    elif not REPEAT_RANGE[0] <= repeat <= REPEAT_RANGE[1]:
        col.add(data.line_of("repeat"), MESSAGES["repeat_range"].format(value=repeat, lo=REPEAT_RANGE[0], hi=REPEAT_RANGE[1]))
    valid_from = valid_until = None
    if "valid" in data:
        vm = col.mapping(data["valid"], data.line_of("valid"), "valid")
        if vm is not None:
            col.problems += check_keys(vm, ["from", "until"], [], display)
            valid_from, valid_until = col.date(vm, "from"), col.date(vm, "until")
            if valid_from and valid_until and valid_until < valid_from:
                col.add(vm.line_of("until"), MESSAGES["valid_order"].format(until=valid_until, start=valid_from))
    if any(p.severity == "error" for p in col.problems) or sid is None:
        return None, col.problems
    campaign = campaigns.get(campaign_id) if campaign_id else None
    return Script(
        id=sid, title=col.text(data, "title", sid, limit=models.TEXT_LIMITS["title"], label=LABELS["title"]), campaign=campaign_id or "", form=form, priority=priority,
        repeat=repeat, valid_from=valid_from, valid_until=valid_until, language=language, text=text.strip(),
        source=col.text(data, "source") or (campaign.directive if campaign else ""),
        engine=str(engine) if engine else None, voice=str(data["voice"]) if data.get("voice") else None,
        file=display, line=data.line, audio=audio or None,
        lines={"": data.line, **getattr(data, "key_lines", {})}), col.problems


def load_scripts(root: Path, campaigns: dict[str, Campaign]) -> tuple[tuple[Script, ...], list[Problem]]:
    """Every scripts/*.yaml, checking that ids are unique."""
    problems: list[Problem] = []
    scripts: list[Script] = []
    first: dict[str, tuple[str, str]] = {}
    folder = root / "scripts"
    files = sorted(list(folder.glob("*.yaml")) + list(folder.glob("*.yml"))) if folder.is_dir() else []
    for path in files:
        display = f"scripts/{path.name}"
        script, found = load_script(path, display, campaigns)
        problems += found
        if script is None:
            continue
        if script.id.casefold() in first:  # ids are file names: Windows and FAT ignore case
            other, where = first[script.id.casefold()]
            problems.append(Problem(display, script.lines.get("id", script.line), MESSAGES[
                "dup_id" if other == script.id else "dup_id_case"].format(value=script.id, other=other, first=where)))
            continue
        first[script.id.casefold()] = (script.id, display)
        scripts.append(script)
    if not files:
        problems.append(Problem("scripts/", None, MESSAGES["no_scripts"], "warning"))
    return tuple(scripts), problems


_ID_LINE = re.compile(r"^id\s*:\s*[\"']?([A-Za-z0-9][A-Za-z0-9_.-]{0,63})[\"']?\s*(?:#.*)?$", re.M)


def broken_scripts(root: Path, scripts: tuple[Script, ...], problems: list[Problem]) -> dict[str, str]:
    """The scripts left out because their file has errors: id → where the first error is (FILE:LINE).

    The id is read from the file's ``id:`` line even when the YAML does not parse
    (the file stem otherwise), so a schedule naming the script can say the script
    is broken rather than unknown.
    """
    loaded = {s.id for s in scripts}
    found: dict[str, str] = {}
    for problem in problems:
        if problem.severity != "error" or not (problem.file or "").startswith("scripts/"):
            continue
        path = root / problem.file
        if not path.is_file():
            continue
        try:
            match = _ID_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            match = None
        sid = match[1] if match else path.stem
        if sid not in loaded and sid not in found:
            found[sid] = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return found


def inspect_project(root: Path | str) -> tuple[Project | None, list[Problem]]:
    """Load a working folder, returning the project (None when errors prevent it) and every problem."""
    root = Path(root).resolve()
    cfg, problems = load_config(root)
    if not cfg:
        return None, problems
    campaigns = {c.id: c for c in cfg["campaigns"]}
    scripts, script_problems = load_scripts(root, campaigns)
    problems += script_problems
    lexicon, lex_problems = read_lexicon(root / "lexicon.yaml", "lexicon.yaml")  # how staff want words read
    problems += lex_problems
    ids = {s.id for s in scripts}
    for relay in cfg["relays"]:
        if relay.fallback and relay.fallback not in ids:
            problems.append(Problem(relay.file, relay.line, MESSAGES["relay_fallback"].format(
                relay=relay.id, value=relay.fallback, hint=did_you_mean(relay.fallback, ids))))
    project = Project(root=root, lexicon=lexicon, scripts=scripts, **cfg,
                      broken_scripts=broken_scripts(root, scripts, script_problems))
    return project, problems


class MissingConfig(ProblemsError):
    """The folder has no broadcaster.yaml (the shell may add how to name another folder)."""


def require_project(root: Path | str, project: Project | None, problems: list[Problem]) -> Project:
    """``project`` when ``problems`` has no error; else ProblemsError (MissingConfig without broadcaster.yaml)."""
    if project is None or any(p.severity == "error" for p in problems):
        raise (ProblemsError if (Path(root) / CONFIG_NAME).exists() else MissingConfig)(problems)
    return project


def load_project(root: Path | str) -> Project:
    """Load a working folder (configuration only) or raise ProblemsError listing every error found.

    The engine, voice and language checks are the speech stage's: ``workdir.load_project`` adds them.
    """
    return require_project(root, *inspect_project(root))
