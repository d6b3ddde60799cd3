"""Mastering stage, tagging: a clip's script facts become ID3v2.3 tags in the MP3 file, and back.

ID3 version 2.3 is written because Windows Explorer, Windows Media Player
and many hardware players at stations do not read v2.4. Version 2.3 has no
UTF-8, so text is stored as UTF-16 with a byte-order mark, which keeps every
Vietnamese diacritic.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import COMM, ID3, TALB, TIT2, TLAN, TPE1, TXXX, Encoding, ID3NoHeaderError

from ..errors import BroadcasterError

MESSAGES = {
    "write_failed": "không ghi được thẻ ID3 vào {path}: {detail}",
    "read_failed": "không đọc được thẻ ID3 của {path}: {detail}",
}

LANGUAGE = "vie"  # ISO 639-2, what TLAN and COMM expect


@dataclass(frozen=True)
class ClipTags:
    """What a clip says about itself in its ID3 tags.

    Attributes:
        title: Script title (TIT2).
        campaign: Campaign name (TALB), so players group a campaign's clips like an album.
        organization: The broadcasting organisation (TPE1), e.g. the commune station.
        source: Source document (công văn) the text comes from (COMM).
        script_id: Script identifier (TXXX:script_id).
        text_hash: Hash of the normalised text, to tell whether a clip is stale (TXXX:text_hash).
    """

    title: str
    campaign: str
    organization: str
    source: str
    script_id: str
    text_hash: str


# Field name -> TXXX description, for the fields without a standard frame.
_TXXX_FIELDS = {"script_id": "script_id", "text_hash": "text_hash"}


def _build(tags: ClipTags) -> ID3:
    id3 = ID3()
    utf16 = Encoding.UTF16
    id3.add(TIT2(encoding=utf16, text=[tags.title]))
    id3.add(TALB(encoding=utf16, text=[tags.campaign]))
    id3.add(TPE1(encoding=utf16, text=[tags.organization]))
    id3.add(COMM(encoding=utf16, lang=LANGUAGE, desc="", text=[tags.source]))
    for field, desc in _TXXX_FIELDS.items():
        id3.add(TXXX(encoding=utf16, desc=desc, text=[getattr(tags, field)]))
    id3.add(TLAN(encoding=Encoding.LATIN1, text=[LANGUAGE]))
    return id3


def write_tags(path: str | Path, tags: ClipTags) -> None:
    """Replace the ID3 tags of an MP3 file with ``tags``, saved as ID3v2.3.

    Any existing ID3v2 tag (e.g. the encoder's) is discarded so the file
    carries only what the station put there; no ID3v1 tag is written.

    Args:
        path: The MP3 file (any name; temporary names work).
        tags: What to write.

    Raises:
        BroadcasterError: The file cannot be read or written.
    """
    try:
        _build(tags).save(str(path), v1=0, v2_version=3)
    except (MutagenError, OSError) as exc:
        raise BroadcasterError(MESSAGES["write_failed"].format(path=path, detail=exc)) from exc


def _text(id3: ID3, key: str) -> str:
    frame = id3.get(key)
    return "".join(str(t) for t in frame.text) if frame is not None else ""


def read_tags(path: str | Path) -> dict[str, str]:
    """Read the station's ID3 tags from an MP3 file.

    Args:
        path: The MP3 file.

    Returns:
        A dict with one key per ClipTags field plus ``"language"`` and
        ``"id3_version"`` (e.g. ``"2.3"``); absent frames give ``""``. A file
        without any ID3 tag gives all ``""``.
        ``ClipTags(**{f: d[f] for f in CLIP_TAG_FIELDS})`` rebuilds the tags.

    Raises:
        BroadcasterError: The file cannot be read.
    """
    try:
        id3 = ID3(str(path))
    except ID3NoHeaderError:
        return {**{f: "" for f in CLIP_TAG_FIELDS}, "language": "", "id3_version": ""}
    except (MutagenError, OSError) as exc:
        raise BroadcasterError(MESSAGES["read_failed"].format(path=path, detail=exc)) from exc
    comments = id3.getall("COMM")
    source = next((c for c in comments if c.desc == ""), comments[0] if comments else None)
    result = {
        "title": _text(id3, "TIT2"),
        "campaign": _text(id3, "TALB"),
        "organization": _text(id3, "TPE1"),
        "source": "".join(str(t) for t in source.text) if source is not None else "",
    }
    for field, desc in _TXXX_FIELDS.items():
        result[field] = _text(id3, f"TXXX:{desc}")
    result["language"] = _text(id3, "TLAN")
    result["id3_version"] = f"{id3.version[0]}.{id3.version[1]}"
    return result


CLIP_TAG_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ClipTags))
