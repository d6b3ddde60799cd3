"""Errors and problems: how every stage reports what is wrong to the shells (CLI, web).

A `Problem` is one finding about the user's files (FILE:LINE: message); a
`BroadcasterError` is a failure that stops a command. Both carry Vietnamese
text for staff; the CLI turns them into one line each and exit status 1.
"""
from __future__ import annotations

import difflib
import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

MESSAGES = {
    "unexpected": "lỗi không mong đợi: {detail} — {then}",
    "write_failed": ("không ghi được {name}: {reason} — kiểm tra quyền ghi và chỗ trống trên đĩa của thư mục làm việc "
                     "rồi thử lại; tệp cũ vẫn giữ nguyên"),
    # What to do next unless the shell says it its own way (the CLI names its --debug flag; the web logs details).
    "unexpected_then": "thử lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật",
}


@dataclass(frozen=True)
class Problem:
    """One finding in a user's file, printed as ``FILE:LINE: message``."""

    file: str | None
    line: int | None
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        prefix = "cảnh báo: " if self.severity == "warning" else ""
        return f"{where}{prefix}{self.message}"


class BroadcasterError(Exception):
    """A failure explained to the operator: what, where and how to fix it."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None,
                 hint: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = str(Problem(self.file, self.line, self.message))
        if self.hint:
            text += f" — {self.hint}"
        return text


class ProblemsError(BroadcasterError):
    """Several problems found at once (loading, checking); nothing was written."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"có {len(errors)} lỗi cần sửa")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class EngineError(BroadcasterError):
    """A speech engine could not make audio; the message names the probable cause."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (có phải ý bạn là "x"?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' (có phải ý bạn là "{close[0]}"?)' if close else ""


def valid_list(choices: Iterable[str]) -> str:
    """Format the valid choices for a message: 'a, b, c'."""
    return ", ".join(sorted(str(c) for c in choices))


OS_REASONS = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EEXIST: "đã có một tệp trùng tên ở chỗ cần tạo thư mục",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép",
    errno.ENOSPC: "đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENAMETOOLONG: "tên tệp quá dài",
}


def os_error_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Vietnamese when the cause is a common one."""
    return OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


def write_failed(name: str, exc: OSError) -> str:
    """The message for a working-folder file that could not be replaced: what, why (Vietnamese) and what to do."""
    return MESSAGES["write_failed"].format(name=name, reason=os_error_reason(exc))


def error_line(exc: BroadcasterError) -> str:
    """The text a shell shows for an expected failure: a ProblemsError's problems (one FILE:LINE per
    line) as they are, any other BroadcasterError as ``lỗi: …`` (CLI error line, web flash and job)."""
    return str(exc) if isinstance(exc, ProblemsError) else f"lỗi: {exc}"


def unexpected_message(exc: BaseException, *, then: str | None = None) -> str:
    """The one line staff see for an error nobody expected (the last line of defence of a shell).

    Args:
        exc: The exception; its class name and text are shown.
        then: What staff should do next, in the shell's words (the CLI: rerun with its debug flag);
            default: try again, then tell the technical staff (the web console, which logs the details).
    """
    return MESSAGES["unexpected"].format(detail=f"{type(exc).__name__}: {exc}", then=then or MESSAGES["unexpected_then"])
