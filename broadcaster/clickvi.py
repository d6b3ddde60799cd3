"""Vietnamese for click's own frame (shell support): usage lines, help headings, usage errors, metavars.

click 8.1 marks every text it prints with gettext (``_("Usage:")``,
``ngettext("Did you mean …")``), but binds ``_`` to `gettext.gettext`, i.e. the
process-wide default domain, so a translation installed for a "click" domain
would never be asked. Switching the process's default domain (and shipping .mo
files plus a LANGUAGE variable) would change every library's gettext. The narrow
hook is the one click offers itself: the module-level ``_`` and ``ngettext`` names
of its modules, which `install` points at the catalogue below. `ViGroup` and
`ViCommand` add what click does not route through gettext: the ``[OPTIONS]`` and
``COMMAND [ARGS]...`` placeholders, metavars made from English type names
(``TEXT``, ``INTEGER``) and a "did you mean" for a mistyped command.

`tests/test_cli_vi.py` checks that every message id in the installed click source
has a translation here, so a click upgrade that adds one is caught.
"""
from __future__ import annotations

import difflib

import click

# msgid (exactly as in click 8.1's source) → Vietnamese. ``{…}`` fields are click's own;
# a translation may leave one out (e.g. the English type name in ``{number_type}``).
CATALOG = {
    # usage and help frame
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In số phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "(Deprecated) {text}": "(không còn dùng) {text}",
    "DeprecationWarning: The command {name!r} is deprecated.": "cảnh báo: lệnh {name!r} không còn được dùng.",
    # errors and their framing
    "Error: {message}": "lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: {command} {option}",
    "Aborted!": "Đã dừng.",
    "unknown error": "lỗi không rõ",
    "Missing command.": "thiếu lệnh.",
    "No such command {name!r}.": "không có lệnh {name!r}.",
    "Missing argument": "thiếu tham số",
    "Missing option": "thiếu tùy chọn",
    "Missing parameter": "thiếu tham số",
    "Missing {param_type}": "thiếu {param_type}",
    "Missing parameter: {param_name}": "thiếu tham số: {param_name}",
    "No such option: {name}": "không có tùy chọn {name}.",
    "Invalid value: {message}": "giá trị không hợp lệ: {message}",
    "Invalid value for {param_hint}: {message}": "giá trị không hợp lệ cho {param_hint}: {message}",
    "Value must be an iterable.": "giá trị phải là một danh sách.",
    "Could not open file {filename!r}: {message}": "không mở được tệp {filename!r}: {message}",
    "Option {name!r} does not take a value.": "tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "tham số {name!r} nhận {nargs} giá trị.",
    # parameter types
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value!r} is not a valid boolean.": "{value!r} không phải giá trị có/không hợp lệ (dùng yes hoặc no).",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value!r} is not a valid UUID.": "{value!r} không phải mã UUID hợp lệ.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} does not exist.": "không có {filename!r} — kiểm tra lại tên và đường dẫn.",
    "{name} {filename!r} is a file.": "{filename!r} là một tệp, cần một thư mục.",
    "{name} {filename!r} is a directory.": "{filename!r} là một thư mục, cần một tệp.",
    "{name} {filename!r} is not readable.": "không có quyền đọc {filename!r}.",
    "{name} {filename!r} is not writable.": "không có quyền ghi {filename!r}.",
    "{name} {filename!r} is not executable.": "không có quyền chạy {filename!r}.",
    # prompts, editor, shell completion
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "lỗi: hai giá trị đã nhập không khớp nhau.",
    "Error: The value you entered was invalid.": "lỗi: giá trị đã nhập không hợp lệ.",
    "Error: invalid input": "lỗi: nhập không hợp lệ",
    "Error: {e.message}": "lỗi: {e.message}",
    "{editor}: Editing failed": "{editor}: sửa không thành công",
    "{editor}: Editing failed: {e}": "{editor}: sửa không thành công: {e}",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Không hỗ trợ gợi ý lệnh cho Bash cũ hơn bản 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Không nhận ra phiên bản Bash, không hỗ trợ gợi ý lệnh.",
}

# singular msgid → (Vietnamese for one, Vietnamese for many); Vietnamese nouns do not inflect,
# but the sentence may still differ (one suggestion against a list of them).
PLURALS = {
    "Got unexpected extra argument ({args})": ("thừa tham số không dùng đến ({args}).",
                                               "thừa tham số không dùng đến ({args})."),
    "Takes {nargs} values but 1 was given.": ("cần {nargs} giá trị nhưng chỉ có 1.",
                                              "cần {nargs} giá trị nhưng có {len}."),
    "Did you mean {possibility}?": ("Có phải ý bạn là {possibility}?", "Có phải ý bạn là một trong: {possibilities}?"),
    "Option {name!r} requires an argument.": ("tùy chọn {name!r} cần một giá trị.",
                                              "tùy chọn {name!r} cần {nargs} giá trị."),
    "{value!r} is not {choice}.": ("{value!r} không hợp lệ — chỉ dùng được {choice}.",
                                   "{value!r} không hợp lệ — chọn một trong: {choices}."),
    "{value!r} does not match the format {format}.": ("{value!r} không đúng dạng {format}.",
                                                      "{value!r} không đúng dạng nào trong: {formats}."),
    "{len_type} values are required, but {len_value} was given.": ("cần {len_type} giá trị nhưng có {len_value}.",
                                                                    "cần {len_type} giá trị nhưng có {len_value}."),
}

