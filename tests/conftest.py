"""Shared fixtures.

Database tests run on SQLite by default and on PostgreSQL when ``REVCYCLE_TEST_POSTGRES_URL``
is set (the second CI pass). Each test gets a database of its own, copied from a template that
Alembic migrated once per session: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL. If PostgreSQL is configured and unreachable, the session fails; it never skips.
Any test that uses ``database_url`` is marked ``db``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from revcycle.db.engine import make_engine, normalize_url
from revcycle.db.migrate import upgrade
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.services.clock import FixedClock
from revcycle.services.context import Context

PG_ENV = "REVCYCLE_TEST_POSTGRES_URL"

# Cheap argon2 parameters: the suite hashes many passwords; production keeps the defaults.
from argon2 import PasswordHasher  # noqa: E402

from revcycle.services.auth import use_password_hasher  # noqa: E402

use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
TODAY = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def _pg_admin_engine(url: str) -> Engine:
    return create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    pg = os.environ.get(PG_ENV)
    if not pg:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield ("sqlite", str(path))
        return
    admin = _pg_admin_engine(pg)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the run must fail, not skip, when PostgreSQL is configured
        pytest.exit(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}", returncode=3)
    name = f"revcycle_tmpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(pg)).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    yield ("postgresql", name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(_template: tuple[str, str], tmp_path: Path) -> Iterator[str]:
    kind, source = _template
    if kind == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    pg = os.environ[PG_ENV]
    admin = _pg_admin_engine(pg)
    name = f"revcycle_t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    yield make_url(normalize_url(pg)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def operator(engine: Engine, clock: FixedClock) -> Context:
    return Context.operator("tester", clock, SqlUnitOfWorkFactory(engine, clock))


def practice_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "legal_name": "Test Family Practice",
        "tin": "123456789",
        "group_npi": "1234567893",
        "taxonomy": "207Q00000X",
        "billing_address": {
            "line1": "100 Main St",
            "city": "Springfield",
            "state": "IL",
            "zip": "627011234",
        },
        "phone": "2175550100",
    }
    data.update(overrides)
    return data


def patient_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "last_name": "Rivera",
        "first_name": "Ana",
        "dob": "1980-04-02",
        "sex": "F",
        "address": {"line1": "12 Oak St", "city": "Springfield", "state": "IL", "zip": "62704"},
    }
    data.update(overrides)
    return data


@pytest.fixture
def practice_ctx(operator: Context) -> Context:
    """An operator context on a fresh practice with one commercial payer (SIMPPO) and plan."""
    from revcycle.services import setup

    practice = setup.create_practice(operator, practice_data())
    assert practice.id is not None
    ctx = operator.with_practice(practice.id)
    payer = setup.create_payer(ctx, {"name": "Acme Health", "payer_id": "SIMPPO"})
    assert payer.id is not None
    setup.add_plan(
        ctx, payer.id, {"name": "Acme PPO", "plan_type": "PPO", "claim_filing_indicator": "12"}
    )
    medicare = setup.create_payer(
        ctx, {"name": "Medicare B", "payer_id": "SIMMCR", "payer_class": "medicare"}
    )
    assert medicare.id is not None
    setup.add_plan(
        ctx,
        medicare.id,
        {"name": "Part B", "plan_type": "Medicare", "claim_filing_indicator": "MB"},
    )
    return ctx
