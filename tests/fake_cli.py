"""``python tests/fake_cli.py ARGS``: the ``broadcaster`` command with the test-only fake engine registered.

Tests that run the command in a subprocess on a folder using ``engine: fake`` start it
through this file, since the package's own engine table has no fake engine.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_engine import register  # noqa: E402

register()

from broadcaster.cli import run  # noqa: E402

run()
