"""Web shell, application: turns the console's pages and forms into calls of the same pipeline functions the CLI uses.

Every view loads the working folder afresh (staff edit the YAML files while
the console runs), makes one or two pipeline calls and hands plain values to
a Jinja template. Nothing here counts, schedules or synthesises on its own:
config, workdir, build, schedule, playlog and report do, exactly as for the
``broadcaster`` commands. Imports point one way: web → pipeline → stages.
"""
from __future__ import annotations

import re
import secrets
import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (Blueprint, Flask, Response, abort, current_app, flash, g, jsonify, redirect, render_template,
                   request, send_from_directory, url_for)
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from . import csrf
from .jobs import Jobs
from ..errors import BroadcasterError, Problem, ProblemsError
from ..models import FORMS, LANGUAGES, MEDIA, PRIORITIES
from ..timeutil import parse_date, vn_date

MESSAGES = {
    "build_label_all": "Tạo tệp âm thanh cho tất cả kịch bản",
    "build_label_one": "Tạo tệp âm thanh: {title}",
    "build_queued": "Đang có một lượt tạo tệp âm thanh chạy ({ahead}); việc này đã được xếp hàng và sẽ tự bắt đầu ngay sau đó.",
    "bad_date": 'ngày không hợp lệ "{value}" — viết dạng YYYY-MM-DD (2024-07-15) hoặc dd/mm/yyyy (15/07/2024)',
    "range_order": "ngày kết thúc ({end}) trước ngày bắt đầu ({start}) — đổi lại hai ngày",
    "range_long": "chỉ xem được tối đa {days} ngày một lần — chọn khoảng ngắn hơn",
    "need_date": "chưa chọn ngày phát",
    "need_station": "chưa chọn đài",
    "need_file": "chưa chọn tệp nhật ký để nhập (CSV hoặc JSON)",
    "bad_status": 'trạng thái không hợp lệ "{value}"',
    "unknown_station": 'đài không tồn tại "{value}"',
    "not_found": "Không tìm thấy trang này.",
    "no_script": 'Không có kịch bản "{id}".',
    "no_job": "Không tìm thấy việc này — có thể máy chủ vừa khởi động lại. Kết quả đã tạo vẫn còn trên đĩa.",
    "too_large": "Tệp quá lớn (tối đa {mb} MB).",
    "bad_host": ("Địa chỉ {host} không dùng được cho bảng điều khiển này — mở bằng http://127.0.0.1 hoặc "
                 "http://localhost trên máy chạy bảng điều khiển, hoặc bằng tên hay địa chỉ IP của máy đó; "
                 "tên khác cần khai báo trong broadcaster.yaml (web: allowed_hosts) hoặc bằng serve --allow-host."),
    "need_login": "Phiên đăng nhập đã hết hạn. Đăng nhập lại rồi thử lại.",
    "http": "Không thực hiện được yêu cầu này (mã {code}). Quay lại trang trước và thử lại.",
    "unexpected": ("Lỗi không mong đợi. Thử lại; nếu vẫn lỗi, chạy lệnh tương ứng với --debug và báo cho bộ phận "
                   "kỹ thuật — chi tiết kỹ thuật: {detail}"),
}

# Content types and Vietnamese file-name words of the report downloads.
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "png": ("image/png", "biểu đồ"),
}
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
PLAN_MAX_DAYS = 31
LOG_LIMIT = 2000
RECENT_ROWS = 10
UPLOAD_LIMIT_MB = 50
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SESSION_HOURS = 12
# Folders whose files a page can do without: a broken one is left out and named in a banner.
LEFT_OUT_FOLDERS = ("scripts/", "schedules/")

bp = Blueprint("console", __name__)


