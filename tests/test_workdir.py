"""init creates a working folder identical to the repository's sample; check and normalize shells."""
from __future__ import annotations

from pathlib import Path

from broadcaster.cli import main
from broadcaster.workdir import sample_dir

REPO = Path(__file__).resolve().parents[1]


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for name in ("broadcaster.yaml", "scripts", "schedules"):
        base = root / name
        paths = [base] if base.is_file() else sorted(base.rglob("*.yaml"))
        for p in paths:
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def test_shipped_sample_matches_repository_folder():
    assert _files(sample_dir()) == _files(REPO)


def test_init_creates_a_folder_that_checks_clean(tmp_path, capsys):
    target = tmp_path / "xa-moi"
    assert main(["init", str(target)]) == 0
    assert (target / "broadcaster.yaml").exists() and list((target / "scripts").glob("*.yaml"))
    assert main(["--project", str(target), "check"]) == 0
    # A second init refuses to overwrite the folder.
    assert main(["init", str(target)]) == 1
    assert "đã có broadcaster.yaml" in capsys.readouterr().err


def test_normalize_one_line_per_line(fake_folder, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("UBND xã thông báo\n\nngày 20/7/2024\nlúc 6h30\n"))
    assert main(["--project", str(fake_folder), "normalize", "-"]) == 0
    out = capsys.readouterr().out.split("\n")
    assert out[-1] == ""
    lines = out[:-1]
    assert len(lines) == 4 and lines[1] == ""
    assert "ủy ban nhân dân" in lines[0].lower()
    assert not any(ch.isdigit() for ch in "".join(lines))


def test_normalize_argument(tmp_path, capsys):
    assert main(["--project", str(tmp_path), "normalize", "2G và 4G"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "2" not in out
