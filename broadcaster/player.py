"""Player stage: turns a station's plan into sound at the scheduled seconds and a play-log row for every play.

Hard-timed: each play starts at its scheduled second (the player sleeps on the
clock until then) and the start jitter (actual − scheduled start) is printed
and kept in the log as ``started_at − scheduled_at``. Plays of a session that
run late (the previous clip ran over) start as soon as the channel is free.
An emergency play (khẩn cấp) interrupts what is on air at its scheduled
second; the cut play is logged ``interrupted``.

Logging: when a play starts, the player writes an in-progress record
(``play_progress``, one per station, with a heartbeat every few seconds);
this state is internal and never reported or counted. When the play ends the
chained log row is appended with its final status and the in-progress record
is removed in the same transaction. After a crash, the next start turns a
left-over in-progress record into an ``interrupted`` row ending at its last
heartbeat; plays whose slot is already in the log (any status) are not aired
again, and plays whose time passed while the player was down (more than
``late_tolerance_s`` ago) are logged ``missed``.

Old audio is never aired: before starting, the clips of the plays still to come
are checked against the current files (``manifest.clip_states``); a stale clip
(built before its script or the settings changed) is rebuilt first, or, with
``rebuild=False``, the player refuses to start and names the scripts. Just
before each play the folder is read again, so an edit made while the player
runs is caught too: the clip is rebuilt then, or the play is logged ``failed``.

If the database cannot be reached, rows wait in memory and are retried after
each play; what is still unsent when the player stops is written to
``audio_out/playlog-unsent-*.json``, a file ``log import`` accepts.

Time comes from an injectable clock (``now()``, ``sleep(seconds)``), so tests
run a whole day against a fake clock in milliseconds.
"""
from __future__ import annotations

import json
import time as _time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from .errors import BroadcasterError
from .models import PRIORITY_RANK, RELAY_FORM, PlannedPlay
from .playlog.confirm import check_station, clip_file_hash
from .playlog.aired import not_aired_yet
from .playlog.store import PlayIn, PlayStore, play_progress
from .sinks import SinkError

MESSAGES = {
    "until_past": "thời điểm dừng {until} đã qua — chọn thời điểm dừng muộn hơn bây giờ ({now})",
    "recovered": "Lượt phát {script} (bắt đầu {start}) bị cắt khi máy phát dừng đột ngột — đã ghi là bị ngắt.",
    "missed": "Bỏ lỡ {script} lúc {start} (máy phát không chạy vào giờ đó).",
    "waiting": "Chờ đến {start} để phát {script}.",
    "started": "▶ {start} {script} — lệch {jitter_ms:+.0f} ms so với lịch {scheduled}",
    "ended": "■ {end} {script} — đã phát {duration:.1f} giây",
    "interrupted": "✂ {end} {script} bị ngắt sau {duration:.1f} giây để phát tin khẩn cấp {by}",
    "failed": "✗ {script}: {detail}",
    "log_failed": "cảnh báo: chưa ghi được nhật ký ({detail}); sẽ thử lại",
    "unsent": "chưa ghi được {count} lượt phát vào nhật ký; đã lưu vào {path} — nhập lại bằng: broadcaster log import {path}",
    "summary": "Kết thúc: {played} lượt đã phát, {interrupted} bị ngắt, {failed} lỗi, {missed} bỏ lỡ.",
    "rebuilt": "Đã tạo lại {count} tệp âm thanh cũ trước khi phát: {clips}.",
    "relay_start": "▶ {start} tiếp sóng {name} ({relay}) — lệch {jitter_ms:+.0f} ms so với lịch {scheduled}, đến {end}",
    "relay_down": "⚠ {at} mất tín hiệu tiếp sóng {relay}: {detail} — thử lại sau {wait:g} giây",
    "relay_drop": "⚠ {at} nguồn tiếp sóng {relay} bị ngắt giữa chừng (đã tiếp sóng {seconds:.0f} giây) — đang kết nối lại",
    "relay_back": "↻ {at} đã kết nối lại nguồn tiếp sóng {relay}",
    "relay_fallback": ("⚠ {at} nguồn tiếp sóng {relay} mất tín hiệu quá {limit:g} giây — phát dự phòng: {what}, "
                       "sau đó vẫn thử kết nối lại"),
    "relay_fallback_identity": "lời giới thiệu của đài rồi im lặng",
    "relay_end": "■ {end} tiếp sóng {relay}: {status}, đã tiếp sóng {seconds:.0f}/{planned:.0f} giây",
    "relay_status": {"played": "xong", "interrupted": "bị ngắt", "failed": "không tiếp sóng được"},
    "stale_play": "tệp âm thanh của {script} đã cũ (kịch bản hoặc thiết lập đã sửa) và không tạo lại được: {detail} — chạy  broadcaster build {script}",
}

