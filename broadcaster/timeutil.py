"""Reading dates, months and clock times the way staff write them (YYYY-MM-DD or dd/mm/yyyy, 8/2024, HH:MM).

One parser per kind, shared by the command line, the web console and the
file loaders, so that what one accepts the others accept too.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

_DMY = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\s*$")   # 05/08/2024, 5.8.2024, 05-08-2024
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
# Dates far outside the life of a broadcast campaign are typing mistakes; they would also
# overflow date arithmetic (the day after 9999-12-31) deep inside plan, report and confirm.
YEAR_RANGE = (1970, 2200)
# 2024-08, 2024/08 | 8/2024, 08/2024, 08-2024, 8.2024 | "tháng 8/2024", "tháng 8 năm 2024", "T8/2024".
_MONTH_YM = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
_MONTH_MY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$")
_MONTH_WORDS = re.compile(r"^(?:tháng|thang|t)\s*(\d{1,2})\s*(?:[-/.]|\s+năm\s+|\s+nam\s+|\s+)\s*(\d{4})$")
_HM = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*$")

MESSAGES = {
    "bad_date": 'ngày không hợp lệ "{value}" — viết theo dạng YYYY-MM-DD (2024-07-15) hoặc dd/mm/yyyy (15/07/2024)',
    "year_range": 'năm {year} ngoài khoảng {lo}–{hi}: "{value}" — kiểm tra lại ngày (viết đủ bốn chữ số của năm)',
    "bad_month": 'tháng không hợp lệ "{value}" — viết dạng YYYY-MM (2024-08), 8/2024 hoặc 08/2024',
    "bad_time": 'giờ không hợp lệ "{value}" — viết theo dạng HH:MM, ví dụ "05:30" (đặt trong dấu nháy)',
}


def check_year(day: date, value=None) -> date:
    """``day`` when its year is within YEAR_RANGE; ValueError with a Vietnamese message otherwise."""
    if not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        raise ValueError(MESSAGES["year_range"].format(year=day.year, lo=YEAR_RANGE[0], hi=YEAR_RANGE[1],
                                                       value=day if value is None else value))
    return day


def parse_date(value) -> date:
    """A date from a YAML date, 'YYYY-MM-DD' or 'dd/mm/yyyy'; ValueError with a Vietnamese message."""
    if isinstance(value, datetime):
        return check_year(value.date(), value)
    if isinstance(value, date):
        return check_year(value)
    text = str(value)
    m = _ISO.match(text)
    day = None
    try:
        if m:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        else:
            m = _DMY.match(text)
            if m:
                day = date(int(m[4]), int(m[3]), int(m[1]))
    except ValueError:
        pass
    if day is None:
        raise ValueError(MESSAGES["bad_date"].format(value=value))
    return check_year(day, value)


def parse_time(value) -> time:
    """A clock time from 'HH:MM' (or 'HH:MM:SS', '6h30'); ValueError with a Vietnamese message."""
    if isinstance(value, time):
        return value
    m = _HM.match(str(value))
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if h < 24 and mi < 60 and s < 60:
            return time(h, mi, s)
    raise ValueError(MESSAGES["bad_time"].format(value=value))


def parse_datetime(value) -> datetime:
    """A local datetime from ISO 8601 ('2024-07-15T05:30:00', '2024-07-15 05:30') or 'dd/mm/yyyy HH:MM'."""
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        check_year(moment.date(), value)
        return moment
    parts = text.replace("T", " ").split()
    if len(parts) == 2:
        d = parse_date(parts[0])
        t = parse_time(parts[1])
        return datetime.combine(d, t)
    raise ValueError(f'thời điểm không hợp lệ "{value}" — viết theo dạng 2024-07-15T05:30:00')


def vn_date(d: date) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def parse_month(value) -> tuple[int, int]:
    """(year, month) from a month as staff write it.

    Accepted: ``2024-08`` (and ``2024/08``), ``8/2024``, ``08/2024``, ``08-2024``,
    ``8.2024``, ``tháng 8/2024``, ``tháng 8 năm 2024``, ``T8/2024``.

    Raises:
        ValueError: With a Vietnamese message naming the accepted forms.
    """
    text = " ".join(unicodedata.normalize("NFC", str(value)).strip().lower().split())
    m = _MONTH_YM.match(text)
    if m:
        year, month = int(m[1]), int(m[2])
    else:
        m = _MONTH_MY.match(text) or _MONTH_WORDS.match(text)
        if not m:
            raise ValueError(MESSAGES["bad_month"].format(value=value))
        year, month = int(m[2]), int(m[1])
    if not 1 <= month <= 12:
        raise ValueError(MESSAGES["bad_month"].format(value=value))
    check_year(date(max(year, 1), month, 1), value)
    return year, month


def month_iso(year: int, month: int) -> str:
    """``2024-08``: the month as the command line and links write it."""
    return f"{year:04d}-{month:02d}"


def vn_month(year: int, month: int) -> str:
    """``08/2024``: the month as forms show it."""
    return f"{month:02d}/{year}"


def station_now(timezone: str | None = None) -> datetime:
    """The current moment in the stations' time zone, naive (the log keeps naive local station time).

    Args:
        timezone: IANA name from broadcaster.yaml (Asia/Ho_Chi_Minh by default).
    """
    return datetime.now(ZoneInfo(timezone or "Asia/Ho_Chi_Minh")).replace(tzinfo=None)


def station_today(timezone: str | None = None) -> date:
    """Today's date in the stations' time zone (not the machine's)."""
    return station_now(timezone).date()


def duration_text(seconds: float) -> str:
    """'34 phút 12 giây', '30 phút', '45 giây' — how messages state a length (session overflow, recordings)."""
    total = int(round(seconds))
    minutes, secs = divmod(total, 60)
    if minutes and secs:
        return f"{minutes} phút {secs} giây"
    if minutes:
        return f"{minutes} phút"
    return f"{secs} giây"
