"""The browser pages served by ``revcycle serve``: a login form and the dashboard.

``POST /login`` checks the username and password with ``services.auth.login`` (argon2) and puts
the bearer token it returns in an HttpOnly, SameSite=Strict session cookie; ``GET /dashboard``
resolves that cookie to its user exactly as the API resolves a bearer token, so the page shows
that user's practice only, and redirects to ``/login`` when the cookie is missing, invalid or
expired. ``POST /logout`` clears the cookie. The dashboard is ``revcycle.web.report``'s page with
a logout button; the reporting service checks the ``billing:read`` permission.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revcycle.api.deps import Runtime, anonymous_context, runtime
from revcycle.domain.errors import AuthenticationFailed, PermissionDenied
from revcycle.services import auth as auth_service
from revcycle.services.context import Context
from revcycle.web.report import gather, render_html

router = APIRouter(tags=["web"], include_in_schema=False)

SESSION_COOKIE = "revcycle_session"

_LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>revcycle — sign in</title>
<style>body{{font-family:system-ui,sans-serif;background:#f7fafc;display:flex;
justify-content:center;padding-top:10vh}}form{{background:#fff;border:1px solid #e2e8f0;
border-radius:6px;padding:24px;width:320px}}label{{display:block;margin:12px 0 4px;
font-size:13px}}input{{width:100%;padding:6px}}button{{margin-top:16px;width:100%;padding:8px}}
.error{{color:#c53030;font-size:13px}}</style></head><body>
<form method="post" action="/login"><h1>revcycle</h1>{error}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="{username}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></body></html>"""

_LOGOUT_FORM = (
    '<form method="post" action="/logout"><button type="submit" id="logout">Sign out</button>'
    "</form>"
)


def _login_page(error: str = "", username: str = "") -> str:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _LOGIN_PAGE.format(error=message, username=escape(username))


def session_context(request: Request, rt: Runtime) -> Context | None:
    """The context of the session cookie's user, or None when there is no valid session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    anon = Context(None, "anonymous", "web", frozenset(), rt.clock, rt.uow_factory)
    try:
        user = auth_service.user_for_token(rt.uow_factory, token, anon)
    except AuthenticationFailed:
        return None
    ctx = Context.for_user(user, rt.clock, rt.uow_factory)
    return Context(ctx.practice_id, ctx.actor, "web", ctx.permissions, ctx.clock, ctx.uow_factory)


@router.get("/login", response_class=HTMLResponse)
def login_form() -> HTMLResponse:
    return HTMLResponse(_login_page())


@router.post("/login", response_model=None)
def login(
    ctx: Annotated[Context, Depends(anonymous_context)],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        token = auth_service.login(ctx, username, password)
    except AuthenticationFailed:
        return HTMLResponse(_login_page("Wrong username or password.", username), status_code=401)
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(auth_service.TOKEN_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        path="/",
    )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/dashboard", response_model=None)
def dashboard(
    request: Request,
    rt: Annotated[Runtime, Depends(runtime)],
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    ctx = session_context(request, rt)
    if ctx is None:
        return RedirectResponse("/login", status_code=303)
    try:
        data = gather(ctx, start, end)
    except PermissionDenied as exc:
        return HTMLResponse(
            f"<!DOCTYPE html><title>Forbidden</title><p>{escape(str(exc))}</p>{_LOGOUT_FORM}",
            status_code=403,
        )
    return HTMLResponse(render_html(data, nav=_LOGOUT_FORM))
