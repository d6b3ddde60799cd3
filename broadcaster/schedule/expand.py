"""Schedule stage, expansion: schedules and clip durations become the day-by-day plays (lượt phát theo kế hoạch).

A session programme (chương trình phát thanh của một phiên) is laid out as::

    [emergency items] opening  [priority items] [normal items]  closing

with a constant silence of `ITEM_GAP_S` between consecutive pieces. TT 39/2020
priorities decide the order: emergency (khẩn cấp) plays at once, before even
the opening announcement, so it starts exactly at the session start and takes
position 1; priority (ưu tiên) items come next, then normal (thông thường)
ones; inside one level the schedule files (by name) and their items keep their
written order.

Durations come from the clip manifest (``manifest.read_manifest``).
A script whose clip is not built yet gets an *estimate* from its text (see
`estimate_seconds`): speech at the folder's speaking rate (``speech.rate``,
words a minute; a digit counts as one word because numbers are read out),
plus the sentence pauses, repeat pauses, lead-in and chime of the audio
settings. Station identity clips are measured from their MP3 when built,
otherwise estimated the same way. `plan` may therefore show estimated times;
`program` and `export` build every missing clip first and use real durations.
A clip built before its script or the settings changed is *stale* (see
``manifest.clip_states``): its old length still places the plan, but the play
carries no clip path and `Durations.state` says ``stale``, so nothing plays it.

Relays (tiếp sóng): a relay item takes its place among the items like a script,
with its planned ``minutes``; a relay session (``relay:`` on a station's session)
plays every day, laid out as its emergency items then the relay to the session's
end, without identity clips (`relay_session_layout`). Relay plays carry
``script`` = relay id, ``title`` = its name, ``form`` = ``tiep-song`` and no clip.
"""
from __future__ import annotations


import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import BroadcasterError
from ..models import CHIME_S, PRIORITY_RANK, RELAY_FORM, PlannedPlay, Project, Relay, Script, Session, Station
from ..timeutil import vn_date
from ..identity import IDENTITY_DIR, identity_clip_id, identity_texts, identity_title, session_word  # noqa: F401
from ..manifest import clip_states, read_manifest
from .days import change_days, each_day as _days, week_before_finder  # noqa: F401
from .load import Schedule, ScheduleItem

# Silence between two pieces of a programme (identity clips included).
ITEM_GAP_S = 2.0
MESSAGES = {
    "range_order": "ngày kết thúc ({end}) trước ngày bắt đầu ({start})",
}


_SENTENCE_END = re.compile(r"[.!?…;]+|\n")


def estimate_seconds(project: Project, text: str, repeat: int = 1, chime: bool | None = None) -> float:
    """Estimated length of a finished clip read from ``text``, before it is built.

    Speech at ``project.speech.rate`` words a minute (a digit counts as one more word,
    since numbers are read out), a sentence pause after each sentence, the
    repeat pause between readings, the lead-in, and the chime when enabled.
    """
    words = len(text.split()) + sum(ch.isdigit() for ch in text)
    sentences = max(1, len(_SENTENCE_END.findall(text.strip())))
    audio = project.audio
    reading = words * 60.0 / max(1, project.speech.rate) + sentences * audio.sentence_pause_ms / 1000
    seconds = repeat * reading + (repeat - 1) * audio.repeat_pause_ms / 1000 + audio.lead_in_ms / 1000
    if audio.chime if chime is None else chime:
        seconds += CHIME_S
    return seconds


