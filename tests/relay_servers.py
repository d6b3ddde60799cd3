"""Local HTTP servers serving an MP3 stream as a relay source (steady, dropping, not audio) for the tests."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from broadcaster.audio.ffmpeg import run_ffmpeg


def make_tone_mp3(path: Path, seconds: float, freq: int = 440, volume_db: float = 0.0) -> Path:
    """An MP3 (44.1 kHz mono, 96 kbps) of a sine tone, made with the bundled FFmpeg."""
    run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=44100",
                "-t", f"{seconds}", "-af", f"volume={volume_db}dB", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "96k",
                "-f", "mp3", str(path)])
    return path


class StreamServer:
    """A threaded HTTP server on 127.0.0.1 with three paths.

    ``/steady.mp3`` sends the whole MP3 then closes (no Content-Length, as Icecast does);
    ``/drop.mp3`` sends the first ``drop_fraction`` of it, then closes, and answers 503 to the same
    URL (query included) once FFmpeg has had it (the player's header probe does not count);
    ``/stall.mp3`` is like ``/drop.mp3`` but keeps the connection open, sending nothing more;
    ``/page.html`` is a web page (not audio); ``/fake.mp3`` says audio/mpeg but sends text. Every request is counted in ``hits``.
    """

    def __init__(self, mp3: Path, drop_fraction: float = 0.3):
        data = Path(mp3).read_bytes()
        self.hits: dict[str, int] = {}
        self.streamed: dict[str, int] = {}   # FFmpeg connections served, by URL
        self.stop = threading.Event()
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server_self.hits[self.path] = server_self.hits.get(self.path, 0) + 1
                path = self.path.split("?")[0]
                if path == "/fake.mp3":   # says audio, sends text
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.end_headers()
                    self.wfile.write(b"<html>not audio at all</html>\n" * 20000)
                    return
                if path == "/page.html":
                    body = "<html><body>Trang tin tức, không phải âm thanh</body></html>".encode() * 200
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if path in ("/drop.mp3", "/stall.mp3") and server_self.streamed.get(self.path):
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.headers.get("User-Agent", "").startswith("Lavf"):  # FFmpeg, not the header probe
                    server_self.streamed[self.path] = server_self.streamed.get(self.path, 0) + 1
                if path not in ("/steady.mp3", "/drop.mp3", "/stall.mp3"):
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.end_headers()
                body = data if path == "/steady.mp3" else data[:int(len(data) * drop_fraction)]
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    pass
                if path == "/stall.mp3":   # the connection stays open, nothing more comes
                    server_self.stop.wait(30)
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "StreamServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
