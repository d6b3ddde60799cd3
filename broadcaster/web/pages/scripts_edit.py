"""Web shell, script form: create, edit, duplicate and retire scripts/*.yaml, with the spoken-form preview and an uploaded recording.

Saving goes through ``scriptfile.save_script`` (the loader `check` uses decides,
nothing is written when it refuses); the preview through ``manifest.spoken_form``
and ``workdir.uncertain_readings``; the recording through
``recordings.import_recording``; building through the console's clip-build job.
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for

from ...errors import BroadcasterError
from ...models import FORMS, LANGUAGES, PRIORITIES
from .scripts_view import MESSAGES as APP_MESSAGES
from ..state import FolderBroken, console, day_arg, load
from .scripts_view import clip_state

MESSAGES = {
    "saved": "Đã lưu kịch bản {title} ({file}).",
    "saved_stale": "Đã lưu. Nội dung đã đổi nên cần tạo lại tệp âm thanh — bấm \"Tạo âm thanh\".",
    "retired": "Đã ngừng phát kịch bản {title}: hết hiệu lực từ {day}; tệp và nhật ký phát vẫn giữ nguyên.",
    "copy_title": "{title} (bản sao)",
    "rec_type": "tệp ghi âm {name} có đuôi không nhận được — dùng tệp {valid}",
    "rec_size": "tệp ghi âm quá lớn ({mb:.0f} MB) — tối đa {limit} MB; xuất lại tệp ngắn hơn hoặc nén MP3/M4A",
    "rec_saved": "Đã nhận tệp ghi âm {name} ({seconds:.0f} giây).",
    "bad_date": "ngày không hợp lệ — chọn ngày trong lịch",
    "changed": ("kịch bản này vừa được sửa ở nơi khác (thẻ trình duyệt hoặc máy khác) sau khi bạn mở trang, nên chưa "
                "lưu gì — mở lại trang sửa để xem bản mới, hoặc bấm \"Lưu\" lần nữa để thay bằng nội dung bên dưới"),
}
RECORDING_LIMIT_MB = 20

bp = Blueprint("scripts_edit", __name__)


def _script_or_404(project, script_id: str):
    script = project.script(script_id)
    if script is None and script_id in project.broken_scripts:
        raise FolderBroken([p for p in g.get("left_out", []) if p.severity == "error"])
    if script is None:
        abort(404, APP_MESSAGES["no_script"].format(id=script_id))
    return script


def _form_from_request(project, script=None):
    """A ScriptForm from the posted fields, plus field errors found while reading them."""
    from ...scriptfile import ScriptForm, slug_id

    values = request.form
    errors: dict[str, list[str]] = {}
    dates = {}
    for name in ("valid_from", "valid_until"):
        try:
            dates[name] = day_arg(name, None)
        except BroadcasterError:
            errors.setdefault(name, []).append(MESSAGES["bad_date"])
            dates[name] = None
    title = (values.get("title") or "").strip()
    form = ScriptForm(
        id=script.id if script is not None else ((values.get("id") or "").strip() or slug_id(title)),
        title=title, campaign=(values.get("campaign") or "").strip(), form=values.get("form") or "thong-bao",
        priority=values.get("priority") or "normal", repeat=(values.get("repeat") or "1").strip(),
        valid_from=dates["valid_from"], valid_until=dates["valid_until"],
        language=values.get("language") or "vi", text=values.get("text") or "",
        voice=(values.get("voice") or "").strip(),
        audio=None if values.get("no_recording") else (script.audio if script is not None else None))
    return form, errors


def _take_recording(project, form, errors) -> None:
    """Put an uploaded recording into recordings/ (checked by the voices stage) and name it in the form."""
    from ...recordings import EXTENSIONS, RecordingError, import_recording

    upload = request.files.get("recording")
    if upload is None or not upload.filename:
        return
    name = uploaded = Path(upload.filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        errors.setdefault("recording", []).append(MESSAGES["rec_type"].format(name=name, valid=", ".join(EXTENSIONS)))
        return
    with tempfile.TemporaryDirectory(prefix="broadcaster-recording-") as folder:
        path = Path(folder) / f"upload{suffix}"
        upload.save(path)
        size_mb = path.stat().st_size / 1024 / 1024
        if size_mb > RECORDING_LIMIT_MB:
            errors.setdefault("recording", []).append(MESSAGES["rec_size"].format(mb=size_mb, limit=RECORDING_LIMIT_MB))
            return
        # A fresh name: a recording in use is never replaced before the script that names it is saved.
        stem, n = form.id or "ghi-am", 1
        name = f"{stem}{suffix}"
        while (project.root / "recordings" / name).exists():
            n += 1
            name = f"{stem}-{n}{suffix}"
        try:
            target, analysis = import_recording(project.root, path, name=name, shown=uploaded)
        except RecordingError as exc:
            errors.setdefault("recording", []).extend(exc.problems or [str(exc)])
            return
    form.audio = target.relative_to(project.root).as_posix()
    flash(MESSAGES["rec_saved"].format(name=target.name, seconds=analysis.duration_s), "info")


def _file_problems(script) -> list:
    """The problems `check` reports for this script's file (errors and warnings, FILE:LINE)."""
    from ...workdir import check_folder

    if script is None or not script.file:
        return []
    return [p for p in check_folder(console().root)[0] if p.file == script.file]


