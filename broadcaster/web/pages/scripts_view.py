"""Web shell, Kịch bản pages: every script with its clip, one script's spoken form and clip, building clips, serving them.

Clip states come from ``manifest.clip_states`` (as for `build --dry-run`), the
spoken form from ``manifest.spoken_form``; the build buttons run ``build_clips``
as a background job (``web.jobs``), exactly as the `build` command does.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, send_from_directory, url_for

from ...errors import ProblemsError
from ..state import FolderBroken, back_to, console, load

MESSAGES = {
    "build_label_all": "Tạo tệp âm thanh cho tất cả kịch bản",
    "build_label_one": "Tạo tệp âm thanh: {title}",
    "build_queued": "Đang có một lượt tạo tệp âm thanh chạy ({ahead}); việc này đã được xếp hàng và sẽ tự bắt đầu ngay sau đó.",
    "no_script": 'Không có kịch bản "{id}".',
}

bp = Blueprint("scripts", __name__)


def clip_state(project, manifest: dict, script_id: str, state=None):
    """(record, audio path inside audio_out/clips, state) of a script's clip.

    ``state`` is ``current``, ``stale`` (built before the script or the settings changed:
    shown as "cần tạo lại", never offered for listening as if it were current) or
    ``missing``; the record and audio path are given only for a current clip.

    Args:
        project: The working folder.
        manifest: The clip manifest (``read_manifest``).
        script_id: The script.
        state: Its ClipState when already computed (``clip_states``), else computed here.
    """
    from ...manifest import CURRENT, MISSING, clip_states

    if state is None:
        state = clip_states(project, [script_id], manifest=manifest).get(script_id)
    if state is None or state.state != CURRENT:
        return None, None, state.state if state is not None else MISSING
    record = state.record
    path = (project.root / record.path).resolve()
    clips = project.clips_dir.resolve()
    if not path.is_file() or clips not in path.parents:
        return None, None, MISSING
    return record, path.relative_to(clips).as_posix(), CURRENT



@bp.get("/kich-ban")
def scripts():
    """Kịch bản: every script with its clip (built or not, duration, loudness)."""
    from ...manifest import STALE, clip_states, read_manifest

    project, _ = load()
    manifest = read_manifest(project)
    states = clip_states(project, manifest=manifest)
    rows = []
    for script in project.scripts:
        record, audio, state = clip_state(project, manifest, script.id, states.get(script.id))
        rows.append({"script": script, "record": record, "audio": audio, "state": state,
                     "campaign": project.campaign(script.campaign)})
    return render_template("scripts.html", project=project, rows=rows, stale=sum(r["state"] == STALE for r in rows),
                           running=console().jobs.running("build"), queued=console().jobs.queued("build"))


@bp.get("/kich-ban/<script_id>")
def script_page(script_id: str):
    """One script: written text, spoken form, clip player and clip facts."""
    from ...manifest import read_manifest, spoken_form

    project, _ = load()
    script = project.script(script_id)
    if script is None and script_id in project.broken_scripts:
        raise FolderBroken([p for p in g.get("left_out", []) if p.severity == "error"])
    if script is None:
        abort(404, MESSAGES["no_script"].format(id=script_id))
    from ...workdir import uncertain_readings

    spoken, warnings = spoken_form(project, script.text)
    uncertain = uncertain_readings(project, [script])
    manifest = read_manifest(project)
    record, audio, state = clip_state(project, manifest, script.id)
    old = manifest.get(script.id) if state == "stale" else None
    return render_template("script.html", project=project, script=script, spoken=spoken, warnings=warnings,
                           uncertain=uncertain, record=record, audio=audio, state=state, old=old,
                           campaign=project.campaign(script.campaign),
                           running=console().jobs.running("build"), queued=console().jobs.queued("build"))


def _start_build(script_ids: list[str] | None, back: str):
    from ...build import build_clips
    from ...workdir import load_project

    try:
        project = load_project(console().root)
    except ProblemsError as exc:
        for problem in exc.problems:
            flash(str(problem), "error")
        return redirect(back, 303)
    if script_ids:
        script = project.script(script_ids[0])
        label = MESSAGES["build_label_one"].format(title=script.title if script else script_ids[0])
    else:
        label = MESSAGES["build_label_all"]

    root = console().root

    def work(progress) -> tuple[str, list[str]]:
        # A queued build reads the folder when it starts, so edits made while it waited are used.
        result = build_clips(load_project(root), script_ids, progress=progress)
        return result.summary(), result.fallback_warnings()

    key = "build:" + (",".join(script_ids) if script_ids else "*")
    job, new = console().jobs.start("build", label, back, work, key=key)
    if not new:
        flash(MESSAGES["build_queued"].format(ahead=job.ahead or MESSAGES["build_label_all"]), "info")
    return redirect(url_for("jobs.job_page", job_id=job.id), 303)


@bp.post("/build")
def build_all():
    """Tạo tệp âm thanh for every script (background job)."""
    return _start_build(None, back_to(url_for("scripts.scripts")))


@bp.post("/kich-ban/<script_id>/build")
def build_one(script_id: str):
    """Tạo tệp âm thanh for one script (background job)."""
    return _start_build([script_id], back_to(url_for("scripts.script_page", script_id=script_id)))


@bp.get("/am-thanh/<path:name>")
def audio(name: str):
    """A built clip from audio_out/clips only (.mp3; no '..', no absolute paths, no other folders)."""
    project, _ = load()
    clips = project.clips_dir.resolve()
    if not name.lower().endswith(".mp3") or "\\" in name or "\x00" in name:
        abort(404)
    target = (clips / name).resolve()
    if clips not in target.parents or not target.is_file():
        abort(404)
    # send_from_directory re-checks the path (werkzeug.safe_join) and answers Range requests for seeking.
    return send_from_directory(clips, target.relative_to(clips).as_posix(), mimetype="audio/mpeg",
                               conditional=True, max_age=0)

