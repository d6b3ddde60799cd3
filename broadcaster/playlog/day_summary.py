"""Play-log stage, schema step 0008: ``play_days``, the month report's figures kept per day by the database itself.

The month report needs, for the days of a period, the plays grouped by
(day, station, campaign, form, medium, status, duration_source, source,
script) with their count, seconds and start-only count and seconds
(``report.aggregate.query_period``). Read from ``plays`` that is one pass
over every play of the period (10 M index entries: seconds); ``play_days``
holds exactly those groups, so the report reads a few thousand rows.

On **PostgreSQL** the table is kept exact **by the database**, so every
writer is counted — ``log import`` (COPY or executemany), the player, ``log
confirm``, ``log sync``, voids and raw SQL alike: statement-level AFTER
INSERT / UPDATE / DELETE triggers with transition tables add one aggregated
delta per statement (a COPY of 100,000 rows is one upsert of its few
groups); an UPDATE adds the new rows and takes away the old ones, so an
UPDATE of other columns (hashes) changes nothing; AFTER TRUNCATE empties the
table.

**SQLite has no ``play_days``** (the step does nothing there): statement-level
triggers do not exist, and row-level triggers with an UPSERT made a raw
``executemany`` of 100,000 plays 2.5× slower (94,000 → 38,000 rows/s, see
docs/PERFORMANCE.md), while the report already reads 1,000,000 plays under
1 s through the covering index ``ix_plays_day``.

Key columns that are NULL in ``plays`` (campaign, form, medium, rows older
than migration 0004 without ``duration_source``) are stored as '' (the key
is a primary key, and a primary key cannot hold NULL); the report treats ''
and NULL alike and ``query_period`` gives ``duration_source`` back as None.
Void rows (``status = 'void'``) are not counted; voided plays are, and the
report takes their contributions away (``report.aggregate``). Groups whose
count falls to 0 are deleted (through the partial index ``play_days_empty``).

If the triggers are missing or disabled (``summary_ready`` is False) the
report reads ``plays`` directly; ``log verify`` compares the table with a
GROUP BY over ``plays`` (``compare``) and ``rebuild`` recounts it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

MESSAGES = {
    "not_kept": "Bảng tổng hợp lượt phát theo ngày (play_days) không được cơ sở dữ liệu cập nhật: trigger "
                "play_days_* trên bảng plays bị xóa hoặc bị tắt. Trong lúc đó báo cáo tháng đọc thẳng từ nhật ký "
                "(đúng nhưng chậm hơn).",
    "stale": "Bảng tổng hợp lượt phát theo ngày (play_days) lệch với nhật ký ở {count} nhóm, ví dụ ngày {day}, "
             "đài {station}, kịch bản {script}, trạng thái {status}: bảng ghi {stored} lượt, nhật ký có {counted} lượt.",
    "rebuilt": "Đã tính lại bảng tổng hợp từ nhật ký và cài lại trigger; nhật ký phát không bị thay đổi. Nếu việc này "
               "lặp lại, kiểm tra xem ai đã tắt hoặc xóa trigger play_days_* (ví dụ khi khôi phục bản sao lưu hay "
               "ghi với session_replication_role = replica).",
}

TABLE = "play_days"
TEXT_KEYS = ("station", "campaign", "form", "medium", "status", "duration_source", "source", "script")
KEY = ("day",) + TEXT_KEYS
VALUES = ("plays", "seconds", "start_only", "start_only_s")
DAY_SQL = "CAST(started_at AS DATE)"    # as report.aggregate.day_expr renders it on PostgreSQL
PG_TRIGGERS = ("play_days_insert", "play_days_update", "play_days_delete", "play_days_truncate")
VOID = "void"


def _backend(conn: Connection) -> str:
    return "sqlite" if conn.dialect.name == "sqlite" else "postgresql"


def _key_exprs() -> list[str]:
    """SQL for the key of a plays row, NULL text as ''."""
    return [DAY_SQL] + [f"coalesce({c}, '')" for c in TEXT_KEYS]


def _value_exprs(sign: str = "") -> list[str]:
    """plays, seconds, start-only plays, start-only seconds of one row (``sign``: '' or '-')."""
    start_only = "(ended_at IS NULL AND duration_s <= 0)"
    return [f"{sign}1", f"{sign}duration_s", f"CASE WHEN {start_only} THEN {sign}1 ELSE 0 END",
            f"CASE WHEN {start_only} THEN {sign}duration_s ELSE 0.0 END"]


def _upsert_tail(target: str = TABLE) -> str:
    sets = ", ".join(f"{v} = {target}.{v} + excluded.{v}" for v in VALUES)
    return f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets}"


def _grouped(source: str) -> str:
    """SELECT of key + summed values over the rows of ``source`` (a subquery with columns k0…k8, v0…v3)."""
    keys = ", ".join(f"k{i}" for i in range(len(KEY)))
    return (f"SELECT {keys}, sum(v0), sum(v1), sum(v2), sum(v3) FROM ({source}) AS c GROUP BY {keys} "
            f"HAVING sum(v0) <> 0 OR sum(v1) <> 0 OR sum(v2) <> 0 OR sum(v3) <> 0 ORDER BY {keys}")


def _rows(table: str, sign: str) -> str:
    cols = [f"{e} AS k{i}" for i, e in enumerate(_key_exprs())]
    cols += [f"{e} AS v{i}" for i, e in enumerate(_value_exprs(sign=sign))]
    return f"SELECT {', '.join(cols)} FROM {table} WHERE status <> '{VOID}'"


def _create_table(conn: Connection) -> None:
    cols = ["day DATE NOT NULL"] + [f"{c} TEXT NOT NULL" for c in TEXT_KEYS]
    cols += ["plays BIGINT NOT NULL", "seconds DOUBLE PRECISION NOT NULL", "start_only BIGINT NOT NULL",
             "start_only_s DOUBLE PRECISION NOT NULL", f"PRIMARY KEY ({', '.join(KEY)})"]
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {TABLE} ({', '.join(cols)})"))
    # Groups emptied by a DELETE or UPDATE are found here, not by scanning the table.
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS play_days_empty ON {TABLE} (day) WHERE plays = 0"))


def _pg_triggers(conn: Connection) -> None:
    delta = {"INSERT": _rows("new_rows", ""), "DELETE": _rows("old_rows", "-"),
             "UPDATE": _rows("new_rows", "") + " UNION ALL " + _rows("old_rows", "-")}
    cols = ", ".join(KEY + VALUES)
    body = []
    for op, source in delta.items():
        body.append(f"{'IF' if not body else 'ELSIF'} TG_OP = '{op}' THEN\n"
                    f"    INSERT INTO {TABLE} AS d ({cols}) {_grouped(source)} {_upsert_tail('d')};")
    conn.execute(text(
        f"CREATE OR REPLACE FUNCTION play_days_apply() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path FROM CURRENT AS $fn$\nBEGIN\n  {chr(10).join(body)}\n  END IF;\n"
        f"  IF TG_OP <> 'INSERT' THEN\n    DELETE FROM {TABLE} WHERE plays = 0;\n  END IF;\n"
        f"  RETURN NULL;\nEND\n$fn$"))
    conn.execute(text(
        f"CREATE OR REPLACE FUNCTION play_days_empty_all() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path FROM CURRENT AS $fn$\nBEGIN\n  DELETE FROM {TABLE};\n  RETURN NULL;\nEND\n$fn$"))
    for name, when, ref in (("play_days_insert", "INSERT", "NEW TABLE AS new_rows"),
                            ("play_days_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                            ("play_days_delete", "DELETE", "OLD TABLE AS old_rows")):
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON plays"))
        conn.execute(text(f"CREATE TRIGGER {name} AFTER {when} ON plays REFERENCING {ref} "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION play_days_apply()"))
    conn.execute(text("DROP TRIGGER IF EXISTS play_days_truncate ON plays"))
    conn.execute(text("CREATE TRIGGER play_days_truncate AFTER TRUNCATE ON plays "
                      "FOR EACH STATEMENT EXECUTE FUNCTION play_days_empty_all()"))


def _fill(conn: Connection) -> None:
    conn.execute(text(f"INSERT INTO {TABLE} ({', '.join(KEY + VALUES)}) {_grouped(_rows('plays', ''))}"))


def rebuild(conn: Connection) -> None:
    """PostgreSQL: (re)create ``play_days`` and its triggers and recount it from ``plays``, inside the caller's
    write transaction (appends wait). SQLite: nothing (see the module docstring)."""
    if _backend(conn) == "sqlite":
        return
    # No append may slip between the recount and the triggers.
    conn.execute(text("LOCK TABLE plays IN SHARE ROW EXCLUSIVE MODE"))
    _create_table(conn)
    _pg_triggers(conn)
    conn.execute(text(f"DELETE FROM {TABLE}"))
    _fill(conn)


def drop(conn: Connection) -> None:
    """Remove ``play_days``, its triggers and functions (the database as before 0008; the report reads plays)."""
    if _backend(conn) == "sqlite":
        return
    for name in PG_TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON plays"))
    conn.execute(text("DROP FUNCTION IF EXISTS play_days_apply(), play_days_empty_all()"))
    conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


def m0008_day_summary(conn: Connection) -> None:
    """Migration step (PostgreSQL; nothing on SQLite): create ``play_days`` and its triggers, count the plays there."""
    rebuild(conn)


def summary_ready(conn: Connection) -> bool:
    """True when ``play_days`` exists and every trigger that keeps it is in place, enabled and firing
    (SQLite: always False, it has no ``play_days``)."""
    if _backend(conn) == "sqlite":
        return False
    found = {n for (n,) in conn.execute(text(
        "SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid = to_regclass('plays') AND t.tgenabled <> 'D' "
        "AND to_regclass(:table) IS NOT NULL AND t.tgname LIKE 'play_days_%'"), {"table": TABLE})}
    if found != set(PG_TRIGGERS):
        return False
    # ALTER TABLE … ENABLE REPLICA TRIGGER or session_replication_role = replica: ordinary triggers do not fire.
    role = conn.execute(text("SELECT current_setting('session_replication_role')")).scalar()
    return role == "origin"


def compare(conn: Connection) -> list[tuple]:
    """Groups where ``play_days`` differs from a GROUP BY over ``plays``: (key, in table, counted) each.

    ``in table`` and ``counted`` are (plays, seconds, start_only, start_only_s) or None when the group
    is missing on that side. Seconds are compared to 1 ms (sums of floats in another order).
    """
    if _backend(conn) == "sqlite":
        return []
    counted = {tuple(r[:len(KEY)]): tuple(r[len(KEY):]) for r in conn.execute(text(_grouped(_rows("plays", ""))))}
    stored = {tuple(r[:len(KEY)]): tuple(r[len(KEY):]) for r in conn.execute(
        text(f"SELECT {', '.join(KEY + VALUES)} FROM {TABLE} WHERE plays <> 0 OR seconds <> 0"))}
    out = []
    for key in sorted(set(counted) | set(stored), key=lambda k: tuple(str(v) for v in k)):
        a, b = stored.get(key), counted.get(key)
        if a is None or b is None or a[0] != b[0] or a[2] != b[2] or abs(a[1] - b[1]) > 1e-3 \
                or abs(a[3] - b[3]) > 1e-3:
            out.append((key, a, b))
    return out


def period_sql(first, last, campaign: str | None = None, station: str | None = None) -> tuple[str, dict]:
    """(SQL, parameters) of ``read_period``: the stored groups of the days, of one campaign and station when given."""
    params = {"first": first, "last": last}
    where = "day >= :first AND day <= :last AND plays > 0"
    if campaign is not None:
        where += " AND campaign = :campaign"
        params["campaign"] = campaign
    if station is not None:
        where += " AND station = :station"
        params["station"] = station
    return f"SELECT {', '.join(KEY + VALUES)} FROM {TABLE} WHERE {where} ORDER BY {', '.join(KEY)}", params


def read_period(conn: Connection, first, last, campaign: str | None = None, station: str | None = None) -> list[tuple]:
    """The stored groups of days ``first``…``last`` (``date``), in key order, as ``query_period`` returns them.

    Returns:
        (day, station, campaign, form, medium, status, duration_source or None, source, script,
        plays, seconds, start-only plays, start-only seconds) tuples (PostgreSQL only).
    """
    sql, params = period_sql(first, last, campaign, station)
    rows = conn.execute(text(sql), params)
    return [(*r[:6], r[6] or None, *r[7:9], int(r[9]), float(r[10]), int(r[11]), float(r[12])) for r in rows]


def take_away(groups: list[tuple], removed: list[tuple]) -> list[tuple]:
    """``read_period`` groups less the plays ``removed`` ((key…, duration_s, ended_at) with the key as
    ``read_period`` gives it); groups left with no play are dropped."""
    if not removed:
        return groups
    index = {tuple(g[:len(KEY)]): list(g[len(KEY):]) for g in groups}
    for *key, seconds, ended in removed:
        acc = index.get(tuple(key))
        if acc is None:
            continue
        start_only = ended is None and seconds <= 0
        acc[0] -= 1
        acc[1] -= seconds
        if start_only:
            acc[2] -= 1
            acc[3] -= seconds
    return [(*k, n, s, so, sos) for k, (n, s, so, sos) in index.items() if n > 0]


@dataclass(frozen=True)
class SummaryCheck:
    """What ``check`` found: were the triggers in place, which groups differed, was the table recounted."""

    kept: bool
    mismatches: tuple = ()
    rebuilt: bool = False

    @property
    def ok(self) -> bool:
        return self.kept and not self.mismatches

    def messages(self) -> list[str]:
        """Vietnamese sentences for staff: what was wrong and what was done ([] when all is well)."""
        out = [] if self.kept else [MESSAGES["not_kept"]]
        if self.mismatches:
            (day, station, _c, _f, _m, status, _d, _s, script), stored, counted = self.mismatches[0]
            out.append(MESSAGES["stale"].format(
                count=len(self.mismatches), day=day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else day,
                station=station, script=script, status=status,
                stored=stored[0] if stored else 0, counted=counted[0] if counted else 0))
        if self.rebuilt:
            out.append(MESSAGES["rebuilt"])
        return out


def check(store, *, repair: bool = True) -> SummaryCheck | None:
    """Compare ``play_days`` with a GROUP BY over every play (PostgreSQL; None on SQLite) and, when it is
    stale or its triggers are missing and ``repair``, recount it (``rebuild``: appends wait meanwhile)."""
    if store.backend == "sqlite":
        return None
    with store.read() as conn:
        kept = summary_ready(conn)
        exists = conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": TABLE}).scalar()
        mismatches = tuple(compare(conn)) if exists else ()
    if (kept and not mismatches) or not repair:
        return SummaryCheck(kept, mismatches)
    with store.write() as conn:
        rebuild(conn)
    return SummaryCheck(kept, mismatches, rebuilt=True)
