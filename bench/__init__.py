"""Benchmarks of the broadcaster stages; ``python -m bench`` runs them all side by side (see bench/__main__.py)."""
