"""Report stage, figures: turns the play log of a period (and the plan for it) into the monthly report's numbers.

The database does the counting (one GROUP BY over the period, by day,
station, campaign, form, medium and status); Python only rolls those few
groups up into the report's tables.

What counts: a play (lượt) is a row with status ``played``. Interrupted,
failed and missed rows are shown in their own columns and never added to
``plays``. A play that staff voided (``playlog.voids``: a chained void row
names it) counts nowhere — not as a play, not in airtime, not as
interrupted, failed or missed; ``Counts.voided`` says how many were voided,
and the void rows themselves are not plays either. Airtime (thời lượng) is the sum of the played rows' durations; a
played row logged with only a start time and no length (rows older than
migration 0004, or imported before its clip was built) counts its script's
clip length from the manifest (``playlog.durations``), so the report shows
true airtime; plays whose clip is still unknown are counted in
``Report.unknown_airtime``.

Before anything is shown, the hash chain of the rows counted is checked
(``playlog.verify.verify_period``); ``Report.chain`` carries the findings so
that every output says when the figures rest on a log that was altered.
Scheduled plays come from the plan over the same days; the completion rate
of a station is played ÷ scheduled (it can pass 100 % when plays that were
not in the plan were logged, e.g. extra broadcasts confirmed by import).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, func, literal_column, select

from ..errors import BroadcasterError, did_you_mean, valid_list
from ..models import FORMS, MEDIA
from ..playlog import day_summary
from ..playlog.durations import clip_durations
from ..playlog.store import DURATION_SOURCE_LABELS, IN_CHUNK, VOID_STATUS, PlayStore, plays
from ..timeutil import parse_date, parse_month, vn_date
from .numbers import minutes, number

MESSAGES = {
    "range_order": "ngày kết thúc ({end}) trước ngày bắt đầu ({start})",
    "need_period": "chọn kỳ báo cáo: một tháng, một kỳ báo cáo hoặc một khoảng ngày (từ ngày … đến ngày …)",
    "one_period": "chỉ chọn một kiểu kỳ báo cáo: tháng, kỳ báo cáo hoặc khoảng ngày",
    "unknown_campaign": 'chiến dịch không tồn tại "{value}"{hint} — các chiến dịch: {valid}',
    "month_label": "tháng {month}/{year}",
    "range_label": "từ ngày {start} đến ngày {end}",
    "no_plays": "Trong kỳ báo cáo chưa có lượt phát nào được ghi nhận trong nhật ký.",
    "no_plan": "Chưa tính được số lượt theo kế hoạch (chưa có lịch phát).",
    "sources": "Thời lượng theo nguồn: {parts}.",
    "source_part": "{label} {minutes} phút ({plays} lượt)",
    "clip_airtime": "{count} lượt phát chỉ ghi giờ bắt đầu được tính thời lượng theo tệp âm thanh đã lên lịch.",
    "unknown_airtime": "{count} lượt phát chỉ ghi giờ bắt đầu và chưa có tệp âm thanh nên chưa tính được thời lượng "
                       "(tính là 0 phút) — chạy broadcaster build rồi lập lại báo cáo.",
    "chain_broken": "CẢNH BÁO: nhật ký phát của kỳ báo cáo không toàn vẹn — {count} vấn đề: một số lượt phát đã bị sửa, "
                    "chèn hoặc xóa ngoài phần mềm (chạy broadcaster log verify để xem chi tiết); số liệu dưới đây "
                    "có thể không đúng với thực tế.",
    "voided": "Số lượt đã hủy: {count} lượt phát ghi nhầm đã được hủy trong nhật ký (có ghi lý do), không tính vào "
              "số lượt và thời lượng ở trên.",
    "chain_ok": "Số liệu được tổng hợp tự động từ nhật ký phát của các đài; đã kiểm tra chuỗi mã băm của {rows} lượt phát "
                "trong kỳ: không có lượt nào bị sửa, chèn hoặc xóa sau khi ghi.",
    "chain_ok_earlier": " Trong đó {now} lượt được tính lại mã băm lần này; {earlier} lượt đã được kiểm tra ở lần trước "
                        "và cơ sở dữ liệu ghi nhận chưa có lượt phát nào bị sửa hay xóa kể từ đó.",
}


@dataclass(frozen=True)
class Period:
    """The days a report covers (inclusive) and how the report names them."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def month_period(text: str) -> Period:
    """A month as staff write it (``2024-08``, ``8/2024``, ``08/2024``, ``tháng 8/2024``) → the whole calendar month."""
    try:
        year, month = parse_month(text)
    except ValueError as exc:
        raise BroadcasterError(str(exc)) from exc
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last),
                  MESSAGES["month_label"].format(month=month, year=year))


