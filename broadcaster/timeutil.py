"""Reading dates and clock times the way staff write them (YYYY-MM-DD or dd/mm/yyyy, HH:MM)."""
from __future__ import annotations

import re
from datetime import date, datetime, time

_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
# Dates far outside the life of a broadcast campaign are typing mistakes; they would also
# overflow date arithmetic (the day after 9999-12-31) deep inside plan, report and confirm.
YEAR_RANGE = (1970, 2200)
_HM = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*$")

MESSAGES = {
    "bad_date": 'ngày không hợp lệ "{value}" — viết theo dạng YYYY-MM-DD (2024-07-15) hoặc dd/mm/yyyy (15/07/2024)',
    "year_range": 'năm {year} ngoài khoảng {lo}–{hi}: "{value}" — kiểm tra lại ngày (viết đủ bốn chữ số của năm)',
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
                day = date(int(m[3]), int(m[2]), int(m[1]))
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