def estimate_recording_seconds(project: Project, script: Script) -> float:
    """Estimated length of a recorded announcement's clip before it is built.

    The recording's own length (read from its header by mutagen, no decoding) times
    ``repeat``, plus the lead-in, repeat pauses and chime. Falls back to the text
    estimate (the transcript) when the file cannot be read.
    """
    import mutagen

    try:
        info = mutagen.File(Path(project.root) / script.audio)
        length = float(info.info.length) if info is not None else 0.0
    except (OSError, mutagen.MutagenError, AttributeError, ValueError):
        length = 0.0
    if length <= 0:
        return estimate_seconds(project, script.text or "", script.repeat)
    audio = project.audio
    seconds = script.repeat * length + (script.repeat - 1) * audio.repeat_pause_ms / 1000 + audio.lead_in_ms / 1000
    if audio.chime:
        seconds += CHIME_S
    return seconds


def mp3_seconds(path: Path) -> float | None:
    """Playing length of an MP3 from its headers (no decoding), or None when unreadable."""
    try:
        from mutagen.mp3 import MP3

        return float(MP3(str(path)).info.length)
    except Exception:  # missing or damaged file: the caller estimates instead
        return None


class Durations:
    """Length of every script clip and identity clip of a project: built when known, else estimated.

    Attributes:
        estimated: True once any length had to be estimated.
        stale: Ids of the clips looked up so far that are stale (built before an edit);
            identity clips as ``_station/ID``.
    """

    def __init__(self, project: Project, records: dict | None = None):
        self.project = project
        if records is None:
            records = read_manifest(project)
        self._manifest = records
        self.records = {sid: rec for sid, rec in records.items()
                        if (project.root / rec.path).exists()}
        self._scripts: dict[str, tuple[float, str | None]] = {}
        self._identity: dict[tuple[str, str, str], float] = {}
        self._states: dict | None = None
        self.estimated = False
        self.stale: set[str] = set()

    def states(self) -> dict:
        """Clip id → ``manifest.ClipState`` of every script and identity clip (computed once, no synthesis)."""
        if self._states is None:
            self._states = clip_states(self.project, identity=True, manifest=self._manifest)
        return self._states

    def state(self, clip_id: str) -> str:
        """``current``, ``stale`` or ``missing`` for a script id or ``_station/ID``."""
        found = self.states().get(clip_id)
        return found.state if found is not None else "missing"

    def script(self, script: Script) -> tuple[float, str | None]:
        """(seconds, clip path relative to the root or None) of a script's clip."""
        found = self._scripts.get(script.id)
        if found is None:
            rec = self.records.get(script.id)
            if rec is not None and self.state(script.id) == "stale":
                found = (float(rec.duration_s), None)   # the old length places the plan; no clip to play
                self.stale.add(script.id)
            elif rec is not None:
                found = (float(rec.duration_s), rec.path)
            elif getattr(script, "audio", None):
                found = (estimate_recording_seconds(self.project, script), None)
            else:
                found = (estimate_seconds(self.project, script.text, script.repeat), None)
            self._scripts[script.id] = found
        if found[1] is None:
            self.estimated = True
        return found

    def identity(self, station: Station, session: str, kind: str) -> float:
        """Seconds of a station's opening or closing clip for ``session``."""
        key = (station.id, session, kind)
        found = self._identity.get(key)
        if found is None:
            clip_id = identity_clip_id(station, session, kind)
            rec = self.records.get(f"{IDENTITY_DIR}/{clip_id}")
            if rec is not None and self.state(f"{IDENTITY_DIR}/{clip_id}") == "stale":
                self.stale.add(f"{IDENTITY_DIR}/{clip_id}")
            path = self.project.clips_dir / IDENTITY_DIR / f"{clip_id}.mp3"
            found = float(rec.duration_s) if rec is not None else (mp3_seconds(path) if path.exists() else None)
            if found is None:
                opening, closing = identity_texts(station, session)
                found = -estimate_seconds(self.project, opening if kind == "opening" else closing,
                                          chime=kind == "opening" and self.project.audio.chime)
            self._identity[key] = found
        if found < 0:  # negative marks an estimate, so the flag is set on every use
            self.estimated = True
        return abs(found)


