"""Shared test fixtures for the play log and report: databases on both backends, a working folder, plans.

Import the fixtures into a test module with ``from dbfixtures import *`` (the
tests folder is on sys.path under pytest's default rootdir-based import).

PostgreSQL: URL from BROADCASTER_TEST_PG_URL (default: the local test
server). Every test gets its own schema (created, put first on the
connection's search_path, dropped afterwards), so tests never see each
other's tables. When the server cannot be reached the PostgreSQL variant is
skipped, unless BROADCASTER_REQUIRE_PG=1 (CI), where it fails.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from broadcaster.models import PlannedPlay

REPO = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

_pg_state: dict = {}


def pg_base_url() -> str:
    return os.environ.get("BROADCASTER_TEST_PG_URL", PG_DEFAULT)


def _plain(url: str) -> str:
    # psycopg wants a libpq URL, without SQLAlchemy's "+driver".
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_unavailable() -> str | None:
    """None when the test server answers, else why not (checked once per session)."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(_plain(pg_base_url()), connect_timeout=5) as conn:
                conn.execute("SELECT 1")
            _pg_state["reason"] = None
        except Exception as exc:  # any failure means: no PostgreSQL here
            _pg_state["reason"] = f"{type(exc).__name__}: {exc}"
    return _pg_state["reason"]


def require_pg() -> None:
    """Skip (or fail when BROADCASTER_REQUIRE_PG=1) if PostgreSQL is not reachable."""
    reason = pg_unavailable()
    if reason is None:
        return
    if os.environ.get("BROADCASTER_REQUIRE_PG", "") not in ("", "0"):
        pytest.fail(f"PostgreSQL bắt buộc (BROADCASTER_REQUIRE_PG=1) nhưng không kết nối được: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


def new_pg_schema() -> tuple[str, str]:
    """Create a fresh schema; return (schema, URL whose connections use it)."""
    import psycopg

    schema = f"bc_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_plain(pg_base_url()), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = pg_base_url()
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def drop_pg_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(_plain(pg_base_url()), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    """A fresh empty play-log database URL, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'log.db'}"
        return
    require_pg()
    schema, url = new_pg_schema()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def pg_url(tmp_path):
    """A fresh PostgreSQL schema URL (PostgreSQL-only tests)."""
    require_pg()
    schema, url = new_pg_schema()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A copy of the repository's sample working folder (4 stations, 3 scripts of campaign dung-2g)."""
    folder = tmp_path / "wf"
    folder.mkdir()
    shutil.copy(REPO / "broadcaster.yaml", folder / "broadcaster.yaml")
    shutil.copytree(REPO / "scripts", folder / "scripts")
    if (REPO / "schedules").is_dir():
        shutil.copytree(REPO / "schedules", folder / "schedules")
    return folder


@pytest.fixture
def project(workdir, db_url):
    """The sample project with its database set to the test database."""
    from broadcaster.config import load_project

    return dataclasses.replace(load_project(workdir), database_url=db_url)


@pytest.fixture
def store(project):
    from broadcaster.playlog.store import open_store

    s = open_store(project)
    yield s
    s.close()


def planned(station: str, start: datetime, script: str, *, duration_s: float = 60.0, priority: str = "normal",
            session: str = "sang", position: int = 1, medium: str = "loa-day", form: str = "thong-bao",
            campaign: str = "dung-2g") -> PlannedPlay:
    """One PlannedPlay, for tests that must not depend on the schedule stage."""
    return PlannedPlay(station=station, date=start.date(), session=session, start=start, position=position,
                       script=script, title=script, campaign=campaign, form=form, priority=priority, medium=medium,
                       duration_s=duration_s, clip=None)


def session_plan(project, day: date, station: str, session: str, start: str, scripts: list[str],
                 gap_s: float = 5.0, duration_s: float = 60.0) -> list[PlannedPlay]:
    """Back-to-back plays of the given scripts in one session, fields taken from the project."""
    st = project.station(station)
    moment = datetime.combine(day, datetime.strptime(start, "%H:%M").time())
    out = []
    for i, sid in enumerate(scripts, 1):
        sc = project.script(sid)
        out.append(PlannedPlay(station=station, date=day, session=session, start=moment, position=i, script=sid,
                               title=sc.title, campaign=sc.campaign, form=sc.form, priority=sc.priority,
                               medium=st.medium, duration_s=duration_s, clip=None))
        moment += timedelta(seconds=duration_s + gap_s)
    return out


def soffice() -> str | None:
    """The LibreOffice binary; skip when absent outside CI (in CI it must be installed)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI: apt-get install libreoffice-writer-nogui "
                        "libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) not installed")
    return exe


def soffice_convert(src: Path, target: str, outdir: Path, profile: Path) -> Path:
    """Convert with LibreOffice headless (private profile); return the produced file."""
    exe = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    ext = target.split(":")[0]
    produced = outdir / f"{src.stem}.{ext}"
    assert produced.exists(), f"LibreOffice produced nothing for {src} → {target}"
    return produced
