"""Value objects passed between the stages: stations, sessions, scripts, campaigns, settings, audio.

Every object here is frozen: a stage takes them and returns new ones, never edits them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Iterable

from .errors import BroadcasterError, did_you_mean, valid_list

MESSAGES = {
    "unknown_station": 'đài không tồn tại "{value}"{hint} — các đài: {valid}',
    "unknown_station_or_group": 'đài không tồn tại "{value}"{hint} — chọn all, một nhóm đài hoặc mã đài: {valid}',
}


def unknown_station_message(value: str, names: Iterable[str], *, groups: bool = False, shown: str | None = None) -> str:
    """The one message for a station id that is not in broadcaster.yaml (CLI, import, schedules, reports, web).

    Args:
        value: The id as given.
        names: The valid choices (station ids; with ``groups`` also ``all`` and group names).
        groups: The place also accepts ``all`` and station groups (a schedule's ``stations:``).
        shown: ``value`` as it should appear (e.g. shortened), when not ``value`` itself.
    """
    names = list(names)
    key = "unknown_station_or_group" if groups else "unknown_station"
    return MESSAGES[key].format(value=value if shown is None else shown, hint=did_you_mean(value, names),
                                valid=valid_list(names))

# Vietnamese labels, kept in one place for reports and messages.
PRIORITIES = {"normal": "Thông thường", "priority": "Ưu tiên", "emergency": "Khẩn cấp"}
# Rank for ordering inside a session: emergency plays first, then priority, then normal.
PRIORITY_RANK = {"emergency": 0, "priority": 1, "normal": 2}
FORMS = {
    "tin": "Tin",
    "bai": "Bài",
    "thong-bao": "Thông báo",
    "nhac-nho": "Nhắc nhở",
    "phong-su": "Phóng sự",
    "tieu-pham": "Tiểu phẩm",
    "khau-hieu": "Khẩu hiệu",
    "chuyen-muc": "Chuyên mục",
    "tiep-song": "Tiếp sóng",
}
# Relays (tiếp sóng) of national or provincial radio carry this form; scripts cannot choose it.
RELAY_FORM = "tiep-song"
SCRIPT_FORMS = {k: v for k, v in FORMS.items() if k != RELAY_FORM}
MEDIA = {
    "loa-day": "Truyền thanh có dây",
    "fm": "Truyền thanh không dây (FM)",
    "ip": "Truyền thanh ứng dụng CNTT-VT (IP/4G)",
}
LANGUAGES = {"vi": "tiếng Việt", "km": "tiếng Khmer"}


@dataclass(frozen=True)
class Pcm:
    """Mono 16-bit little-endian PCM audio: what engines return and mastering consumes."""

    samples: bytes
    rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / 2 / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class Session:
    """A broadcast session of a station (phiên phát), e.g. sang 05:30–06:00."""

    name: str
    start: time
    end: time
    relay: str | None = None   # relay id: the whole session relays that source (phiên tiếp sóng)

    @property
    def length_s(self) -> int:
        return (self.end.hour * 3600 + self.end.minute * 60 + self.end.second) - (
            self.start.hour * 3600 + self.start.minute * 60 + self.start.second)


@dataclass(frozen=True)
class Station:
    """A commune or district station (đài truyền thanh) with its medium (phương tiện)."""

    id: str
    name: str
    medium: str
    sessions: tuple[Session, ...]
    groups: tuple[str, ...] = ()
    opening: str = ""   # spoken at the start of each session ("Đây là Đài truyền thanh xã …")
    closing: str = ""
    file: str | None = None
    line: int | None = None

    def session(self, name: str) -> Session | None:
        return next((s for s in self.sessions if s.name == name), None)


@dataclass(frozen=True)
class Relay:
    """A radio source a station relays (nguồn tiếp sóng): a web stream or a sound-card input.

    Attributes:
        id: Relay id, used in sessions, schedule items, the plan and the log.
        name: Display name, e.g. "Đài Tiếng nói Việt Nam - VOV1".
        url: ``http(s)://…`` (MP3 or AAC stream) or ``input:NAME`` (sound-card input, e.g. an FM receiver).
        fallback: Script id whose clip plays when the source stays down; None: the station's identity, then silence.
        outage_limit_s: Seconds the source may stay down before the fallback plays.
    """

    id: str
    name: str
    url: str
    fallback: str | None = None
    outage_limit_s: float = 60.0
    file: str | None = None
    line: int | None = None

    @property
    def is_input(self) -> bool:
        return self.url.startswith("input:")


@dataclass(frozen=True)
class Campaign:
    """A communication campaign started by a directive (công văn), with its dates."""

    id: str
    name: str
    directive: str
    start: date | None
    end: date | None
    file: str | None = None
    line: int | None = None

    def state(self, today: date) -> str:
        """Where the campaign stands on ``today``: ``running``, ``upcoming``, ``over`` or ``undated``.

        A campaign without dates is ``undated``; with only a start it runs from
        then on, with only an end it runs until then (both days included).
        """
        if self.start is None and self.end is None:
            return "undated"
        if self.start is not None and today < self.start:
            return "upcoming"
        if self.end is not None and today > self.end:
            return "over"
        return "running"


# A script's text is at most this many characters (about 30 minutes read aloud, longer than a session): building
# holds every sentence's audio in memory, so a whole pasted document would exhaust an office computer.
TEXT_MAX = 20_000
# The longest value (characters) of each short text staff write into the folder: titles and names go into ID3
# tags, playlists, file names, report rows and the report's heading. The console's forms carry them as
# maxlength and the loaders refuse longer values at FILE:LINE, naming the field and the limit (the console's
# writers save only what the loaders accept). A void reason has its own, the play log's REASON_MAX.
TEXT_LIMITS: dict[str, int] = {
    "title": 200,            # a script's title (tiêu đề)
    "organization": 200,     # tên cơ quan/đơn vị, the report's heading
    "place": 100,            # địa danh, before the report's date
    "station_name": 200,     # tên đài
    "session_name": 40,      # tên phiên: schedules name sessions by it
    "campaign_name": 200,    # tên chiến dịch
    "directive": 500,        # văn bản chỉ đạo
    "report_line": 200,      # each line of the report header: number, title, superior, signer, each recipient
}


@dataclass(frozen=True)
class Script:
    """One announcement script (kịch bản) from scripts/ID.yaml."""

    id: str
    title: str
    campaign: str
    form: str
    priority: str
    repeat: int
    valid_from: date | None
    valid_until: date | None
    language: str
    text: str
    source: str = ""          # source document (công văn) for the tags
    engine: str | None = None  # per-script override of the folder's engine
    voice: str | None = None
    file: str | None = None
    line: int | None = None
    audio: str | None = None   # recorded announcement (bản ghi âm), relative to the root: recordings/FILE
    # Where each key is written in ``file``: key → line ("" → the mapping's line); for the speech checks.
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class SpeechSettings:
    """How text becomes speech: engine, voice, fallback, pace and dialect."""

    engine: str = "espeak"
    voice: str = "vi-vn-x-south"
    fallback: str | None = None
    rate: int = 145            # words per minute (eSpeak); online engines map it to a relative rate
    pitch: int = 50            # 0-100 (eSpeak)
    dialect: str = "south"     # number words: south (ngàn, lẻ, tư) | north (nghìn, linh, bốn)
    mong: bool = True          # "mùng một" for days 1-10
    timeout_s: float = 15      # online engines (written as in the old shipped YAML: clip hashes include it)
    retries: int = 4           # online engines, on 429/5xx/timeouts
    # Piper (neural, offline): None takes the voice's own value from its .onnx.json.
    length_scale: float | None = None   # > 1 slower, < 1 faster; None follows ``rate``
    noise_scale: float | None = None    # generator noise (liveliness of the voice)
    noise_w: float | None = None        # phoneme-length noise (rhythm variation)
    speaker: str | int | None = None    # multi-speaker voices: a name of speaker_id_map or a number
    # engine: auto takes the first available engine of this list.
    auto: tuple[str, ...] = ("piper", "edge", "espeak")


@dataclass(frozen=True)
class AudioSettings:
    """Mastering targets for loudspeaker clips."""

    profile: str = "standard"          # standard: 44.1 kHz 96 kbps | ip-4g: 24 kHz 48 kbps
    loudness_lufs: float = -16         # int as in the old shipped YAML: clip hashes include the settings
    true_peak_dbtp: float = -1.5
    highpass_hz: int = 150
    chime: bool = True
    sentence_pause_ms: int = 600
    repeat_pause_ms: int = 2000
    lead_in_ms: int = 300


# The one settings table of the speech and audio sections: the defaults are the dataclass
# defaults above (nowhere else: the shipped broadcaster.yaml leaves these sections out);
# this table adds what config validates (a (low, high) range or the allowed choices) and
# the help text that messages and documentation show for each key.
SETTINGS: dict[str, dict[str, dict]] = {
    "speech": {
        "engine": {"help": "công cụ đọc: espeak, piper, edge, gtts hoặc auto"},
        "voice": {"help": "giọng đọc của công cụ"},
        "fallback": {"help": "công cụ dự phòng khi công cụ chính lỗi"},
        "rate": {"help": "tốc độ đọc (từ/phút)"},
        "pitch": {"help": "cao độ giọng (0–100, eSpeak)"},
        "dialect": {"choices": ("north", "south"), "help": "cách đọc số: south (ngàn, lẻ, tư) hoặc north (nghìn, linh, bốn)"},
        "mong": {"help": "đọc \"mùng\" trước ngày 1–10"},
        "timeout_s": {"help": "thời gian chờ công cụ trực tuyến (giây)"},
        "retries": {"help": "số lần thử lại công cụ trực tuyến"},
        "length_scale": {"help": "Piper: độ dài âm (> 1 chậm hơn)"},
        "noise_scale": {"help": "Piper: độ biến thiên giọng"},
        "noise_w": {"help": "Piper: độ biến thiên nhịp"},
        "speaker": {"help": "Piper: người đọc của giọng nhiều người đọc"},
        "auto": {"help": "engine: auto dùng công cụ đầu tiên có được trong danh sách này"},
    },
    "audio": {
        "profile": {"help": "cấu hình tệp: standard (44,1 kHz 96 kbps) hoặc ip-4g (24 kHz 48 kbps)"},
        "loudness_lufs": {"range": (-40, -5), "help": "độ lớn tích hợp (LUFS)"},
        "true_peak_dbtp": {"range": (-12, 0), "help": "đỉnh thực tối đa (dBTP)"},
        "highpass_hz": {"range": (0, 1000), "help": "lọc bỏ âm trầm dưới tần số này (Hz)"},
        "chime": {"help": "chuông báo trước bản tin (true/false)"},
        "sentence_pause_ms": {"range": (0, 10000), "help": "khoảng lặng giữa các câu (ms)"},
        "repeat_pause_ms": {"range": (0, 30000), "help": "khoảng lặng giữa các lần đọc lại (ms)"},
        "lead_in_ms": {"range": (0, 10000), "help": "khoảng lặng đầu tệp (ms)"},
    },
}


def setting_default(section: str, key: str):
    """The default of ``section.key`` (the settings dataclass's field default)."""
    cls = {"speech": SpeechSettings, "audio": AudioSettings}[section]
    return cls.__dataclass_fields__[key].default


# Length in seconds of the synthesised attention chime (audio.chime), also used for length estimates.
CHIME_S = 1.5

PROFILES = {
    "standard": {"rate": 44100, "bitrate": "96k"},
    "ip-4g": {"rate": 24000, "bitrate": "48k"},
}


@dataclass(frozen=True)
class Project:
    """A working folder: broadcaster.yaml plus scripts/ (and schedules/, loaded by the schedule stage)."""

    root: Path
    organization: str
    place: str                     # địa danh for report dates ("Mỹ Xuyên, ngày …")
    timezone: str
    stations: tuple[Station, ...]
    campaigns: tuple[Campaign, ...]
    scripts: tuple[Script, ...]
    speech: SpeechSettings
    audio: AudioSettings
    database_url: str
    report: dict = field(default_factory=dict)   # report settings: number prefix, signer, recipients, period_end_day
    lexicon: dict = field(default_factory=dict)
    station_groups: dict = field(default_factory=dict)
    # Scripts whose file has errors and was left out: id → "scripts/x.yaml:LINE" of the first error.
    broken_scripts: dict = field(default_factory=dict)
    # Extra host names/addresses the web console answers to (web: allowed_hosts in broadcaster.yaml).
    allowed_hosts: tuple = ()
    # Radio sources stations relay (relays: in broadcaster.yaml).
    relays: tuple = ()
    # Where broadcaster.yaml writes each speech: key: key → line ("" → the section's line); for the speech checks.
    speech_lines: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def out_dir(self) -> Path:
        return self.root / "audio_out"

    @property
    def clips_dir(self) -> Path:
        return self.out_dir / "clips"

    def station(self, station_id: str) -> Station | None:
        return next((s for s in self.stations if s.id == station_id), None)

    def require_station(self, station_id: str) -> Station:
        """The station called ``station_id``; BroadcasterError naming the valid ids when there is none."""
        station = self.station(station_id)
        if station is None:
            raise BroadcasterError(unknown_station_message(station_id, [s.id for s in self.stations]))
        return station

    def script(self, script_id: str) -> Script | None:
        return next((s for s in self.scripts if s.id == script_id), None)

    def campaign(self, campaign_id: str) -> Campaign | None:
        return next((c for c in self.campaigns if c.id == campaign_id), None)

    def relay(self, relay_id: str) -> Relay | None:
        return next((r for r in self.relays if r.id == relay_id), None)

    def default_week(self, today: date) -> tuple[date, date]:
        """The week a plan is shown for: today and the next six days, or, when every dated
        campaign is over, the first week of the one that ended last (first and last day)."""
        dated = [c for c in self.campaigns if c.start is not None]
        if dated and all(c.end is not None and c.end < today for c in dated):
            first = max(dated, key=lambda c: c.end).start
            return first, first + timedelta(days=6)
        return today, today + timedelta(days=6)


@dataclass(frozen=True)
class PlannedPlay:
    """One scheduled play of a script (lượt phát theo kế hoạch) at a station, day and session."""

    station: str
    date: date
    session: str
    start: datetime          # naive local station time (Project.timezone)
    position: int              # 1-based order inside the session programme
    script: str
    title: str
    campaign: str
    form: str
    priority: str
    medium: str
    duration_s: float
    clip: str | None = None    # clip path relative to the project root, when built

    def as_dict(self) -> dict:
        """JSON-ready form; keys are part of the public contract (plan --format json)."""
        return {
            "station": self.station, "date": self.date.isoformat(), "session": self.session,
            "start": self.start.isoformat(timespec="seconds"), "position": self.position,
            "script": self.script, "title": self.title, "campaign": self.campaign, "form": self.form,
            "priority": self.priority, "medium": self.medium, "duration_s": round(self.duration_s, 2),
            "clip": self.clip,
        }
