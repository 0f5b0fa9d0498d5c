"""The FastAPI application factory. Nothing is built at import time: ``create_app(settings)``
opens the database (migrating it) and wires the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from revcycle import __version__
from revcycle.api import errors
from revcycle.api.deps import Runtime
from revcycle.api.routers import accounting as accounting_routes
from revcycle.api.routers import auth, billing, claims, codes, patients, setup
from revcycle.api.routers import claim_status as claim_status_routes
from revcycle.api.routers import denial_actions as denial_action_routes
from revcycle.api.routers import denials as denial_routes
from revcycle.api.routers import eligibility as eligibility_routes
from revcycle.api.routers import era as era_routes
from revcycle.api.routers import estimates as estimate_routes
from revcycle.api.routers import reports as report_routes
from revcycle.api.routers import underpayments as underpayment_routes
from revcycle.config import Settings
from revcycle.db.engine import open_engine
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.web import dashboard as web_dashboard


def create_app(settings: Settings) -> FastAPI:
    engine = open_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="revcycle",
        version=__version__,
        description="Revenue-cycle engine for US medical practices. Authenticate with "
        "POST /api/v1/auth/token, then send `Authorization: Bearer TOKEN`.",
    )
    app.state.runtime = Runtime(settings.clock, SqlUnitOfWorkFactory(engine, settings.clock))
    app.state.engine = engine
    errors.install(app)
    for router in (auth.router, setup.router, patients.router, claims.router, codes.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(denial_action_routes.router, prefix="/api/v1")
    app.include_router(denial_routes.router, prefix="/api/v1")
    app.include_router(claim_status_routes.router, prefix="/api/v1")
    app.include_router(estimate_routes.router, prefix="/api/v1")
    app.include_router(billing.router, prefix="/api/v1")
    app.include_router(accounting_routes.router, prefix="/api/v1")
    app.include_router(era_routes.router, prefix="/api/v1")
    app.include_router(underpayment_routes.router, prefix="/api/v1")
    app.include_router(report_routes.router, prefix="/api/v1")
    app.include_router(eligibility_routes.router, prefix="/api/v1")
    app.include_router(web_dashboard.router)
    return app
