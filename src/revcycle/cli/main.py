"""Entry point of the ``revcycle`` command.

``revcycle x12 ...`` goes straight to its own light module (its speed is measured process and
all), every other command to the Typer application, imported only then.
"""

from __future__ import annotations

import sys


def run() -> None:
    from revcycle.cli.gc_policy import tune

    tune()
    argv = sys.argv[1:]
    if argv[:1] == ["x12"] and not set(argv[1:2]) & {"--help", "-h"} and len(argv) > 1:
        from revcycle.cli.x12 import main

        sys.exit(main(argv[1:]))
    from revcycle.cli.app import app

    tune()  # again: what the application's import made is frozen too
    app(prog_name="revcycle")


if __name__ == "__main__":
    run()
