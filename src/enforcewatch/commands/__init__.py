"""CLI subcommands. Each module exposes `register(subparsers)`; it adds its parser and sets
`func(args) -> int` as the parser default. `enforcewatch.cli.COMMANDS` lists the modules."""
