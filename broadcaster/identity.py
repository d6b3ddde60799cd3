"""Station identity: the opening and closing announcement of every station's session, as text and clip ids.

"Đây là Đài truyền thanh xã …" opens each session and a closing line ends it. The clip
builder makes them with the same speech pipeline as scripts; programmes and plans place them.
"""
from __future__ import annotations

import re

from .models import Station

# Folder of station identity clips inside audio_out/clips/ (and their manifest key prefix).
IDENTITY_DIR = "_station"

SESSION_WORDS = {"sang": "sáng", "trua": "trưa", "chieu": "chiều", "toi": "tối", "dem": "đêm",
                 "khuya": "khuya", "sang-som": "sáng sớm"}

MESSAGES = {
    "opening": "Đây là {station}. Sau đây là chương trình phát thanh phiên {session}.",
    "closing": "{station} vừa kết thúc chương trình phát thanh phiên {session}. Xin cảm ơn quý thính giả đã theo dõi.",
    "opening_title": "Mở đầu phiên {session} — {station}",
    "closing_title": "Kết thúc phiên {session} — {station}",
}

KINDS = ("opening", "closing")


def session_word(name: str) -> str:
    """Vietnamese word of a session name: sang → sáng, chieu → chiều; other names unchanged."""
    return SESSION_WORDS.get(name, name)


def identity_texts(station: Station, session: str) -> tuple[str, str]:
    """Opening and closing announcement of a station's session (Station.opening/closing or the defaults).

    A station's own text may contain ``{session}`` (the Vietnamese session word) and ``{station}``.
    """
    values = {"station": station.name, "session": session_word(session)}
    opening = station.opening or MESSAGES["opening"]
    closing = station.closing or MESSAGES["closing"]
    return opening.replace("{station}", values["station"]).replace("{session}", values["session"]), \
        closing.replace("{station}", values["station"]).replace("{session}", values["session"])


def identity_clip_id(station: Station, session: str, kind: str) -> str:
    """File-safe id of an identity clip, e.g. ``xa-dai-tam-sang-mo-dau`` (kind: opening | closing)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", session).strip("-") or "phien"
    return f"{station.id}-{slug}-{'mo-dau' if kind == 'opening' else 'ket-thuc'}"


def identity_title(station: Station, session: str, kind: str) -> str:
    """Title of an identity clip for playlists and indexes."""
    key = "opening_title" if kind == "opening" else "closing_title"
    return MESSAGES[key].format(session=session_word(session), station=station.name)


def identity_text(station: Station, session: str, kind: str) -> str:
    """The text of one identity clip."""
    opening, closing = identity_texts(station, session)
    return opening if kind == "opening" else closing
