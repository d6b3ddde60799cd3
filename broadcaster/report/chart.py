"""Report stage, chart: turns the plays per day of each station into a PNG line chart (matplotlib, Agg).

The figure is drawn on an Agg canvas directly (no pyplot), so nothing needs
a display and no global matplotlib state is touched.
"""
from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .aggregate import MESSAGES as FIGURE_MESSAGES, Report

MESSAGES = {
    "title": "Số lượt phát theo ngày — {label}",
    "x": "Ngày",
    "y": "Số lượt đã phát",
    "total": "Tổng các đài",
    "voided": "Không tính {count} lượt phát đã hủy (ghi nhầm, có lý do trong nhật ký)",
    "chain_broken": "CẢNH BÁO: nhật ký của kỳ này không toàn vẹn ({count} vấn đề) — số liệu có thể sai",
}
MAX_LINES = 12   # beyond this, one line per station is unreadable: draw the total only
LABEL_WIDTH = 30        # characters per legend line: the legend sits right of the plot and must leave it room
LABEL_LINES = 2         # a longer station name is cut with "…" (the tables and the Word report carry it whole)
ONE_LINE_FROM = 7       # from this many stations on, one line each, so that the legend stays within the figure


def legend_label(name: str, lines: int = LABEL_LINES) -> str:
    """A station name as the legend shows it: wrapped at `LABEL_WIDTH` characters on at most ``lines`` lines."""
    return "\n".join(textwrap.wrap(" ".join(name.split()), LABEL_WIDTH, max_lines=lines, placeholder=" …")) or name


def render_png(report: Report, *, width_in: float = 10.0, height_in: float = 4.5, dpi: int = 120) -> bytes:
    """The plays-per-day chart as PNG bytes."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    days = report.period.days
    x = list(range(len(days)))
    ids = [s.station for s in report.stations]
    if len(ids) <= MAX_LINES:
        lines = 1 if len(ids) >= ONE_LINE_FROM else LABEL_LINES
        for sid in ids:
            ax.plot(x, report.per_day[sid], marker="o", markersize=3, linewidth=1.4,
                    label=legend_label(report.station_name(sid), lines))
    total = [sum(report.per_day[s][i] for s in ids) for i in x]
    ax.plot(x, total, color="black", linewidth=2.0, linestyle="--", label=MESSAGES["total"])
    step = max(1, len(days) // 15)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([d.strftime("%d/%m") for d in days][::step], rotation=45, ha="right", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max([1] + total) * 1.15)
    ax.set_xlabel(MESSAGES["x"])
    ax.set_ylabel(MESSAGES["y"])
    ax.set_title(MESSAGES["title"].format(label=report.period.label), fontsize=11)
    ax.grid(True, alpha=0.3)
    if report.empty:
        ax.text(0.5, 0.5, FIGURE_MESSAGES["no_plays"], transform=ax.transAxes, ha="center", va="center",
                fontsize=10, wrap=True)
    if report.totals.voided:
        fig.text(0.99, 0.01, MESSAGES["voided"].format(count=report.totals.voided), color="#555555", fontsize=8,
                 ha="right", va="bottom")
    if report.chain is not None and not report.chain.ok:
        fig.text(0.01, 0.01, MESSAGES["chain_broken"].format(count=len(report.chain.problems)), color="#c00000",
                 fontsize=9, fontweight="bold", ha="left", va="bottom")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
