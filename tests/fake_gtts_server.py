"""Test helper for the speech stage: a local fake of Google Translate's batchexecute speech endpoint.

It answers on 127.0.0.1 at a random port, can be told to fail with given HTTP
statuses (or to stall) a number of times before succeeding, and answers success
with a real tiny MP3 made by FFmpeg, packed the way gTTS parses it.
"""
from __future__ import annotations

import base64
import functools
import json
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/_/TranslateWebserverUi/data/batchexecute"
RPC = "jQ1olc"


@functools.lru_cache(maxsize=1)
def tiny_mp3() -> bytes:
    """0.3 s of 440 Hz tone as MP3 (mono, 24 kHz), encoded by the imageio-ffmpeg binary."""
    import imageio_ffmpeg

    return subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", "lavfi",
         "-i", "sine=f=440:d=0.3", "-ac", "1", "-ar", "24000", "-f", "mp3", "pipe:1"],
        check=True, capture_output=True).stdout


def batchexecute_body(mp3: bytes | None) -> str:
    """An answer shaped like Google's: guard line, then length-prefixed JSON lines."""
    inner = json.dumps([base64.b64encode(mp3).decode("ascii")] if mp3 is not None else [])
    first = json.dumps([["wrb.fr", RPC, inner, None, None, None, "generic"],
                        ["di", 42], ["af.httprm", 41, "-1", 7]], separators=(",", ":"))
    second = json.dumps([["e", 4, None, None, len(first)]], separators=(",", ":"))
    return f")]}}'\n\n{len(first)}\n{first}\n{len(second)}\n{second}\n"


class FakeGoogle:
    """The fake endpoint; use as a context manager.

    Attributes:
        failures: statuses to answer before succeeding, consumed in order (e.g. [429, 429]);
            the string "stall" sleeps ``stall_s`` seconds instead of answering promptly.
        texts: the chunk text of every request received, in order.
        url: base URL to give GttsEngine(base_url=...).
    """

    def __init__(self, failures: list[int | str] | None = None, *, always: int | str | None = None,
                 stall_s: float = 2.0, audio: bool = True):
        self.failures = list(failures or [])
        self.always = always
        self.stall_s = stall_s
        self.audio = audio
        self.texts: list[str] = []
        self.languages: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def calls(self) -> int:
        return len(self.texts)

    def __enter__(self) -> "FakeGoogle":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_outcome(self) -> int | str:
        with self._lock:
            if self.failures:
                return self.failures.pop(0)
            return self.always if self.always is not None else 200

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path != PATH:
                    self.send_error(404)
                    return
                freq = urllib.parse.parse_qs(body)["f.req"][0]
                rpc = json.loads(freq)[0][0]
                text, language = json.loads(rpc[1])[:2]
                with fake._lock:
                    fake.texts.append(text)
                    fake.languages.append(language)
                outcome = fake._next_outcome()
                if outcome == "stall":
                    time.sleep(fake.stall_s)
                    outcome = 200
                if outcome != 200:
                    self.send_response(int(outcome))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = batchexecute_body(tiny_mp3() if fake.audio else None).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
