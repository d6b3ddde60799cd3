"""The command-line shell: converts options, calls one work function, turns errors into exit codes.

Exit status: 0 done; 1 a problem explained in Vietnamese (no traceback unless --debug);
2 command-line usage. Standard output carries only results; messages go to stderr.
"""
from __future__ import annotations

import sys
import traceback
import warnings as pywarnings
from dataclasses import replace
from pathlib import Path

import click

from . import clickvi
from .commands.options import jobs_option
from .errors import BroadcasterError, ProblemsError, error_line, os_error_reason, unexpected_message
from .portable import use_utf8_stdio
from .notices import WarningCollector

# Before any command is declared: click builds some texts (path type names) at declaration time.
clickvi.install()

MESSAGES = {
    "os_error": "lỗi: không dùng được {path}: {reason} — kiểm tra đường dẫn (thư mục có tồn tại, không trùng tên với một tệp), quyền ghi và chỗ trống trên đĩa",
    "interrupted": "đã dừng theo yêu cầu (Ctrl+C); không tệp nào bị ghi dở",
    "check_ok": "Không có lỗi: {stations} đài, {scripts} kịch bản, {schedules} lịch phát.",
    "check_bad": "Có {errors} lỗi, {warnings} cảnh báo.",
    "init_done": "Đã tạo thư mục làm việc {path}. Tiếp theo: cd {path} && broadcaster build",
    "built": "{summary} Thư mục: {folder}",
    "said": "Đã ghi {path} ({duration:.1f} giây, {lufs:.1f} LUFS, đỉnh {tp:.1f} dBTP, {engine}/{voice}).",
    "stdin": "đầu vào chuẩn (-)",
    "project_hint": "(chọn thư mục làm việc bằng --project THƯ_MỤC)",
    "unexpected_then": "chạy lại với --debug để xem chi tiết và báo cho bộ phận kỹ thuật",
    "text_arg": 'nội dung "{start}"',
    "empty_input": "{what} không có chữ nào để đọc — đưa nội dung vào, ví dụ: echo \"Kính thưa bà con\" | broadcaster say - -o thong-bao.mp3",
}


class AppContext:
    """What every command gets: the working folder, debug mode and the loaded project."""

    def __init__(self, root: Path, debug: bool):
        self.root = root
        self.debug = debug
        self._project = None
        self.notices = WarningCollector()  # one per run: each distinct warning shown once, with its count

    def warn(self, warning) -> None:
        """Count one warning (a string or a `Problem`); each distinct one is shown once per run."""
        self.notices.add(warning)

    def flush_warnings(self) -> None:
        """Show the warnings not shown yet now (before long work), instead of at the end of the run."""
        self.notices.flush(echo_err)

    def project(self):
        if self._project is None:
            from .config import MissingConfig
            from .workdir import load_project

            try:
                self._project = load_project(self.root)
            except MissingConfig as exc:
                raise ProblemsError(self.with_flag_hint(exc.problems)) from exc
        return self._project

    def with_flag_hint(self, problems: list) -> list:
        """Without broadcaster.yaml the stage says what is missing; the CLI adds its flag (--project)."""
        from .config import CONFIG_NAME

        if (Path(self.root) / CONFIG_NAME).exists():
            return problems
        return [replace(p, message=f"{p.message} {MESSAGES['project_hint']}") for p in problems]


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def _debug_log() -> None:
    """Send broadcaster's debug log (technical details kept out of messages: FFmpeg's own words…) to stderr."""
    import logging

    class Stderr(logging.StreamHandler):
        """Writes to sys.stderr as it is when a record comes (a test runner may have replaced it)."""

        stream = property(lambda self: sys.stderr, lambda self, value: None)

    logger = logging.getLogger("broadcaster")
    logger.setLevel(logging.DEBUG)
    if not any(getattr(h, "broadcaster_debug", False) for h in logger.handlers):  # once per run
        handler = Stderr()
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        handler.broadcaster_debug = True
        logger.addHandler(handler)


def _debug_log_off() -> None:
    """Undo `_debug_log` when a run ends (tests and embedding programs run `main` many times in one process)."""
    import logging

    logger = logging.getLogger("broadcaster")
    handlers = [h for h in logger.handlers if getattr(h, "broadcaster_debug", False)]
    for handler in handlers:
        logger.removeHandler(handler)
    if handlers:
        logger.setLevel(logging.NOTSET)