class FolderBroken(Exception):
    """The working folder has errors, so a page that needs it shows the problems instead."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class Console:
    """What the application keeps between requests: the folder, open play logs and background jobs."""

    def __init__(self, root: Path, today: date | None = None):
        self.root = Path(root).resolve()
        self.fixed_today = today
        self.fixed_now: datetime | None = None    # tests: the station clock's "now"
        self.jobs = Jobs()
        self._stores: dict[str, object] = {}
        self._lock = threading.Lock()

    def today(self, project=None) -> date:
        """Today in the stations' time zone (or the date fixed for tests)."""
        if self.fixed_today is not None:
            return self.fixed_today
        zone = getattr(project, "timezone", None) or "Asia/Ho_Chi_Minh"
        return datetime.now(ZoneInfo(zone)).date()

    def now(self, project=None) -> datetime:
        """The current station time (with a fixed "today" for tests: the last second of that day)."""
        if self.fixed_now is not None:
            return self.fixed_now
        if self.fixed_today is not None:
            return datetime.combine(self.fixed_today, datetime.max.time().replace(microsecond=0))
        from ..timeutil import station_now

        return station_now(getattr(project, "timezone", None))

    def store(self, project, must_exist: bool = False):
        """The project's play log, opened (and migrated) once per database URL.

        Args:
            must_exist: The page only reads: a log that does not exist yet is not created
                (NoPlayLog, a BroadcasterError saying how to start one).
        """
        from ..playlog.store import open_store

        url = project.database_url
        with self._lock:
            found = self._stores.get(url)
            if found is None:
                found = open_store(project, must_exist=must_exist)
                self._stores[url] = found
            return found

    def close(self) -> None:
        """Release the database connections (tests, shutdown)."""
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()


# -- helpers shared by the views ------------------------------------------------------------------

def console() -> Console:
    return current_app.extensions["broadcaster"]


def _can_do_without(problem: Problem) -> bool:
    """A problem that leaves only its own file out: any warning, or an error in one script or schedule."""
    return problem.severity != "error" or (problem.file or "").startswith(LEFT_OUT_FOLDERS)


def _left_out(problems: list[Problem]) -> None:
    """Keep the errors of files left out for this request's banner (base.html)."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        g.left_out = list(dict.fromkeys([*g.get("left_out", []), *errors]))


def load() -> tuple:
    """(project, problems) of the folder; FolderBroken when errors prevent using it.

    For pages that only show, an error in one script or schedule file does not:
    that file is left out (a schedule item naming a broken script is skipped) and
    the page shows the problem in a banner. Errors in broadcaster.yaml or
    lexicon.yaml still stop the page, since every page depends on them. Forms that
    write (confirm, import) need the whole folder, as their CLI commands do:
    confirming a plan with a file left out would log an incomplete plan.
    """
    from ..config import inspect_project

    project, problems = inspect_project(console().root)
    tolerable = _can_do_without if request.method == "GET" else (lambda p: p.severity != "error")
    if project is None or not all(tolerable(p) for p in problems):
        from ..workdir import check_folder

        # Show every problem at once, schedules included, as `broadcaster check` does.
        raise FolderBroken(check_folder(console().root)[0])
    _left_out(problems)
    return project, problems


def schedules_of(project) -> tuple[list, list[Problem]]:
    """The folder's usable schedules and their problems; a broken schedule file is left out (banner)."""
    from ..schedule import inspect_schedules

    schedules, problems = inspect_schedules(project)
    _left_out(problems)
    return schedules, problems


def day_arg(name: str, default: date | None) -> date | None:
    """A date from the query string (YYYY-MM-DD or dd/mm/yyyy), or the default when empty."""
    value = (request.values.get(name) or "").strip()
    if not value:
        return default
    try:
        return parse_date(value)
    except ValueError as exc:
        raise BroadcasterError(MESSAGES["bad_date"].format(value=value)) from exc


def choice_arg(name: str, valid) -> str | None:
    """An optional id from the query string that must be one of ``valid``."""
    value = (request.values.get(name) or "").strip()
    if not value:
        return None
    if value not in valid:
        raise BroadcasterError(MESSAGES["unknown_station"].format(value=value) if name == "station"
                               else MESSAGES["bad_status"].format(value=value))
    return value


def default_week(project, today: date) -> tuple[date, date]:
    """Today and the next six days, or the first week of the last campaign when every campaign is over."""
    dated = [c for c in project.campaigns if c.start is not None]
    if dated and all(c.end is not None and c.end < today for c in dated):
        first = max(dated, key=lambda c: c.end).start
        return first, first + timedelta(days=6)
    return today, today + timedelta(days=6)