@dataclass(frozen=True)
class Entry:
    """One script (or relay) scheduled into one session, before times are known.

    A relay entry (tiếp sóng) carries ``relay`` and a stand-in `Script` made by
    `relay_script` (id = relay id, title = its name, form = ``tiep-song``);
    ``seconds`` is its planned length, None for a relay session (it fills the session).
    """

    script: Script
    priority: str
    schedule: Schedule | None
    item: ScheduleItem | None
    relay: Relay | None = None
    seconds: float | None = None


def relay_script(relay: Relay, priority: str = "normal", campaign: str = "") -> Script:
    """The stand-in script of a relay play: id = relay id, title = its name, form ``tiep-song``."""
    return Script(id=relay.id, title=relay.name, campaign=campaign, form=RELAY_FORM, priority=priority, repeat=1,
                  valid_from=None, valid_until=None, language="vi", text="", file=relay.file, line=relay.line)


def entry_seconds(durations: "Durations", entry: Entry) -> float:
    """Planned length of an entry: a relay's minutes, else its clip's length."""
    if entry.relay is not None:
        return entry.seconds or 0.0
    return durations.script(entry.script)[0]


@dataclass(frozen=True)
class SessionPlan:
    """The scripts one station plays in one session on one day, in playing order."""

    station: Station
    date: date
    session: Session
    entries: tuple[Entry, ...]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date, self.session.start)