@click.group(cls=clickvi.ViGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Thư mục làm việc (mặc định: thư mục hiện tại).")
@click.option("--debug", is_flag=True, help="In chi tiết lỗi (traceback) để báo kỹ thuật.")
@click.version_option(package_name="broadcaster", prog_name="broadcaster")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, debug: bool) -> None:
    """broadcaster — kịch bản → giọng đọc → tệp phát → lịch phát → nhật ký → báo cáo."""
    ctx.obj = AppContext(project_dir, debug)
    if debug:
        _debug_log()
    # Closing the context runs on success and on errors alike, before `main` prints the error line.
    ctx.call_on_close(ctx.obj.flush_warnings)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Tạo thư mục làm việc mới với broadcaster.yaml, scripts/, schedules/ và chiến dịch mẫu."""
    from .workdir import init_folder

    init_folder(directory)
    echo_err(MESSAGES["init_done"].format(path=directory))


@cli.command()
@click.pass_obj
def check(app: AppContext) -> None:
    """Kiểm tra broadcaster.yaml, scripts/, schedules/; in mọi lỗi dạng TỆP:DÒNG: nội dung."""
    from .workdir import check_folder

    problems, summary = check_folder(app.root)
    for problem in app.with_flag_hint(problems):
        click.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        echo_err(MESSAGES["check_bad"].format(errors=errors, warnings=len(problems) - errors))
        sys.exit(1)
    echo_err(MESSAGES["check_ok"].format(**summary))


@cli.command()
@click.argument("text", required=False)
@click.pass_obj
def normalize(app: AppContext, text: str | None) -> None:
    """In NỘI_DUNG theo cách sẽ được đọc (dùng - để đọc từ đầu vào chuẩn), mỗi dòng vào một dòng ra."""
    from .workdir import spoken_lines

    if text is None or text == "-":
        source = sys.stdin.read()
    else:
        source = text
    lines = source.split("\n")
    if source.endswith("\n"):
        lines = lines[:-1]
    for warnings, out in spoken_lines(app.root, lines):
        _collect_normalizer_warnings(app, warnings)
        if out is not None:
            click.echo(out)


def _collect_normalizer_warnings(app: AppContext, warnings) -> None:
    """The normaliser's warnings of one text, merged into the run's: each distinct guess
    (an unknown acronym, a spelled foreign word, an ambiguous slash) is shown once, with its count."""
    for warning in warnings:
        app.warn(warning)


@cli.command()
@click.argument("text", metavar="NỘI_DUNG")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp MP3 sẽ ghi.")
@click.option("--engine", help="Công cụ đọc (espeak, piper, edge, gtts, auto).")
@click.option("--voice", help="Giọng đọc của công cụ.")
@click.option("--show-text", is_flag=True, help="In ra nội dung sẽ được đọc.")
@click.pass_obj
def say(app: AppContext, text: str, output: Path, engine: str | None, voice: str | None, show_text: bool) -> None:
    """Tạo một tệp âm thanh hoàn chỉnh từ NỘI_DUNG (dùng - để đọc từ đầu vào chuẩn) với thiết lập âm thanh của thư mục."""
    from .build import say_text
    from .manifest import spoken_form

    if text == "-":
        text, what = sys.stdin.read().rstrip(), MESSAGES["stdin"]  # the newline echo adds is not speech
    else:
        start = " ".join(text.split())
        what = MESSAGES["text_arg"].format(start=start if len(start) <= 40 else start[:39] + "…")
    if not text.strip():
        raise BroadcasterError(MESSAGES["empty_input"].format(what=what))
    project = app.project()
    _collect_normalizer_warnings(app, spoken_form(project, text)[1])
    record, spoken = say_text(project, text, output, engine=engine, voice=voice, name=what)
    if show_text:
        click.echo(spoken)
    app.flush_warnings()
    echo_err(MESSAGES["said"].format(path=output, duration=record.duration_s, lufs=record.loudness_lufs,
                                     tp=record.true_peak_dbtp, engine=record.engine, voice=record.voice))


@cli.command()
@click.argument("script_ids", nargs=-1)
@jobs_option
@click.pass_obj
def build(app: AppContext, script_ids: tuple[str, ...], jobs: int | None) -> None:
    """Tạo tệp âm thanh cho mọi kịch bản (hoặc các kịch bản được nêu) vào audio_out/clips/."""
    from .build import build_clips
    from .progress import Progress

    project = app.project()
    with Progress("Đang tạo tệp âm thanh") as progress:
        result = build_clips(project, list(script_ids) or None, progress=progress, jobs=jobs)
    for warning in result.fallback_warnings():  # scripts and station openings/closings, one line per engine
        app.warn(warning)
    app.flush_warnings()
    echo_err(MESSAGES["built"].format(summary=result.summary(), folder=project.clips_dir.relative_to(project.root)))


def _register_stage_commands() -> None:
    from .commands import log_cmds, report_cmds, schedule_cmds, stream_cmds, voice_cmds, web_cmds

    for module in (schedule_cmds, log_cmds, report_cmds, web_cmds, voice_cmds, stream_cmds):
        module.register(cli)


_register_stage_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `broadcaster` command; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    use_utf8_stdio()  # Vietnamese output never crashes on a Windows pipe/console in cp1252 or cp437
    debug = "--debug" in args
    try:
        with pywarnings.catch_warnings():
            if not debug:  # a library's English warning (matplotlib, openpyxl …) is for the technical staff only
                pywarnings.simplefilter("ignore")
            cli.main(args=args, prog_name="broadcaster", standalone_mode=False)
        return 0
    except click.exceptions.Abort:
        echo_err(MESSAGES["interrupted"])
        return 130
    except click.UsageError as exc:  # usage line, "Xem hướng dẫn: … -h" and the error, in Vietnamese (clickvi)
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except BroadcasterError as exc:  # ProblemsError too: one FILE:LINE problem per line
        if debug:
            traceback.print_exc()
        echo_err(error_line(exc))
        return 1
    except KeyboardInterrupt:
        echo_err(MESSAGES["interrupted"])
        return 130
    except OSError as exc:  # a folder where a file is expected, a missing or read-only folder, a full disk
        if debug:
            traceback.print_exc()
        echo_err(MESSAGES["os_error"].format(path=exc.filename or "tệp", reason=os_error_reason(exc)))
        return 1
    except Exception as exc:  # the last line of defence: no traceback for staff
        if debug:
            traceback.print_exc()
        echo_err(unexpected_message(exc, then=MESSAGES["unexpected_then"]))
        return 1
    finally:
        if debug:
            _debug_log_off()


def run() -> None:
    """Console-script wrapper."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