MESSAGES = {
    "did_you_mean": "Có phải ý bạn là {choice}?",
    "options_metavar": "[TÙY_CHỌN]",
    "subcommand_metavar": "LỆNH [THAM_SỐ]...",
}

# Placeholders shown after an option in help and usage, by its long name, then by the type's
# name (click would print the English type name: TEXT, INTEGER, FLOAT RANGE).
OPTION_METAVARS = {
    "--project": "THƯ_MỤC", "--station": "MÃ_ĐÀI", "--script": "MÃ_KỊCH_BẢN", "--session": "PHIÊN",
    "--campaign": "MÃ_CHIẾN_DỊCH", "--engine": "CÔNG_CỤ", "--voice": "GIỌNG", "--month": "THÁNG",
    "--period": "THÁNG", "--from": "NGÀY", "--to": "NGÀY", "--date": "NGÀY", "--until": "THỜI_ĐIỂM",
    "--sink": "ĐẦU_RA", "--output": "TỆP", "--host": "ĐỊA_CHỈ", "--port": "CỔNG", "--days": "SỐ_NGÀY",
    "--limit": "SỐ_DÒNG", "--batch": "SỐ_LƯỢT", "--late-tolerance": "GIÂY",
}
TYPE_METAVARS = {
    "text": "CHỮ", "integer": "SỐ", "float": "SỐ", "integer range": "SỐ", "float range": "SỐ",
    "boolean": "CÓ|KHÔNG", "DATE": "NGÀY", "uuid": "UUID",
}
# Arguments are shown by their own names (TEXT, SCRIPT_IDS); staff read these instead.
ARGUMENT_METAVARS = {
    "text": "NỘI_DUNG", "directory": "THƯ_MỤC", "script_ids": "MÃ_KỊCH_BẢN", "file": "TỆP",
    "FORMAT": "DẠNG", "fmt": "DẠNG", "script_id": "MÃ_KỊCH_BẢN", "model": "TỆP_GIỌNG", "ID": "MÃ_LƯỢT",
}


def gettext(message: str) -> str:
    """click's ``_``: the Vietnamese for one of its messages (the message itself if unknown)."""
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext``: the Vietnamese for one of its messages with a count."""
    pair = PLURALS.get(singular)
    if pair is None:
        return singular if n == 1 else plural
    return pair[0] if n == 1 else pair[1]


def install() -> None:
    """Make click speak Vietnamese (idempotent; must run before click types are created)."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.shell_completion
    import click.termui
    import click.types
    import click._termui_impl as termui_impl

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.shell_completion, click.termui, click.types, termui_impl):
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def _option_metavar(param: click.Option) -> str | None:
    if param.is_flag or param.count or param.metavar is not None:
        return None
    if param.type.get_metavar(param) is not None:  # a Choice lists its values: keep them
        return None
    long_names = [o for o in param.opts if o.startswith("--")]
    name = next((OPTION_METAVARS[o] for o in long_names if o in OPTION_METAVARS), None)
    name = name or TYPE_METAVARS.get(param.type.name) or param.type.name.upper()
    return name + ("..." if param.nargs != 1 else "")


def _argument_metavar(param: click.Argument) -> str:
    if param.metavar is not None:  # written by the command itself, e.g. FORMAT
        return ARGUMENT_METAVARS.get(param.metavar, param.metavar)
    base = ARGUMENT_METAVARS.get(param.name or "") or param.type.get_metavar(param) or (param.name or "").upper()
    if not param.required:
        base = f"[{base}]"
    if param.nargs != 1:
        base += "..."
    return base


class _Vietnamese:
    """What a command and a group share: Vietnamese placeholders, and usage errors that know their command."""

    params: list

    def _vietnamese_metavars(self) -> None:
        for param in self.params:
            if isinstance(param, click.Option):
                metavar = _option_metavar(param)
                if metavar is not None:
                    param.metavar = metavar
            elif isinstance(param, click.Argument):
                param.metavar = _argument_metavar(param)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            # click's option parser raises some errors (a missing value, a value given to a flag) without
            # the context, so they would come without the usage line and the "-h" hint.
            if exc.ctx is None:
                exc.ctx = ctx
                exc.cmd = ctx.command
            raise


class ViCommand(_Vietnamese, click.Command):
    """A click command whose usage line and placeholders are Vietnamese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", MESSAGES["options_metavar"])
        super().__init__(*args, **kwargs)
        self._vietnamese_metavars()


class ViGroup(_Vietnamese, click.Group):
    """A click group whose subcommands and subgroups are Vietnamese too, with "did you mean" for commands."""

    command_class = ViCommand
    group_class = type  # subgroups (log) are ViGroups as well

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", MESSAGES["options_metavar"])
        kwargs.setdefault("subcommand_metavar", MESSAGES["subcommand_metavar"])
        super().__init__(*args, **kwargs)
        self._vietnamese_metavars()

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = args[0] if args else ""
            if name and not name.startswith("-") and self.get_command(ctx, name) is None:
                close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.5)
                if close:
                    exc.message = f"{exc.message} {MESSAGES['did_you_mean'].format(choice=repr(close[0]))}"
            raise
