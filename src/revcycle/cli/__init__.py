"""The ``revcycle`` command line: thin Typer commands, each calling one service."""