def reporting_period(text: str, end_day: int | None) -> Period:
    """A month (any form ``parse_month`` reads) → the reporting period ending on ``end_day`` of that month.

    With ``period_end_day: 15`` the period 2024-08 runs from 16/07/2024 to
    15/08/2024; without an end day it is the calendar month.
    """
    month = month_period(text)
    if not end_day:
        return month
    end_day = int(end_day)
    year, mon = month.start.year, month.start.month
    end = date(year, mon, min(end_day, calendar.monthrange(year, mon)[1]))
    prev_year, prev_mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    prev_last = calendar.monthrange(prev_year, prev_mon)[1]
    start = date(prev_year, prev_mon, min(end_day, prev_last)) + timedelta(days=1)
    return Period(start, end, MESSAGES["range_label"].format(start=vn_date(start), end=vn_date(end)))


def range_period(start, end) -> Period:
    """Two dates (YYYY-MM-DD or dd/mm/yyyy) → a period."""
    try:
        first, last = parse_date(start), parse_date(end)
    except ValueError as exc:
        raise BroadcasterError(str(exc)) from exc
    if last < first:
        raise BroadcasterError(MESSAGES["range_order"].format(start=vn_date(first), end=vn_date(last)))
    return Period(first, last, MESSAGES["range_label"].format(start=vn_date(first), end=vn_date(last)))


class PeriodChoice(BroadcasterError):
    """No period, or more than one kind of period, was chosen; the shell says how to choose one."""


def choose_period(project, month: str | None = None, period: str | None = None, start=None, end=None) -> Period:
    """The period from the command's options (exactly one kind).

    Raises:
        PeriodChoice: None or several kinds given (the CLI adds its options to the message).
        BroadcasterError: A month, period or date that cannot be read.
    """
    kinds = [month is not None, period is not None, start is not None or end is not None]
    if sum(kinds) == 0:
        raise PeriodChoice(MESSAGES["need_period"])
    if sum(kinds) > 1:
        raise PeriodChoice(MESSAGES["one_period"])
    if month is not None:
        return month_period(month)
    if period is not None:
        return reporting_period(period, (project.report or {}).get("period_end_day"))
    if start is None or end is None:
        raise PeriodChoice(MESSAGES["need_period"])
    return range_period(start, end)


def airtime_sources(report) -> dict[str, tuple[int, float]]:
    """duration source → (played plays, seconds) over the whole report, in DURATION_SOURCES order."""
    from ..playlog.store import DURATION_SOURCES

    totals: dict[str, list] = {}
    for row in report.details:
        for src, n, seconds in row.sources:
            acc = totals.setdefault(src, [0, 0.0])
            acc[0] += n
            acc[1] += seconds
    order = {name: i for i, name in enumerate(DURATION_SOURCES)}
    return {src: (n, sec) for src, (n, sec) in sorted(totals.items(), key=lambda kv: order.get(kv[0], 99))}


