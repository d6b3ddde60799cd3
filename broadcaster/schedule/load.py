"""Schedule stage, loading: schedules/*.yaml become validated `Schedule` objects (lịch phát).

A schedule says which scripts play at which stations, on which days and in which
sessions. Everything that can be checked without audio is checked here and
returned as `Problem`s with FILE:LINE; the length check of each session needs
clip durations and lives in `check.py` (`check.inspect_schedules` runs both).

File shape (every key but ``items`` is optional; ``from`` is needed unless
``dates`` lists the days)::

    name: Lịch phát dừng 2G            # shown in exports
    campaign: dung-2g                  # default campaign of the items (checked)
    stations: all                      # all | a group from station_groups | [ids or groups]
    from: 2024-07-15                   # dd/mm/yyyy also accepted
    until: 2024-09-30                  # open-ended when left out
    days: [mon, tue, wed, thu, fri]    # default: every day
    dates: [2024-09-01]                # extra days, even outside from/until or days
    exclude: [2024-09-02]              # holidays: never played
    sessions: [sang, chieu]            # default: every session of each station
    items:
      - script: 2g-thong-bao
      - {script: 2g-huong-dan, sessions: [sang], days: [mon, wed, fri]}
      - {script: 2g-nhac-nho, per_week: 3, from: 2024-08-01}
      - {script: bao-bao, priority: emergency, dates: [2024-08-10]}

Item keys: ``script`` (required), ``sessions``, ``days``, ``dates`` (only those
days), ``from``/``until`` (narrow the schedule's range), ``per_week`` (N plays a
week per station, see `expand.per_week_slots`), ``priority`` (overrides the
script's: normal | priority | emergency, TT 39/2020 thông thường | ưu tiên | khẩn cấp).

A relay item (tiếp sóng) names a source of ``relays:`` in broadcaster.yaml instead
of a script: ``{relay: vov1, minutes: 15}`` (optional ``campaign``, and the item keys
above). It is checked here: the relay exists, ``minutes`` > 0 and no longer than any
session it lands in. Items without ``sessions`` skip the stations' relay sessions
(``relay:`` on a session) unless they are emergencies; a non-emergency item naming
a relay session is an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import Problem, did_you_mean, valid_list
from ..models import PRIORITIES, Project, unknown_station_message
from ..timeutil import parse_date, vn_date
from .days import never_on_weekdays, weekdays_text
from ..yamlfile import FileChecker, LDict, LList, check_keys, kind_of, load_yaml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# mon … sun, the full English names, and the Vietnamese short forms t2 … t7, cn.
DAY_NAMES = {**{d: i for i, d in enumerate(WEEKDAYS)},
             **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                            "sunday"))},
             **{f"t{i + 2}": i for i in range(6)}, "cn": 6}
TOP_KEYS = ["name", "campaign", "stations", "from", "until", "days", "dates", "exclude", "sessions", "items"]
ITEM_KEYS = ["script", "sessions", "days", "dates", "from", "until", "per_week", "priority"]
RELAY_ITEM_KEYS = ["relay", "minutes", "campaign", "sessions", "days", "dates", "from", "until", "per_week", "priority"]
SCHEDULE_DIR = "schedules"

MESSAGES = {
    "not_mapping": "nội dung lịch phát phải là một bảng khóa: giá trị (stations, from, until, sessions, items …), không phải {kind}",
    "type": '"{key}" phải là {expected}, không phải {got}',
    "no_items": "lịch phát không có mục nào (items) — thêm ít nhất một mục, ví dụ  items: [{{script: {example}}}]",
    "unknown_session": 'phiên không tồn tại "{value}"{hint} ở các đài của lịch — các phiên có: {valid}',
    "session_missing_some": 'phiên "{value}" không có ở đài {stations}; các đài này sẽ không phát mục đó',
    "unknown_script": 'kịch bản không tồn tại "{value}"{hint} — các kịch bản trong scripts/: {valid}',
    "unknown_campaign": 'chiến dịch không tồn tại "{value}"{hint} — các chiến dịch: {valid}',
    "unknown_day": 'thứ không hợp lệ "{value}"{hint} — dùng: mon, tue, wed, thu, fri, sat, sun (hoặc t2 … t7, cn)',
    "priority": 'mức ưu tiên không hợp lệ "{value}"{hint} — chọn: normal (thông thường), priority (ưu tiên), emergency (khẩn cấp)',
    "per_week": '"per_week" phải là số nguyên từ 1 đến {most} (số lượt mỗi tuần ở mỗi đài, tối đa bằng số ngày × số phiên), không phải {value}',
    "per_week_dates": '"per_week" và "dates" không dùng cùng một mục — chọn một cách',
    "no_from": 'thiếu ngày bắt đầu "from" — thêm  from: 2024-07-15  (hoặc liệt kê ngày phát trong dates:)',
    "range_order": "ngày kết thúc (until {until}) trước ngày bắt đầu (from {start}) — sửa lại cho until sau from",
    "campaign_outside": 'kịch bản "{script}" thuộc chiến dịch "{campaign}" ({c_from}–{c_until}), nhưng lịch phát ({s_from}–{s_until}) nằm hoàn toàn ngoài thời gian chiến dịch — không lượt nào được phát',
    "campaign_partial": 'kịch bản "{script}" thuộc chiến dịch "{campaign}" ({c_from}–{c_until}); những ngày của lịch ({s_from}–{s_until}) ngoài thời gian chiến dịch sẽ không phát kịch bản này',
    "script_expired": 'kịch bản "{script}" chỉ có hiệu lực {v_from}–{v_until}; những ngày của lịch ({s_from}–{s_until}) ngoài khoảng đó sẽ không phát kịch bản này',
    "script_never": 'kịch bản "{script}" có hiệu lực {v_from}–{v_until}, hoàn toàn ngoài lịch phát ({s_from}–{s_until}) — không lượt nào được phát',
    "never_plays": ('mục "{script}" không bao giờ phát: từ {start} đến {end} không có ngày nào là {days} — sửa '
                    'ngày (from/until) hoặc thứ (days) của mục cho khớp nhau'),
    "broken_script": 'kịch bản "{value}" đang có lỗi ở {problem} nên mục này tạm bỏ qua — sửa tệp kịch bản đó trước',
    "no_schedules": "thư mục schedules/ chưa có lịch phát nào (*.yaml) — kế hoạch phát sẽ trống",
    "unknown_relay": 'nguồn tiếp sóng không tồn tại "{value}"{hint} — các nguồn trong relays: của broadcaster.yaml: {valid}',
    "script_and_relay": 'một mục chỉ ghi script hoặc relay, không ghi cả hai — tách thành hai mục',
    "relay_minutes": '"minutes" của mục tiếp sóng phải là số phút lớn hơn 0, ví dụ  {{relay: {relay}, minutes: 30}}, không phải {value}',
    "relay_too_long": ('tiếp sóng {relay} {minutes:g} phút dài hơn phiên {session} ({start}–{end}, {length} phút) ở đài '
                       '{station} — giảm minutes hoặc kéo dài phiên trong broadcaster.yaml'),
    "relay_session": ('phiên "{session}" của đài {station} là phiên tiếp sóng ({relay}) — chỉ tin khẩn cấp (priority: '
                      'emergency) được chen vào; chọn phiên khác cho mục này'),
}


@dataclass(frozen=True)
class ScheduleItem:
    """One line of a schedule: a script and when it plays (mục trong lịch phát).

    Attributes:
        script: Script id.
        sessions: Session names; empty means the schedule's sessions.
        days: Weekday indexes (0 = Monday); empty means the schedule's days.
        dates: When not empty, the item plays only on these days.
        start: First day of the item (narrows the schedule), or None.
        end: Last day of the item, or None.
        per_week: N plays a week per station, or None for every matching session.
        priority: Override of the script's priority, or None.
        line: Line of the item in the schedule file.
    """

    script: str
    sessions: tuple[str, ...] = ()
    days: tuple[int, ...] = ()
    dates: frozenset[date] = frozenset()
    start: date | None = None
    end: date | None = None
    per_week: int | None = None
    priority: str | None = None
    line: int | None = None
    relay: str | None = None       # relay item: the relay id (script is then "")
    minutes: float | None = None   # relay item: planned length in minutes
    campaign: str = ""             # relay item: campaign it counts under ("" = none)


@dataclass(frozen=True)
class Schedule:
    """A broadcast schedule file (lịch phát): stations, days, sessions and items.

    Attributes:
        id: File stem, e.g. ``2g``.
        name: Display name (``name:`` or the file stem).
        file: Path shown in messages, e.g. ``schedules/2g.yaml``.
        stations: Station ids the schedule covers, in broadcaster.yaml order.
        start: First day (``from``), None when only ``dates`` are given.
        end: Last day (``until``), None when open-ended.
        days: Weekday indexes played (0 = Monday).
        dates: Extra days played whatever ``from``/``until``/``days`` say.
        exclude: Days never played (holidays).
        sessions: Session names; empty means every session of each station.
        items: The items in file order.
        campaign: Default campaign id, or "".
        line: Line of the top mapping; ``items_line`` the line of ``items:``.
    """

    id: str
    name: str
    file: str
    stations: tuple[str, ...]
    start: date | None
    end: date | None
    days: tuple[int, ...]
    dates: frozenset[date]
    exclude: frozenset[date]
    sessions: tuple[str, ...]
    items: tuple[ScheduleItem, ...]
    campaign: str = ""
    line: int = 1
    items_line: int = 1

    def active_on(self, day: date) -> bool:
        """Tell whether the schedule plays on ``day`` (range, weekdays, extra and excluded dates)."""
        if day in self.exclude:
            return False
        if day in self.dates:
            return True
        if self.start is None or day < self.start or (self.end is not None and day > self.end):
            return False
        return day.weekday() in self.days

    def first_day(self) -> date | None:
        """The earliest day the schedule can play."""
        candidates = [d for d in (self.start, min(self.dates, default=None)) if d is not None]
        return min(candidates) if candidates else None

    def last_day(self) -> date | None:
        """The latest day the schedule can play, None when open-ended."""
        if self.start is not None and self.end is None:
            return None
        candidates = [d for d in (self.end, max(self.dates, default=None)) if d is not None]
        return max(candidates) if candidates else None


class _Reader(FileChecker):
    """Collects the problems of one schedule file while reading its values."""

    def __init__(self, project: Project, display: str):
        super().__init__(display)
        self.project = project

    def as_list(self, m: LDict, key: str) -> LList | None:
        """The value of ``key`` as a list (a single scalar becomes a one-item list)."""
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            self.add(m.line_of(key), MESSAGES["type"].format(key=key, expected="một danh sách", got="một bảng"))
            return None
        if not isinstance(value, list):
            single = LList([value])
            single.line = m.line_of(key)
            single.item_lines = [m.line_of(key)]
            return single
        return value

    def dates(self, m: LDict, key: str) -> frozenset[date]:
        values = self.as_list(m, key) or []
        out = set()
        for i, value in enumerate(values):
            try:
                out.add(parse_date(value))
            except ValueError as exc:
                self.add(values.line_of(i), str(exc))
        return frozenset(out)

    def weekdays(self, m: LDict, key: str) -> tuple[int, ...]:
        values = self.as_list(m, key)
        if values is None:
            return ()
        out = []
        for i, value in enumerate(values):
            name = str(value).strip().lower()
            if name not in DAY_NAMES:
                self.add(values.line_of(i), MESSAGES["unknown_day"].format(
                    value=value, hint=did_you_mean(name, WEEKDAYS)))
                continue
            out.append(DAY_NAMES[name])
        return tuple(sorted(set(out)))

    def range_order(self, m: LDict, start: date | None, end: date | None) -> None:
        if start and end and end < start:
            self.add(m.line_of("until"), MESSAGES["range_order"].format(until=vn_date(end), start=vn_date(start)))


def _stations(r: _Reader, data: LDict) -> tuple[str, ...]:
    project = r.project
    ids = [s.id for s in project.stations]
    values = r.as_list(data, "stations") if "stations" in data else LList(["all"])
    if values is None:
        return ()
    chosen: set[str] = set()
    names = ["all", *project.station_groups, *ids]
    for i, value in enumerate(values):
        value = str(value)
        line = values.line_of(i) if getattr(values, "item_lines", None) else data.line
        if value == "all":
            chosen.update(ids)
        elif value in project.station_groups:
            chosen.update(project.station_groups[value])
        elif value in ids:
            chosen.add(value)
        else:
            # A station may also name a group through Station.groups (tags in broadcaster.yaml).
            tagged = [s.id for s in project.stations if value in s.groups]
            if tagged:
                chosen.update(tagged)
                continue
            r.add(line, unknown_station_message(value, names, groups=True))
    return tuple(i for i in ids if i in chosen)


def _sessions(r: _Reader, m: LDict, key: str, stations: tuple[str, ...]) -> tuple[str, ...]:
    values = r.as_list(m, key)
    if values is None:
        return ()
    if not stations:  # the station list is already wrong; do not pile session errors on it
        return tuple(str(v) for v in values)
    known: dict[str, list[str]] = {}
    for sid in stations:
        station = r.project.station(sid)
        for session in station.sessions if station else ():
            known.setdefault(session.name, []).append(sid)
    out = []
    for i, value in enumerate(values):
        value = str(value)
        if value not in known:
            r.add(values.line_of(i), MESSAGES["unknown_session"].format(
                value=value, hint=did_you_mean(value, known), valid=valid_list(known) or "(không có)"))
            continue
        # A station with no sessions at all is broadcaster.yaml's error, reported there: no warning per item here.
        lacking = [s for s in stations if s not in known[value] and _has_sessions(r.project, s)]
        if lacking:
            r.add(values.line_of(i), MESSAGES["session_missing_some"].format(
                value=value, stations=", ".join(lacking)), "warning")
        out.append(value)
    return tuple(out)


def _has_sessions(project: Project, sid: str) -> bool:
    station = project.station(sid)
    return station is not None and bool(station.sessions)


def _range_text(start: date | None, end: date | None) -> tuple[str, str]:
    return (vn_date(start) if start else "…", vn_date(end) if end else "…")


def _overlap(a_start, a_end, b_start, b_end) -> tuple[bool, bool]:
    """(disjoint, partial) for two closed date ranges, None meaning unbounded."""
    lo = max((d for d in (a_start, b_start) if d), default=None)
    hi = min((d for d in (a_end, b_end) if d), default=None)
    disjoint = lo is not None and hi is not None and hi < lo
    inside = ((b_start is None or (a_start is not None and a_start >= b_start))
              and (b_end is None or (a_end is not None and a_end <= b_end)))
    return disjoint, not disjoint and not inside


def _check_dates(r: _Reader, item: ScheduleItem, schedule_start, schedule_end, line: int) -> None:
    """Warn or fail when the item's days fall outside its script's validity or campaign."""
    script = r.project.script(item.script)
    if script is None:
        return
    start = max((d for d in (schedule_start, item.start) if d), default=None)
    end = min((d for d in (schedule_end, item.end) if d), default=None)
    s_from, s_until = _range_text(start, end)
    campaign = r.project.campaign(script.campaign) if script.campaign else None
    if campaign is not None and (campaign.start or campaign.end):
        disjoint, partial = _overlap(start, end, campaign.start, campaign.end)
        c_from, c_until = _range_text(campaign.start, campaign.end)
        values = dict(script=script.id, campaign=campaign.id, c_from=c_from, c_until=c_until,
                      s_from=s_from, s_until=s_until)
        if disjoint:
            r.add(line, MESSAGES["campaign_outside"].format(**values))
            return
        if partial:
            r.add(line, MESSAGES["campaign_partial"].format(**values), "warning")
    if script.valid_from or script.valid_until:
        disjoint, partial = _overlap(start, end, script.valid_from, script.valid_until)
        v_from, v_until = _range_text(script.valid_from, script.valid_until)
        values = dict(script=script.id, v_from=v_from, v_until=v_until, s_from=s_from, s_until=s_until)
        if disjoint:
            r.add(line, MESSAGES["script_never"].format(**values), "warning")
        elif partial:
            r.add(line, MESSAGES["script_expired"].format(**values), "warning")


def _item(r: _Reader, raw, line: int, schedule: dict) -> ScheduleItem | None:
    project = r.project
    if isinstance(raw, str):  # shorthand: "- 2g-thong-bao"
        raw_map = LDict(script=raw)
        raw_map.line, raw_map.key_lines = line, {"script": line}
        raw = raw_map
    if not isinstance(raw, dict):
        r.add(line, MESSAGES["type"].format(key="items", expected="một bảng (script: …)", got=kind_of(raw)))
        return None
    if "relay" in raw:
        return _relay_item(r, raw, schedule)
    r.problems += check_keys(raw, ITEM_KEYS, ["script"], r.display)
    if "script" not in raw:
        return None
    script_id = str(raw["script"])
    ids = [s.id for s in project.scripts]
    broken = getattr(project, "broken_scripts", {}).get(script_id)
    if script_id not in ids and broken:
        # The script's own error is reported by its file; here only this item is left out.
        r.add(raw.line_of("script"), MESSAGES["broken_script"].format(value=script_id, problem=broken), "warning")
        return None
    if script_id not in ids:
        r.add(raw.line_of("script"), MESSAGES["unknown_script"].format(
            value=script_id, hint=did_you_mean(script_id, ids), valid=valid_list(ids) or "(chưa có)"))
        return None
    priority = raw.get("priority")
    if priority is not None and str(priority) not in PRIORITIES:
        r.add(raw.line_of("priority"), MESSAGES["priority"].format(value=priority, hint=did_you_mean(priority, PRIORITIES)))
        priority = None
    start, end = r.date(raw, "from"), r.date(raw, "until")
    r.range_order(raw, start, end)
    days = r.weekdays(raw, "days")
    sessions = _sessions(r, raw, "sessions", schedule["stations"])
    dates = r.dates(raw, "dates")
    per_week = raw.get("per_week")
    if per_week is not None:
        slots = len(days or schedule["days"]) * max(1, len(sessions or schedule["sessions"]) or _session_count(r, schedule))
        if isinstance(per_week, bool) or not isinstance(per_week, int) or not 1 <= per_week <= slots:
            r.add(raw.line_of("per_week"), MESSAGES["per_week"].format(value=per_week, most=slots))
            per_week = None
        elif dates:
            r.add(raw.line_of("per_week"), MESSAGES["per_week_dates"])
            per_week = None
    _check_relay_sessions(r, raw, schedule, sessions, str(priority) if priority else project.script(script_id).priority)
    item = ScheduleItem(script=script_id, sessions=sessions, days=days, dates=dates, start=start, end=end,
                        per_week=per_week, priority=str(priority) if priority else None, line=raw.line)
    if not schedule["bad_dates"] and not ((raw.get("from") and start is None) or (raw.get("until") and end is None)):
        # A date already refused has no range to compare: no warnings built on a guess.
        _check_dates(r, item, schedule["start"], schedule["end"], raw.line_of("script"))
        _check_weekdays(r, item, schedule, raw.line_of("script"))
    return item


def _check_weekdays(r: _Reader, item: ScheduleItem, schedule: dict, line: int) -> None:
    """Warn when the item's weekdays never fall inside its date range (it would play nothing).

    A warning, as for a script whose validity lies wholly outside the schedule: the rest of
    the schedule still plays; the console's add form refuses such an item outright.
    """
    if item.dates or schedule["dates"]:
        return
    start = max((d for d in (schedule["start"], item.start) if d), default=None)
    end = min((d for d in (schedule["end"], item.end) if d), default=None)
    days = set(item.days or schedule["days"]) & set(schedule["days"])
    if (start and end and end < start) or not (not days or never_on_weekdays(start, end, days)):
        return
    s_from, s_until = _range_text(start, end)
    r.add(line, MESSAGES["never_plays"].format(script=item.script, start=s_from, end=s_until,
                                               days=weekdays_text(item.days or schedule["days"])), "warning")


def _target_sessions(r: _Reader, schedule: dict, names: tuple[str, ...], emergency: bool):
    """(station, session) pairs an item plays in: named sessions, else every session but relay sessions."""
    names = names or schedule["sessions"]
    for sid in schedule["stations"]:
        station = r.project.station(sid)
        for session in station.sessions if station else ():
            if names and session.name not in names:
                continue
            if not names and session.relay and not emergency:
                continue
            yield station, session


def _check_relay_sessions(r: _Reader, raw: LDict, schedule: dict, sessions: tuple[str, ...], priority) -> None:
    """A non-emergency item naming a relay session is an error: the session relays its source."""
    if priority == "emergency" or not (sessions or schedule["sessions"]):
        return
    for station, session in _target_sessions(r, schedule, sessions, False):
        if session.relay:
            r.add(raw.line_of("sessions") if "sessions" in raw else raw.line, MESSAGES["relay_session"].format(
                session=session.name, station=station.id, relay=session.relay))
            return


def _relay_item(r: _Reader, raw: LDict, schedule: dict) -> ScheduleItem | None:
    """``{relay: ID, minutes: N}``: relay a source for N minutes inside the session's programme."""
    project = r.project
    r.problems += check_keys(raw, RELAY_ITEM_KEYS, ["relay", "minutes"], r.display)
    if "script" in raw:
        r.add(raw.line_of("script"), MESSAGES["script_and_relay"])
        return None
    relay_id = str(raw["relay"])
    ids = [x.id for x in getattr(project, "relays", ())]
    if relay_id not in ids:
        r.add(raw.line_of("relay"), MESSAGES["unknown_relay"].format(
            value=relay_id, hint=did_you_mean(relay_id, ids), valid=valid_list(ids) or "(chưa khai báo)"))
        return None
    minutes = raw.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
        if "minutes" in raw:
            r.add(raw.line_of("minutes"), MESSAGES["relay_minutes"].format(relay=relay_id, value=minutes))
        return None
    campaign = str(raw.get("campaign") or "")
    if campaign and project.campaign(campaign) is None:
        names = [c.id for c in project.campaigns]
        r.add(raw.line_of("campaign"), MESSAGES["unknown_campaign"].format(
            value=campaign, hint=did_you_mean(campaign, names), valid=valid_list(names) or "(chưa có)"))
    priority = raw.get("priority")
    if priority is not None and str(priority) not in PRIORITIES:
        r.add(raw.line_of("priority"), MESSAGES["priority"].format(value=priority, hint=did_you_mean(priority, PRIORITIES)))
        priority = None
    start, end = r.date(raw, "from"), r.date(raw, "until")
    r.range_order(raw, start, end)
    days = r.weekdays(raw, "days")
    sessions = _sessions(r, raw, "sessions", schedule["stations"])
    _check_relay_sessions(r, raw, schedule, sessions, priority)
    for station, session in _target_sessions(r, schedule, sessions, priority == "emergency"):
        if minutes * 60 > session.length_s:
            r.add(raw.line_of("minutes"), MESSAGES["relay_too_long"].format(
                relay=relay_id, minutes=minutes, session=session.name, start=session.start.strftime("%H:%M"),
                end=session.end.strftime("%H:%M"), length=session.length_s // 60, station=station.id))
            break
    per_week = raw.get("per_week")
    if per_week is not None and (isinstance(per_week, bool) or not isinstance(per_week, int) or per_week < 1):
        r.add(raw.line_of("per_week"), MESSAGES["per_week"].format(value=per_week, most="…"))
        per_week = None
    return ScheduleItem(script="", sessions=sessions, days=days, dates=r.dates(raw, "dates"), start=start, end=end,
                        per_week=per_week, priority=str(priority) if priority else None, line=raw.line,
                        relay=relay_id, minutes=float(minutes), campaign=campaign)


def _session_count(r: _Reader, schedule: dict) -> int:
    """Most sessions any of the schedule's stations has (the default when no sessions are named)."""
    counts = [len(r.project.station(s).sessions) for s in schedule["stations"] if r.project.station(s)]
    return max(counts, default=1)


def load_schedule(project: Project, path: Path, display: str) -> tuple[Schedule | None, list[Problem]]:
    """Read and check one schedule file.

    Args:
        project: The loaded working folder (stations, scripts, campaigns).
        path: The YAML file.
        display: The name used in messages, e.g. ``schedules/2g.yaml``.

    Returns:
        The schedule (None when an error prevents using it) and every problem found.
    """
    data, problems = load_yaml(path, display)
    if problems:
        return None, problems
    r = _Reader(project, display)
    if not isinstance(data, dict):
        r.add(1, MESSAGES["not_mapping"].format(kind=kind_of(data)))
        return None, r.problems
    r.problems += check_keys(data, TOP_KEYS, [], display)
    campaign = str(data.get("campaign") or "")
    if campaign and project.campaign(campaign) is None:
        names = [c.id for c in project.campaigns]
        r.add(data.line_of("campaign"), MESSAGES["unknown_campaign"].format(
            value=campaign, hint=did_you_mean(campaign, names), valid=valid_list(names) or "(chưa có)"))
    stations = _stations(r, data)
    start, end = r.date(data, "from"), r.date(data, "until")
    r.range_order(data, start, end)
    dates = r.dates(data, "dates")
    if start is None and not dates and "from" not in data:
        r.add(data.line, MESSAGES["no_from"])
    days = r.weekdays(data, "days") if "days" in data else tuple(range(7))
    sessions = _sessions(r, data, "sessions", stations)
    exclude = r.dates(data, "exclude")
    bad_dates = (data.get("from") not in (None, "") and start is None) or (data.get("until") not in (None, "") and end is None)
    header = {"stations": stations, "start": start, "end": end, "days": days, "sessions": sessions,
              "bad_dates": bad_dates, "dates": dates}
    raw_items = data.get("items")
    items: list[ScheduleItem] = []
    if raw_items is not None and not isinstance(raw_items, list):
        r.add(data.line_of("items"), MESSAGES["type"].format(key="items", expected="một danh sách", got=kind_of(raw_items)))
    elif not raw_items:
        example = project.scripts[0].id if project.scripts else "ma-kich-ban"
        r.add(data.line_of("items") if "items" in data else data.line, MESSAGES["no_items"].format(example=example))
    else:
        for i, raw in enumerate(raw_items):
            item = _item(r, raw, raw_items.line_of(i), header)
            if item is not None:
                items.append(item)
    if any(p.severity == "error" for p in r.problems):
        return None, r.problems
    return Schedule(
        id=path.stem, name=str(data.get("name") or path.stem), file=display, stations=stations, start=start,
        end=end, days=days, dates=dates, exclude=exclude, sessions=sessions, items=tuple(items),
        campaign=campaign, line=data.line, items_line=data.line_of("items")), r.problems


def read_schedule_files(project: Project) -> tuple[list[Schedule], list[Problem]]:
    """Every schedules/*.yaml (and *.yml) in name order, without the session-length check."""
    folder = project.root / SCHEDULE_DIR
    files = sorted(list(folder.glob("*.yaml")) + list(folder.glob("*.yml"))) if folder.is_dir() else []
    schedules: list[Schedule] = []
    problems: list[Problem] = []
    for path in files:
        schedule, found = load_schedule(project, path, f"{SCHEDULE_DIR}/{path.name}")
        problems += found
        if schedule is not None:
            schedules.append(schedule)
    if not files:
        problems.append(Problem(f"{SCHEDULE_DIR}/", None, MESSAGES["no_schedules"], "warning"))
    return schedules, problems
