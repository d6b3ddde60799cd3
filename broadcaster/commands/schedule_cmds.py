"""Command-line shell of the schedule and export stages: plan, program, export.

Each command converts its options, loads the schedules (warnings into the run's
collector, shown once each on standard error; errors stop it with exit 1) and
makes one call into the stage.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import click

from ..clickvi import ViCommand
from ..errors import ProblemsError
from .options import ChoicesHelpCommand, RegistryChoice, jobs_option
from ..texttable import text_table
from ..timeutil import parse_date

MESSAGES = {
    "bad_date": "ngày không hợp lệ",
    "no_plays": "không có lượt phát nào từ {start} đến {end} — kiểm tra lịch phát (schedules/) và ngày đã chọn",
    "estimated": "lưu ý: một số thời lượng là ước tính vì tệp âm thanh chưa được tạo — chạy  broadcaster build  để có giờ chính xác",
    "programmes": "Đã ghi {count} chương trình ({plays} lượt phát) vào {folder}.",
    "exported": "Đã xuất {format}: {programmes} chương trình, {plays} lượt phát, {files} tệp vào {folder}.",
    "building": "Đang chuẩn bị tệp âm thanh",
    # What the CLI adds to an export error (export.ExportError.remedy): stage messages never name a flag.
    "export_hints": {"replace": "thêm --force để thay bản xuất trước đó",
                     "station": "thêm --station MÃ_ĐÀI",
                     "days": "dùng --days {days}"},
    "table_headers": ["Ngày", "Giờ", "Đài", "Phiên", "TT", "Kịch bản", "Tiêu đề", "Ưu tiên", "Thời lượng",
                      "Tệp âm thanh"],
    "clip_states": {"current": "sẵn sàng", "stale": "CẦN TẠO LẠI", "missing": "chưa tạo", "relay": "tiếp sóng"},
    "table_total": "Tổng: {count} lượt phát, {minutes} phút.",
}
PLAN_CSV_COLUMNS = ["station", "date", "session", "start", "position", "script", "title", "campaign", "form",
                    "priority", "medium", "duration_s", "clip", "clip_state"]
PRIORITY_SHORT = {"normal": "thường", "priority": "ưu tiên", "emergency": "KHẨN CẤP"}


class DateType(click.ParamType):
    """A date written YYYY-MM-DD or dd/mm/yyyy."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()


def _schedules(app, project):
    """The folder's schedules; their warnings go to the run's collector and are shown now, once each."""
    from ..schedule import inspect_schedules

    schedules, problems = inspect_schedules(project)
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    app.notices.extend(problems)
    app.flush_warnings()  # before the (possibly long) work, so staff see them first
    return schedules


def _duration(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 60}:{total % 60:02d}"


def _clip_state(play, states) -> str:
    """``current`` | ``stale`` | ``missing`` of a play's clip (``states``: script id → state, or a Durations).

    A relay play (tiếp sóng) has no clip: ``relay``.
    """
    if play.form == "tiep-song":
        return "relay"
    if states is None:
        return "current" if play.clip else "missing"
    if hasattr(states, "state"):
        return states.state(play.script)
    return states.get(play.script, "missing")


def plan_table(plays, states=None) -> str:
    """A readable text table with Vietnamese headers; the last column says whether each clip is ready."""
    labels = MESSAGES["clip_states"]
    rows = [[p.date.strftime("%d/%m/%Y"), p.start.strftime("%H:%M:%S"), p.station, p.session, str(p.position),
             p.script, p.title, PRIORITY_SHORT.get(p.priority, p.priority), _duration(p.duration_s),
             labels[_clip_state(p, states)]] for p in plays]
    headers = MESSAGES["table_headers"]
    lines = [text_table(headers, rows)]
    lines.append(MESSAGES["table_total"].format(count=len(plays),
                                                minutes=round(sum(p.duration_s for p in plays) / 60)))
    return "\n".join(lines)


def _record(play, states) -> dict:
    record = play.as_dict()
    record["clip_state"] = _clip_state(play, states)
    return record