def sources_line(report) -> str | None:
    """'Thời lượng theo nguồn: theo nhật ký 12,5 phút (30 lượt); …' or None without played plays."""
    found = airtime_sources(report)
    if not found:
        return None
    parts = [MESSAGES["source_part"].format(label=DURATION_SOURCE_LABELS.get(src, src).lower(),
                                           minutes=number(minutes(sec)), plays=number(n))
             for src, (n, sec) in found.items()]
    return MESSAGES["sources"].format(parts="; ".join(parts))


def notes(report) -> list[str]:
    """Sentences every output adds about the figures: altered log, where airtime came from, unknown airtime."""
    out = []
    if report.chain is not None and not report.chain.ok:
        out.append(MESSAGES["chain_broken"].format(count=len(report.chain.problems)))
    line = sources_line(report)
    if line:
        out.append(line)
    if report.totals.voided:
        out.append(MESSAGES["voided"].format(count=report.totals.voided))
    if report.clip_airtime:
        out.append(MESSAGES["clip_airtime"].format(count=report.clip_airtime))
    if report.unknown_airtime:
        out.append(MESSAGES["unknown_airtime"].format(count=report.unknown_airtime))
    return out


@dataclass(frozen=True)
class Counts:
    """Plays by status and airtime (seconds of played rows); ``voided``: plays voided by staff (counted nowhere else)."""

    plays: int = 0
    interrupted: int = 0
    failed: int = 0
    missed: int = 0
    airtime_s: float = 0.0
    voided: int = 0

    def add(self, status: str, count: int, seconds: float) -> "Counts":
        values = dict(plays=self.plays, interrupted=self.interrupted, failed=self.failed, missed=self.missed,
                      airtime_s=self.airtime_s, voided=self.voided)
        if status == "played":
            values["plays"] += count
            values["airtime_s"] += seconds
        elif status in values and status != "airtime_s":
            values[status] += count
        return Counts(**values)

    @property
    def only_voided(self) -> bool:
        """Nothing but voided plays: such a line stays out of the official tables (it is in the CSV)."""
        return not (self.plays or self.interrupted or self.failed or self.missed)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.plays + other.plays, self.interrupted + other.interrupted, self.failed + other.failed,
                      self.missed + other.missed, self.airtime_s + other.airtime_s, self.voided + other.voided)


@dataclass(frozen=True)
class DetailRow:
    """One campaign × form × medium × station line (the CSV rows)."""

    campaign: str
    form: str
    medium: str
    station: str
    counts: Counts
    sources: tuple = ()     # ((duration source, played plays, seconds), …): where the airtime came from


@dataclass(frozen=True)
class SummaryRow:
    """One campaign × form × medium line: what the provincial letter asks for."""

    campaign: str
    form: str
    medium: str
    stations: int
    counts: Counts


@dataclass(frozen=True)
class StationRow:
    """One station: scheduled versus played."""

    station: str
    name: str
    medium: str
    scheduled: int | None
    counts: Counts

    @property
    def completion(self) -> float | None:
        if not self.scheduled:
            return None
        return self.counts.plays / self.scheduled


@dataclass(frozen=True)
class Report:
    """Everything a report output needs."""

    organization: str
    period: Period
    campaign: str | None
    station: str | None
    details: tuple[DetailRow, ...]
    summary: tuple[SummaryRow, ...]
    stations: tuple[StationRow, ...]
    per_day: dict          # station id → list of played counts, one per day of the period
    totals: Counts
    scheduled_total: int | None
    names: dict = field(default_factory=dict)   # id → display name for campaigns and stations
    chain: object = None         # playlog.verify.VerifyResult of the rows counted (None: not checked)
    clip_airtime: int = 0        # played plays whose airtime is their clip's length (only a start was logged)
    unknown_airtime: int = 0     # played plays with only a start time and no built clip: 0 s counted

    @property
    def chain_ok(self) -> bool | None:
        """True when the rows counted are intact, False when some were altered, None when not checked."""
        return None if self.chain is None else self.chain.ok

    @property
    def empty(self) -> bool:
        return self.totals.plays == 0 and self.totals.interrupted == 0 and self.totals.failed == 0 \
            and self.totals.missed == 0 and self.totals.voided == 0

    def campaign_name(self, cid: str) -> str:
        return self.names.get(("campaign", cid)) or cid or "—"

    def station_name(self, sid: str) -> str:
        return self.names.get(("station", sid)) or sid

    @staticmethod
    def form_name(form: str) -> str:
        return FORMS.get(form, form or "—")

    @staticmethod
    def medium_name(medium: str) -> str:
        return MEDIA.get(medium, medium or "—")


