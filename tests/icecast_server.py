"""A real Icecast 2 on loopback for the tests (Debian's icecast2; its own config, port and logs in a temp dir)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ICECAST = shutil.which("icecast2") or "/usr/bin/icecast2"

CONFIG = """<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits><clients>20</clients><sources>{sources}</sources><queue-size>524288</queue-size><client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout><source-timeout>10</source-timeout><burst-size>0</burst-size></limits>
  <authentication><source-password>{password}</source-password><admin-user>admin</admin-user>
    <admin-password>admin-{password}</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>{logs}</logdir><webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{owner}</security>
</icecast>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Icecast:
    """Start/stop/restart one Icecast server; ``url(mount)`` is what a cluster pulls."""

    def __init__(self, password: str = "nguon-thu", sources: int = 4):
        self.password = password
        self.port = free_port()
        # Icecast drops root for nobody:nogroup (it refuses to run as root otherwise): the folder must be theirs too.
        self.dir = Path(tempfile.mkdtemp(prefix="icecast-test-"))
        os.chmod(self.dir, 0o777)
        owner = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>" if os.geteuid() == 0 else ""
        self.config = self.dir / "icecast.xml"
        self.config.write_text(CONFIG.format(password=password, port=self.port, logs=self.dir, owner=owner,
                                             sources=sources),
                               encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def target(self, mount: str, password: str | None = None) -> str:
        return f"icecast://source:{password or self.password}@127.0.0.1:{self.port}{mount}"

    def url(self, mount: str) -> str:
        return f"http://127.0.0.1:{self.port}{mount}"

    def start(self) -> "Icecast":
        self.proc = subprocess.Popen([ICECAST, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/status-json.xsl"), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"icecast did not start: {(self.dir / 'error.log').read_text(errors='replace')[-500:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def has_mount(self, mount: str) -> bool:
        import json

        try:
            with urllib.request.urlopen(self.url("/status-json.xsl"), timeout=2) as r:
                stats = json.loads(r.read().decode("utf-8", "replace")).get("icestats", {})
        except (OSError, ValueError):
            return False
        sources = stats.get("source") or []
        sources = sources if isinstance(sources, list) else [sources]
        return any(str(s.get("listenurl", "")).endswith(mount) for s in sources)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