def campaign_state(campaign, today: date) -> str:
    """running | upcoming | over | undated."""
    if campaign.start is None and campaign.end is None:
        return "undated"
    if campaign.start is not None and today < campaign.start:
        return "upcoming"
    if campaign.end is not None and today > campaign.end:
        return "over"
    return "running"


def recent_plays(store, limit: int) -> list[dict]:
    """The newest rows of the log (``log list`` reads oldest first, with no "newest" option)."""
    from ..playlog.store import plays

    query = select(plays).order_by(plays.c.started_at.desc(), plays.c.id.desc()).limit(limit)
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


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
    from ..build import CURRENT, MISSING, clip_states

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


def back_to(default: str) -> str:
    """A safe same-site path to return to after a form (never another host)."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def content_disposition(filename: str, fallback: str, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''…`` so browsers keep the Vietnamese name."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def week_label(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {vn_date(day)}"


# -- pages -------------------------------------------------------------------------------------------

@bp.get("/")
def overview():
    """Tổng quan: organisation, stations, campaigns, today's plan, folder problems, last plays."""
    from ..config import inspect_project
    from ..schedule import expand_plan, inspect_schedules
    from ..workdir import check_folder

    project, problems = inspect_project(console().root)
    if project is None:
        raise FolderBroken(check_folder(console().root)[0])
    # The same problems as `broadcaster check` (check_folder), with the schedules kept for today's count.
    schedules, schedule_problems = inspect_schedules(project)
    problems = problems + schedule_problems
    summary = {"stations": len(project.stations), "scripts": len(project.scripts), "schedules": len(schedules)}
    today = console().today(project)
    plan_counts: dict[str, int] | None = None
    plan_error = None
    if all(_can_do_without(p) for p in problems):
        try:
            plan_counts = {}
            for play in expand_plan(project, schedules, today, today):
                plan_counts[play.station] = plan_counts.get(play.station, 0) + 1
        except BroadcasterError as exc:
            plan_error = str(exc)
    recent, log_error = [], None
    from ..playlog.store import NoPlayLog

    try:
        recent = recent_plays(console().store(project, must_exist=True), RECENT_ROWS)
    except NoPlayLog:
        recent = []    # the page says the log has no plays yet; nothing is created
    except BroadcasterError as exc:
        log_error = str(exc)
    campaigns = [(c, campaign_state(c, today)) for c in project.campaigns]
    week = default_week(project, today)
    return render_template("overview.html", project=project, problems=problems, summary=summary, today=today,
                           plan_counts=plan_counts, plan_error=plan_error, recent=recent, log_error=log_error,
                           campaigns=campaigns, week=week, stale_clips=_stale_clips(project),
                           errors=sum(p.severity == "error" for p in problems))


def _stale_clips(project) -> list:
    """The ClipStates of scripts and station identity clips that need rebuilding (no synthesis)."""
    from ..build import clip_states

    try:
        return [st for st in clip_states(project, identity=True).values() if st.stale]
    except BroadcasterError:
        return []


@bp.get("/kich-ban")
def scripts():
    """Kịch bản: every script with its clip (built or not, duration, loudness)."""
    from ..build import STALE, clip_states, read_manifest

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
    from ..build import read_manifest, spoken_form

    project, _ = load()
    script = project.script(script_id)
    if script is None and script_id in project.broken_scripts:
        raise FolderBroken([p for p in g.get("left_out", []) if p.severity == "error"])
    if script is None:
        abort(404, MESSAGES["no_script"].format(id=script_id))
    from ..workdir import uncertain_readings

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
    from ..build import build_clips
    from ..config import load_project

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
    return redirect(url_for("console.job_page", job_id=job.id), 303)


@bp.post("/build")
def build_all():
    """Tạo tệp âm thanh for every script (background job)."""
    return _start_build(None, back_to(url_for("console.scripts")))


@bp.post("/kich-ban/<script_id>/build")
def build_one(script_id: str):
    """Tạo tệp âm thanh for one script (background job)."""
    return _start_build([script_id], back_to(url_for("console.script_page", script_id=script_id)))


