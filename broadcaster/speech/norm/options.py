"""Text stage, options: how a text is read aloud (dialect, mùng, staff lexicon) and the warnings a step reports."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Mapping

from broadcaster.speech import vi_data as D


# Longer digit runs are read digit by digit: eSpeak NG hangs on them and a
# listener cannot follow a 16-digit cardinal anyway.
MAX_CARDINAL_DIGITS = 15

MESSAGES = {
    "bad_dialect": "phương ngữ không hợp lệ: {value!r}; chọn một trong: {choices}",
}


@dataclass(frozen=True)
class NormalizeOptions:
    """How to read a text aloud.

    Attributes:
        dialect: "south" (ngàn, lẻ, hai mươi tư) or "north" (nghìn, linh, hai mươi bốn).
        mong: read days 1 to 10 as "mùng một" ("mồng một" in the North).
        lexicon: staff overrides, word -> reading (từ điển đọc riêng), applied
            first and whole-word; keys in capitals match case-sensitively.
    """

    dialect: str = "south"
    mong: bool = True
    lexicon: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.dialect not in D.DIALECTS:
            raise ValueError(MESSAGES["bad_dialect"].format(
                value=self.dialect, choices=", ".join(sorted(D.DIALECTS))))


DEFAULT_OPTIONS = NormalizeOptions()


# --- Uncertain readings ---------------------------------------------------------------------
# A step that has to guess (an unknown abbreviation spelled, a foreign word spelled, an
# ambiguous slash or dash, a number that is not valid thousands) calls `report`. The
# pipeline collects these per line; outside a collection `report` does nothing, so a
# step stays a plain ``str -> str`` function.

WARNING_MESSAGES = {
    "legacy": "văn bản dùng bảng mã {name}, đã chuyển sang Unicode",
    "acronym": "chữ viết tắt chưa có trong bảng",
    "latin": "từ nước ngoài chưa có trong bảng",
    "slash": "dấu «/» chưa rõ nghĩa",
    "dash": "dấu «-» giữa hai số chưa rõ là khoảng hay ngày tháng",
    "thousands": "số viết sai nhóm hàng nghìn, sau dấu chấm phải đủ ba chữ số",
    "format_number": "đọc chưa chắc: «{span}» → «{reading}» ({why}); hãy sửa lại số trong kịch bản",
    "format": "đọc chưa chắc: «{span}» → «{reading}» ({why}); muốn đọc khác, thêm vào lexicon.yaml dòng  \"{span}\": \"cách đọc\"",
}


@dataclass(frozen=True)
class NormWarning:
    """One place where the normaliser guessed.

    Attributes:
        kind: "acronym", "latin", "slash", "dash" or "thousands".
        span: the written text the guess was made on, e.g. "XYZ".
        reading: the words chosen for it, e.g. "ích i dét".
        line: 1-based line of the text given to the normaliser (0 when unknown).
    """

    kind: str
    span: str
    reading: str
    line: int = 0

    @property
    def fix(self) -> str:
        """How to fix it: the lexicon.yaml line to add."""
        return f'"{self.span}": "cách đọc"'

    @property
    def message(self) -> str:
        """The warning in Vietnamese for staff, with the reading chosen and the fix."""
        if self.kind == "legacy":
            return WARNING_MESSAGES["legacy"].format(name=self.span)
        if self.kind == "thousands":
            return WARNING_MESSAGES["format_number"].format(span=self.span, reading=self.reading,
                                                            why=WARNING_MESSAGES["thousands"])
        return WARNING_MESSAGES["format"].format(span=self.span, reading=self.reading,
                                                 why=WARNING_MESSAGES.get(self.kind, self.kind))

    def __str__(self) -> str:
        return self.message


_NOTES: ContextVar[list | None] = ContextVar("normalize_notes", default=None)


def report(kind: str, span: str, reading: str) -> None:
    """Note an uncertain reading made by the running step (no-op when nobody collects)."""
    notes = _NOTES.get()
    if notes is not None:
        notes.append((kind, span.strip(), " ".join(reading.split())))


def collecting() -> bool:
    """True while a caller collects warnings (steps may skip work that only feeds warnings)."""
    return _NOTES.get() is not None
