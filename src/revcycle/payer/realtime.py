"""The simulator's real-time endpoint, CAQH CORE style: one X12 request in, one X12 reply out.

``create_realtime_app(handler)`` builds a small ASGI app whose ``POST /x12/realtime`` takes the
request interchange as the body (``application/edi-x12``, UTF-8 text) and answers with whatever
``handler(x12_text)`` returns (a 271 for a 270, a 277 for a 276, or a TA1/999 the handler
chooses). The handler is injected (the eligibility work supplies the real one) and runs in a
worker thread, so it may be synchronous and slow without blocking the server.

HTTP status says only whether the exchange happened: 200 with X12 in the body, 400 for a body
that is not text, 413 above ``max_body_bytes``, 500 (no details) when the handler raised.
X12-level errors are the handler's to express in X12. Nothing is built at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

REALTIME_PATH = "/x12/realtime"
X12_MEDIA_TYPE = "application/edi-x12"


def create_realtime_app(
    handler: Callable[[str], str], *, max_body_bytes: int = 1_000_000
) -> FastAPI:
    """An ASGI app serving ``handler`` at :data:`REALTIME_PATH` (and ``GET /health``)."""
    app = FastAPI(
        title="revcycle simulator: real-time X12",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    def plain(status: int, message: str) -> Response:
        return Response(message + "\n", status_code=status, media_type="text/plain")

    @app.post(REALTIME_PATH)
    async def realtime(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            return plain(413, "request too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                return plain(413, "request too large")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return plain(400, "the body must be X12 text (UTF-8)")
        if not text.strip():
            return plain(400, "empty request")
        try:
            answer = await run_in_threadpool(handler, text)
        except Exception:
            log.exception("real-time handler failed")
            return plain(500, "the real-time handler failed")
        return Response(answer, media_type=X12_MEDIA_TYPE)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_realtime(handler: Callable[[str], str], host: str, port: int) -> None:
    """Serve the real-time endpoint with uvicorn until interrupted (for ``revcycle sim``)."""
    import uvicorn

    config = uvicorn.Config(
        create_realtime_app(handler), host=host, port=port, lifespan="off", ws="none"
    )
    uvicorn.Server(config).run()