def day_expr(store: PlayStore):
    """The day of ``started_at`` as SQL, written exactly as index ix_plays_day has it (playlog.report_index)."""
    if store.backend == "sqlite":
        # DateTime is stored as 'YYYY-MM-DD HH:MM:SS.ffffff': the first ten characters are the day. Literal
        # 1 and 10, not bound parameters: SQLite matches an indexed expression only when it reads the same.
        return func.substr(plays.c.started_at, literal_column("1"), literal_column("10"))
    return cast(plays.c.started_at, Date)


_day_expr = day_expr   # the bench's name


def _rows_of(period: Period, campaign: str | None, station: str | None) -> list:
    """The conditions on the play table for the period's rows, of one campaign and one station when given."""
    found = [plays.c.started_at >= datetime.combine(period.start, datetime.min.time()),
             plays.c.started_at < datetime.combine(period.end + timedelta(days=1), datetime.min.time())]
    if campaign is not None:
        found.append(plays.c.campaign == campaign)
    if station is not None:
        found.append(plays.c.station == station)
    return found


def _day(value) -> date:
    """A day as the database returns it (SQLite: 'YYYY-MM-DD'; PostgreSQL: a date) → date."""
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value.date() if isinstance(value, datetime) else value


def query_voided(store: PlayStore, period: Period, campaign: str | None = None,
                 station: str | None = None) -> list[tuple]:
    """(id, station, campaign, form, medium) of the period's plays that a void row names (staff corrections)."""
    # From the void rows (few; partial index uq_plays_voids) to the plays they name (uq_plays_uid), not over
    # every row of the period: usually there is no void row at all.
    out = []
    with store.read() as conn:
        targets = [v for (v,) in conn.execute(select(plays.c.voids).where(plays.c.voids.isnot(None)))]
        for i in range(0, len(targets), IN_CHUNK):
            query = (select(plays.c.id, plays.c.station, plays.c.campaign, plays.c.form, plays.c.medium)
                     .where(plays.c.uid.in_(targets[i:i + IN_CHUNK]), *_rows_of(period, campaign, station),
                            plays.c.status != VOID_STATUS))
            out += [(n, st, camp or "", form or "", medium or "") for n, st, camp, form, medium in conn.execute(query)]
    return out


def _counted(query, voided_ids: list[int]):
    """The query without void rows and without the voided plays (by id: SQLite's covering index keeps the rowid)."""
    query = query.where(plays.c.status != VOID_STATUS)
    if not voided_ids:
        return query
    if len(voided_ids) <= IN_CHUNK:
        return query.where(plays.c.id.not_in(voided_ids))
    return query.where(plays.c.uid.not_in(select(plays.c.voids).where(plays.c.voids.isnot(None))))


