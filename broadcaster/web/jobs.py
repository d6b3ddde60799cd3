"""Web shell, background work: runs long pipeline calls (clip builds) in a thread and reports their progress to the browser.

A job is started by a POST, runs in a daemon thread, and is polled by the
page ``/viec/<id>`` (vanilla JS every second, or a meta refresh without JS).
Jobs live in memory only: a console restart forgets finished jobs, which is
fine because their results (clips, manifest) are on disk.

Jobs of one kind (all clip builds) run one at a time. A job asked for while
another of its kind runs is queued, shown as waiting, and started when the
running one finishes; it is never dropped. Asking again for a job that is
still waiting returns the waiting one (it reads the files when it starts).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from ..errors import BroadcasterError, error_line, unexpected_message

_log = logging.getLogger(__name__)

# Finished jobs kept for polling; older ones are dropped.
KEEP_FINISHED = 50


@dataclass
class Job:
    """One piece of background work and what the browser may show about it.

    Attributes:
        id: Random id used in the URL.
        label: What is being done, in Vietnamese ("Tạo tệp âm thanh").
        back: Where to send the user when the job is finished.
        total: Steps to do (0 until known).
        done: Steps done.
        current: What the last step was (a script title).
        state: queued | running | done | failed.
        key: What the job does (e.g. "build:all", "build:ID"): a second request for a
            queued job with the same key joins it instead of queueing again.
        message: Summary when done, error text when failed.
        flashed: The result was shown once to the user (then the page links back).
    """

    id: str
    label: str
    back: str
    total: int = 0
    done: int = 0
    current: str = ""
    state: str = "running"
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    flashed: bool = False
    key: str = ""
    ahead: str = ""            # label of the job this one waits for (queued only)

    @property
    def percent(self) -> int:
        if self.state == "queued":
            return 0
        if self.state != "running":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict:
        """JSON for the polling script."""
        return {"id": self.id, "state": self.state, "total": self.total, "done": self.done,
                "current": self.current, "percent": self.percent, "message": self.message, "ahead": self.ahead,
                "elapsed_s": round((self.finished or time.monotonic()) - self.started, 1)}


class JobProgress:
    """The progress interface of ``broadcaster.progress.Progress`` (start/advance), writing into a Job."""

    def __init__(self, job: Job, lock: threading.Lock):
        self.job = job
        self.lock = lock

    def start(self, total: int, done: int = 0) -> None:
        with self.lock:
            self.job.total, self.job.done = total, done

    def advance(self, what: str = "") -> None:
        with self.lock:
            self.job.done += 1
            self.job.current = what


class Jobs:
    """The console's background jobs; at most one job of a kind runs at a time, the others wait in order."""

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._running: dict[str, str] = {}   # kind → job id
        self._queues: dict[str, deque] = {}  # kind → (job, work) waiting, oldest first

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self, kind: str) -> Job | None:
        """The running job of this kind, if any."""
        with self._lock:
            job_id = self._running.get(kind)
            return self._jobs.get(job_id) if job_id else None

    def queued(self, kind: str) -> list[Job]:
        """The jobs of this kind waiting to start, in the order they will run."""
        with self._lock:
            return [job for job, _ in self._queues.get(kind, ())]

    def snapshot(self, job_id: str) -> dict | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job.as_dict() if job else None

    def start(self, kind: str, label: str, back: str,
              work: Callable[[JobProgress], tuple[str, list[str]]], key: str = "") -> tuple[Job, bool]:
        """Run ``work(progress)`` in a thread now, or queue it behind the running job of this kind.

        Args:
            kind: Jobs of one kind (e.g. "build") never run at the same time.
            label: Vietnamese description for the page.
            back: URL to return to when done.
            work: Does the job; returns (summary message, warnings). BroadcasterError
                and ProblemsError become the job's red message.
            key: What the job does; a queued job with the same key is reused.

        Returns:
            The job and whether it starts now (False: it waits, state ``queued``,
            for the running job; the job is then a new queued one or, when one with
            the same key was already waiting, that one).
        """
        with self._lock:
            queue = self._queues.setdefault(kind, deque())
            if key:
                for waiting, _ in queue:
                    if waiting.key == key:
                        return waiting, False
            job = Job(id=uuid.uuid4().hex[:12], label=label, back=back, key=key)
            self._jobs[job.id] = job
            self._forget_old()
            current = self._running.get(kind)
            if current is not None:
                job.state = "queued"
                job.ahead = (queue[-1][0] if queue else self._jobs[current]).label
                queue.append((job, work))
                return job, False
            self._running[kind] = job.id
        self._launch(kind, job, work)
        return job, True

    def _launch(self, kind: str, job: Job, work) -> None:
        thread = threading.Thread(target=self._run, args=(kind, job, work), name=f"broadcaster-{kind}", daemon=True)
        thread.start()

    def _run(self, kind: str, job: Job, work) -> None:
        try:
            message, warnings = work(JobProgress(job, self._lock))
            state = "done"
        except BroadcasterError as exc:
            message, warnings, state = error_line(exc), [], "failed"
        except Exception as exc:  # noqa: BLE001 - the thread must always finish the job
            _log.exception("unexpected error in a %s job", kind)  # the details the message points to
            message = unexpected_message(exc)
            warnings, state = [], "failed"
        following = None
        with self._lock:
            job.message, job.warnings, job.state = message, warnings, state
            job.finished = time.monotonic()
            if self._running.get(kind) == job.id:
                del self._running[kind]
                queue = self._queues.get(kind)
                if queue:
                    following = queue.popleft()
                    following[0].state, following[0].ahead = "running", ""
                    following[0].started = time.monotonic()
                    self._running[kind] = following[0].id
        if following is not None:
            self._launch(kind, *following)

    def mark_flashed(self, job_id: str) -> bool:
        """Record that the result was shown; True the first time."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.flashed:
                return False
            job.flashed = True
            return True

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.state in ("done", "failed")), key=lambda j: j.started)
        for job in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]
