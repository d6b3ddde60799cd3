"""Shared fixtures: copies of the sample working folder, with the real or the fake speech engine."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# Builds in tests make one clip after the other in the test process, so that monkeypatched
# functions and counters (FakeEngine.calls) see every clip; the tests of the parallel build
# ask for workers explicitly (build_clips(..., jobs=2)).
os.environ.setdefault("BROADCASTER_JOBS", "1")

from fake_engine import register as register_fake_engine

# The test-only fake engine joins the engine table for every test (it is not in the package's table).
register_fake_engine()

# Database fixtures (SQLite and PostgreSQL) live in tests/dbfixtures.py.
pytest_plugins = ["dbfixtures"]

REPO = Path(__file__).resolve().parents[1]
# `broadcaster` in a subprocess with the fake engine registered (tests/fake_cli.py); use instead of -m broadcaster.
FAKE_CLI = [sys.executable, str(Path(__file__).resolve().parent / "fake_cli.py")]
SAMPLE_FILES = ("broadcaster.yaml", "scripts", "schedules", "lexicon.yaml")


def copy_sample(dest: Path) -> Path:
    """Copy the repository's working folder (config, scripts, schedules) into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def use_engine(folder: Path, engine: str, voice: str | None = None) -> None:
    """Switch a copied folder's speech engine (e.g. to the fast fake engine)."""
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    # The sample must still say what is replaced here: a silent no-op would test the wrong engine.
    assert "  engine: espeak\n" in text, f"{cfg}: no '  engine: espeak' line to replace"
    text = text.replace("  engine: espeak\n", f"  engine: {engine}\n")
    if voice is not None:
        assert "  voice: vi-vn-x-south\n" in text, f"{cfg}: no '  voice: vi-vn-x-south' line to replace"
        text = text.replace("  voice: vi-vn-x-south\n", f"  voice: {voice}\n")
    cfg.write_text(text, encoding="utf-8")


@pytest.fixture
def sample_folder(tmp_path: Path) -> Path:
    """A copy of the sample folder using the real eSpeak engine."""
    return copy_sample(tmp_path / "work")


@pytest.fixture
def fake_folder(tmp_path: Path) -> Path:
    """A copy of the sample folder using the fake engine (fast tone instead of speech)."""
    folder = copy_sample(tmp_path / "work")
    use_engine(folder, "fake", "fake")
    return folder


# Tests measured at more than ~5 s (pytest --durations=40 on the shared 2-core test machine), besides those
# marked @pytest.mark.slow where they are defined (the subprocess-killing tests in test_robustness.py).
# `pytest -m "not slow and not net"` is the inner loop; the whole suite still runs them all.
SLOW_TESTS = {
    "test_property.py": {"test_normalizer_never_crashes", "test_json_import_parser_never_crashes",
                         "test_csv_import_parser_never_crashes", "test_script_loader_never_crashes",
                         "test_schedule_with_generated_dates_never_crashes", "test_schedule_loader_never_crashes",
                         "test_config_loader_never_crashes",
                         "test_config_with_generated_stations_and_dates_never_crashes",
                         "test_json_import_of_arbitrary_text_never_crashes",
                         "test_found_yaml_misused_tags_and_deep_nesting"},
    "test_program_export.py": {"test_exported_m3u8_plays_whole_in_liquidsoap", "test_export_usb_layout_order_and_index",
                               "test_export_csv_and_json", "test_program_writes_one_mp3_and_m3u8_per_station_day_session"},
    "test_build_e2e.py": {"test_every_sample_clip_meets_the_audio_targets", "test_changed_script_rebuilds_only_that_clip"},
    "test_robustness.py": {"test_a_manifest_that_is_not_ours_and_a_damaged_clip_are_rebuilt",
                           "test_concurrent_imports_of_the_same_file_count_every_row_once"},
    "test_normalize.py": {"test_one_megabyte_line_is_clean", "test_pathological_inputs_finish"},
    "test_stale_clips.py": {"test_web_build_all_during_a_single_build_is_queued_and_done",
                            "test_every_input_of_the_key_makes_the_clip_stale",
                            "test_clip_states_current_missing_stale_without_synthesis"},
    "test_usb_stick.py": {"test_export_onto_a_stick_with_os_folders"},
    "test_playlog.py": {"test_two_import_processes_at_once"},
    "test_field_log.py": {"test_xlsx_month_prints_one_page_per_sheet"},
    "test_fallback_voice.py": {"test_unreachable_gtts_build_names_every_clip_that_fell_back",
                               "test_failing_gtts_web_build_warns_with_every_clip"},
    "test_piper.py": {"test_build_sample_campaign_with_piper_then_cached"},
    "test_web.py": {"test_build_all_via_post_makes_the_clips"},
}


def pytest_collection_modifyitems(config, items):
    """Mark the SLOW_TESTS `slow`; fail loudly when a listed test no longer exists (the list stays true)."""
    seen: set[tuple[str, str]] = set()
    for item in items:
        file, name = Path(str(item.fspath)).name, getattr(item, "originalname", item.name)
        if name in SLOW_TESTS.get(file, ()):
            item.add_marker(pytest.mark.slow)
            seen.add((file, name))
    # Only files that were collected whole can show a listed test missing (a -k or ::name run collects part).
    whole = {Path(str(i.fspath)).name for i in items} if not (config.option.keyword or config.args and any(
        "::" in a for a in config.args)) else set()
    missing = {(f, n) for f, names in SLOW_TESTS.items() if f in whole for n in names} - seen
    if missing:
        raise pytest.UsageError(f"conftest.SLOW_TESTS names tests that do not exist: {sorted(missing)}")