HEARTBEAT_S = 5.0
RELAY_CHUNK_S = 1.0        # a relay is passed on in blocks of this length (the emergency check between them)
RELAY_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)   # waits between reconnection attempts
MAX_SLEEP_S = 30.0   # re-read the clock at least this often: wall-clock corrections (NTP) during long waits


class StopTimePast(BroadcasterError):
    """The stop time asked for is already past; the shell adds how to give a later one."""


class Clock(Protocol):
    """What the player needs of time."""

    def now(self) -> datetime:
        """Naive local station time."""

    def sleep(self, seconds: float) -> None:
        """Wait."""


class SystemClock:
    """The real clock in the station's time zone."""

    def __init__(self, timezone: str):
        self.tz = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(self.tz).replace(tzinfo=None)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)


@dataclass
class PlayerReport:
    """What one run of the player did, by status, plus the start jitters in seconds."""

    played: int = 0
    interrupted: int = 0
    failed: int = 0
    missed: int = 0
    recovered: int = 0
    jitters: list[float] = field(default_factory=list)

    def message(self) -> str:
        return MESSAGES["summary"].format(played=self.played, interrupted=self.interrupted, failed=self.failed,
                                          missed=self.missed)


@dataclass
class _OnAir:
    planned: PlannedPlay
    handle: object
    started: datetime
    duration_s: float
    clip_hash: str | None
    uid: str
    heartbeat: datetime