def _voided_keys(conn, store: PlayStore, period: Period, campaign, station, voided_ids) -> list[tuple]:
    """(key as ``day_summary.read_period`` gives it, duration_s, ended_at) of the voided plays counted in the period."""
    day = day_expr(store)
    first, last = (period.start.isoformat(), period.end.isoformat()) if store.backend == "sqlite" \
        else (period.start, period.end)
    ids, out = sorted(set(voided_ids)), []
    cols = (day, plays.c.station, plays.c.campaign, plays.c.form, plays.c.medium, plays.c.status,
            plays.c.duration_source, plays.c.source, plays.c.script, plays.c.duration_s, plays.c.ended_at)
    for i in range(0, len(ids), IN_CHUNK):
        query = select(*cols).where(plays.c.id.in_(ids[i:i + IN_CHUNK]), day >= first, day <= last,
                                    plays.c.status != VOID_STATUS)
        query = query.where(plays.c.campaign == campaign) if campaign is not None else query
        query = query.where(plays.c.station == station) if station is not None else query
        out += [(d, st or "", c or "", f or "", m or "", s or "", ds or None, src or "", sc or "", sec, end)
                for d, st, c, f, m, s, ds, src, sc, sec, end in conn.execute(query)]
    return out


def query_period(store: PlayStore, period: Period, campaign: str | None = None,
                 station: str | None = None, voided_ids: list[int] = (), *, summary: bool = True) -> list[tuple]:
    """Every count the report needs: from ``play_days`` (migration 0008) when its triggers are in place,
    else (or with ``summary=False``) in one pass over the index ix_plays_day; one tuple per group, in no set order.

    Void rows and the plays of ``voided_ids`` (``query_voided``) are left out (from the summary: their
    contributions, looked up by id, are taken away).

    Returns:
        (day, station, campaign, form, medium, status, duration_source, source, script, plays,
        seconds, start_only_plays, start_only_seconds) tuples; ``start_only`` rows have no end
        time and 0 s (their length comes from the clip, ``playlog.durations``). Text columns
        that are NULL come back as "" (campaign, form, medium), days as ``date``.
    """
    day = day_expr(store).label("day")
    start_only = and_(plays.c.ended_at.is_(None), plays.c.duration_s <= 0)
    keys = (day, plays.c.station, plays.c.campaign, plays.c.form, plays.c.medium, plays.c.status,
            plays.c.duration_source, plays.c.source, plays.c.script)
    first, last = (period.start.isoformat(), period.end.isoformat()) if store.backend == "sqlite" \
        else (period.start, period.end)
    query = (select(*keys, func.count(), func.coalesce(func.sum(plays.c.duration_s), 0.0),
                    func.sum(case((start_only, 1), else_=0)), func.sum(case((start_only, plays.c.duration_s), else_=0.0)))
             .where(day >= first, day <= last).group_by(*keys))
    if campaign is not None:
        query = query.where(plays.c.campaign == campaign)
    if station is not None:
        query = query.where(plays.c.station == station)
    query = _counted(query, list(voided_ids))
    with store.read() as conn:
        if summary and day_summary.summary_ready(conn):
            rows = day_summary.read_period(conn, period.start, period.end, campaign, station)
            rows = day_summary.take_away(rows, _voided_keys(conn, store, period, campaign, station, voided_ids))
            return [(_day(r[0]), *r[1:]) for r in rows]
        if store.backend == "postgresql":
            # JIT compiling this one aggregate costs seconds on a large log and saves nothing.
            conn.exec_driver_sql("SET LOCAL jit = off")
        out = []
        for d, st, camp, form, medium, status, dsource, source, script, n, seconds, so_n, so_s in conn.execute(query):
            if isinstance(d, str):
                d = date.fromisoformat(d)
            elif isinstance(d, datetime):
                d = d.date()
            out.append((d, st, camp or "", form or "", medium or "", status, dsource, source, script, int(n),
                        float(seconds or 0.0), int(so_n or 0), float(so_s or 0.0)))
        return out


