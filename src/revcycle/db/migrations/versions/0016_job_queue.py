"""The job queue: procrastinate's schema on PostgreSQL, and the error of every failed attempt.

On PostgreSQL the schema the installed procrastinate ships (``procrastinate.schema``, its
``schema.sql`` read from the package now) is applied as it is: its tables, types, functions and
triggers, all named ``procrastinate_*``. Jobs still waiting in the embedded runner's ``jobs``
table are moved onto the queue (same kind, payload and practice) and marked ``cancelled`` there
with the id they got, so none is lost by the upgrade. On SQLite nothing of procrastinate is
made: the jobs keep running in process from the ``jobs`` table.

Both dialects get ``job_attempts``: one row per failed attempt of a job (the queue's job id on
PostgreSQL, ``jobs.id`` on SQLite) with its error text, which procrastinate does not keep, and
when (by the application's clock) it may run again.

A later procrastinate release brings its own migration scripts (``sql/migrations``); the
revcycle migration that pins that release applies them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The queue names of the version this migration was written for (revcycle.db.job_queue):
# a kind that needs the practice's clearinghouse mailbox gets a queue per practice.
_MAILBOX_KINDS = ("submission.batch", "submission.transmit", "inbox.poll")


def upgrade() -> None:
    op.create_table(
        "job_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_after", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_attempts")),
    )
    with op.batch_alter_table("job_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_job_attempts_job", ["job_id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # As SchemaManager.apply_schema does: the driver reads "%" as a placeholder.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    _move_waiting_jobs(bind)


def _move_waiting_jobs(bind: sa.Connection) -> None:
    mailbox = ", ".join(f"'{k}'" for k in _MAILBOX_KINDS)
    bind.exec_driver_sql(
        f"""
        WITH waiting AS (
            SELECT id, kind, practice_id, payload FROM jobs
             WHERE state IN ('pending', 'running') ORDER BY id
        ), moved AS (
            SELECT w.id AS old_id,
                   unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(
                       CASE WHEN w.kind IN ({mailbox}) THEN w.kind || '@' || w.practice_id
                            ELSE w.kind END,
                       w.kind, 0, NULL, NULL,
                       jsonb_build_object('practice_id', w.practice_id,
                                          'payload', w.payload::jsonb),
                       NULL)::procrastinate_job_to_defer_v1])) AS new_id
              FROM waiting w
        )
        UPDATE jobs SET state = 'cancelled', lease_until = NULL,
               error = 'moved to the job queue as job ' || moved.new_id
          FROM moved WHERE jobs.id = moved.old_id
        """  # noqa: S608 - the kinds are this module's constants
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _drop_procrastinate(bind)
    with op.batch_alter_table("job_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_job_attempts_job")
    op.drop_table("job_attempts")


def _drop_procrastinate(bind: sa.Connection) -> None:
    """Everything procrastinate's schema made: its tables (with their triggers), functions and
    types, found by name so that the drop matches whichever version applied them."""
    for (name,) in bind.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE 'procrastinate%%'"
    ).all():
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    for (signature,) in bind.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'"
    ).all():
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    for (name,) in bind.exec_driver_sql(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%%' "
        "AND t.typtype IN ('e', 'c')"
    ).all():
        bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