def per_week_slots(days: Iterable[int], sessions: Iterable[str], per_week: int) -> frozenset[tuple[int, str]]:
    """The (weekday, session) slots a ``per_week: N`` item plays in, spread evenly and deterministically.

    The week's slots are listed Monday first, sessions in the station's order,
    and slot ``floor(i * len / N)`` is taken for i = 0 … N-1. With 7 days × 2
    sessions and N = 3 this gives Monday morning, Wednesday morning, Friday afternoon.
    """
    slots = [(d, s) for d in sorted(days) for s in sessions]
    if not slots:
        return frozenset()
    n = min(per_week, len(slots))
    return frozenset(slots[(i * len(slots)) // n] for i in range(n))


class _Targets:
    """Per (schedule, item, station): the sessions it plays in and its per-week slots, computed once."""

    def __init__(self, project: Project):
        self.project = project
        self._cache: dict[tuple[int, int, str], tuple[tuple[Session, ...], frozenset | None]] = {}

    def get(self, s_index: int, schedule: Schedule, i_index: int, item: ScheduleItem,
            station: Station, emergency: bool = False) -> tuple[tuple[Session, ...], frozenset | None]:
        key = (s_index, i_index, station.id)
        found = self._cache.get(key)
        if found is None:
            names = item.sessions or schedule.sessions
            # Relay sessions (phiên tiếp sóng) take only emergency items unless named.
            sessions = tuple(s for s in station.sessions
                             if (s.name in names if names else (emergency or not s.relay)))
            slots = None
            if item.per_week:
                slots = per_week_slots(item.days or schedule.days, [s.name for s in sessions], item.per_week)
            found = (sessions, slots)
            self._cache[key] = found
        return found


def _item_on(schedule: Schedule, item: ScheduleItem, day: date) -> bool:
    if day in schedule.exclude:
        return False
    if item.dates:
        return day in item.dates
    if not schedule.active_on(day):
        return False
    if (item.start and day < item.start) or (item.end and day > item.end):
        return False
    return not item.days or day.weekday() in item.days


def _in_campaign(project: Project, script: Script, day: date, cache: dict) -> bool:
    campaign = cache.get(script.campaign, False)
    if campaign is False:
        campaign = cache[script.campaign] = project.campaign(script.campaign) if script.campaign else None
    if campaign is None:
        return True
    return (campaign.start is None or day >= campaign.start) and (campaign.end is None or day <= campaign.end)


def check_station(project: Project, station: str | None) -> None:
    """Raise BroadcasterError when ``station`` is given but not a station of the project."""
    if station is not None:
        project.require_station(station)


class _DayPlanner:
    """What every day's expansion shares: stations, scripts and the per-item targets, computed once."""

    def __init__(self, project: Project, schedules: list[Schedule], station: str | None):
        self.project = project
        self.schedules = schedules
        self.station = station
        self.stations = {s.id: s for s in project.stations}
        self.order = {s.id: i for i, s in enumerate(project.stations)}
        self.scripts = {s.id: s for s in project.scripts}
        self.relays = {r.id: r for r in getattr(project, "relays", ())}
        self.targets = _Targets(project)
        self.campaigns: dict = {}


def plan_day(planner: _DayPlanner, day: date) -> list[SessionPlan]:
    """The sessions of one day with at least one script, in station order and session time.

    Every expansion (plan, programmes, report, check) goes through here one day at a
    time, so the number of calls is the number of days expanded.
    """
    weekday = day.weekday()
    stations, scripts, station = planner.stations, planner.scripts, planner.station
    buckets: dict[tuple[str, str], list] = {}
    for s_index, schedule in enumerate(planner.schedules):
        for i_index, item in enumerate(schedule.items):
            if not _item_on(schedule, item, day):
                continue
            relay = planner.relays.get(item.relay) if item.relay else None
            if relay is not None:
                script = relay_script(relay, item.priority or "normal", item.campaign)
                if item.campaign and not _in_campaign(planner.project, script, day, planner.campaigns):
                    continue
            else:
                script = scripts.get(item.script)
                if script is None or not script.valid_on(day) or not _in_campaign(planner.project, script, day,
                                                                                    planner.campaigns):
                    continue
            priority = item.priority or script.priority
            rank = PRIORITY_RANK.get(priority, 2)
            for sid in schedule.stations:
                if station is not None and sid != station:
                    continue
                st = stations[sid]
                sessions, slots = planner.targets.get(s_index, schedule, i_index, item, st, priority == "emergency")
                for session in sessions:
                    if slots is not None and (weekday, session.name) not in slots:
                        continue
                    buckets.setdefault((sid, session.name), []).append(
                        ((rank, s_index, i_index), Entry(script, priority, schedule, item, relay,
                                                         item.minutes * 60 if relay is not None else None)))
    for st in planner.project.stations:  # relay sessions relay every day, whatever the schedules
        if station is not None and st.id != station:
            continue
        for session in st.sessions:
            relay = planner.relays.get(session.relay) if session.relay else None
            if relay is not None:
                buckets.setdefault((st.id, session.name), []).append(
                    ((9, 0, 0), Entry(relay_script(relay), "normal", None, None, relay, None)))
    out = []
    for (sid, name) in sorted(buckets, key=lambda k: (planner.order[k[0]], stations[k[0]].session(k[1]).start)):
        entries = tuple(e for _, e in sorted(buckets[(sid, name)], key=lambda pair: pair[0]))
        st = stations[sid]
        out.append(SessionPlan(st, day, st.session(name), entries))
    return out


def iter_sessions(project: Project, schedules: list[Schedule], start: date, end: date,
                  station: str | None = None) -> Iterator[SessionPlan]:
    """Every session with at least one script to play, by day, station order and session time.

    Args:
        project: The working folder.
        schedules: Loaded schedules (see `load_schedules`).
        start: First day, inclusive.
        end: Last day, inclusive.
        station: Only this station id, or all.

    Yields:
        One `SessionPlan` per (day, station, session) with its entries in playing order.
    """
    if end < start:
        raise BroadcasterError(MESSAGES["range_order"].format(start=vn_date(start), end=vn_date(end)))
    check_station(project, station)
    planner = _DayPlanner(project, schedules, station)
    for day in _days(start, end):
        yield from plan_day(planner, day)


@dataclass(frozen=True)
class Slot:
    """One piece of a laid-out programme: a script or an identity clip, with its offset in seconds."""

    kind: str            # "script" | "opening" | "closing"
    offset_s: float
    duration_s: float
    entry: Entry | None = None


def layout(entries: tuple[Entry, ...], opening_s: float, closing_s: float, script_seconds,
           gap_s: float = ITEM_GAP_S) -> tuple[list[Slot], float]:
    """Order a session's pieces and give each its offset from the session start.

    Args:
        entries: The session's scripts, already in priority order.
        opening_s: Length of the opening identity clip.
        closing_s: Length of the closing identity clip.
        script_seconds: Function Entry → seconds.
        gap_s: Silence between consecutive pieces.

    Returns:
        The slots in playing order and the programme's total length in seconds.
    """
    emergency = [e for e in entries if e.priority == "emergency"]
    rest = [e for e in entries if e.priority != "emergency"]
    pieces: list[tuple[str, float, Entry | None]] = [("script", script_seconds(e), e) for e in emergency]
    pieces.append(("opening", opening_s, None))
    pieces += [("script", script_seconds(e), e) for e in rest]
    pieces.append(("closing", closing_s, None))
    slots, t = [], 0.0
    for i, (kind, seconds, entry) in enumerate(pieces):
        if i:
            t += gap_s
        slots.append(Slot(kind, t, seconds, entry))
        t += seconds
    return slots, t


def relay_session_layout(entries: tuple[Entry, ...], session_s: float, script_seconds,
                         gap_s: float = ITEM_GAP_S) -> tuple[list[Slot], float]:
    """A relay session (phiên tiếp sóng): emergency items first, then the relay to the session's end.

    No identity clips: the relayed station announces itself. Returns the slots and the total length.
    """
    slots, t = [], 0.0
    for entry in (e for e in entries if e.relay is None):
        if slots:
            t += gap_s
        seconds = script_seconds(entry)
        slots.append(Slot("script", t, seconds, entry))
        t += seconds
    for entry in (e for e in entries if e.relay is not None):
        if slots:
            t += gap_s
        seconds = entry.seconds if entry.seconds is not None else max(0.0, session_s - t)
        slots.append(Slot("relay", t, seconds, entry))
        t += seconds
    return slots, t


def session_layout(plan: SessionPlan, opening_s: float, closing_s: float, script_seconds) -> tuple[list[Slot], float]:
    """`layout` for an ordinary session, `relay_session_layout` for a relay session.

    Relay entries inside an ordinary session become ``relay`` slots of their planned length.
    """
    if plan.session.relay:
        return relay_session_layout(plan.entries, plan.session.length_s, script_seconds)
    slots, total = layout(plan.entries, opening_s, closing_s, script_seconds)
    return [Slot("relay", s.offset_s, s.duration_s, s.entry) if s.entry is not None and s.entry.relay is not None
            else s for s in slots], total


def programme_seconds(durations: "Durations", plan: "SessionPlan") -> float:
    """Length in seconds of a planned session's programme as `session_layout` lays it out:
    opening, items, closing and the gaps between them (a relay session has no identity clips).

    This is the one measure of how full a session is (the length check of `check` and the
    console's calendar both use it).
    """
    name = plan.session.name
    if plan.session.relay:
        return session_layout(plan, 0.0, 0.0, lambda e: entry_seconds(durations, e))[1]
    return layout(plan.entries, durations.identity(plan.station, name, "opening"),
                  durations.identity(plan.station, name, "closing"), lambda e: entry_seconds(durations, e))[1]


def plays_of(plan: SessionPlan, slots: list[Slot], clip_of) -> list[PlannedPlay]:
    """The PlannedPlays of one laid-out session (scripts only; identity clips are not plays)."""
    out, position = [], 0
    base = plan.start
    for slot in slots:
        if slot.kind not in ("script", "relay"):
            continue
        position += 1
        script = slot.entry.script
        out.append(PlannedPlay(
            station=plan.station.id, date=plan.date, session=plan.session.name,
            start=base + timedelta(seconds=round(slot.offset_s, 3)), position=position, script=script.id,
            title=script.title, campaign=script.campaign, form=script.form, priority=slot.entry.priority,
            medium=plan.station.medium, duration_s=slot.duration_s,
            clip=None if slot.kind == "relay" else clip_of(script)))
    return out


def expand_plan(project: Project, schedules: list[Schedule], start: date, end: date,
                station: str | None = None, *, durations: Durations | None = None) -> list[PlannedPlay]:
    """Every planned play between two days, sorted by (start, station, position).

    Args:
        project: The working folder.
        schedules: Loaded schedules.
        start: First day, inclusive.
        end: Last day, inclusive.
        station: Only this station id, or all.
        durations: Clip lengths to use (default: the manifest, else estimates).

    Returns:
        The plays; times are naive local station time.

    Raises:
        BroadcasterError: Unknown station, or ``end`` before ``start``.
    """
    durations = durations or Durations(project)
    plays: list[PlannedPlay] = []
    script_seconds = lambda e: entry_seconds(durations, e)  # noqa: E731 - tiny adapter
    clip_of = lambda s: durations.script(s)[1]  # noqa: E731
    # The same programme recurs day after day: lay each distinct (station, session, entries) out once
    # and stamp the day's date and start times onto its plays.
    templates: dict[tuple, list[tuple]] = {}
    for plan in _repeating_sessions(project, schedules, start, end, station):
        key = (plan.station.id, plan.session.name, tuple(
            (e.script.id, e.script.title, e.script.campaign, e.script.form, e.priority, e.seconds, e.relay is None)
            for e in plan.entries))
        template = templates.get(key)
        if template is None:
            name = plan.session.name
            if plan.session.relay:
                slots, _ = session_layout(plan, 0.0, 0.0, script_seconds)
            else:
                slots, _ = session_layout(plan, durations.identity(plan.station, name, "opening"),
                                          durations.identity(plan.station, name, "closing"), script_seconds)
            template = templates[key] = [
                (p.start - plan.start, p.session, p.position, p.script, p.title, p.campaign, p.form, p.priority,
                 p.medium, p.duration_s, p.clip) for p in plays_of(plan, slots, clip_of)]
        base, sid, day = plan.start, plan.station.id, plan.date
        plays += [PlannedPlay(sid, day, t[1], base + t[0], *t[2:]) for t in template]
    order = {s.id: i for i, s in enumerate(project.stations)}
    plays.sort(key=lambda p: (p.start, order.get(p.station, 0), p.position))
    return plays


def _repeating_sessions(project: Project, schedules: list[Schedule], start: date, end: date,
                        station: str | None) -> Iterator[SessionPlan]:
    """`iter_sessions`, planning a day only when it may differ from the same weekday a week before.

    Between change days (`change_days`) a day plays what the day a week earlier played, so
    that day's sessions are reused with the new date instead of walking every schedule item again.
    """
    if end < start:
        raise BroadcasterError(MESSAGES["range_order"].format(start=vn_date(start), end=vn_date(end)))
    check_station(project, station)
    planner = _DayPlanner(project, schedules, station)
    same_as = week_before_finder(change_days(project, schedules))
    by_day: dict[date, list[SessionPlan]] = {}
    for day in _days(start, end):
        prior = by_day.pop(same_as(day), None)
        sessions = [SessionPlan(p.station, day, p.session, p.entries) for p in prior] if prior is not None \
            else plan_day(planner, day)
        by_day[day] = sessions
        yield from sessions


__all__ = ["ITEM_GAP_S", "Durations", "Entry", "SessionPlan", "Slot",
           "entry_seconds", "estimate_seconds", "expand_plan", "relay_script", "session_layout", "identity_clip_id", "identity_texts", "identity_title",
           "iter_sessions", "layout", "programme_seconds", "per_week_slots", "plan_day", "plays_of", "session_word"]
