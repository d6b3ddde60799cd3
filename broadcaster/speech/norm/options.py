"""Text stage, options: how a text is read aloud (dialect, mùng, staff lexicon) and the warnings a step reports."""
from __future__ import annotations

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
