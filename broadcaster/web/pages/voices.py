"""Web shell, voices page: the installed voices with one sentence to hear in each, the folder's default voice, and lexicon.yaml as a table with "nghe thử".

Listening calls ``build.say_text`` (the `say` command) into
``audio_out/clips/_nghe-thu/``; the default voice and the lexicon are written by
``configfile``, which lets the loaders `check` uses judge the new text first.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, redirect, render_template, request, url_for

from ...errors import BroadcasterError
from ..state import load, notify

MESSAGES = {
    "sample": "Kính thưa bà con, sáng thứ Hai ngày 15/7/2024, lúc 7h30, xã tổ chức tiêm phòng miễn phí.",
    "default_set": "Đã đặt giọng mặc định: {engine} / {voice}.",
    "lexicon_saved": "Đã lưu từ điển đọc ({count} từ).",
    "not_saved": "Chưa lưu — tệp sẽ có lỗi:",
    "empty": "chưa nhập câu để nghe thử",
}
LISTEN_DIR = "_nghe-thu"

bp = Blueprint("voices", __name__)


def voice_rows(project) -> list[dict]:
    """Every engine's voices for staff: engine, voice id, description, online or not, the default or not."""
    from ...speech.engines import ENGINES

    rows = []
    for name, cls in ENGINES.items():
        if name in ("fake", "auto"):
            continue
        try:
            voices = cls().voices if name == "piper" else cls.voices
        except Exception:  # noqa: BLE001 - an engine that cannot list its voices shows none
            voices = {}
        for voice, description in voices.items():
            rows.append({"engine": name, "voice": voice, "description": description, "online": cls.online,
                         "default": name == project.speech.engine and voice == project.speech.voice})
    return rows


def _render(project, *, text=None, heard=None, problems=None, status=200, lexicon=None, lexicon_problems=None):
    """The page; ``lexicon``/``lexicon_problems``: a refused lexicon table as sent, with its reasons (shown at
    the table)."""
    from ...configfile import read_lexicon_rows

    return render_template("voices.html", project=project, voices=voice_rows(project),
                           sample=text or MESSAGES["sample"], heard=heard,
                           lexicon=read_lexicon_rows(project.root) if lexicon is None else lexicon,
                           lexicon_problems=lexicon_problems or [], problems=problems or [],
                           slots=("h-giong", "h-tu-dien")), status


@bp.get("/giong-doc")
def page():
    """Giọng đọc: voices, the sample sentence, the default, the lexicon."""
    project, _ = load()
    return _render(project)


@bp.post("/giong-doc/nghe")
def listen():
    """Say the sentence with one voice (or the folder's default) and show a player for it."""
    from ...build import say_text

    project, _ = load()
    sample = (request.form.get("text") or "").strip()
    text = (request.form.get("sample_of") or "").strip() or sample
    if not text:
        raise BroadcasterError(MESSAGES["empty"])
    engine = request.values.get("engine") or None
    voice = request.form.get("voice") or None
    key = hashlib.sha256(f"{engine}|{voice}|{text}".encode()).hexdigest()[:16]
    folder = project.clips_dir / LISTEN_DIR
    folder.mkdir(parents=True, exist_ok=True)
    record, spoken = say_text(project, text, folder / f"{key}.mp3", engine=engine, voice=voice)
    heard = {"audio": f"{LISTEN_DIR}/{key}.mp3", "engine": engine or project.speech.engine,
             "voice": voice or project.speech.voice or "", "spoken": spoken, "duration_s": record.duration_s}
    return _render(project, text=sample, heard=heard)


@bp.post("/giong-doc/mac-dinh")
def set_default():
    """Make one voice the folder's default (speech: engine, voice in broadcaster.yaml)."""
    from ...configfile import set_default_voice

    project, _ = load()
    engine = request.form.get("engine") or ""
    voice = request.form.get("voice") or None
    errors = set_default_voice(project.root, engine, voice)
    if errors:
        notify(MESSAGES["not_saved"] + "\n" + "\n".join(str(p) for p in errors), "error", "h-giong")
    else:
        notify(MESSAGES["default_set"].format(engine=engine, voice=voice or "—"), "success", "h-giong")
    return redirect(url_for("voices.page") + "#h-giong", 303)


@bp.post("/giong-doc/tu-dien")
def lexicon():
    """Save the lexicon table (rows with an empty written form are dropped).

    Saved: the page at the table with the message there. Refused: the page with the table as sent and the
    reasons above it (status 400, the form's action lands on the table; nothing is written).
    """
    from ...configfile import save_lexicon

    project, _ = load()
    written = request.form.getlist("written")
    spoken = request.form.getlist("spoken")
    rows = list(zip(written, spoken))
    errors = save_lexicon(project.root, rows)
    if errors:
        sent = [(w, s) for w, s in rows if w.strip() or s.strip()]
        return _render(project, status=400, lexicon=sent,
                       lexicon_problems=[MESSAGES["not_saved"], *(str(p) for p in errors)])
    notify(MESSAGES["lexicon_saved"].format(count=sum(1 for w, _ in rows if w.strip())), "success", "h-tu-dien")
    return redirect(url_for("voices.page") + "#h-tu-dien", 303)
