"""Command of the player stage, stream out: stream (a station's day to an Icecast server for IP loudspeaker clusters)."""
from __future__ import annotations

import click

from ..clickvi import ViCommand

MESSAGES = {
    "summary": "{report} Luồng: đã gửi {sent:.0f} giây âm thanh, mất {lost:.0f} giây khi Icecast vắng, kết nối lại {reconnects} lần.",
}


@click.command(cls=ViCommand)
@click.option("--station", required=True, help="Mã đài cần phát luồng.")
@click.option("--to", "target", required=True, metavar="icecast://source:MẬT-KHẨU@MÁY:CỔNG/ĐIỂM-PHÁT",
              help="Máy chủ Icecast nhận luồng; cụm loa IP nghe ở http://MÁY:CỔNG/ĐIỂM-PHÁT.")
@click.option("--until", "until_text", help="Dừng sau thời điểm này (mặc định: hết ngày hôm nay).")
@click.pass_obj
def stream(app, station: str, target: str, until_text: str | None) -> None:
    """Phát cả ngày của một đài thành một luồng liên tục tới Icecast (cho cụm loa truyền thanh IP)."""
    from ..player import StopTimePast, SystemClock
    from ..playlog.store import open_store
    from ..stream import parse_target, run_stream
    from .log_cmds import MESSAGES as LOG_MESSAGES, _err, _until

    parse_target(target)   # a bad address is refused before the folder is read
    project = app.project()
    clock = SystemClock(project.timezone)
    until = _until(until_text, clock.now())
    try:
        report, sink = run_stream(project, lambda: open_store(project), station, target, until, say=_err,
                                  clock=clock)
    except StopTimePast as exc:
        exc.hint = LOG_MESSAGES["until_hint"]  # the stage names no flag; the command does
        raise
    _err(MESSAGES["summary"].format(report=report.message(), sent=sink.sent_s, lost=sink.lost_s,
                                    reconnects=sink.reconnects))


COMMANDS = (stream,)


def register(cli) -> None:
    """Add this module's commands (`COMMANDS`) to the CLI group."""
    for command in COMMANDS:
        cli.add_command(command)
