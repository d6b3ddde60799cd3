"""Web shell, settings page: organisation, stations and their sessions, campaigns and the report header as forms, written to broadcaster.yaml.

Each form changes one part of the round-trip document and hands it to
``configfile.update_config``, which writes only when ``config.load_config``
(the reader `check` uses) finds no error in the new text. A saved form brings
the page back at that form with the message next to it; a refused one shows
the page with the form as the user filled it and the reasons next to it and
its fields (nothing is written).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ...errors import BroadcasterError, error_line
from ...models import MEDIA
from ..state import day_arg, load, notify

MESSAGES = {
    "saved": "Đã lưu {what} vào broadcaster.yaml.",
    "refused": "Chưa lưu {what} — broadcaster.yaml sẽ có lỗi (tệp vẫn giữ nguyên):",
    "refused_below": "Chưa lưu {what} (tệp broadcaster.yaml vẫn giữ nguyên) — sửa theo lỗi ghi ngay dưới ô rồi bấm lưu lại.",
    "no_station": 'không có đài "{id}" trong broadcaster.yaml',
    "no_campaign": 'không có chiến dịch "{id}" trong broadcaster.yaml',
    "what_org": "thông tin đơn vị",
    "what_report": "phần đầu báo cáo",
    "what_station": "đài {name}",
    "what_campaign": "chiến dịch {name}",
    "bad_day": "ngày kết thúc kỳ báo cáo phải là số từ 1 đến 28, hoặc để trống",
    "no_sessions": ('đài {name} chưa có phiên phát nào — điền ít nhất một dòng trong bảng phiên: tên phiên (ví dụ '
                    'sang), giờ bắt đầu và giờ kết thúc, rồi bấm lưu'),
    "no_organization": ('chưa ghi tên đơn vị — điền ô “Tên đơn vị” (tên đứng ở đầu báo cáo Word), ví dụ Trung tâm '
                        'Văn hóa - Thể thao - Truyền thanh huyện Mỹ Xuyên'),
    "no_station_name": ('đài {id} chưa có tên — điền ô “Tên đài” (tên được đọc trong lời mở đầu mỗi phiên và ghi ở '
                        'cột “Đài” của báo cáo), ví dụ Đài truyền thanh xã Đại Hải'),
    "unnamed_session": ("phiên thứ {row} có giờ ({start}–{end}) nhưng chưa có tên — đặt tên phiên (ví dụ sang, "
                        "chieu) hoặc xóa giờ của dòng đó"),
}

bp = Blueprint("settings", __name__)


def _flow_map(**values) -> CommentedMap:
    m = CommentedMap(values)
    m.fa.set_flow_style()
    return m


def _text(name: str) -> str:
    return (request.form.get(name) or "").strip()


def slots(project) -> list[str]:
    """The ids of the page's forms, each the slot of its result message and the anchor a save returns to."""
    return (["h-don-vi", "h-bao-cao", "dai-moi", "cd-moi"] + [f"dai-{s.id}" for s in project.stations]
            + [f"cd-{c.id}" for c in project.campaigns])


def _done(slot: str, message: str):
    """A saved form: the page again, at the form, with the message next to it."""
    notify(message, "success", slot)
    return redirect(url_for("settings.page") + f"#{slot}", 303)


def _refuse(slot: str, what: str, problems: list[str], fields: dict[str, list[str]] | None = None):
    """A refused form: the page with the form as the user filled it (nothing is written), the reason next
    to it and each field's own error under that field. Status 400; the form's action ends in ``#slot``, so
    the browser lands on the form.

    Args:
        slot: The form's id (``slots``).
        what: The part of broadcaster.yaml, for the "not saved" line.
        problems: The reasons shown at the top of the form.
        fields: Field name → its errors (shown under the field).
    """
    project, _ = load()
    heading = MESSAGES["refused" if problems else "refused_below"].format(what=what)
    echo = {"form": slot, "values": request.form, "problems": [heading, *problems],
            "fields": fields or {},
            "rows": list(zip(request.form.getlist("session_name"), request.form.getlist("session_start"),
                             request.form.getlist("session_end")))}
    return render_template("settings.html", project=project, media=MEDIA, report=project.report,
                           slots=slots(project), echo=echo), 400


def _save(slot: str, what: str, change):
    """Write ``change`` into broadcaster.yaml when the new text has no error: the response for the form."""
    from ...configfile import update_config

    project, _ = load()
    errors = update_config(project.root, change)
    if errors:
        return _refuse(slot, what, [str(p) for p in errors])
    return _done(slot, MESSAGES["saved"].format(what=what))


def _find(seq, key: str, message: str):
    for entry in seq or []:
        if isinstance(entry, dict) and str(entry.get("id")) == key:
            return entry
    raise BroadcasterError(message.format(id=key))


