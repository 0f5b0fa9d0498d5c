"""The schema is made by Alembic only, and the table definitions match what it makes."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from revcycle.db import (
    codeset_tables,
    ledger_tables,  # noqa: F401
    migrate,
    submission_tables,  # noqa: F401
)
from revcycle.db.engine import make_engine
from revcycle.db.tables import metadata


def _ours(name, type_, parent_names):
    """procrastinate's tables (PostgreSQL, migration 0016) are the package's, not ours."""
    return not (type_ == "table" and str(name).startswith("procrastinate_"))


def test_migrated_schema_matches_the_table_definitions(engine):
    assert codeset_tables.metadata is metadata
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_database_is_at_head(engine):
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_downgrade_to_base_and_upgrade_again(database_url):
    eng = make_engine(database_url)
    migrate.downgrade(eng, "base")
    assert migrate.current_revision(eng) is None
    migrate.ensure_schema(eng)
    assert migrate.current_revision(eng) == migrate.head_revision()
    eng.dispose()


def test_sequences_never_repeat(engine, operator):
    with operator.uow() as uow:
        values = [uow.sequences.next(0, "isa") for _ in range(3)]
        uow.commit()
    with operator.uow() as uow:
        values.append(uow.sequences.next(0, "isa"))
        uow.commit()
    assert values == [1, 2, 3, 4]