@bp.get("/viec/<job_id>")
def job_page(job_id: str):
    """Progress of a background job; once finished, its result is flashed and the user sent back."""
    job = console().jobs.get(job_id)
    if job is None:
        abort(404, MESSAGES["no_job"])
    if job.state in ("done", "failed") and console().jobs.mark_flashed(job_id):
        flash(job.message, "success" if job.state == "done" else "error")
        for warning in job.warnings:
            flash(warning, "warning")
        return redirect(job.back, 303)
    return render_template("job.html", job=job, snapshot=console().jobs.snapshot(job_id))


@bp.get("/viec/<job_id>/trang-thai")
def job_status(job_id: str):
    """JSON progress for the page's polling script."""
    snapshot = console().jobs.snapshot(job_id)
    if snapshot is None:
        return jsonify({"state": "unknown", "message": MESSAGES["no_job"]}), 404
    return jsonify(snapshot)


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


@bp.get("/ke-hoach")
def plan():
    """Kế hoạch phát: the planned plays of a date range (the `plan` command as a table)."""
    from ..schedule import Durations, expand_plan

    project, _ = load()
    schedules, warnings = schedules_of(project)
    today = console().today(project)
    first, last = default_week(project, today)
    error, plays, estimated, stale = None, [], False, []
    station = None
    try:
        start = day_arg("from", first)
        end = day_arg("to", start + timedelta(days=6) if request.args.get("from") else last)
        first, last = start, end
        station = choice_arg("station", {s.id for s in project.stations})
        if end < start:
            raise BroadcasterError(MESSAGES["range_order"].format(start=vn_date(start), end=vn_date(end)))
        if (end - start).days + 1 > PLAN_MAX_DAYS:
            raise BroadcasterError(MESSAGES["range_long"].format(days=PLAN_MAX_DAYS))
        durations = Durations(project)
        plays = expand_plan(project, schedules, start, end, station, durations=durations)
        estimated = durations.estimated
        stale = sorted(durations.stale)
    except BroadcasterError as exc:
        error = str(exc)
    # One block per day, each station's plays together (the CLI lists them by time across stations).
    order = {s.id: i for i, s in enumerate(project.stations)}
    days: list[tuple[date, list]] = []
    for play in plays:
        if not days or days[-1][0] != play.date:
            days.append((play.date, []))
        days[-1][1].append(play)
    for _, day_plays in days:
        day_plays.sort(key=lambda p: (order.get(p.station, 0), p.start, p.position))
    return render_template("plan.html", project=project, days=days, plays=plays, first=first, last=last,
                           station=station, error=error, estimated=estimated, stale=stale,
                           warnings=[w for w in warnings if w.severity != "error"],  # errors: in the banner
                           total_s=sum(p.duration_s for p in plays))


@bp.get("/nhat-ky")
def log_page():
    """Nhật ký phát: rows of the log (newest first without filters), confirm and import forms."""
    return _render_log()


def _render_log(import_problems: list[str] | None = None, import_summary: str | None = None, status: int = 200):
    from ..playlog.durations import airtime_of, clip_durations
    from ..playlog.store import STATUSES, NoPlayLog

    project, _ = load()
    error, rows, filtered, limited, no_log = None, [], False, False, None
    start = end = station = status_filter = None
    try:
        start = day_arg("from", None)
        end = day_arg("to", None)
        station = choice_arg("station", {s.id for s in project.stations})
        status_filter = choice_arg("status", STATUSES)
        if start and end and end < start:
            raise BroadcasterError(MESSAGES["range_order"].format(start=vn_date(start), end=vn_date(end)))
        store = console().store(project, must_exist=True)
        filtered = any(v is not None for v in (start, end, station, status_filter))
        if filtered:
            # The same filters as `log list --from --to --station --status`.
            rows = store.list_plays(
                start=datetime.combine(start, datetime.min.time()) if start else None,
                end=datetime.combine(end + timedelta(days=1), datetime.min.time()) if end else None,
                station=station, status=status_filter, limit=LOG_LIMIT + 1)
            limited = len(rows) > LOG_LIMIT
            rows = rows[:LOG_LIMIT]
        else:
            rows = recent_plays(store, 100)
        # The airtime the report counts: a play logged with only a start time lasts as long as its clip.
        rows = airtime_of(rows, clip_durations(project))
    except NoPlayLog as exc:
        no_log = exc.message
    except BroadcasterError as exc:
        error = str(exc)
    today = console().today(project)
    return render_template("log.html", project=project, rows=rows, filtered=filtered, limited=limited, no_log=no_log,
                           start=start, end=end, station=station, status=status_filter, error=error,
                           statuses=STATUSES, import_problems=import_problems, import_summary=import_summary,
                           confirm_day=default_week(project, today)[0] if not start else start,
                           limit=LOG_LIMIT,
                           session_names=list(dict.fromkeys(x.name for s in project.stations for x in s.sessions))), status


