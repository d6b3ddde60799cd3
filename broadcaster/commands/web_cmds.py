"""Command of the web shell: serve (runs the office console over the same pipeline functions as the CLI)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..clickvi import ViCommand
from ..errors import BroadcasterError

MESSAGES = {
    "new_password": "Mật khẩu mới cho bảng điều khiển (ít nhất {n} ký tự, không hiện khi gõ)",
    "again": "Nhập lại mật khẩu",
    "mismatch": "hai lần nhập mật khẩu không giống nhau — chạy lại lệnh và gõ lại",
    "password_set": ("Đã đặt mật khẩu bảng điều khiển (chỉ lưu dạng băm trong {path}). "
                     "Giờ có thể chạy:  {command}"),
    "bad_allow_host": "--allow-host: {problem}",
}


def password_command(root: Path) -> str:
    """The command staff type to set the password of this folder's console."""
    try:
        here = Path.cwd().resolve() == Path(root).resolve()
    except OSError:
        here = False
    project = "" if here else f' --project "{root}"'
    return f"broadcaster{project} serve --set-password"


def _secret(prompt: str) -> str:
    """One hidden line from the keyboard, or one plain line when standard input is a pipe (scripts, tests)."""
    stdin = sys.stdin  # one reader for both lines (a new text wrapper would lose what the first read ahead)
    if stdin is None or stdin.isatty():
        return click.prompt(prompt, hide_input=True, default="", show_default=False, err=True)
    click.echo(f"{prompt}:", err=True)
    line = stdin.readline()
    if not line:
        raise click.exceptions.Abort()
    return line.rstrip("\r\n")


def ask_password(root: Path) -> Path:
    """Ask twice for a new password (hidden) and store its hash; the file written."""
    from ..web.auth import MIN_LENGTH, set_password

    first = _secret(MESSAGES["new_password"].format(n=MIN_LENGTH))
    second = _secret(MESSAGES["again"])
    if first != second:
        raise BroadcasterError(MESSAGES["mismatch"])
    return set_password(root, first)


@click.command(cls=ViCommand)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe. 127.0.0.1: chỉ máy này, không cần mật khẩu; "
                   "0.0.0.0: mọi máy trong mạng nội bộ, phải đặt mật khẩu trước (--set-password).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Cổng.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="TÊN",
              help="Thêm tên máy hoặc địa chỉ mà trình duyệt dùng để mở bảng điều khiển (lặp lại được); "
                   "tên và địa chỉ của chính máy này luôn được chấp nhận.")
@click.option("--set-password", "set_pw", is_flag=True,
              help="Đặt (hoặc đổi) mật khẩu đăng nhập bảng điều khiển rồi thoát.")
@click.pass_obj
def serve(app, host: str, port: int, allow_hosts: tuple[str, ...], set_pw: bool) -> None:
    """Mở bảng điều khiển web cho cán bộ đài (trình duyệt, tiếng Việt, không cần Internet)."""
    from ..config import host_problem
    from ..web.server import serve as run_server

    command = password_command(app.root)
    if set_pw:
        path = ask_password(app.root)
        shown = path.relative_to(app.root) if path.is_relative_to(app.root) else path
        click.echo(MESSAGES["password_set"].format(path=shown, command=command.replace(
            " --set-password", " --host 0.0.0.0")), err=True)
        return
    for name in allow_hosts:
        problem = host_problem(name)
        if problem:
            raise BroadcasterError(MESSAGES["bad_allow_host"].format(problem=problem))
    run_server(app.root, host, port, say=lambda message: click.echo(message, err=True),
               allow_hosts=allow_hosts, password_command=command)


COMMANDS = (serve,)


def register(cli) -> None:
    """Add this module's commands (`COMMANDS`) to the CLI group."""
    for command in COMMANDS:
        cli.add_command(command)