def split_period(rows: list[tuple]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """``query_period`` rows → (groups, clip groups, source groups), as the three queries below return them."""
    groups: dict[tuple, list] = {}
    clips: dict[tuple, int] = {}
    sources: dict[tuple, list] = {}
    for d, st, camp, form, medium, status, dsource, source, script, n, seconds, so_n, so_s in rows:
        acc = groups.get((d, st, camp, form, medium, status))
        if acc is None:
            acc = groups[(d, st, camp, form, medium, status)] = [0, 0.0]
        acc[0] += n
        acc[1] += seconds
        if status != "played":
            continue
        if so_n:
            key = (d, st, camp, form, medium, script)
            clips[key] = clips.get(key, 0) + so_n
        if n > so_n:
            # Rows older than migration 0004 have no duration_source: derived as playlog.durations does.
            src = dsource or ("confirm" if source == "confirm" else "log")
            acc = sources.get((st, camp, form, medium, src))
            if acc is None:
                acc = sources[(st, camp, form, medium, src)] = [0, 0.0]
            acc[0] += n - so_n
            acc[1] += seconds - so_s
    return ([(*k, n, s) for k, (n, s) in groups.items()], [(*k, n) for k, n in clips.items()],
            [(*k, n, s) for k, (n, s) in sources.items()])


def query_groups(store: PlayStore, period: Period, campaign: str | None = None,
                 station: str | None = None, voided_ids: list[int] = ()) -> list[tuple]:
    """(day, station, campaign, form, medium, status, count, seconds) groups of the period, from the database."""
    return split_period(query_period(store, period, campaign, station, voided_ids))[0]


def query_clip_groups(store: PlayStore, period: Period, campaign: str | None = None,
                      station: str | None = None, voided_ids: list[int] = ()) -> list[tuple]:
    """(day, station, campaign, form, medium, script, count) of played rows with only a start time and 0 s."""
    return split_period(query_period(store, period, campaign, station, voided_ids))[1]


def query_source_groups(store: PlayStore, period: Period, campaign: str | None = None,
                        station: str | None = None, voided_ids: list[int] = ()) -> list[tuple]:
    """(station, campaign, form, medium, duration source, count, seconds) of played rows that have a length.

    Rows with only a start time and 0 s are left to ``query_clip_groups``.
    """
    return split_period(query_period(store, period, campaign, station, voided_ids))[2]


def _scheduled(project, period: Period, campaign: str | None, station: str | None, plan) -> dict[str, int] | None:
    if plan is None:
        from ..playlog import load_plan

        plan = load_plan(project, period.start, period.end, station=station)
    counts: dict[str, int] = {}
    for p in plan:
        if not period.start <= p.date <= period.end:
            continue
        if (station is not None and p.station != station) or (campaign is not None and p.campaign != campaign):
            continue
        counts[p.station] = counts.get(p.station, 0) + 1
    return counts


def check_filters(project, campaign: str | None = None, station: str | None = None) -> None:
    """Raise BroadcasterError (with the valid ids) for an unknown campaign or station."""
    if campaign is not None and project.campaign(campaign) is None:
        ids = [c.id for c in project.campaigns]
        raise BroadcasterError(MESSAGES["unknown_campaign"].format(
            value=campaign, hint=did_you_mean(campaign, ids), valid=valid_list(ids) or "—"))
    if station is not None:
        project.require_station(station)


def build_report(project, store: PlayStore, period: Period, *, campaign: str | None = None,
                 station: str | None = None, plan=None, verify: bool = True) -> Report:
    """The report's figures for a period.

    Args:
        project: The working folder (names, stations, campaigns).
        store: The play log.
        period: Days to cover.
        campaign: Only this campaign.
        station: Only this station.
        plan: PlannedPlay list instead of expanding the schedules (tests, benchmarks).
        verify: Check the hash chain of the rows counted (``Report.chain``).

    Raises:
        BroadcasterError: Unknown campaign or station.
    """
    check_filters(project, campaign, station)
    voided = query_voided(store, period, campaign, station)
    ids = [v[0] for v in voided]
    groups, clip_groups, source_groups = split_period(query_period(store, period, campaign, station, ids))
    # (campaign, form, medium, station) → {duration source: [plays, seconds]}
    sources: dict[tuple, dict[str, list]] = {}
    for st, camp, form, medium, src, n, seconds in source_groups:
        acc = sources.setdefault((camp, form, medium, st), {}).setdefault(src, [0, 0.0])
        acc[0] += n
        acc[1] += seconds
    clip_plays = unknown = 0
    if clip_groups:
        lengths = clip_durations(project)
        extra: dict[tuple, float] = {}
        for d, st, camp, form, medium, script, n in clip_groups:
            seconds = lengths.get(script)
            src = "clip" if seconds else "unknown"
            acc = sources.setdefault((camp, form, medium, st), {}).setdefault(src, [0, 0.0])
            acc[0] += n
            if seconds:
                clip_plays += n
                acc[1] += n * seconds
                key = (d, st, camp, form, medium)
                extra[key] = extra.get(key, 0.0) + n * seconds
            else:
                unknown += n
        groups = [(d, st, camp, form, medium, status, n,
                   seconds + (extra.get((d, st, camp, form, medium), 0.0) if status == "played" else 0.0))
                  for d, st, camp, form, medium, status, n, seconds in groups]
    scheduled = _scheduled(project, period, campaign, station, plan)
    chain = None
    if verify:
        from ..playlog.verify import verify_period

        chain = verify_period(store, datetime.combine(period.start, datetime.min.time()),
                              datetime.combine(period.end + timedelta(days=1), datetime.min.time()), station)

    day_index = {d: i for i, d in enumerate(period.days)}
    details: dict[tuple, Counts] = {}
    by_station: dict[str, Counts] = {}
    per_day: dict[str, list[int]] = {}
    totals = Counts()
    for d, st, camp, form, medium, status, n, seconds in groups:
        key = (camp, form, medium, st)
        details[key] = details.get(key, Counts()).add(status, n, seconds)
        by_station[st] = by_station.get(st, Counts()).add(status, n, seconds)
        totals = totals.add(status, n, seconds)
        if status == "played" and d in day_index:
            per_day.setdefault(st, [0] * len(day_index))[day_index[d]] += n
    for _, st, camp, form, medium in voided:
        key = (camp, form, medium, st)
        details[key] = details.get(key, Counts()).add("voided", 1, 0.0)
        by_station[st] = by_station.get(st, Counts()).add("voided", 1, 0.0)
        totals = totals.add("voided", 1, 0.0)

    summary: dict[tuple, tuple[Counts, set]] = {}
    for (camp, form, medium, st), counts in details.items():
        if counts.only_voided:
            continue
        acc, stations = summary.get((camp, form, medium), (Counts(), set()))
        stations.add(st)
        summary[(camp, form, medium)] = (acc + counts, stations)

    station_ids = [s.id for s in project.stations if station is None or s.id == station]
    station_ids += sorted(set(by_station) - set(station_ids))
    station_rows = []
    for sid in station_ids:
        s = project.station(sid)
        station_rows.append(StationRow(sid, s.name if s else sid, s.medium if s else "",
                                       None if scheduled is None else scheduled.get(sid, 0),
                                       by_station.get(sid, Counts())))
        per_day.setdefault(sid, [0] * len(day_index))

    names = {("campaign", c.id): c.name for c in project.campaigns}
    names.update({("station", s.id): s.name for s in project.stations})
    return Report(
        organization=project.organization, period=period, campaign=campaign, station=station,
        details=tuple(DetailRow(*key, counts, tuple((src, n, sec) for src, (n, sec) in sorted(sources.get(key, {}).items())))
                      for key, counts in sorted(details.items())),
        summary=tuple(SummaryRow(*key, len(st), counts) for key, (counts, st) in sorted(summary.items())),
        stations=tuple(station_rows), per_day=per_day, totals=totals,
        scheduled_total=None if scheduled is None else sum(scheduled.values()), names=names, chain=chain,
        clip_airtime=clip_plays, unknown_airtime=unknown)
