"""Users, passwords and API tokens.

Passwords are hashed with argon2id; API bearer tokens are random 256-bit values of which only
the SHA-256 is stored, so a copy of the database cannot be replayed against the API.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from revcycle.domain.errors import AuthenticationFailed
from revcycle.domain.user import MANAGE_USERS, User, check_password, parse_role, parse_username
from revcycle.domain.validation import Checks
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWorkFactory

TOKEN_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Replace the argon2 parameters (the test suite uses cheaper ones; hashes carry their own
    parameters, so existing ones keep verifying)."""
    global _hasher, _DUMMY_HASH  # noqa: PLW0603
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(ctx: Context, username: str, role: str, password: str) -> User:
    """A user of the context's practice (CLI operator, or an API admin for their practice)."""
    ctx.require(MANAGE_USERS)
    c = Checks()
    name = c.field("username", lambda: parse_username(username))
    r = c.field("role", lambda: parse_role(role))
    c.field("password", lambda: check_password(password))
    c.raise_if_any()
    assert name and r
    if ctx.practice_id is None:
        raise AuthenticationFailed("choose the practice the user belongs to")
    with ctx.uow() as uow:
        uow.practices.get(ctx.practice_id)
        user = uow.users.add(User(ctx.practice_id, name, r), _hasher.hash(password))
        ctx.audit(uow, "create", "user", user.id)
        uow.commit()
    return user


def list_users(ctx: Context) -> Sequence[User]:
    ctx.require(MANAGE_USERS)
    with ctx.uow() as uow:
        return uow.users.list_for_practice(ctx.practice_id or 0)


def login(ctx: Context, username: str, password: str) -> str:
    """A new bearer token for valid credentials; ``AuthenticationFailed`` otherwise."""
    with ctx.uow() as uow:
        found = uow.users.by_username(username.strip().lower())
        try:
            _hasher.verify(found[1] if found else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            found = None
        if found is None or not found[0].active or found[0].id is None:
            raise AuthenticationFailed("wrong username or password")
        user = found[0]
        token = secrets.token_urlsafe(32)
        now = ctx.clock.now()
        uow.users.add_token(user.id or 0, _token_hash(token), now, now + TOKEN_LIFETIME)
        uow.audit.record(
            practice_id=user.practice_id,
            actor=f"user:{user.username}",
            channel=ctx.channel,
            action="login",
            record_type="user",
            record_id=user.id,
            at=now,
        )
        uow.commit()
    return token


def user_for_token(uow_factory: UnitOfWorkFactory, token: str, ctx: Context) -> User:
    with uow_factory(None) as uow:
        user = uow.users.user_for_token(_token_hash(token), ctx.clock.now())
    if user is None or not user.active:
        raise AuthenticationFailed("invalid or expired token")
    return user
