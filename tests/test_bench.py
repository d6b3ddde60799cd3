"""`python -m bench --quick` runs every benchmark and prints the whole table (nothing is timed here)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dbfixtures import REPO, pg_unavailable


def test_quick_bench_prints_every_row(tmp_path):
    sys.path.insert(0, str(REPO))
    from bench.__main__ import ROWS

    out = tmp_path / "PERFORMANCE.md"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    table = proc.stdout.splitlines()
    assert table[0].split()[:2] == ["row", "value"]
    labels = [label for _, label, _, _ in ROWS]
    assert len(labels) == 22
    for label in labels:
        line = next((x for x in table if x.startswith(label)), None)
        assert line is not None, label
        assert line[len(label):].split()[0] != "—", line     # every row has its value
    doc = out.read_text(encoding="utf-8")
    for label in labels:
        assert f"| {label} |" in doc
    assert "failed" not in doc and "## How to reproduce" in doc
    assert "## Report query plan, SQLite" in doc
    if pg_unavailable() is None:
        assert "## Report query plan, PostgreSQL" in doc and "skipped" not in doc
