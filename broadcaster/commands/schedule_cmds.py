"""Placeholder: commands of a later stage register here."""


def register(cli) -> None:
    """Add this module's commands to the CLI group."""