def plan_csv(plays, states=None) -> str:
    """CSV with stable English headers (the keys of PlannedPlay.as_dict, then ``clip_state``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PLAN_CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for play in plays:
        writer.writerow(_record(play, states))
    return buffer.getvalue().rstrip("\n")


def plan_json(plays, states=None) -> str:
    """A JSON list of PlannedPlay.as_dict() plus ``clip_state`` (current | stale | missing), one play per line.

    One object per line keeps the output readable and greppable, and uses the fast
    C encoder (``indent`` would switch json to its pure-Python encoder, 3× slower).
    """
    if not plays:
        return "[]"
    encode = _line_encoder()
    return "[\n" + ",\n".join(encode(_record(p, states)) for p in plays) + "\n]"


def _line_encoder():
    """One object → its ``json.dumps(…, ensure_ascii=False)`` text, with one C encoder made once for all plays.

    ``json.dumps`` builds a new encoder for every call (half the time of a 30,000-play plan);
    the C encoder object is what it builds, kept here. Without the C accelerator: ``json.dumps``.
    """
    from json import encoder as json_encoder

    make = json_encoder.c_make_encoder
    if make is None:   # pragma: no cover - CPython always has it
        return lambda obj: json.dumps(obj, ensure_ascii=False)
    base = json.JSONEncoder(ensure_ascii=False)
    iterencode = make(None, base.default, json_encoder.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda obj: "".join(iterencode(obj, 0))


@click.command(cls=ViCommand)
@click.option("--from", "start", type=DATE, required=True, help="Ngày đầu (YYYY-MM-DD hoặc dd/mm/yyyy).")
@click.option("--to", "end", type=DATE, help="Ngày cuối (mặc định: bằng --from).")
@click.option("--station", help="Chỉ một đài (mã đài).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Dạng kết quả.")
@click.pass_obj
def plan(app, start: date, end: date | None, station: str | None, fmt: str) -> None:
    """In các lượt phát theo lịch, xếp theo giờ."""
    from ..manifest import stale_message
    from ..schedule import Durations, expand_plan

    project = app.project()
    schedules = _schedules(app, project)
    durations = Durations(project)
    plays = expand_plan(project, schedules, start, end or start, station, durations=durations)
    if durations.estimated:
        click.echo(MESSAGES["estimated"], err=True)
    stale = stale_message([durations.states()[cid] for cid in sorted(durations.stale)])
    if stale:
        click.echo(f"cảnh báo: {stale}", err=True)
    if not plays:
        click.echo(MESSAGES["no_plays"].format(start=start, end=end or start), err=True)
    if fmt == "json":
        click.echo(plan_json(plays, durations))
    elif fmt == "csv":
        click.echo(plan_csv(plays, durations))
    elif plays:
        click.echo(plan_table(plays, durations))

@click.command(cls=ViCommand)
@click.option("--date", "start", type=DATE, required=True, help="Ngày đầu (YYYY-MM-DD hoặc dd/mm/yyyy).")
@click.option("--days", type=click.IntRange(1, 366), default=1, show_default=True, help="Số ngày.")
@click.option("--station", help="Chỉ một đài (mã đài).")
@jobs_option
@click.pass_obj
def program(app, start: date, days: int, station: str | None, jobs: int | None) -> None:
    """Ghép một tệp MP3 + .m3u8 cho mỗi đài, ngày và phiên vào audio_out/programs/."""
    from ..errors import BroadcasterError
    from ..progress import Progress
    from ..export.programme import prepare_programmes, write_programme
    from ..schedule.program import day_range, nothing_message

    project = app.project()
    schedules = _schedules(app, project)
    first, last = day_range(start, days)
    notes: list[str] = []
    with Progress(MESSAGES["building"]) as progress:
        programmes = prepare_programmes(project, schedules, first, last, station, progress=progress, notes=notes,
                                        jobs=jobs)
    for note in notes:
        click.echo(note, err=True)
    if not programmes:
        raise BroadcasterError(nothing_message(first, last, station))
    for programme in programmes:
        mp3, _ = write_programme(project, programme)
        click.echo(str(mp3.relative_to(project.root)))
    click.echo(MESSAGES["programmes"].format(
        count=len(programmes), plays=sum(len(p.plays) for p in programmes),
        folder=(project.out_dir / "programs").relative_to(project.root)), err=True)

@click.command(cls=ChoicesHelpCommand)
@click.argument("fmt", metavar="FORMAT", type=RegistryChoice("broadcaster.export", "WRITERS"))
@click.option("--date", "start", type=DATE, required=True, help="Ngày đầu (YYYY-MM-DD hoặc dd/mm/yyyy).")
@click.option("--days", type=click.IntRange(1, 366), default=1, show_default=True, help="Số ngày.")
@click.option("--station", help="Chỉ một đài (bắt buộc với usb khi có nhiều đài).")
@click.option("--to", "dest", type=click.Path(path_type=Path), required=True, metavar="THƯ_MỤC",
              help="Thư mục xuất.")
@click.option("--force", is_flag=True, help="Thay bản xuất trước đó trong thư mục (chỉ xóa tệp do broadcaster ghi).")
@jobs_option
@click.pass_obj
def export(app, fmt: str, start: date, days: int, station: str | None, dest: Path, force: bool,
           jobs: int | None) -> None:
    """Xuất chương trình ra thư mục cho thiết bị phát (kèm tệp âm thanh).

    DẠNG: {choices}.
    """
    from ..export import ExportError
    from ..export import export as run_export
    from ..progress import Progress
    from ..schedule.expand import check_station

    project = app.project()
    check_station(project, station)
    schedules = _schedules(app, project)
    notes: list[str] = []
    try:
        with Progress(MESSAGES["building"]) as progress:
            result = run_export(project, schedules, fmt, start, days, dest, station, force=force,
                                progress=progress, notes=notes, jobs=jobs)
    except ExportError as exc:
        hint = MESSAGES["export_hints"].get(exc.remedy)
        if hint:
            exc.hint = hint.format(**exc.values)
        raise
    for note in notes:
        click.echo(note, err=True)
    click.echo(str(result.folder))
    click.echo(MESSAGES["exported"].format(format=fmt, programmes=result.programmes, plays=result.plays,
                                           files=len(result.files), folder=result.folder), err=True)


COMMANDS = (plan, program, export,)


def register(cli) -> None:
    """Add this module's commands (`COMMANDS`) to the CLI group."""
    for command in COMMANDS:
        cli.add_command(command)
