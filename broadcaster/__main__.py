"""`python -m broadcaster` runs the command-line shell."""
from .cli import run

run()