@bp.post("/nhat-ky/xac-nhan")
def log_confirm():
    """Xác nhận đã phát: the `log confirm` command for one station, day and optional session."""
    from ..playlog.confirm import check_day_aired, confirm_plan

    project, _ = load()
    back = url_for("console.log_page")
    try:
        day_text = (request.form.get("date") or "").strip()
        if not day_text:
            raise BroadcasterError(MESSAGES["need_date"])
        day = day_arg("date", None)
        station = (request.form.get("station") or "").strip()
        if not station:
            raise BroadcasterError(MESSAGES["need_station"])
        session = (request.form.get("session") or "").strip() or None
        # Refused, with the session's end, while the day or session has not aired yet (station time).
        check_day_aired(project, day, station, session, console().now(project))
        result = confirm_plan(project, console().store(project), day, station, session, now=console().now(project))
    except BroadcasterError as exc:
        flash(f"lỗi: {exc}" if not isinstance(exc, ProblemsError) else str(exc), "error")
        return redirect(back, 303)
    flash(result.message(), "success" if result.planned else "info")
    return redirect(url_for("console.log_page", station=station, **{"from": day.isoformat(), "to": day.isoformat()}),
                    303)


@bp.post("/nhat-ky/nhap")
def log_import():
    """Nhập nhật ký: the `log import` command for an uploaded CSV/JSON file; a bad row rejects the whole file."""
    from ..playlog.importer import ImportRejected, import_file

    project, _ = load()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(MESSAGES["need_file"], "error")
        return redirect(url_for("console.log_page"), 303)
    display = Path(upload.filename.replace("\\", "/")).name or "nhat-ky"
    fmt = request.form.get("format") or None
    suffix = Path(display).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="broadcaster-upload-") as folder:
        path = Path(folder) / f"upload{suffix if suffix in ('.csv', '.json', '.jsonl', '.ndjson', '.txt') else ''}"
        upload.save(path)
        try:
            result = import_file(project, lambda: console().store(project), path,
                                 fmt if fmt in ("csv", "json") else None,
                                 display=display, now=console().now(project))
        except ImportRejected as exc:
            return _render_log([str(p) for p in exc.problems], exc.summary, status=400)
        except BroadcasterError as exc:
            flash(str(exc) if isinstance(exc, ProblemsError) else f"lỗi: {exc}", "error")
            return redirect(url_for("console.log_page"), 303)
    flash(result.message(), "success")
    return redirect(url_for("console.log_page"), 303)


@bp.get("/nhat-ky/kiem-tra")
def log_verify():
    """Kiểm tra nhật ký: the `log verify` hash-chain check."""
    from ..playlog.store import NoPlayLog
    from ..playlog.verify import MESSAGES as VERIFY_MESSAGES, VerifyResult, verify_log

    project, _ = load()
    try:
        store = console().store(project, must_exist=True)
    except NoPlayLog as exc:   # nothing to check, and nothing is created
        return render_template("verify.html", project=project, result=VerifyResult(0, 0, ()), summary="",
                               ok_message=exc.message)
    result = verify_log(store)
    summary = VERIFY_MESSAGES["failed"].format(url=store.display_url, count=len(result.problems))
    return render_template("verify.html", project=project, result=result, summary=summary,
                           ok_message=VERIFY_MESSAGES["ok"].format(rows=result.rows, stations=result.stations))


def month_text(value: str) -> str:
    """A month as staff write it (``08/2024``, ``8/2024``, ``2024-08``, ``tháng 8/2024``) → ``2024-08``.

    The one month parser of the command line (``timeutil.parse_month``); what it
    cannot read is left as typed for the report stage to explain.
    """
    from ..timeutil import month_iso, parse_month

    try:
        return month_iso(*parse_month(value))
    except ValueError:
        return value.strip()


