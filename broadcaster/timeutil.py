"""Reading dates and clock times the way staff write them (YYYY-MM-DD or dd/mm/yyyy, HH:MM)."""
from __future__ import annotations

import re
from datetime import date, datetime, time

_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_HM = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*$")

MESSAGES = {
    "bad_date": 'ngày không hợp lệ "{value}" — viết theo dạng YYYY-MM-DD (2024-07-15) hoặc dd/mm/yyyy (15/07/2024)',
    "bad_time": 'giờ không hợp lệ "{value}" — viết theo dạng HH:MM, ví dụ "05:30" (đặt trong dấu nháy)',
}


def parse_date(value) -> date:
    """A date from a YAML date, 'YYYY-MM-DD' or 'dd/mm/yyyy'; ValueError with a Vietnamese message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    m = _ISO.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        pass
    raise ValueError(MESSAGES["bad_date"].format(value=value))


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
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    parts = text.replace("T", " ").split()
    if len(parts) == 2:
        d = parse_date(parts[0])
        t = parse_time(parts[1])
        return datetime.combine(d, t)
    raise ValueError(f'thời điểm không hợp lệ "{value}" — viết theo dạng 2024-07-15T05:30:00')


def vn_date(d: date) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
