"""Command of the web shell: serve (runs the office console over the same pipeline functions as the CLI)."""
from __future__ import annotations

import click


def register(cli) -> None:
    """Add the serve command to the CLI group."""

    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Địa chỉ lắng nghe. 127.0.0.1: chỉ máy này; 0.0.0.0: mọi máy trong mạng nội bộ (không có mật khẩu).")
    @click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Cổng.")
    @click.pass_obj
    def serve(app, host: str, port: int) -> None:
        """Mở bảng điều khiển web cho cán bộ đài (trình duyệt, tiếng Việt, không cần Internet)."""
        from ..web.server import serve as run_server

        run_server(app.root, host, port, say=lambda message: click.echo(message, err=True))
