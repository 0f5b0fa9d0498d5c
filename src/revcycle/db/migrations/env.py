"""Alembic environment: runs migrations on the engine handed over by ``revcycle.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from revcycle.db import (
    codeset_tables,  # noqa: F401  (registers its tables on the metadata)
    job_queue,  # noqa: F401  (job_attempts)
    ledger_tables,  # noqa: F401
    submission_tables,  # noqa: F401
)
from revcycle.db.tables import metadata

config = context.config


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """procrastinate's own schema (applied by migration 0016 from the installed package) is
    not described by our metadata: autogenerate must not propose dropping it."""
    return not (name or "").startswith("procrastinate")


def run() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=_ours,
        )
        context.run_migrations()


run()
