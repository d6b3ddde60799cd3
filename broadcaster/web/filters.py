"""Web shell, Jinja filters: how the console's pages write dates, times, durations, numbers and labels in Vietnamese.

The labels come from the stages that own them (schedule, playlog, report); the
filters only choose the text for a value, so the templates stay free of logic.
"""
from __future__ import annotations

from datetime import date, datetime

from ..timeutil import vn_date

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def week_label(day: date) -> str:
    """``Thứ Hai, 05/08/2024``."""
    return f"{WEEKDAYS[day.weekday()]}, {vn_date(day)}"


def filters() -> dict:
    """Filter name → function, for ``app.jinja_env.filters``."""
    from ..schedule import session_word
    from ..playlog.store import DURATION_SOURCE_LABELS, SOURCE_LABELS, STATUS_LABELS
    from ..report.numbers import number

    def ngay(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            value = value.date()
        return vn_date(value)

    def gio(value, seconds: bool = False) -> str:
        if value is None:
            return "—"
        return value.strftime("%H:%M:%S" if seconds else "%H:%M")

    def thoi_diem(value) -> str:
        return "—" if value is None else f"{vn_date(value.date())} {value:%H:%M:%S}"

    def thoi_luong(seconds) -> str:
        if seconds is None:
            return "—"
        total = int(round(float(seconds)))
        return f"{total // 60}:{total % 60:02d}"

    def so(value, digits: int = 1) -> str:
        if value is None:
            return "—"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:.{digits}f}".replace(".", ",")
        return number(value)

    return {"ngay": ngay, "gio": gio, "thoi_diem": thoi_diem, "thoi_luong": thoi_luong, "so": so,
            "phien": session_word, "trang_thai": lambda v: STATUS_LABELS.get(v, v),
            "nguon": lambda v: SOURCE_LABELS.get(v, v), "thu": week_label,
            "nguon_thoi_luong": lambda v: DURATION_SOURCE_LABELS.get(v, v or "—")}
