"""Configuration stage, station entries: the checks of one ``stations:`` entry of broadcaster.yaml that need words of their own (a name to read out, sessions to air in).

``config._stations`` calls `check_station` for each entry; the console's settings
page gets the same messages through ``configfile.update_config``, which loads the
changed file with the config loader before replacing it.
"""
from __future__ import annotations

from .yamlfile import FileChecker, LDict

MESSAGES = {
    "no_sessions": ('đài "{id}" ({name}) chưa có phiên phát nào (sessions:) — thêm ít nhất một phiên có tên, giờ '
                    'bắt đầu và giờ kết thúc, ví dụ  sessions: [{{name: sang, start: "05:30", end: "06:00"}}]'),
    "no_name": ('đài "{id}" chưa có tên (name) — tên đài được đọc trong lời mở đầu mỗi phiên và ghi ở cột “Đài” của '
                'báo cáo; ghi tên đầy đủ, ví dụ  name: Đài truyền thanh xã Đại Hải'),
}


def check_station(col: FileChecker, sm: LDict, sid: str) -> None:
    """Report a station entry without a name or without sessions (the key left out, empty or blank).

    Args:
        col: The broadcaster.yaml checker collecting problems (FILE:LINE).
        sm: The station's mapping.
        sid: The station id, already checked.
    """
    name = sm.get("name")
    blank_name = name is None or (isinstance(name, str) and not name.strip())
    if blank_name:
        col.add(sm.line_of("name") if "name" in sm else sm.line, MESSAGES["no_name"].format(id=sid))
    if not sm.get("sessions"):  # the key left out, `sessions: []` or empty: a station that never airs
        col.add(sm.line_of("sessions") if "sessions" in sm else sm.line, MESSAGES["no_sessions"].format(
            id=sid, name=sid if blank_name else str(name).strip()))
