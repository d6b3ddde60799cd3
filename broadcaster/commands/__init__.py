"""Command-line subcommands, grouped by stage.

Each module defines module-level click commands, lists them in ``COMMANDS`` and adds them
to the CLI group with ``register(cli)``; each stays thin (options in, one stage call out).
"""
