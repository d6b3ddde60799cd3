"""Commands of the voice sources: voice add / voice list (Piper voices) and record (the announcer's microphone)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..clickvi import ViCommand, ViGroup
from ..texttable import text_table

MESSAGES = {
    "added": 'Đã cài giọng "{name}" ({language}, {quality}, {rate} Hz, {size}) vào voices/. '
             "Dùng: trong broadcaster.yaml đặt  speech: {{engine: piper, voice: {name}}}",
    "license": "Giấy phép giọng: {license}",
    "broken": "cảnh báo: {message}",
    "no_folder": "thư mục {root} chưa phải thư mục làm việc (thiếu broadcaster.yaml) — chạy trong thư mục làm việc hoặc dùng --project THƯ_MỤC",
    "header": ("Tên", "Ngôn ngữ", "Chất lượng", "Tần số", "Dung lượng", "Người đọc", "Giấy phép"),
    "unknown_quality": "—",
}


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 1_000_000:.1f} MB" if size_bytes >= 100_000 else f"{size_bytes / 1000:.0f} kB"


def _require_folder(root: Path) -> None:
    from ..config import CONFIG_NAME
    from ..errors import BroadcasterError

    if not (root / CONFIG_NAME).is_file():
        raise BroadcasterError(MESSAGES["no_folder"].format(root=root))


def voice_table(voices) -> str:
    """The installed voices as an aligned text table (one voice per line)."""
    rows = [MESSAGES["header"]]
    for v in voices:
        speakers = str(v.num_speakers) + (f" ({', '.join(v.speakers)})" if v.speakers else "")
        rows.append((v.name, v.language, v.quality or MESSAGES["unknown_quality"], f"{v.sample_rate} Hz",
                     _size(v.size_bytes), speakers, v.license or MESSAGES["unknown_quality"]))
    return text_table(rows[0], rows[1:], rule=False) + "\n"


@click.group(cls=ViGroup)
def voice() -> None:
    """Giọng đọc Piper (offline): cài (add) và liệt kê (list) các giọng trong thư mục voices/."""

@voice.command("add")
@click.argument("model", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def voice_add(app, model: Path) -> None:
    """Cài giọng Piper từ TỆP_GIỌNG (đuôi .onnx; tệp cấu hình cùng tên thêm .json, ví dụ giong.onnx.json, phải nằm cạnh) vào voices/."""
    from ..speech.voices import install_voice

    _require_folder(app.root)
    info = install_voice(app.root, model)
    click.echo(MESSAGES["added"].format(name=info.name, language=info.language,
                                        quality=info.quality or MESSAGES["unknown_quality"],
                                        rate=info.sample_rate, size=_size(info.size_bytes)), err=True)
    if info.license:
        click.echo(MESSAGES["license"].format(license=info.license), err=True)

@voice.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def voice_list(app, fmt: str) -> None:
    """Liệt kê các giọng Piper đã cài: tên, ngôn ngữ, chất lượng, tần số, dung lượng, người đọc, giấy phép."""
    from ..speech.voices import list_voices, not_installed_message

    _require_folder(app.root)
    voices, broken = list_voices(app.root)
    for message in broken:
        click.echo(MESSAGES["broken"].format(message=message), err=True)
    if fmt == "json":
        click.echo(json.dumps([v.as_dict() for v in voices], ensure_ascii=False, indent=2))
        return
    if not voices:
        click.echo(not_installed_message(None, []), err=True)
        return
    click.echo(voice_table(voices), nl=False)

@click.command(cls=ViCommand)
@click.argument("script_id")
@click.option("--countdown", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Số giây đếm ngược trước khi ghi.")
@click.option("--rate", type=click.Choice(["16000", "22050", "44100", "48000"]), default="44100",
              show_default=True, help="Tần số lấy mẫu (Hz).")
@click.option("--max-minutes", type=click.IntRange(1, 60), default=30, show_default=True,
              help="Tự dừng sau số phút này.")
@click.pass_obj
def record(app, script_id: str, countdown: int, rate: str, max_minutes: int) -> None:
    """Ghi âm người đọc cho kịch bản MÃ_KỊCH_BẢN từ micro vào recordings/ (Enter để dừng)."""
    from ..record import record_script

    record_script(app.project(), script_id, rate=int(rate), countdown=countdown,
                  max_seconds=max_minutes * 60)


COMMANDS = (voice, record,)


def register(cli) -> None:
    """Add this module's commands (`COMMANDS`) to the CLI group."""
    for command in COMMANDS:
        cli.add_command(command)
