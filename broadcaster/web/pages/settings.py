"""Web shell, settings page: organisation, stations and their sessions, campaigns and the report header as forms, written to broadcaster.yaml.

Each form changes one part of the round-trip document and hands it to
``configfile.update_config``, which writes only when ``config.load_config``
(the reader `check` uses) finds no error in the new text.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ...errors import BroadcasterError, error_line
from ...models import MEDIA
from ..state import day_arg, load

MESSAGES = {
    "saved": "Đã lưu {what} vào broadcaster.yaml.",
    "refused": "Chưa lưu {what} — broadcaster.yaml sẽ có lỗi (tệp vẫn giữ nguyên):",
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


def _save(what: str, change) -> None:
    from ...configfile import update_config

    project, _ = load()
    errors = update_config(project.root, change)
    if errors:
        flash(MESSAGES["refused"].format(what=what) + "\n" + "\n".join(str(p) for p in errors), "error")
    else:
        flash(MESSAGES["saved"].format(what=what), "success")


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
    return render_template("settings.html", project=project, media=MEDIA, report=project.report)


@bp.post("/thiet-lap/don-vi")
def organisation():
    """Organisation name, place and time zone."""
    values = {"organization": _text("organization"), "place": _text("place"), "timezone": _text("timezone")}
    if not values["organization"]:  # the Word report's heading; config.load_config refuses it as well
        flash(MESSAGES["refused"].format(what=MESSAGES["what_org"]), "error")
        flash(MESSAGES["no_organization"], "error")
        return redirect(url_for("settings.page"), 303)

    def change(doc) -> None:
        for key, value in values.items():
            doc[key] = value

    _save(MESSAGES["what_org"], change)
    return redirect(url_for("settings.page"), 303)


@bp.post("/thiet-lap/bao-cao")
def report():
    """The report header: number, title, superior, signer and recipients (one per line)."""
    day_text = _text("period_end_day")
    try:
        day = int(day_text) if day_text else None
        if day is not None and not 1 <= day <= 28:
            raise ValueError
    except ValueError:
        flash(MESSAGES["bad_day"], "error")
        return redirect(url_for("settings.page"), 303)
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

    _save(MESSAGES["what_report"], change)
    return redirect(url_for("settings.page"), 303)


@bp.post("/thiet-lap/dai")
def station():
    """One station (new when ``new`` is set): name, medium and its sessions.

    An empty session row is dropped; a row with times but no name, or no session at all, is refused (nothing is
    written).
    """
    sid = _text("id")
    if not _text("name"):  # read out in every opening clip and the report's "Đài" column; config refuses it too
        flash(MESSAGES["refused"].format(what=MESSAGES["what_station"].format(name=sid)), "error")
        flash(MESSAGES["no_station_name"].format(id=sid), "error")
        return redirect(url_for("settings.page") + f"#dai-{sid or 'moi'}", 303)
    rows = list(zip(request.form.getlist("session_name"), request.form.getlist("session_start"),
                    request.form.getlist("session_end")))
    for row, (n, s, e) in enumerate(rows, 1):
        if not n.strip() and (s.strip() or e.strip()):  # a row with times is meant: never drop it silently
            flash(MESSAGES["refused"].format(what=MESSAGES["what_station"].format(name=_text("name") or sid)), "error")
            flash(MESSAGES["unnamed_session"].format(row=row, start=s.strip() or "?", end=e.strip() or "?"), "error")
            return redirect(url_for("settings.page") + f"#dai-{sid}", 303)
    sessions = CommentedSeq([_flow_map(name=n.strip(), start=DoubleQuotedScalarString(s.strip()),
                                       end=DoubleQuotedScalarString(e.strip()))
                             for n, s, e in rows if n.strip()])
    if not sessions:  # a station that never airs; config.load_config refuses it as well
        station_name = _text("name") or sid
        flash(MESSAGES["refused"].format(what=MESSAGES["what_station"].format(name=station_name)), "error")
        flash(MESSAGES["no_sessions"].format(name=station_name), "error")
        return redirect(url_for("settings.page") + f"#dai-{sid or 'moi'}", 303)

    def change(doc) -> None:
        entry = _row(doc, "stations", sid, MESSAGES["no_station"])
        entry["name"] = _text("name")
        entry["media"] = _text("media")
        entry["sessions"] = sessions

    try:
        _save(MESSAGES["what_station"].format(name=_text("name") or sid), change)
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
    return redirect(url_for("settings.page") + f"#dai-{sid}", 303)


@bp.post("/thiet-lap/chien-dich")
def campaign():
    """One campaign (new when ``new`` is set): name, directive and dates."""
    cid = _text("id")
    try:
        start, end = day_arg("from", None), day_arg("until", None)
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
        return redirect(url_for("settings.page"), 303)

    def change(doc) -> None:
        entry = _row(doc, "campaigns", cid, MESSAGES["no_campaign"])
        entry["name"] = _text("name")
        entry["directive"] = _text("directive")
        for key, value in (("from", start), ("until", end)):
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = value

    try:
        _save(MESSAGES["what_campaign"].format(name=_text("name") or cid), change)
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
    return redirect(url_for("settings.page"), 303)