def month_shown(month: str) -> str:
    """``2024-08`` → ``08/2024`` for the form."""
    from ..timeutil import parse_month, vn_month

    try:
        return vn_month(*parse_month(month))
    except ValueError:
        return month


def _report_args(project) -> tuple[str, str | None, str | None]:
    """(month, campaign, station) from the query string, with a month chosen for staff when absent."""
    month = month_text(request.args.get("month") or "")
    if not month:
        month = _default_month(project)
    campaign = (request.args.get("campaign") or "").strip() or None
    station = (request.args.get("station") or "").strip() or None
    return month, campaign, station


def _default_month(project) -> str:
    """The month of the newest play in the log, never after this month (station time); without plays, this
    month (or the last campaign's first month)."""
    try:
        newest = recent_plays(console().store(project, must_exist=True), 1)
    except BroadcasterError:
        newest = []
    today = console().today(project)
    if newest:
        # A play logged in the future (before the "aired yet" rule) must not open the page on a future month.
        return f"{min(newest[0]['started_at'].date(), today):%Y-%m}"
    first, _ = default_week(project, today)
    return f"{min(first, today):%Y-%m}"


def _figures(project, month: str, campaign: str | None, station: str | None):
    """The report's figures, computed exactly as `report --month … --campaign … --station …` does."""
    from ..report.aggregate import build_report, check_filters, choose_period
    from ..schedule import expand_plan

    period = choose_period(project, month)
    check_filters(project, campaign, station)
    plan = None
    if station is None or project.station(station) is not None:
        # The usable schedules (a broken file is left out and named in the banner), not load_schedules.
        plan = expand_plan(project, schedules_of(project)[0], period.start, period.end, station)
    return build_report(project, console().store(project, must_exist=True), period, campaign=campaign,
                        station=station, plan=plan)


@bp.get("/bao-cao")
def report_page():
    """Báo cáo tháng: the `report --format table` figures as a printable page, with downloads."""
    from ..report import table
    from ..report.aggregate import notes

    project, _ = load()
    month, campaign, station = _report_args(project)
    figures, error = None, None
    try:
        figures = _figures(project, month, campaign, station)
    except BroadcasterError as exc:
        error = str(exc)
    context = {}
    if figures is not None:
        summary = table.summary_rows(figures)
        t = figures.totals
        context = {
            "summary": summary, "summary_headings": table.SUMMARY_HEADINGS,
            "summary_total": [table.MESSAGES["total"], "", "", len({r.station for r in figures.details}), t.plays,
                              t.interrupted, table.minutes(t.airtime_s)],
            "stations": table.station_rows(figures), "station_headings": table.STATION_HEADINGS,
            "totals_line": table.totals_line(figures), "notes": notes(figures),
            "chain_broken": figures.chain is not None and not figures.chain.ok,
            "days": [(d, [figures.per_day[s.station][i] for s in figures.stations])
                     for i, d in enumerate(figures.period.days)],
        }
    query = {"month": month, "campaign": campaign or "", "station": station or ""}
    return render_template("report.html", project=project, figures=figures, error=error, month=month,
                           month_shown=month_shown(month),
                           campaign=campaign, station=station, query=query, number=table.number,
                           downloads=DOWNLOADS, **context)


@bp.get("/bao-cao/tai")
def report_download():
    """The report as a file: csv | xlsx | docx | png, with a Vietnamese file name."""
    from ..report import default_filename, render

    project, _ = load()
    fmt = request.args.get("format", "")
    if fmt not in DOWNLOADS:
        abort(404)
    month, campaign, station = _report_args(project)
    figures = _figures(project, month, campaign, station)
    content = render(figures, fmt, project)
    if isinstance(content, str):
        # A byte-order mark lets Excel open the UTF-8 CSV with its diacritics intact.
        content = ("\ufeff" + content).encode("utf-8")
    fallback = default_filename(figures, fmt)
    period = figures.period
    name = f"Báo cáo {period.label}"
    for part in (campaign, station):
        if part:
            name += f" - {part}"
    name = f"{name}.{fmt}".replace("/", "-")
    response = Response(content, mimetype=DOWNLOADS[fmt][0])
    response.headers["Content-Disposition"] = content_disposition(name, fallback, inline=request.args.get("xem") == "1")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the application ------------------------------------------------------------------------------------

