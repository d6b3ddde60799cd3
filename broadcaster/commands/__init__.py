"""Command-line subcommands, grouped by stage; each module has register(cli) and stays thin."""
