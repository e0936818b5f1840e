"""Staff accounts: creating, disabling, passwords, login throttling, and the ``duebot staff`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from storage import staff as accounts
from storage.case_actions import take
from storage.models import Case, LogEntry, StaffUser
from storage.staff import StaffError, authenticate
from tests.staff.conftest import NOW, PASSWORD, Env, open_env, seed_env


async def test_accounts_are_created_once_with_hashed_passwords(env: Env) -> None:
    staff = await accounts.create_staff("amy", "agent", ["hardship", " ", "hardship"], PASSWORD, now=NOW, log=env.log,
                                        actor="cli:root")  # fmt: skip
    assert staff.queues == ["hardship"] and PASSWORD not in staff.password_hash
    with pytest.raises(StaffError, match="already exists"):
        await accounts.create_staff("amy", "agent", [], PASSWORD, now=NOW, log=env.log, actor="cli:root")
    with pytest.raises(StaffError, match="username"):
        await accounts.create_staff("Amy Smith", "agent", [], PASSWORD, now=NOW, log=env.log, actor="cli:root")
    with pytest.raises(StaffError, match="unknown role"):
        await accounts.create_staff("bob", "boss", [], PASSWORD, now=NOW, log=env.log, actor="cli:root")
    with pytest.raises(StaffError, match="at least 10"):
        await accounts.create_staff("bob", "agent", [], "short", now=NOW, log=env.log, actor="cli:root")
    entries = await LogEntry.filter(chain="system").order_by("seq")
    assert [(e.kind, e.actor) for e in entries] == [("staff.created", "cli:root")]
    assert PASSWORD not in entries[0].data


async def test_disabling_ends_sessions_and_returns_open_cases(env: Env) -> None:
    made = await seed_env(env)
    case = await open_env(env, "B1", "hardship")
    await case.fetch_related("borrower", "loan", "assignee")
    await take(case, made["amy"], now=NOW, log=env.log)
    epoch = made["amy"].session_epoch
    await accounts.disable_staff("amy", now=NOW, log=env.log, actor="staff:ada")
    amy = await StaffUser.get(username="amy")
    assert amy.disabled and amy.session_epoch == epoch + 1
    back = await Case.get(id=case.id)
    assert back.assignee_id is None and back.status == "open"
    kinds = await LogEntry.filter(chain="borrower:B1").values_list("kind", "actor")
    assert ("case.unassigned", "staff:ada") in kinds
    result = await authenticate("amy", PASSWORD, "10.0.0.1", now=NOW, policy=env.services.policy, log=env.log)
    assert result.staff is None


async def test_a_password_reset_ends_sessions(env: Env) -> None:
    await accounts.create_staff("amy", "agent", [], PASSWORD, now=NOW, log=env.log, actor="t")
    await accounts.reset_password("amy", "a brand new secret", now=NOW, log=env.log, actor="t")
    amy = await StaffUser.get(username="amy")
    assert amy.session_epoch == 1
    policy = env.services.policy
    assert (await authenticate("amy", PASSWORD, "a", now=NOW, policy=policy, log=env.log)).staff is None
    assert (await authenticate("amy", "a brand new secret", "a", now=NOW, policy=policy, log=env.log)).staff is not None
    with pytest.raises(StaffError, match="no staff account"):
        await accounts.reset_password("nobody", "a brand new secret", now=NOW, log=env.log, actor="t")


async def test_five_wrong_passwords_lock_login_for_a_while(env: Env) -> None:
    await accounts.create_staff("amy", "agent", [], PASSWORD, now=NOW, log=env.log, actor="t")
    policy = env.services.policy
    for i in range(5):
        result = await authenticate("amy", "wrong password", "10.0.0.9", now=NOW + timedelta(seconds=i),
                                    policy=policy, log=env.log)  # fmt: skip
        assert result.staff is None
    assert result.locked_until == NOW + timedelta(seconds=4, minutes=15)
    # Locked: even the right password is refused, from another address too.
    during = await authenticate("amy", PASSWORD, "10.0.0.10", now=NOW + timedelta(minutes=5), policy=policy,
                                log=env.log)  # fmt: skip
    assert during.staff is None and during.locked_until is not None
    after = await authenticate("amy", PASSWORD, "10.0.0.10", now=NOW + timedelta(minutes=16), policy=policy,
                               log=env.log)  # fmt: skip
    assert after.staff is not None and after.staff.username == "amy"
    locks = await LogEntry.filter(chain="system", kind="staff.login_locked").count()
    assert locks == 1


async def test_unknown_usernames_are_throttled_like_real_ones(env: Env) -> None:
    policy = env.services.policy
    for _ in range(5):
        result = await authenticate("ghost", "x", "10.0.0.9", now=NOW, policy=policy, log=env.log)
    assert result.staff is None and result.locked_until is not None


async def test_an_address_guessing_many_names_is_locked(env: Env) -> None:
    policy = env.services.policy
    for i in range(policy.console.login_max_failures * 4):
        result = await authenticate(f"user{i}", "x", "10.9.9.9", now=NOW, policy=policy, log=env.log)
    assert result.locked_until is not None
    await accounts.create_staff("amy", "agent", [], PASSWORD, now=NOW, log=env.log, actor="t")
    assert (await authenticate("amy", PASSWORD, "10.9.9.9", now=NOW, policy=policy, log=env.log)).staff is None
    assert (await authenticate("amy", PASSWORD, "10.1.1.1", now=NOW, policy=policy, log=env.log)).staff is not None


async def test_telegram_links_are_unique(env: Env) -> None:
    amy = await accounts.create_staff("amy", "agent", [], PASSWORD, now=NOW, log=env.log, actor="t")
    carl = await accounts.create_staff("carl", "agent", [], PASSWORD, now=NOW, log=env.log, actor="t")
    await accounts.link_telegram(amy, 555, now=NOW, log=env.log, actor="staff:amy")
    with pytest.raises(StaffError, match="already linked"):
        await accounts.link_telegram(carl, 555, now=NOW, log=env.log, actor="staff:carl")
    await accounts.link_telegram(amy, None, now=NOW, log=env.log, actor="staff:amy")
    await accounts.link_telegram(carl, 555, now=NOW, log=env.log, actor="staff:carl")
    assert (await StaffUser.get(username="carl")).telegram_user_id == 555


def duebot(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DUEBOT_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "DUEBOT_SECRET_KEY": "cli-test-key",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_staff_command(tmp_path: Path) -> None:
    added = duebot(tmp_path, "staff", "add", "amy", "--role", "agent", "--queues", "hardship,collections",
                   "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "created amy" in added.stdout and PASSWORD not in added.stdout + added.stderr
    refused = duebot(tmp_path, "staff", "add", "bob", "--role", "agent", "--queues", "vip", "--password-stdin",
                     stdin=PASSWORD + "\n")  # fmt: skip
    assert refused.returncode == 1 and "unknown queue 'vip'" in refused.stderr
    usage = duebot(tmp_path, "staff", "add", "bob", "--role", "boss")
    assert usage.returncode == 2
    queues = duebot(tmp_path, "staff", "set-queues", "amy", "complaints")
    assert queues.returncode == 0
    listed = duebot(tmp_path, "staff", "list")
    assert listed.returncode == 0
    assert [line.split()[:4] for line in listed.stdout.splitlines()[1:]] == [
        ["amy", "agent", "complaints", "available"]
    ]
    disabled = duebot(tmp_path, "staff", "disable", "nobody")
    assert disabled.returncode == 1 and "no staff account named 'nobody'" in disabled.stderr
    assert duebot(tmp_path, "staff", "disable", "amy").returncode == 0
    assert "disabled" in duebot(tmp_path, "staff", "list").stdout
    assert duebot(tmp_path, "staff", "enable", "amy").returncode == 0
    assert "available" in duebot(tmp_path, "staff", "list").stdout
    log = duebot(tmp_path, "log", "verify")
    assert log.returncode == 0 and "4 entries" in log.stdout
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("cli.sqlite3*") if p.is_file())
    assert b"scrypt$" in stored and PASSWORD.encode() not in stored