def _row(doc, section: str, key: str, message: str) -> CommentedMap:
    """The entry ``id: key`` of the list ``section`` of broadcaster.yaml: appended when the form is a new
    one (``new`` set), else found (BroadcasterError with ``message`` when it is not there)."""
    if not request.form.get("new"):
        return _find(doc.get(section), key, message)
    rows = doc.get(section)
    if not isinstance(rows, CommentedSeq):
        rows = doc[section] = CommentedSeq()
    rows.append(CommentedMap(id=key))
    return rows[-1]


@bp.get("/thiet-lap")
def page():
    """Thiết lập: the forms, filled from the folder as loaded."""
    project, _ = load()
    return render_template("settings.html", project=project, media=MEDIA, report=project.report,
                           slots=slots(project), echo=None)


@bp.post("/thiet-lap/don-vi")
def organisation():
    """Organisation name, place and time zone."""
    values = {"organization": _text("organization"), "place": _text("place"), "timezone": _text("timezone")}
    if not values["organization"]:  # the Word report's heading; config.load_config refuses it as well
        return _refuse("h-don-vi", MESSAGES["what_org"], [], {"organization": [MESSAGES["no_organization"]]})

    def change(doc) -> None:
        for key, value in values.items():
            doc[key] = value

    return _save("h-don-vi", MESSAGES["what_org"], change)


@bp.post("/thiet-lap/bao-cao")
def report():
    """The report header: number, title, superior, signer and recipients (one per line)."""
    day_text = _text("period_end_day")
    try:
        day = int(day_text) if day_text else None
        if day is not None and not 1 <= day <= 28:
            raise ValueError
    except ValueError:
        return _refuse("h-bao-cao", MESSAGES["what_report"], [], {"period_end_day": [MESSAGES["bad_day"]]})
    recipients = [line.strip() for line in (request.form.get("recipients") or "").splitlines() if line.strip()]

    def change(doc) -> None:
        section = doc.get("report")
        if not isinstance(section, CommentedMap):
            section = CommentedMap()
            doc["report"] = section
        for key in ("number", "title", "superior", "signer_title", "signer_name"):
            section[key] = _text(key)
        section["recipients"] = CommentedSeq(recipients)
        section["period_end_day"] = day

    return _save("h-bao-cao", MESSAGES["what_report"], change)


@bp.post("/thiet-lap/dai")
def station():
    """One station (new when ``new`` is set): name, medium and its sessions.

    An empty session row is dropped; a row with times but no name, or no session at all, is refused (nothing is
    written).
    """
    sid = _text("id")
    slot = "dai-moi" if request.form.get("new") else f"dai-{sid}"
    what = MESSAGES["what_station"].format(name=_text("name") or sid)
    if not _text("name"):  # read out in every opening clip and the report's "Đài" column; config refuses it too
        return _refuse(slot, what, [], {"name": [MESSAGES["no_station_name"].format(id=sid)]})
    rows = list(zip(request.form.getlist("session_name"), request.form.getlist("session_start"),
                    request.form.getlist("session_end")))
    for row, (n, s, e) in enumerate(rows, 1):
        if not n.strip() and (s.strip() or e.strip()):  # a row with times is meant: never drop it silently
            message = MESSAGES["unnamed_session"].format(row=row, start=s.strip() or "?", end=e.strip() or "?")
            return _refuse(slot, what, [], {"sessions": [message]})
    sessions = CommentedSeq([_flow_map(name=n.strip(), start=DoubleQuotedScalarString(s.strip()),
                                       end=DoubleQuotedScalarString(e.strip()))
                             for n, s, e in rows if n.strip()])
    if not sessions:  # a station that never airs; config.load_config refuses it as well
        return _refuse(slot, what, [], {"sessions": [MESSAGES["no_sessions"].format(name=_text("name") or sid)]})

    def change(doc) -> None:
        entry = _row(doc, "stations", sid, MESSAGES["no_station"])
        entry["name"] = _text("name")
        entry["media"] = _text("media")
        entry["sessions"] = sessions

    try:
        return _save(slot, what, change)
    except BroadcasterError as exc:
        return _refuse(slot, what, [error_line(exc)])


@bp.post("/thiet-lap/chien-dich")
def campaign():
    """One campaign (new when ``new`` is set): name, directive and dates."""
    cid = _text("id")
    slot = "cd-moi" if request.form.get("new") else f"cd-{cid}"
    what = MESSAGES["what_campaign"].format(name=_text("name") or cid)
    dates, wrong = {}, {}
    for key in ("from", "until"):
        try:
            dates[key] = day_arg(key, None)
        except BroadcasterError as exc:
            wrong[key] = [error_line(exc)]
    if wrong:
        return _refuse(slot, what, [], wrong)

    def change(doc) -> None:
        entry = _row(doc, "campaigns", cid, MESSAGES["no_campaign"])
        entry["name"] = _text("name")
        entry["directive"] = _text("directive")
        for key, value in dates.items():
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = value

    try:
        return _save(slot, what, change)
    except BroadcasterError as exc:
        return _refuse(slot, what, [error_line(exc)])
