"""Commands of the report stage: report (a thin shell over report.aggregate and the renderers)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..clickvi import ViCommand
from .options import RegistryChoice

MESSAGES = {
    "written": "Đã ghi báo cáo {path}.",
    "period_options": "dùng --month YYYY-MM, --period YYYY-MM hoặc --from NGÀY --to NGÀY",
}


@click.command(cls=ViCommand)
@click.option("--month", help="Tháng báo cáo: 2024-08, 8/2024 hoặc 08/2024 (cả tháng).")
@click.option("--period", help="Kỳ báo cáo (tháng như --month) kết thúc vào ngày report.period_end_day của tháng đó.")
@click.option("--from", "start", help="Từ ngày (YYYY-MM-DD hoặc dd/mm/yyyy).")
@click.option("--to", "end", help="Đến ngày (tính cả ngày này).")
@click.option("--campaign", help="Chỉ một chiến dịch.")
@click.option("--station", help="Chỉ một đài.")
@click.option("--format", "fmt", type=RegistryChoice("broadcaster.report", "WRITERS"), default="table",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp kết quả (- là đầu ra chuẩn). Mặc định: bảng/CSV ra màn hình, "
                   "xlsx/docx/png vào audio_out/reports/.")
@click.pass_obj
def report(app, month, period, start, end, campaign, station, fmt, output) -> None:
    """Báo cáo kết quả truyền thông: số lượt, thời lượng theo hình thức, phương tiện, đài; kế hoạch và thực hiện."""
    from ..atomic import atomic_write_bytes
    from ..playlog.store import open_store
    from ..report import BINARY, default_filename, render
    from ..errors import BroadcasterError
    from ..report.aggregate import (MESSAGES as FIGURE_MESSAGES, PeriodChoice, build_report, check_filters,
                                    choose_period)

    project = app.project()
    try:
        chosen = choose_period(project, month, period, start, end)
    except PeriodChoice as exc:
        raise BroadcasterError(exc.message, hint=MESSAGES["period_options"]) from exc
    check_filters(project, campaign, station)
    # Reading only: a log that does not exist yet is not created (NoPlayLog says how to start one).
    figures = build_report(project, open_store(project, must_exist=True), chosen, campaign=campaign,
                           station=station)
    if figures.chain is not None and not figures.chain.ok:
        click.echo(FIGURE_MESSAGES["chain_broken"].format(count=len(figures.chain.problems)), err=True)
        for problem in figures.chain.problems:
            click.echo(f"  {problem.message}", err=True)
    if figures.unknown_airtime:
        click.echo(FIGURE_MESSAGES["unknown_airtime"].format(count=figures.unknown_airtime), err=True)
    content = render(figures, fmt, project)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    if output is None and fmt not in BINARY or output == Path("-"):
        if isinstance(content, str):
            click.echo(content, nl=False)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return
    if output is None:
        output = project.out_dir / "reports" / default_filename(figures, fmt)
        output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(output, data)
    click.echo(MESSAGES["written"].format(path=output), err=True)


COMMANDS = (report,)


def register(cli) -> None:
    """Add this module's commands (`COMMANDS`) to the CLI group."""
    for command in COMMANDS:
        cli.add_command(command)