def _hhmmss(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


class Player:
    """Runs one station's plan in real time and logs every play.

    Args:
        project: The working folder.
        store: The play log.
        station_id: The station to play.
        sink: Where sound goes (see broadcaster.sinks).
        clock: Time source (SystemClock by default).
        say: Called with each progress message (stderr in the CLI).
        late_tolerance_s: A play still starts if the player comes up at most this late for it;
            otherwise it is logged missed.
        rebuild: Rebuild stale clips before playing them (default); False: refuse to start
            (StaleClipsError naming the scripts) and log a play whose clip went stale as failed.
        relay_source: Opens relay sources (`broadcaster.relay.FfmpegRelaySource` by default).

    Relays (plays of form ``tiep-song``) are opened at their start, passed to the sink
    (``sink.feed``) until their planned end, reopened on drops after `RELAY_BACKOFF_S`
    waits, and when the source stays down longer than the relay's ``outage_limit_s`` the
    fallback plays (the relay's ``fallback`` script, else the station's opening identity;
    silence after it) while reconnection goes on. The log row keeps the seconds actually
    relayed as its duration: ``played`` when the relay ran to its end (drops mended),
    ``interrupted`` when an emergency cut it or the fallback had to play, ``failed`` when
    nothing could be relayed. An emergency play cuts the relay at its scheduled second.
    """

    def __init__(self, project, store: PlayStore, station_id: str, sink, *, clock: Clock | None = None,
                 say: Callable[[str], None] | None = None, late_tolerance_s: float = 60.0, rebuild: bool = True,
                 relay_source=None):
        self.project = project
        self.relay_source = relay_source
        self.rebuild = rebuild
        self.store = store
        self.station = check_station(project, station_id)
        self.sink = sink
        self.clock = clock or SystemClock(project.timezone)
        self.say = say or (lambda message: None)
        self.late_tolerance = timedelta(seconds=late_tolerance_s)
        self.report = PlayerReport()
        self._unsent: list[PlayIn] = []

    # -- logging --

    def _source_id(self, p: PlannedPlay) -> str:
        return f"player:{p.station}:{p.start.isoformat(timespec='seconds')}:{p.script}"

    def _row(self, p: PlannedPlay, status: str, started: datetime, ended: datetime | None, clip_hash: str | None,
             uid: str | None = None) -> PlayIn:
        return PlayIn(
            station=p.station, script=p.script, started_at=started, ended_at=ended,
            duration_s=(ended - started).total_seconds() if ended else 0.0, status=status, source="player",
            scheduled_at=p.start, source_id=self._source_id(p), clip_hash=clip_hash, campaign=p.campaign or None,
            form=p.form, medium=p.medium or self.station.medium, priority=p.priority, uid=uid)

    def _log(self, rows: list[PlayIn], clear_progress: bool = False) -> None:
        now = self.clock.now()
        for r in list(rows):
            # The rule shared with confirmation and import: nothing is logged before it has aired.
            refusal = not_aired_yet(self.station, r.started_at, now=now, ended_at=r.ended_at, whole_session=False)
            if refusal:
                self.say(refusal)
                rows.remove(r)
        pending = self._unsent + rows
        try:
            with self.store.write() as conn:
                self.store.append(pending, conn=conn)
                if clear_progress:
                    conn.execute(delete(play_progress).where(play_progress.c.station == self.station.id))
            self._unsent = []
        except BroadcasterError as exc:
            self._unsent = pending
            self.say(MESSAGES["log_failed"].format(detail=exc.message))

    def _progress(self, on_air: _OnAir, first: bool) -> None:
        p = on_air.planned
        try:
            with self.store.write() as conn:
                if first:
                    conn.execute(delete(play_progress).where(play_progress.c.station == p.station))
                    conn.execute(play_progress.insert().values(
                        station=p.station, uid=on_air.uid, script=p.script, clip_hash=on_air.clip_hash,
                        campaign=p.campaign or None, form=p.form, medium=p.medium or self.station.medium,
                        priority=p.priority, scheduled_at=p.start, started_at=on_air.started,
                        heartbeat_at=on_air.heartbeat))
                else:
                    conn.execute(play_progress.update().where(play_progress.c.station == p.station)
                                 .values(heartbeat_at=on_air.heartbeat))
        except BroadcasterError as exc:  # the sound goes on; the final row is what counts
            self.say(MESSAGES["log_failed"].format(detail=exc.message))

    def recover(self) -> int:
        """Turn a play left on air by a crash into an ``interrupted`` row ending at its last heartbeat."""
        with self.store.write() as conn:
            rows = conn.execute(select(play_progress).where(play_progress.c.station == self.station.id)).all()
            items = []
            for r in rows:
                items.append(PlayIn(
                    station=r.station, script=r.script, started_at=r.started_at, ended_at=r.heartbeat_at,
                    duration_s=(r.heartbeat_at - r.started_at).total_seconds(), status="interrupted",
                    source="player", scheduled_at=r.scheduled_at,
                    source_id=f"player:{r.station}:{r.scheduled_at.isoformat(timespec='seconds')}:{r.script}"
                    if r.scheduled_at else None,
                    clip_hash=r.clip_hash, campaign=r.campaign, form=r.form, medium=r.medium, priority=r.priority,
                    uid=r.uid))
                self.say(MESSAGES["recovered"].format(script=r.script, start=r.started_at.isoformat(sep=" ")))
            self.store.append(items, conn=conn)
            conn.execute(delete(play_progress).where(play_progress.c.station == self.station.id))
        self.report.recovered = len(items)
        self.report.interrupted += len(items)
        return len(items)

    # -- the plan --

    def _plan(self, now: datetime, until: datetime, plan: list[PlannedPlay] | None) -> list[PlannedPlay]:
        if plan is None:
            from .playlog import load_plan

            plan = load_plan(self.project, now.date(), until.date(), station=self.station.id)
        chosen = [p for p in plan if p.station == self.station.id and p.start < until]
        return sorted(chosen, key=lambda p: (p.start, PRIORITY_RANK.get(p.priority, 9), p.position))

    # -- current audio only --

    def _current_clips(self, plays: list[PlannedPlay]) -> None:
        """Rebuild (or refuse) the stale clips of ``plays`` before the first one is aired."""
        from .build import refresh_clips
        from .manifest import StaleClipsError, clip_states

        stale = [st for st in clip_states(self.project, {p.script for p in plays}).values() if st.stale]
        if not stale:
            return
        if not self.rebuild:
            raise StaleClipsError(stale)
        refresh_clips(self.project, [st.clip_id for st in stale])
        self.say(MESSAGES["rebuilt"].format(count=len(stale), clips=", ".join(st.clip_id for st in stale)))

    def _stale_now(self, p: PlannedPlay) -> str | None:
        """Read the folder again and rebuild the play's clip if an edit made it stale.

        Returns:
            Why the play cannot be aired (its clip is stale and was not rebuilt), or None.
        """
        from .build import refresh_clips
        from .manifest import StaleClipsError, clip_state
        from .workdir import load_project

        try:
            project = load_project(self.project.root)
        except BroadcasterError:  # a half-saved file: keep the folder as read at start
            project = self.project
        state = clip_state(project, p.script)
        if state is None or not state.stale:
            return None
        try:
            if not self.rebuild:
                raise StaleClipsError([state])
            refresh_clips(project, [p.script])
        except BroadcasterError as exc:
            return MESSAGES["stale_play"].format(script=p.script, detail=exc.message)
        self.say(MESSAGES["rebuilt"].format(count=1, clips=p.script))
        return None

    def _clip(self, p: PlannedPlay) -> Path:
        return Path(self.project.root) / p.clip if p.clip else Path(self.project.clips_dir) / f"{p.script}.mp3"

    # -- running --

    def _start(self, p: PlannedPlay) -> _OnAir | None:
        clip = self._clip(p)
        stale = self._stale_now(p)
        clip_hash = clip_file_hash(self.project, p.clip, p.script)
        started = self.clock.now()
        try:
            if stale:
                raise SinkError(stale)
            handle = self.sink.start(clip, p.duration_s)
        except SinkError as exc:
            self.say(MESSAGES["failed"].format(script=p.script, detail=exc.message))
            self.report.failed += 1
            self._log([self._row(p, "failed", started, started, clip_hash)])
            return None
        jitter = (started - p.start).total_seconds()
        self.report.jitters.append(jitter)
        self.say(MESSAGES["started"].format(start=_hhmmss(started), script=p.script, jitter_ms=jitter * 1000,
                                            scheduled=_hhmmss(p.start)))
        on_air = _OnAir(p, handle, started, float(handle.duration_s or p.duration_s), clip_hash, uuid.uuid4().hex,
                        started)
        self._progress(on_air, first=True)
        return on_air

    def _end(self, on_air: _OnAir, status: str, at: datetime, by: PlannedPlay | None = None) -> None:
        elapsed = min((at - on_air.started).total_seconds(), on_air.duration_s)
        ended = on_air.started + timedelta(seconds=elapsed)
        if status == "played":
            on_air.handle.finish()
            self.report.played += 1
            self.say(MESSAGES["ended"].format(end=_hhmmss(ended), script=on_air.planned.script, duration=elapsed))
        else:
            on_air.handle.stop(elapsed)
            self.report.interrupted += 1
            self.say(MESSAGES["interrupted"].format(end=_hhmmss(ended), script=on_air.planned.script, duration=elapsed,
                                                    by=by.script if by else ""))
        self._log([self._row(on_air.planned, status, on_air.started, ended, on_air.clip_hash, on_air.uid)],
                  clear_progress=True)

    def run(self, until: datetime, plan: list[PlannedPlay] | None = None) -> PlayerReport:
        """Play until ``until`` (plays scheduled before it are aired; one on air then is finished).

        Args:
            until: Naive local time to stop after.
            plan: PlannedPlay list instead of expanding the schedules (tests).

        Returns:
            Counts by status and the measured start jitters.
        """
        now = self.clock.now()
        if until <= now:
            raise StopTimePast(MESSAGES["until_past"].format(until=until.isoformat(sep=" "),
                                                             now=now.isoformat(sep=" ", timespec="seconds")))
        self.recover()
        planned = self._plan(now, until, plan)
        logged = self.store.logged_slots(self.station.id, planned[0].start) if planned else set()
        pending = [p for p in planned if (p.script, p.start) not in logged]
        self._current_clips([p for p in pending if p.start + self.late_tolerance >= now and p.form != RELAY_FORM])
        missed = [p for p in pending if p.start + self.late_tolerance < now]
        if missed:
            for p in missed:
                self.say(MESSAGES["missed"].format(script=p.script, start=p.start.isoformat(sep=" ")))
            self._log([self._row(p, "missed", p.start, None, clip_file_hash(self.project, p.clip, p.script))
                       for p in missed])
            self.report.missed += len(missed)
            pending = [p for p in pending if p not in missed]
        on_air: _OnAir | None = None
        try:
            while True:
                now = self.clock.now()
                if on_air is not None:
                    end_at = on_air.started + timedelta(seconds=on_air.duration_s)
                    if now >= end_at:
                        self._end(on_air, "played", now)
                        on_air = None
                        continue
                    emergencies = [p for p in pending if p.priority == "emergency"]
                    due = next((p for p in emergencies if p.start <= now), None)
                    if due is not None and on_air.planned.priority != "emergency":
                        self._end(on_air, "interrupted", now, by=due)
                        on_air = None
                        continue
                    wake = min([end_at, on_air.heartbeat + timedelta(seconds=HEARTBEAT_S)]
                               + [p.start for p in emergencies if p.start > now])
                    self.clock.sleep(max(0.0, (wake - now).total_seconds()))
                    if self.clock.now() >= on_air.heartbeat + timedelta(seconds=HEARTBEAT_S):
                        on_air.heartbeat = self.clock.now()
                        self._progress(on_air, first=False)
                    continue
                if not pending:
                    break
                due = [p for p in pending if p.start <= now]
                if due:
                    p = next((d for d in due if d.priority == "emergency"), due[0])
                    pending.remove(p)
                    if p.form == RELAY_FORM:
                        self._relay(p, pending, until)
                    else:
                        on_air = self._start(p)
                    continue
                wait = (pending[0].start - now).total_seconds()
                self.clock.sleep(min(wait, MAX_SLEEP_S))
        finally:
            if on_air is not None:  # stopped from outside (Ctrl+C): what was on air was cut
                self._end(on_air, "interrupted", self.clock.now())
            self._flush_unsent()
        return self.report

    # -- relays (tiếp sóng) --

    def _open_relay(self, relay):
        if self.relay_source is None:
            from .relay import FfmpegRelaySource

            self.relay_source = FfmpegRelaySource()
        return self.relay_source.open(relay)

    def _fallback(self, relay, p: PlannedPlay, end_at: datetime) -> None:
        """Play the relay's fallback clip (or the station's opening identity) while the source is down."""
        from .identity import IDENTITY_DIR, identity_clip_id

        if relay.fallback:
            clip, what = Path(self.project.clips_dir) / f"{relay.fallback}.mp3", relay.fallback
        else:
            clip = Path(self.project.clips_dir) / IDENTITY_DIR / f"{identity_clip_id(self.station, p.session, 'opening')}.mp3"
            what = MESSAGES["relay_fallback_identity"]
        self.say(MESSAGES["relay_fallback"].format(at=_hhmmss(self.clock.now()), relay=relay.id,
                                                   limit=relay.outage_limit_s, what=what))
        try:
            handle = self.sink.start(clip, 0.0)
        except SinkError as exc:
            self.say(MESSAGES["failed"].format(script=relay.id, detail=exc.message))
            return
        seconds = min(float(handle.duration_s or 0.0), max(0.0, (end_at - self.clock.now()).total_seconds()))
        self.clock.sleep(seconds)
        if seconds >= (handle.duration_s or 0.0):
            handle.finish()
        else:
            handle.stop(seconds)

    def _relay(self, p: PlannedPlay, pending: list[PlannedPlay], until: datetime) -> None:
        """Relay ``p``'s source until its planned end (or an emergency, or ``until``) and log it."""
        relay = self.project.relay(p.script)
        started = self.clock.now()
        if relay is None:  # the folder changed under the plan
            self.report.failed += 1
            self._log([self._row(p, "failed", started, started, None)])
            return
        end_at = min(p.start + timedelta(seconds=p.duration_s), max(until, started))
        jitter = (started - p.start).total_seconds()
        self.report.jitters.append(jitter)
        self.say(MESSAGES["relay_start"].format(start=_hhmmss(started), name=relay.name, relay=relay.id,
                                                jitter_ms=jitter * 1000, scheduled=_hhmmss(p.start), end=_hhmmss(end_at)))
        on_air = _OnAir(p, None, started, p.duration_s, None, uuid.uuid4().hex, started)
        self._progress(on_air, first=True)
        relayed, stream, down_since, attempt, fell_back, cut_by = 0.0, None, None, 0, False, None
        outage_s = 0.0   # time without the source (from the start or a drop until it is back)
        try:
            while True:
                now = self.clock.now()
                if now >= end_at:
                    break
                if p.priority != "emergency":
                    cut_by = next((e for e in pending if e.priority == "emergency" and e.start <= now), None)
                    if cut_by is not None:
                        break
                if now >= on_air.heartbeat + timedelta(seconds=HEARTBEAT_S):
                    on_air.heartbeat = now
                    self._progress(on_air, first=False)
                if stream is None:
                    try:
                        stream = self._open_relay(relay)
                    except BroadcasterError as exc:
                        if down_since is None:
                            down_since = now
                        if not fell_back and (now - down_since).total_seconds() >= relay.outage_limit_s:
                            fell_back = True
                            self._fallback(relay, p, end_at)
                            continue
                        wait = RELAY_BACKOFF_S[min(attempt, len(RELAY_BACKOFF_S) - 1)]
                        attempt += 1
                        self.say(MESSAGES["relay_down"].format(at=_hhmmss(now), relay=relay.id, detail=exc.message,
                                                               wait=wait))
                        next_emergency = [(e.start - now).total_seconds() for e in pending
                                          if e.priority == "emergency" and e.start > now]
                        self.clock.sleep(max(0.0, min([wait, (end_at - now).total_seconds(), *next_emergency])))
                        continue
                    if down_since is not None and relayed > 0:
                        self.say(MESSAGES["relay_back"].format(at=_hhmmss(self.clock.now()), relay=relay.id))
                    outage_s += ((self.clock.now() - down_since) if down_since is not None
                                 else (self.clock.now() - started)).total_seconds()
                    down_since, attempt = None, 0
                chunk = min(RELAY_CHUNK_S, (end_at - now).total_seconds())
                got = stream.pump(self.sink, chunk)
                if got <= 0:
                    stream.close()
                    stream = None
                    down_since = self.clock.now()
                    self.say(MESSAGES["relay_drop"].format(at=_hhmmss(down_since), relay=relay.id, seconds=relayed))
                    continue
                relayed += got
        finally:
            if stream is not None:
                stream.close()
            ended = self.clock.now()
            if down_since is not None:
                outage_s += (ended - down_since).total_seconds()
            # Sources may send a little ahead of time, and the last chunk may end a few milliseconds past the
            # session's end: the log counts no more than the time on air within the planned length.
            relayed = max(0.0, min(relayed, (min(ended, end_at) - started).total_seconds() - outage_s))
            if relayed <= 0:
                status = "failed"
            elif cut_by is not None or fell_back or ended < end_at:
                status = "interrupted"
            else:
                status = "played"
            if status == "played":
                self.report.played += 1
            elif status == "interrupted":
                self.report.interrupted += 1
            else:
                self.report.failed += 1
            self.say(MESSAGES["relay_end"].format(end=_hhmmss(ended), relay=relay.id, seconds=relayed,
                                                  planned=(end_at - p.start).total_seconds(),
                                                  status=MESSAGES["relay_status"][status]))
            row = self._row(p, status, started, ended, None, on_air.uid)
            row.duration_s = round(relayed, 3)
            self._log([row], clear_progress=True)

    def _flush_unsent(self) -> None:
        if not self._unsent:
            return
        self._log([])
        if not self._unsent:
            return
        folder = Path(self.project.out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"playlog-unsent-{self.station.id}-{self.clock.now():%Y%m%d-%H%M%S}.json"
        rows = [{"station": r.station, "script": r.script, "started_at": r.started_at.isoformat(),
                 "ended_at": r.ended_at.isoformat() if r.ended_at else None, "status": r.status,
                 "scheduled_at": r.scheduled_at.isoformat() if r.scheduled_at else None, "source_id": r.source_id}
                for r in self._unsent]
        from .atomic import atomic_write_text

        atomic_write_text(path, json.dumps(rows, ensure_ascii=False, indent=1))
        count = len(self._unsent)
        self._unsent = []
        raise BroadcasterError(MESSAGES["unsent"].format(count=count, path=path))


def run_player(project, store: PlayStore, station_id: str, until: datetime, sink, *, clock: Clock | None = None,
               say: Callable[[str], None] | None = None, plan: list[PlannedPlay] | None = None,
               late_tolerance_s: float = 60.0, rebuild: bool = True, relay_source=None) -> PlayerReport:
    """Run the player for one station until ``until``; see :class:`Player`."""
    player = Player(project, store, station_id, sink, clock=clock, say=say, late_tolerance_s=late_tolerance_s,
                    rebuild=rebuild, relay_source=relay_source)
    return player.run(until, plan)


def default_until(clock_now: datetime) -> datetime:
    """Without a stop time the player runs to the end of today."""
    return datetime.combine(clock_now.date() + timedelta(days=1), datetime.min.time())