def _version(project, script) -> str:
    """A short digest of the script's file as it is now: the edit form sends it back so a later save of an older
    form (another tab, another computer) is refused instead of silently undoing the first save."""
    import hashlib

    try:
        return hashlib.sha256((Path(project.root) / script.file).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def _render(project, form, *, script=None, errors=None, problems=None, status=200, base=None):
    from ...manifest import read_manifest, spoken_form
    from .voices import voice_rows

    spoken, warnings = spoken_form(project, form.text) if form.text.strip() else ("", [])
    record = audio = state = None
    if script is not None:
        record, audio, state = clip_state(project, read_manifest(project), script.id)
    errors = errors or {}
    return render_template(
        "script_form.html", project=project, form=form, script=script, errors=errors,
        general=errors.get("", []), problems=problems if problems is not None else _file_problems(script),
        spoken=spoken, warnings=warnings, record=record, audio=audio, state=state,
        forms=FORMS, priorities=PRIORITIES, languages=LANGUAGES, campaigns=project.campaigns,
        running=console().jobs.running("build"), limit_mb=RECORDING_LIMIT_MB,
        base=base if base is not None else (_version(project, script) if script is not None else ""),
        voices=sorted({row["voice"] for row in voice_rows(project)})), status


@bp.get("/kich-ban/them")
def new():
    """Thêm kịch bản: an empty form, or a copy of ``?tu=ID`` (nhân bản) with a free id."""
    from ...scriptfile import ScriptForm, free_id, slug_id

    project, _ = load()
    source_id = request.args.get("tu")
    if source_id:
        source = _script_or_404(project, source_id)
        title = MESSAGES["copy_title"].format(title=source.title)
        form = replace(ScriptForm.of_script(source), title=title, id=free_id(project, slug_id(title)), audio=None)
    else:
        form = ScriptForm()
    return _render(project, form, problems=[])


@bp.post("/kich-ban/them")
def create():
    """Save a new script as scripts/ID.yaml (nothing written when `check` would refuse it)."""
    from ...scriptfile import save_script

    project, _ = load()
    form, errors = _form_from_request(project)
    _take_recording(project, form, errors)
    if errors:
        return _render(project, form, errors=errors, problems=[], status=400)
    result = save_script(project, form)
    if not result.ok:
        return _render(project, form, errors=result.errors, problems=result.problems, status=400)
    flash(MESSAGES["saved"].format(title=form.title, file=result.path.relative_to(project.root).as_posix()), "success")
    return redirect(url_for("scripts_edit.edit", script_id=form.id), 303)


@bp.get("/kich-ban/<script_id>/sua")
def edit(script_id: str):
    """The form of an existing script, with its check problems, clip and build button."""
    from ...scriptfile import ScriptForm

    project, _ = load()
    script = _script_or_404(project, script_id)
    return _render(project, ScriptForm.of_script(script), script=script)


@bp.post("/kich-ban/<script_id>/sua")
def update(script_id: str):
    """Save the edited script in place, keeping comments and key order."""
    from ...manifest import STALE, clip_states
    from ...scriptfile import save_script

    project, _ = load()
    script = _script_or_404(project, script_id)
    form, errors = _form_from_request(project, script)
    posted, current = request.form.get("base"), _version(project, script)
    if posted and posted != current:
        return _render(project, form, script=script, errors={"": [MESSAGES["changed"]]}, base=current, status=409)
    _take_recording(project, form, errors)
    if errors:
        return _render(project, form, script=script, errors=errors, status=400, base=posted)
    result = save_script(project, form, existing=script.file)
    if not result.ok:
        return _render(project, form, script=script, errors=result.errors, problems=result.problems, status=400,
                       base=posted)
    flash(MESSAGES["saved"].format(title=form.title, file=script.file), "success")
    try:
        project, _ = load()
        if clip_states(project, [script_id]).get(script_id).state == STALE:
            flash(MESSAGES["saved_stale"], "warning")
    except (BroadcasterError, AttributeError, FolderBroken):
        pass
    return redirect(url_for("scripts_edit.edit", script_id=script_id), 303)


@bp.post("/kich-ban/<script_id>/ngung")
def retire(script_id: str):
    """Ngừng phát: the script's validity ends yesterday, so no schedule plays it from today."""
    from ...scriptfile import retire_script
    from ...timeutil import vn_date

    project, _ = load()
    script = _script_or_404(project, script_id)
    today = console().today(project)
    result = retire_script(project, script, today)
    if not result.ok:
        for messages in result.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(MESSAGES["retired"].format(title=script.title, day=vn_date(today)), "success")
    return redirect(url_for("scripts_edit.edit", script_id=script_id), 303)


@bp.post("/kich-ban/doc-thu")
def preview():
    """JSON {spoken, warnings, uncertain}: how the text typed so far will be read (the normaliser, as `normalize`)."""
    from ...manifest import spoken_form
    from ...models import Script
    from ...workdir import uncertain_readings

    project, _ = load()
    text = request.form.get("text") or ""
    if not text.strip():
        return jsonify({"spoken": "", "warnings": [], "uncertain": []})
    spoken, warnings = spoken_form(project, text)
    draft = Script(id="draft", title="", campaign="", form="thong-bao", priority="normal", repeat=1,
                   valid_from=None, valid_until=None, language="vi", text=text)
    uncertain = [p.message for p in uncertain_readings(project, [draft])]
    return jsonify({"spoken": spoken, "warnings": warnings if not uncertain else [], "uncertain": uncertain})
