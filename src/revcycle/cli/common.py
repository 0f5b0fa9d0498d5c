"""What every command shares: options, the state built from them, output and error handling.

Exit statuses: 0 success; 1 not found; 2 bad input (the field and the reason are printed);
3 not permitted; 4 any other revcycle error. ``--json`` output is pure JSON on stdout;
messages and progress go to stderr.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy import Engine

    from revcycle.services.context import Context

err_console = Console(stderr=True)
out_console = Console()

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL [env REVCYCLE_DATABASE_URL; default ./revcycle.db]",
        show_default=False,
    ),
]
PracticeOpt = Annotated[
    int | None,
    typer.Option("--practice", help="Practice id (default: the only practice)", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout")]


@dataclass
class State:
    db: str | None = None
    practice: int | None = None
    clock: Any = None  # a Clock that replaces the environment's (the demo runs on its own)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        from revcycle.db.engine import DEFAULT_SQLITE_FILE

        return (
            self.db or os.environ.get("REVCYCLE_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_FILE}"
        )

    @cached_property
    def engine(self) -> Engine:
        from revcycle.db.engine import open_engine

        return open_engine(self.url)

    def context(self, *, need_practice: bool = True) -> Context:
        from revcycle.config import clock_from_env
        from revcycle.db.uow import SqlUnitOfWorkFactory
        from revcycle.services.context import Context
        from revcycle.services.setup import list_practices

        try:
            os_user = getpass.getuser()
        except (KeyError, OSError):
            os_user = str(os.getuid())
        clock = self.clock or clock_from_env()
        ctx = Context.operator(os_user, clock, SqlUnitOfWorkFactory(self.engine, clock))
        if not need_practice:
            return ctx if self.practice is None else ctx.with_practice(self.practice)
        if self.practice is not None:
            from revcycle.services.setup import get_practice

            get_practice(ctx, self.practice)
            return ctx.with_practice(self.practice)
        practices = list_practices(ctx)
        if len(practices) == 1 and practices[0].id is not None:
            return ctx.with_practice(practices[0].id)
        if not practices:
            fail(2, "no practice is registered yet: create one with `revcycle practices create`")
        fail(2, "several practices are registered: choose one with --practice ID")
        raise AssertionError


STATE = State()


def reset_state(db: str | None, practice: int | None) -> None:
    """Start an invocation afresh (one process may run several, as tests do)."""
    STATE.db = db
    STATE.practice = practice
    STATE.clock = None
    _drop_engine()


def _drop_engine() -> None:
    engine = STATE.__dict__.pop("engine", None)
    if engine is not None:
        engine.dispose()


def state(db: str | None = None, practice: int | None = None) -> State:
    """The shared state, with command-level ``--db``/``--practice`` taking precedence."""
    if db is not None and db != STATE.db:
        STATE.db = db
        _drop_engine()
    if practice is not None:
        STATE.practice = practice
    return STATE


def fail(code: int, message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn revcycle errors into a message on stderr and the documented exit status."""
    from sqlalchemy.exc import OperationalError

    from revcycle.domain.claim_status import InvalidTransition
    from revcycle.domain.errors import (
        Conflict,
        DomainValidationError,
        NotFound,
        PermissionDenied,
        RevcycleError,
    )

    try:
        yield
    except DomainValidationError as exc:
        for e in exc.errors:
            err_console.print(
                f"[red]error:[/red] {e.field}: {e.message} ({e.reason})", highlight=False
            )
        raise typer.Exit(2) from None
    except (Conflict, InvalidTransition) as exc:
        fail(2, str(exc))
    except NotFound as exc:
        fail(1, str(exc))
    except PermissionDenied as exc:
        fail(3, str(exc))
    except RevcycleError as exc:
        fail(4, str(exc))
    except OperationalError as exc:
        fail(4, f"database unavailable: {exc.orig}")


def require_file(path: Path) -> None:
    """Exit 2 naming the file when it is not there (before anything is read or written)."""
    if not path.is_file():
        fail(2, f"file: {path} does not exist")


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"address.line1": v}`` -> ``{"address": {"line1": v}}``, leaving out ``None`` values."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None:
            continue
        node = out
        *parents, last = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out


def print_json(data: Any) -> None:
    """A JSON document on stdout (the ``--json`` output: nothing else goes to stdout)."""
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def emit(model: BaseModel | list[Any], as_json: bool, human: Callable[[], None]) -> None:
    if as_json:
        if isinstance(model, list):
            sys.stdout.write(
                json.dumps([m.model_dump(mode="json") for m in model], indent=2) + "\n"
            )
        else:
            sys.stdout.write(model.model_dump_json(indent=2) + "\n")
    else:
        human()


def show_fields(title: str, data: Mapping[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, raw in data.items():
        value = raw
        if isinstance(raw, Mapping):
            value = ", ".join(str(v) for v in raw.values() if v)
        elif isinstance(raw, list):
            value = ", ".join(str(v) for v in raw)
        table.add_row(key, "" if value is None else str(value))
    out_console.print(table)
