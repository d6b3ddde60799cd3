"""Command-line options shared by several commands (the shell side only; stages take plain arguments)."""
from __future__ import annotations

import os

import click


def jobs_option(command):
    """``--jobs N``: how many clips are made at once by a command that builds clips (build, program, export).

    The value goes to ``build.build_clips(jobs=…)``; without it the stage reads the
    BROADCASTER_JOBS environment variable, else uses one process per core.
    """
    return click.option(
        "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
        help=f"Số tệp âm thanh tạo cùng lúc, mỗi tệp một tiến trình (mặc định: biến môi trường BROADCASTER_JOBS, "
             f"nếu không đặt thì bằng số lõi CPU — máy này có {os.cpu_count() or 1}); 1 = tạo lần lượt từng tệp. "
             f"Kết quả giống hệt nhau với mọi giá trị.")(command)
