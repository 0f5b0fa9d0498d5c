"""Who is acting: the ``Context`` every use case receives.

A context names the practice acted on (the tenant), the actor recorded in the audit log
(``user:NAME`` for the API, ``os:NAME`` for the CLI operator), the channel, the permissions,
the clock and the unit-of-work factory. Permission checks happen here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from revcycle.domain.errors import PermissionDenied
from revcycle.domain.user import PERMISSIONS, User
from revcycle.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

ALL_PERMISSIONS: frozenset[str] = frozenset().union(*PERMISSIONS.values())


@dataclass(frozen=True)
class Context:
    practice_id: int | None
    actor: str
    channel: str
    permissions: frozenset[str]
    clock: Clock
    uow_factory: UnitOfWorkFactory

    @classmethod
    def operator(
        cls,
        os_user: str,
        clock: Clock,
        uow_factory: UnitOfWorkFactory,
        practice_id: int | None = None,
    ) -> Context:
        """The trusted local operator of the CLI (whoever can open the database can act)."""
        return cls(practice_id, f"os:{os_user}", "cli", ALL_PERMISSIONS, clock, uow_factory)

    @classmethod
    def for_user(cls, user: User, clock: Clock, uow_factory: UnitOfWorkFactory) -> Context:
        perms = PERMISSIONS.get(user.role, frozenset()) if user.active else frozenset()
        return cls(user.practice_id, f"user:{user.username}", "api", perms, clock, uow_factory)

    def with_practice(self, practice_id: int) -> Context:
        return replace(self, practice_id=practice_id)

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(f"this role may not do {permission}")

    def uow(self) -> UnitOfWork:
        return self.uow_factory(self.practice_id)

    def audit(self, uow: UnitOfWork, action: str, record_type: str, record_id: object) -> None:
        uow.audit.record(
            practice_id=self.practice_id,
            actor=self.actor,
            channel=self.channel,
            action=action,
            record_type=record_type,
            record_id=record_id,
            at=self.clock.now(),
        )
