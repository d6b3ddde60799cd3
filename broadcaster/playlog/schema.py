"""Play-log stage, schema: the tables of the play log (plays, chain heads, progress, migrations) and their labels.

``plays`` holds one row per play (lượt phát); each station's rows form a hash
chain (``playlog.chain``) whose last link is kept in ``chain_heads``. The
labels are what staff read for the coded values (status, source, where a
play's airtime came from).
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, MetaData, String, Table, UniqueConstraint

STATUSES = ("played", "interrupted", "failed", "missed")
# A void row is not a play: its status and source are VOID_STATUS (never in STATUSES, so no import,
# filter or report column takes it for one).
VOID_STATUS = "void"
STATUS_LABELS = {"played": "Đã phát", "interrupted": "Bị ngắt", "failed": "Lỗi", "missed": "Bỏ lỡ",
                 VOID_STATUS: "Hủy lượt phát"}
SOURCE_LABELS = {"player": "Máy phát", "import": "Nhập tệp", "confirm": "Xác nhận", VOID_STATUS: "Hủy lượt phát"}
VOIDED_LABEL = "Đã hủy"
REASON_MAX = 500
DURATION_SOURCES = ("log", "clip", "confirm", "unknown")
DURATION_SOURCE_LABELS = {"log": "Theo nhật ký", "clip": "Theo tệp âm thanh", "confirm": "Theo kế hoạch (xác nhận)",
                          "unknown": "Chưa biết"}

metadata = MetaData()

plays = Table(
    "plays", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(32), nullable=False),            # global id, carried by log sync
    Column("station", String(64), nullable=False),
    Column("seq", Integer, nullable=False),               # 1, 2, … within the station's chain
    Column("script", String(64), nullable=False),
    Column("clip_hash", String(64)),
    Column("campaign", String(64)),
    Column("form", String(32)),
    Column("medium", String(32)),
    Column("priority", String(16)),
    Column("scheduled_at", DateTime),
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("duration_s", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("source_id", String(200)),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    Column("duration_source", String(16)),                # DURATION_SOURCES; NULL on rows older than 0004
    # A void row (status VOID_STATUS) cancels one play: ``voids`` is that play's uid (uids travel with
    # log sync, ids do not), ``reason`` why staff voided it. NULL on every other row; both since 0005.
    Column("voids", String(32)),
    Column("reason", String(REASON_MAX)),
    UniqueConstraint("uid", name="uq_plays_uid"),
    UniqueConstraint("station", "script", "started_at", name="uq_plays_station_script_start"),
    # No unique (station, seq): appends hold the station's chain-head lock, and log verify
    # reports a repeated or missing seq; one index less keeps large imports fast.
)
# The report groups every play of a period: a covering index lets the database
# read the index alone instead of the table.
report_index = Index("ix_plays_report", plays.c.started_at, plays.c.station, plays.c.campaign, plays.c.form,
                     plays.c.medium, plays.c.status, plays.c.duration_s)
scheduled_index = Index("ix_plays_station_scheduled", plays.c.station, plays.c.scheduled_at)
# Unique where present: a partial index leaves out the many rows without a source_id.
# One void per play, enforced by the database too (two staff voiding at once: the second is refused).
voids_index = Index("uq_plays_voids", plays.c.voids, unique=True,
                    sqlite_where=plays.c.voids.isnot(None), postgresql_where=plays.c.voids.isnot(None))
source_id_index = Index("uq_plays_source_id", plays.c.source_id, unique=True,
                        sqlite_where=plays.c.source_id.isnot(None), postgresql_where=plays.c.source_id.isnot(None))

chain_heads = Table(
    "chain_heads", metadata,
    Column("station", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

play_progress = Table(
    "play_progress", metadata,
    Column("station", String(64), primary_key=True),      # one sound channel per station
    Column("uid", String(32), nullable=False),
    Column("script", String(64), nullable=False),
    Column("clip_hash", String(64)),
    Column("campaign", String(64)),
    Column("form", String(32)),
    Column("medium", String(32)),
    Column("priority", String(16)),
    Column("scheduled_at", DateTime),
    Column("started_at", DateTime, nullable=False),
    Column("heartbeat_at", DateTime, nullable=False),
)

sync_progress = Table(
    "sync_progress", metadata,
    Column("target", String(500), primary_key=True),      # remote URL without password
    Column("last_id", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

_INSERT_COLUMNS = ("uid", "station", "seq", "script", "clip_hash", "campaign", "form", "medium", "priority",
                   "scheduled_at", "started_at", "ended_at", "duration_s", "status", "source", "source_id",
                   "prev_hash", "row_hash", "duration_source", "voids", "reason")
_SQLITE_INSERT = f"INSERT INTO plays ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
