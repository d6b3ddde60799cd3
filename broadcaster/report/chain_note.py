"""Report stage, chain note: turns the report's chain check (``playlog.verify.VerifyResult``) into its sentence.

An intact check names the rows of the period it vouches for and, when chain
marks (``playlog.marks``) spared re-hashing some of them, how many were
re-hashed now and how many an earlier check covered.
"""
from __future__ import annotations

from .aggregate import MESSAGES
from .numbers import number


def chain_ok_text(chain) -> str:
    """The sentence on an intact chain check: rows checked, and which of them were re-hashed now."""
    text = MESSAGES["chain_ok"].format(rows=number(chain.rows))
    if chain.earlier:
        text += MESSAGES["chain_ok_earlier"].format(now=number(chain.rows - chain.earlier),
                                                    earlier=number(chain.earlier))
    return text
