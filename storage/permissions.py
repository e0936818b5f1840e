"""Who may do what: a table of roles, pure functions of (role, the member's queues, the case's queue).

- ``agent``: works the queues they belong to (take, note, reply, resolve…); may assign only to themselves.
- ``supervisor``: works every queue, assigns cases to others, reads the complaints register and the reports.
- ``complaints``: the complaints queue only (whatever queues the account lists), and the register.
- ``admin``: everything (the reports too), and staff accounts.

The console and the API ask these functions; the storage actions trust their callers, so the
checks sit in one place per entry point and are tested here without a server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from config.policy import QUEUES

Role = Literal["agent", "supervisor", "complaints", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
Capability = Literal["assign_others", "complaints_register", "manage_staff", "reports"]
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)

_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "agent": frozenset(),
    "supervisor": frozenset({"assign_others", "complaints_register", "reports"}),
    "complaints": frozenset({"complaints_register"}),
    "admin": frozenset({"assign_others", "complaints_register", "manage_staff", "reports"}),
}


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; allowed: {', '.join(ROLES)}")
    return role


def check_queues(queues: Iterable[str]) -> list[str]:
    """Distinct, known queue names in the order given; an unknown name is an error naming it."""
    result: list[str] = []
    for queue in queues:
        name = queue.strip()
        if not name:
            continue
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name!r}; allowed: {', '.join(QUEUES)}")
        if name not in result:
            result.append(name)
    return result


def workable_queues(role: str, member_of: Iterable[str]) -> frozenset[str]:
    """The queues a member with ``role`` may see and act in."""
    if role in ("supervisor", "admin"):
        return frozenset(QUEUES)
    if role == "complaints":
        return frozenset({"complaints"})
    if role == "agent":
        return frozenset(member_of) & frozenset(QUEUES)
    return frozenset()


def can_act(role: str, member_of: Iterable[str], queue: str) -> bool:
    return queue in workable_queues(role, member_of)


def may(role: str, capability: Capability) -> bool:
    return capability in _CAPABILITIES.get(role, frozenset())


def takes_new_work(role: str, member_of: Iterable[str], queue: str) -> bool:
    """Whether automatic assignment ("least loaded") may hand a case of ``queue`` to this member:
    they must belong to the queue (not merely be allowed in it) and be allowed to act there."""
    return queue in set(member_of) and can_act(role, member_of, queue)
