"""Commands of the play-log stage: play, log import | confirm | list | void | verify | sync (thin shells over playlog and player)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click

from ..clickvi import ViCommand, ViGroup
from ..errors import BroadcasterError
from ..texttable import text_table
from .options import LabelChoice

MESSAGES = {
    "bad_until": 'thời điểm dừng không hợp lệ "{value}" — viết dạng 2024-08-01T18:00, "01/08/2024 18:00" hoặc giờ hôm nay "18:00"',
    "bad_date": "{detail}",
    "none": "Không có lượt phát nào khớp điều kiện.",
    "until_hint": "dùng --until với thời điểm muộn hơn",
    "play_start": "Bắt đầu phát cho đài {station} đến {until} (đầu ra: {sink}).",
    "listed": "{count} lượt phát.",
    "bad_seconds": '"{value}" không phải số giây — viết một số từ 0 đến 86400',
    "session_option": "thêm --session PHIÊN",
    "reason_option": 'ghi lý do bằng --reason "…"',
    "voided_status": "{label}: {reason}",
}

# duration_s is the stored (hash-protected) value; airtime_s what the report counts for the row
# (its clip's length when only a start was logged), duration_source where that came from.
LIST_COLUMNS = ["id", "station", "script", "started_at", "ended_at", "duration_s", "status", "source", "campaign",
                "form", "medium", "priority", "scheduled_at", "source_id", "clip_hash", "uid", "seq", "prev_hash",
                "row_hash", "airtime_s", "duration_source", "voided_by", "void_reason", "voided_at"]
TABLE_COLUMNS = [("id", "Mã"), ("station", "Đài"), ("script", "Kịch bản"), ("started_at", "Bắt đầu"),
                 ("ended_at", "Kết thúc"), ("airtime_s", "Giây"), ("duration_source", "Thời lượng theo"),
                 ("status", "Trạng thái"), ("source", "Nguồn")]


class Seconds(click.FloatRange):
    """A number of seconds from 0 to a day; NaN (which compares false to every bound) is refused too."""

    def __init__(self):
        super().__init__(min=0, max=86400)

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:
            self.fail(MESSAGES["bad_seconds"].format(value=value), param, ctx)
        return seconds


def _err(message: str) -> None:
    click.echo(message, err=True)


def _moment(value: str | None, *, end: bool = False) -> datetime | None:
    """A date (whole day; ``end`` means the day after) or a datetime from an option."""
    if value is None:
        return None
    from ..timeutil import parse_date, parse_datetime

    try:
        day = parse_date(value)
        start = datetime.combine(day, time())
        return start + timedelta(days=1) if end else start
    except ValueError:
        pass
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise BroadcasterError(MESSAGES["bad_date"].format(detail=exc)) from exc


def _until(value: str | None, now: datetime) -> datetime:
    from ..player import default_until
    from ..timeutil import parse_datetime, parse_time

    if value is None:
        return default_until(now)
    try:
        return datetime.combine(now.date(), parse_time(value))
    except ValueError:
        pass
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise BroadcasterError(MESSAGES["bad_until"].format(value=value)) from exc


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@click.command(cls=ViCommand)
@click.option("--station", required=True, help="Mã đài cần phát.")
@click.option("--until", "until_text", help="Dừng sau thời điểm này (mặc định: hết ngày hôm nay).")
@click.option("--sink", default="default", show_default=True,
              help="Đầu ra: default (loa), null (không tiếng, chỉ chờ), file:ĐƯỜNG-DẪN.wav.")
@click.option("--late-tolerance", type=Seconds(), default=60.0, show_default=True,
              help="Số giây trễ tối đa vẫn phát khi máy phát khởi động muộn; trễ hơn ghi là bỏ lỡ.")
@click.pass_obj
def play(app, station: str, until_text: str | None, sink: str, late_tolerance: float) -> None:
    """Phát lịch của một đài theo thời gian thực và ghi nhật ký từng lượt."""
    from ..player import Player, StopTimePast, SystemClock
    from ..playlog.store import open_store
    from ..sinks import make_sink

    project = app.project()
    clock = SystemClock(project.timezone)
    until = _until(until_text, clock.now())
    out = make_sink(sink)
    store = open_store(project)
    player = Player(project, store, station, out, clock=clock, say=_err, late_tolerance_s=late_tolerance)
    _err(MESSAGES["play_start"].format(station=station, until=until.isoformat(sep=" ", timespec="minutes"),
                                       sink=sink))
    try:
        report = player.run(until)
    except StopTimePast as exc:
        exc.hint = MESSAGES["until_hint"]
        raise
    _err(report.message())

@click.group(cls=ViGroup)
def log() -> None:
    """Nhật ký phát: nhập, xác nhận, liệt kê, hủy lượt ghi nhầm, kiểm tra, đồng bộ."""

@log.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), help="Mặc định: theo đuôi tệp.")
@click.pass_obj
def import_cmd(app, file: Path, fmt: str | None) -> None:
    """Nhập nhật ký phát từ tệp CSV/JSON (station,script,started_at[,ended_at,status,source_id])."""
    from ..playlog.importer import import_file
    from ..playlog.store import open_store

    project = app.project()
    result = import_file(project, lambda: open_store(project), file, fmt, display=str(file))
    _err(result.message())

@log.command("confirm")
@click.option("--date", "day", required=True, help="Ngày phát (YYYY-MM-DD hoặc dd/mm/yyyy).")
@click.option("--station", required=True, help="Mã đài.")
@click.option("--session", help="Chỉ một phiên (ví dụ sang, chieu).")
@click.pass_obj
def confirm_cmd(app, day: str, station: str, session: str | None) -> None:
    """Xác nhận đã phát đúng lịch (cho thiết bị không tự ghi nhật ký)."""
    from ..playlog.confirm import NotAiredYet, check_day_aired, confirm_plan
    from ..playlog.store import open_store
    from ..timeutil import parse_date

    try:
        when = parse_date(day)
    except ValueError as exc:
        raise BroadcasterError(str(exc)) from exc
    project = app.project()
    # A day or session not over yet in station time is refused before the log is opened (or created).
    try:
        check_day_aired(project, when, station, session)
    except NotAiredYet as exc:
        raise BroadcasterError(exc.message, hint=f"{exc.hint} ({MESSAGES['session_option']})") from exc
    result = confirm_plan(project, open_store(project), when, station, session)
    _err(result.message())

@log.command("list")
@click.option("--from", "start", help="Từ ngày/thời điểm.")
@click.option("--to", "end", help="Đến ngày (cả ngày) hoặc thời điểm.")
@click.option("--station", help="Mã đài.")
@click.option("--script", help="Mã kịch bản.")
@click.option("--status", type=LabelChoice("broadcaster.playlog.schema", "STATUS_LABELS",
                                            ["played", "interrupted", "failed", "missed"]),
              help="Chỉ các lượt có trạng thái này; gõ tiếng Anh hoặc chữ của bảng: played (đã phát), "
                   "interrupted (bị ngắt), failed (lỗi), missed (bỏ lỡ); có dấu hay không dấu đều được.")
@click.option("--source", type=LabelChoice("broadcaster.playlog.schema", "SOURCE_LABELS", ["player", "import", "confirm"]),
              help="Chỉ các lượt từ nguồn này: player (máy phát), import (nhập tệp), confirm (xác nhận).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Tối đa bao nhiêu dòng.")
@click.pass_obj
def list_cmd(app, start, end, station, script, status, source, fmt, limit) -> None:
    """Liệt kê các lượt phát trong nhật ký."""
    from ..playlog.durations import airtime_of, clip_durations
    from ..playlog.store import DURATION_SOURCE_LABELS, SOURCE_LABELS, STATUS_LABELS, NoPlayLog, open_store
    from ..playlog.schema import VOIDED_LABEL

    project = app.project()
    first, last = _moment(start), _moment(end, end=True)
    try:
        log = open_store(project, must_exist=True)
    except NoPlayLog as exc:
        # Nothing to list, and nothing is created: an empty result, and why on stderr.
        _err(exc.message)
        log = None
    stored = log.list_plays(start=first, end=last, station=station, script=script, status=status,
                            source=source, limit=limit) if log is not None else []
    rows = [dict(r, airtime_s=a["duration_s"], duration_source=a["duration_source"])
            for r, a in zip(stored, airtime_of(stored, clip_durations(project)))]
    labels = {"status": STATUS_LABELS, "source": SOURCE_LABELS, "duration_source": DURATION_SOURCE_LABELS}
    if fmt == "json":
        click.echo(json.dumps([{k: _json_value(r[k]) for k in LIST_COLUMNS} for r in rows], ensure_ascii=False,
                              indent=1))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(LIST_COLUMNS)
        for r in rows:
            writer.writerow([_json_value(r[k]) if r[k] is not None else "" for k in LIST_COLUMNS])
        click.echo(buffer.getvalue(), nl=False)
        return
    if not rows:
        if log is not None:
            _err(MESSAGES["none"])
        return
    # The table is for staff: status and source in Vietnamese (the labels the web shows). csv/json keep
    # the stored values (played…, player | import | confirm) that scripts and spreadsheets filter on.
    cells = [[labels[k].get(r[k], r[k]) if k in labels else _cell(r[k]) for k, _ in TABLE_COLUMNS]
             for r in rows]
    status_at = [k for k, _ in TABLE_COLUMNS].index("status")
    for r, row_cells in zip(rows, cells):
        if r["voided_by"] is not None:   # a voided play says so, and why, where its status is read
            row_cells[status_at] = MESSAGES["voided_status"].format(label=VOIDED_LABEL, reason=r["void_reason"])
    headings = [h for _, h in TABLE_COLUMNS]
    click.echo(text_table(headings, cells))
    _err(MESSAGES["listed"].format(count=len(rows)))

@log.command("void")
@click.argument("play_id", metavar="ID")
@click.option("--reason", help="Lý do hủy (bắt buộc), ví dụ \"xác nhận nhầm, phiên sáng không phát\".")
@click.pass_obj
def void_cmd(app, play_id: str, reason: str | None) -> None:
    """Hủy một lượt phát ghi nhầm, có lý do (MÃ_LƯỢT: cột Mã của log list).

    Lượt cũ giữ nguyên; việc hủy là một dòng mới nối vào chuỗi mã băm, nên log verify vẫn đạt.
    Báo cáo không tính lượt đã hủy và ghi số lượt đã hủy. Hủy là vĩnh viễn, không hoàn tác được:
    kiểm tra kỹ mã lượt (log list) trước khi chạy.
    """
    from ..playlog.store import open_store
    from ..playlog.voids import VoidRefused, clean_reason, play_id as parse_id, void_play

    from ..timeutil import station_now

    ident = parse_id(play_id)
    try:
        clean_reason(ident, reason)   # before the log is opened: a missing reason changes nothing
    except VoidRefused as exc:
        raise BroadcasterError(exc.message, hint=MESSAGES["reason_option"]) from exc
    project = app.project()
    result = void_play(open_store(project, must_exist=True), ident, reason, now=station_now(project.timezone))
    _err(result.message())

@log.command("verify")
@click.pass_obj
def verify_cmd(app) -> None:
    """Kiểm tra chuỗi mã băm: phát hiện lượt phát bị sửa, chèn hoặc xóa."""
    from ..playlog.store import NoPlayLog, open_store
    from ..playlog.verify import MESSAGES as VERIFY_MESSAGES, ChainBroken, verify_log

    try:
        store = open_store(app.project(), must_exist=True)
    except NoPlayLog as exc:   # nothing to check, and nothing is created
        _err(exc.message)
        return
    result = verify_log(store)
    _check_day_summary(store)
    if not result.ok:
        raise ChainBroken(result, store.display_url)
    click.echo(VERIFY_MESSAGES["ok"].format(rows=result.rows, stations=result.stations))


def _check_day_summary(store) -> None:
    """PostgreSQL: the report's per-day table against the log; recounted, with a warning, when it differs."""
    from ..playlog import day_summary

    found = day_summary.check(store)
    for line in found.messages() if found is not None else ():
        _err(line)

@log.command("sync")
@click.option("--to", "target", required=True, metavar="URL", help="Cơ sở dữ liệu của tỉnh, ví dụ postgresql://user@host/db.")
@click.option("--batch", type=click.IntRange(min=1), default=1000, show_default=True, help="Số lượt mỗi lần gửi.")
@click.pass_obj
def sync_cmd(app, target: str, batch: int) -> None:
    """Đẩy nhật ký của đài lên cơ sở dữ liệu của tỉnh (gửi lại không bị trùng, tiếp tục được khi đứt)."""
    from ..playlog.store import PlayStore, open_store
    from ..playlog.sync import sync_to

    project = app.project()
    result = sync_to(open_store(project, must_exist=True), PlayStore(target, project.root), batch=batch)
    _err(result.message())


COMMANDS = (play, log,)


def register(cli) -> None:
    """Add this module's commands (`COMMANDS`) to the CLI group."""
    for command in COMMANDS:
        cli.add_command(command)
