"""Command-line options shared by several commands (the shell side only; stages take plain arguments)."""
from __future__ import annotations

import os

import click

from ..clickvi import ViCommand


def jobs_option(command):
    """``--jobs N``: how many clips are made at once by a command that builds clips (build, program, export).

    The value goes to ``build.build_clips(jobs=…)``; without it the stage reads the
    BROADCASTER_JOBS environment variable, else uses one process per core.
    """
    return click.option(
        "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
        help=f"Số tệp âm thanh tạo cùng lúc, mỗi tệp một tiến trình (mặc định: biến môi trường BROADCASTER_JOBS, "
             f"nếu không đặt thì bằng số lõi CPU — máy này có {os.cpu_count() or 1}); 1 = tạo lần lượt từng tệp. "
             f"Kết quả giống hệt nhau với mọi giá trị.")(command)


class RegistryChoice(click.Choice):
    """A choice among the names of a stage's table (``export.WRITERS``, ``report.WRITERS``), read when needed.

    The table is looked up on first use (checking a value, writing help), not when the CLI
    starts, so ``broadcaster --help`` does not import the stage; a name added to the table is
    a valid choice at once.

    Args:
        module: The stage module holding the table, e.g. ``"broadcaster.export"``.
        attribute: The table (a dict or a tuple of names), e.g. ``"WRITERS"``.
    """

    def __init__(self, module: str, attribute: str):
        self.module, self.attribute = module, attribute
        super().__init__((), case_sensitive=True)

    @property
    def choices(self):  # noqa: D102  (click reads it; the table decides)
        import importlib

        return tuple(getattr(importlib.import_module(self.module), self.attribute))

    @choices.setter
    def choices(self, value) -> None:  # click.Choice.__init__ assigns; the table wins
        pass


class ChoicesHelpCommand(ViCommand):
    """A command whose help text names its `RegistryChoice` parameter's names where it writes ``{choices}``.

    Only the full help (``COMMAND --help``) fills them in: the one-line summary of
    ``broadcaster --help`` must come from the help's first paragraph, without ``{choices}``.
    """

    def format_help_text(self, ctx, formatter) -> None:
        choices = next((p.type.choices for p in self.params if isinstance(p.type, RegistryChoice)), ())
        saved = self.help
        self.help = (saved or "").replace("{choices}", " | ".join(choices))
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = saved


def _slug(word: str) -> str:
    """``Đã phát`` → ``da-phat``: a word without diacritics, case or spaces, to compare typed values."""
    import unicodedata

    plain = unicodedata.normalize("NFD", str(word).strip().casefold().replace("đ", "d"))
    return "-".join("".join(c for c in plain if not unicodedata.combining(c)).replace("_", " ").split())


class LabelChoice(click.Choice):
    """A choice of stored values (English, the contract) that also takes their Vietnamese words.

    ``--status "Đã phát"``, ``đã-phát`` and ``da-phat`` all become ``played``: staff type what the
    table shows. The English values stay valid. The labels are read from the stage's table on
    first use, so that the CLI does not import the play log (SQLAlchemy) to start.

    Args:
        module, attribute: The table of stored value → Vietnamese label, e.g.
            ``"broadcaster.playlog.schema"``, ``"STATUS_LABELS"``.
        values: The stored values offered, in help order.
    """

    def __init__(self, module: str, attribute: str, values: list[str]):
        self.module, self.attribute = module, attribute
        super().__init__(values, case_sensitive=False)

    def labels(self) -> dict[str, str]:
        """Stored value → its Vietnamese label, for the offered values."""
        import importlib

        table = getattr(importlib.import_module(self.module), self.attribute)
        return {v: table.get(v, v) for v in self.choices}

    def convert(self, value, param, ctx):  # noqa: D102
        labels = self.labels()
        words = {_slug(w): v for v, label in labels.items() for w in (v, label)}
        found = words.get(_slug(value)) if isinstance(value, str) else None
        if found is not None:
            return found
        self.fail(f'"{value}" không hợp lệ — chọn một trong: '
                  + ", ".join(f"{v} ({label.lower()})" for v, label in labels.items()), param, ctx)