def _problems_page(problems: list[Problem]):
    g.left_out = []  # the page lists every problem itself
    return render_template("problems.html", problems=problems, root=console().root,
                           errors=sum(p.severity == "error" for p in problems)), 200


def create_app(root: Path | str, *, secret_key: str | None = None, today: date | None = None,
               allowed_hosts: tuple[str, ...] | None = None, login: bool = False,
               password_command: str = "broadcaster serve --set-password") -> Flask:
    """The console for one working folder.

    Args:
        root: The working folder (broadcaster.yaml, scripts/, schedules/).
        secret_key: Signs the session cookie (sign-in, CSRF token, messages); random per start by default.
        today: Fixed "today" (tests); default: the current date in the folder's time zone.
        allowed_hosts: Host names and addresses the browser may use to reach the console
            (default: the loopback names). Every other Host header is refused, so a web page
            that re-points its own domain at this machine (DNS rebinding) cannot read the
            pages or their CSRF token.
        login: Ask for the folder's password (`auth`) before any page; for a console
            reachable from the network.
        password_command: The command that sets the password, named in messages.

    Returns:
        A Flask (WSGI) application.
    """
    from . import auth

    hosts = frozenset(h.lower().strip("[]") for h in (allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=UPLOAD_LIMIT_MB * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="broadcaster_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.json.ensure_ascii = False
    app.extensions["broadcaster"] = Console(Path(root), today)
    app.extensions["broadcaster.auth"] = {"root": Path(root), "command": password_command,
                                          "throttle": auth.Throttle(), "login": login}
    app.register_blueprint(bp)
    app.register_blueprint(auth.bp)
    from . import pages

    pages.register(app)

    app.jinja_env.globals.update(
        csrf_token=csrf.token, FORMS=FORMS, PRIORITIES=PRIORITIES, MEDIA=MEDIA, LANGUAGES=LANGUAGES,
        csrf_field=lambda: Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, csrf.token()),
    )
    app.jinja_env.filters.update(_filters())
    app.context_processor(lambda: {"left_out": g.get("left_out", []), "login_on": login,
                                   "signed_in": login and auth.signed_in()})

    @app.before_request
    def _guard():
        if host_name(request.host) not in hosts:
            return render_template("error.html", message=MESSAGES["bad_host"].format(host=request.host),
                                   code=400), 400
        if request.method == "POST":
            reason = csrf.problem()
            if reason:
                return render_template("error.html", message=reason, code=403), 403
        if login and not auth.signed_in() and request.endpoint not in ("auth.login", "static"):
            if request.method not in ("GET", "HEAD"):
                return render_template("error.html", message=MESSAGES["need_login"], code=401), 401
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")), 303)
        return None

    @app.after_request
    def _headers(response):
        # Everything is served from this machine: no external scripts, frames or fonts.
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                    "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(FolderBroken)
    def _broken(exc: FolderBroken):
        return _problems_page(exc.problems)

    @app.errorhandler(ProblemsError)
    def _problems(exc: ProblemsError):
        return _problems_page(exc.problems)

    @app.errorhandler(BroadcasterError)
    def _error(exc: BroadcasterError):
        return render_template("error.html", message=f"lỗi: {exc}", code=400), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 404:
            message = exc.description if exc.description and not exc.description.startswith("The requested URL") \
                else MESSAGES["not_found"]
        elif exc.code == 413:
            message = MESSAGES["too_large"].format(mb=UPLOAD_LIMIT_MB)
        else:
            message = MESSAGES["http"].format(code=exc.code)
        return render_template("error.html", message=message, code=exc.code), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return _http(exc)
        app.logger.exception("unexpected error")
        message = MESSAGES["unexpected"].format(detail=f"{type(exc).__name__}: {exc}")
        return render_template("error.html", message=message, code=500), 500

    return app


def host_name(host: str) -> str:
    """The name or address of a Host header, without port or IPv6 brackets, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _filters() -> dict:
    from ..schedule import session_word
    from ..playlog.store import DURATION_SOURCE_LABELS, SOURCE_LABELS, STATUS_LABELS
    from ..report.table import number

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
