"""Play-log stage, synchronisation: turns a station's local log rows into rows of the provincial database.

Rows are matched by their global id (``uid``, a UUID given when the row was
first written) and, like every append, by ``source_id`` and (station, script,
started_at); sending a row twice adds it once. Rows go in batches in local id
order; after each batch is committed remotely, the last id sent is committed
locally in ``sync_progress`` (one line per target URL). A cut connection
loses at most the batch in flight, which is resent on the next run and
recognised as already there.

The remote chain is recomputed on the remote side: each row is appended to the
remote station's chain (new ``seq``, ``prev_hash``, ``row_hash``) because the
province may hold rows from several sources for the same station. The local
chain still proves the station's own log; the remote one proves the
provincial log from the moment the rows arrived.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from .store import PlayStore, hide_password, plays, sync_progress

MESSAGES = {
    "done": "Đã đồng bộ lên {url}: gửi {sent} lượt, {new} lượt mới, {existing} lượt đã có.",
    "same": "nơi nhận {url} chính là nhật ký đang dùng — chọn cơ sở dữ liệu của tỉnh",
}

BATCH = 1000
CARRIED = ("uid", "station", "script", "clip_hash", "campaign", "form", "medium", "priority", "scheduled_at",
           "started_at", "ended_at", "duration_s", "status", "source", "source_id", "duration_source",
           "voids", "reason")


@dataclass(frozen=True)
class SyncResult:
    """What one sync sent."""

    target: str
    sent: int
    new: int
    existing: int

    def message(self) -> str:
        return MESSAGES["done"].format(url=self.target, sent=self.sent, new=self.new, existing=self.existing)


def sync_to(local: PlayStore, remote: PlayStore, *, batch: int = BATCH,
            on_batch: Callable[[int], None] | None = None) -> SyncResult:
    """Push the local rows not yet sent to ``remote``; resumable and idempotent.

    Args:
        local: The station's log.
        remote: The provincial log (opened and migrated).
        batch: Rows per remote transaction.
        on_batch: Called with the rows sent so far after each committed batch.

    Returns:
        Rows sent and how many were new remotely.

    Raises:
        BroadcasterError: Either database cannot be reached; progress made so far is kept.
    """
    from ..errors import BroadcasterError

    if local.url == remote.url:
        raise BroadcasterError(MESSAGES["same"].format(url=remote.display_url))
    target = hide_password(remote.url)
    sent = new = existing = 0
    with local.read() as conn:
        row = conn.execute(select(sync_progress.c.last_id).where(sync_progress.c.target == target)).first()
    last_id = row[0] if row else 0
    while True:
        with local.read() as conn:
            rows = conn.execute(select(plays.c.id, *[plays.c[name] for name in CARRIED])
                                .where(plays.c.id > last_id).order_by(plays.c.id).limit(batch)).all()
        if not rows:
            break
        payload = [{name: r._mapping[name] for name in CARRIED} for r in rows]
        result = remote.append(payload, carried_uids=True)
        last_id = rows[-1].id
        with local.write() as conn:
            updated = conn.execute(sync_progress.update().where(sync_progress.c.target == target)
                                   .values(last_id=last_id, updated_at=datetime.now()))
            if updated.rowcount == 0:
                conn.execute(sync_progress.insert().values(target=target, last_id=last_id, updated_at=datetime.now()))
        sent += len(rows)
        new += result.new
        existing += result.existing
        if on_batch:
            on_batch(sent)
    return SyncResult(remote.display_url, sent, new, existing)
