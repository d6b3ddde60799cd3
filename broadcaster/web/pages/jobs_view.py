"""Web shell, job pages: the progress of a background job (building clips) and its JSON status for polling.

The jobs themselves are kept by ``web.jobs.Jobs`` on the console; these views
only show a job and, once it is over, flash its result and send the user back.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template

from ..state import console, fragment, notify

MESSAGES = {
    "no_job": "Không tìm thấy việc này — có thể máy chủ vừa khởi động lại. Kết quả đã tạo vẫn còn trên đĩa.",
}

bp = Blueprint("jobs", __name__)


@bp.get("/viec/<job_id>")
def job_page(job_id: str):
    """Progress of a background job; once finished, its result is flashed and the user sent back."""
    job = console().jobs.get(job_id)
    if job is None:
        abort(404, MESSAGES["no_job"])
    if job.state in ("done", "failed") and console().jobs.mark_flashed(job_id):
        # Shown next to the form the job came from (the slot named by the fragment of ``back``), in view.
        where = fragment(job.back)
        notify(job.message, "success" if job.state == "done" else "error", where)
        for warning in job.warnings:
            notify(warning, "warning", where)
        return redirect(job.back, 303)
    return render_template("job.html", job=job, snapshot=console().jobs.snapshot(job_id))


@bp.get("/viec/<job_id>/trang-thai")
def job_status(job_id: str):
    """JSON progress for the page's polling script."""
    snapshot = console().jobs.snapshot(job_id)
    if snapshot is None:
        return jsonify({"state": "unknown", "message": MESSAGES["no_job"]}), 404
    return jsonify(snapshot)
