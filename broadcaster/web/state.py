"""Web shell, console state: what every page shares — the folder, its play logs and jobs, and the query-string readers.

``Console`` is kept on the application between requests; ``load`` reads the
working folder afresh for each request (staff edit the YAML files while the
console runs) and ``day_arg``/``choice_arg`` read the form and query values
with the same parsers as the command line (``timeutil.parse_date``).
"""
from __future__ import annotations

import ipaddress

import threading
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import current_app, flash, g, request

from ..errors import BroadcasterError, Problem
from ..timeutil import parse_date, vn_date
from .jobs import Jobs

MESSAGES = {
    "bad_date": 'ngày không hợp lệ "{value}" — viết dạng YYYY-MM-DD (2024-07-15) hoặc dd/mm/yyyy (15/07/2024)',
    "range_order": "ngày kết thúc ({end}) trước ngày bắt đầu ({start}) — đổi lại hai ngày",
    "bad_status": 'trạng thái không hợp lệ "{value}"',
}

# Folders whose files a page can do without: a broken one is left out and named in a banner.
LEFT_OUT_FOLDERS = ("scripts/", "schedules/")


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



def console() -> Console:
    """The console of the running application."""
    return current_app.extensions["broadcaster"]


def can_do_without(problem: Problem) -> bool:
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
    from ..workdir import inspect_project

    project, problems = inspect_project(console().root)
    tolerable = can_do_without if request.method == "GET" else (lambda p: p.severity != "error")
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
    """An optional status from the query string that must be one of ``valid``."""
    value = (request.values.get(name) or "").strip()
    if value and value not in valid:
        raise BroadcasterError(MESSAGES["bad_status"].format(value=value))
    return value or None


def station_arg(project, name: str = "station") -> str | None:
    """An optional station id from the query string or form; unknown: ``Project.require_station``'s error."""
    value = (request.values.get(name) or "").strip()
    return project.require_station(value).id if value else None


def default_week(project, today: date) -> tuple[date, date]:
    """The plan's default week (``Project.default_week``)."""
    return project.default_week(today)




def check_range(start: date | None, end: date | None) -> None:
    """BroadcasterError when both dates are given and the end comes before the start."""
    if start and end and end < start:
        raise BroadcasterError(MESSAGES["range_order"].format(start=vn_date(start), end=vn_date(end)))


def back_to(default: str) -> str:
    """A safe same-site path to return to after a form (never another host)."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def notify(message: str, category: str, where: str | None = None) -> None:
    """Flash a result message; with ``where`` (the id of a form's message slot, ``_macros.messages_at``) the page
    shows it next to that form instead of at the top, so it is in view where the redirect lands (``#where``).

    Args:
        category: ``success``, ``error``, ``warning`` or ``info``.
        where: The slot's id; a page without that slot shows the message at the top as usual.
    """
    flash(message, f"{category}@{where}" if where else category)


def fragment(url: str) -> str | None:
    """The ``#…`` part of a same-site URL (a message slot id), or None."""
    return url.partition("#")[2] or None


def content_disposition(filename: str, fallback: str, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''…`` so browsers keep the Vietnamese name."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def loopback() -> bool:
    """True when the browser runs on the console's own machine (127.0.0.0/8, ::1)."""
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)   # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or address).is_loopback
