"""Progress shown to staff on standard error while long work runs (never on standard output)."""
from __future__ import annotations

import sys
import time


class Progress:
    """A one-line progress bar on a terminal, or one line per step when stderr is a file."""

    WIDTH = 24

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._shown = 0  # length of the line on screen, to blank its rest

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()

    def start(self, total: int, done: int = 0) -> None:
        self.total, self.done = total, done
        if done:
            self._show(f"{done} tệp không đổi, dùng lại")

    def advance(self, what: str = "") -> None:
        self.done += 1
        self._show(what)

    def _show(self, what: str) -> None:
        filled = int(self.WIDTH * self.done / self.total) if self.total else self.WIDTH
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        elapsed = time.monotonic() - self.started
        line = f"{self.label}: {bar} {self.done}/{self.total} ({elapsed:.0f} giây) {what}"
        if self.tty:
            # Padding instead of the ANSI "erase line" (ESC[K), which Windows' classic console prints as "←[K".
            line = line[:120]
            self.stream.write("\r" + line.ljust(self._shown))
            self._shown = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
