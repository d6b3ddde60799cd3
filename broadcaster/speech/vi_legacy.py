"""Data for reading legacy Vietnamese encodings: TCVN3 (.VnTime, ABC) and VNI-Windows tables.

Text typed in old Word documents with these fonts arrives here as Latin-1
look-alike characters ("Së Th«ng tin" for "Sở Thông tin", "Sôû Thoâng tin" in
VNI). The conversion code is `broadcaster.speech.norm.legacy.decode_legacy`.
"""
from __future__ import annotations

# TCVN3 (TCVN 5712:1993, "ABC" fonts such as .VnTime): one byte per letter.
# The upper-case font (.VnTimeH) uses the same codes, so toned capitals come
# out in lower case after conversion; the reading is the same.
TCVN3_TO_UNICODE = {
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ", "\u00a6": "Ư",
    "\u00a7": "Đ", "\u00a8": "ă", "\u00a9": "â", "\u00aa": "ê", "\u00ab": "ô", "\u00ac": "ơ",
    "\u00ad": "ư", "\u00ae": "đ",
    "\u00b5": "à", "\u00b6": "ả", "\u00b7": "ã", "\u00b8": "á", "\u00b9": "ạ",
    "\u00bb": "ằ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00be": "ắ", "\u00c6": "ặ",
    "\u00c7": "ầ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00ca": "ấ", "\u00cb": "ậ",
    "\u00cc": "è", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d0": "é", "\u00d1": "ẹ",
    "\u00d2": "ề", "\u00d3": "ể", "\u00d4": "ễ", "\u00d5": "ế", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00dd": "í", "\u00de": "ị",
    "\u00df": "ò", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e3": "ó", "\u00e4": "ọ",
    "\u00e5": "ồ", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e8": "ố", "\u00e9": "ộ",
    "\u00ea": "ờ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ed": "ớ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f3": "ú", "\u00f4": "ụ",
    "\u00f5": "ừ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f8": "ứ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fd": "ý", "\u00fe": "ỵ",
}

# Characters that TCVN3 text is full of and Unicode Vietnamese never uses
# (the A1..B9 block: ư = U+00AD, đ = ®, ô = «, á = ¸ ...). VNI uses none of them.
TCVN3_SIGNATURE = frozenset(
    "\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae"
    "\u00b5\u00b6\u00b8\u00b9\u00bb\u00bc\u00bd\u00be\u00c6\u00c7\u00c8\u00c9\u00cb"
    "\u00ce\u00cf\u00d1\u00d6\u00d7\u00d8\u00dc\u00de\u00df\u00e5\u00e6\u00e7\u00eb\u00ee"
    "\u00ef\u00f1\u00f6\u00f7\u00f8\u00fe"
)

# VNI-Windows: a base vowel followed by a mark character. Each mark character
# stands for combining marks (circumflex/breve, then the tone).
VNI_MARKS = {
    "ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
    "â": "\u0302", "à": "\u0302\u0300", "á": "\u0302\u0301", "å": "\u0302\u0309",
    "ã": "\u0302\u0303", "ä": "\u0302\u0323",
    "ê": "\u0306", "è": "\u0306\u0300", "é": "\u0306\u0301", "ú": "\u0306\u0309",
    "ü": "\u0306\u0303", "ë": "\u0306\u0323",
    "Ø": "\u0300", "Ù": "\u0301", "Û": "\u0309", "Õ": "\u0303", "Ï": "\u0323",
    "Â": "\u0302", "À": "\u0302\u0300", "Á": "\u0302\u0301", "Å": "\u0302\u0309",
    "Ã": "\u0302\u0303", "Ä": "\u0302\u0323",
    "Ê": "\u0306", "È": "\u0306\u0300", "É": "\u0306\u0301", "Ú": "\u0306\u0309",
    "Ü": "\u0306\u0303", "Ë": "\u0306\u0323",
}
# Base letters a mark may follow; in VNI "ô" is ơ and "ö" is ư.
VNI_BASES = {
    "a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư",
    "A": "A", "E": "E", "O": "O", "U": "U", "Y": "Y", "Ô": "Ơ", "Ö": "Ư",
}
# Letters that are a single character in VNI.
VNI_SINGLE = {
    "ô": "ơ", "ö": "ư", "Ô": "Ơ", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Ì": "Ì", "Í": "Í", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}
# Characters Unicode Vietnamese never uses but VNI text is full of (đ, ư, tones).
VNI_SIGNATURE = frozenset("ñÑöÖøØïÏûÛæÆ")

ENCODING_NAMES = {"tcvn3": "TCVN3 (.VnTime)", "vni": "VNI-Windows"}
