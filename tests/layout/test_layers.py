"""The house's rules, read from the source: dependencies point one way (``bot`` → ``scheduler`` →
``storage`` → ``config``), and the ORM stays in ``storage/``.

ORM use outside ``storage/`` is a known debt (issue 10): the files that still have it are listed
below, and the list may only shrink. A new file that reaches for the ORM fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
LAYERS = ("bot", "scheduler", "storage", "config")  # each may import only those to its right
# Files outside storage/ that still import the ORM or storage.models at run time (issue 10).
ORM_OUTSIDE_STORAGE = frozenset(
    {
        "bot/api/case_actions.py", "bot/api/replies.py", "bot/commands/imports.py", "bot/commands/logcmd.py",
        "bot/commands/tick.py", "bot/console/admin.py", "bot/console/auth.py", "bot/console/case_forms.py",
        "bot/console/case_page.py", "bot/console/common.py", "bot/console/deps.py", "bot/console/records.py",
        "bot/console/render.py", "bot/conversation/apply.py", "bot/conversation/loading.py",
        "bot/conversation/processor.py", "bot/conversation/service.py", "bot/conversation/timeline.py",
        "bot/demo/run.py", "bot/metrics.py", "bot/staff_chat.py", "bot/telegram_bot.py",
        "bot/telegram_invites.py", "bot/webhooks/telegram.py", "scheduler/cycle.py", "scheduler/dispatch.py",
        "scheduler/promises.py", "scheduler/routing.py", "scheduler/sla.py", "scheduler/staff_reply.py",
    }
)  # fmt: skip


def _runtime_imports(path: Path) -> set[str]:
    """Modules a file imports when it runs (imports under ``if TYPE_CHECKING:`` are for types only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_layers_to_its_right(package: str) -> None:
    above = set(LAYERS[: LAYERS.index(package)])
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _sources(package)
        for module in _runtime_imports(path)
        if module.split(".")[0] in above
    }
    assert _sources(package), f"no sources found under {package}/"
    assert not wrong, sorted(wrong)


def test_the_orm_stays_in_storage_and_its_debt_only_shrinks() -> None:
    using = {
        str(path.relative_to(ROOT))
        for package in ("bot", "scheduler", "config")
        for path in _sources(package)
        if any(m == "storage.models" or m.split(".")[0] == "tortoise" for m in _runtime_imports(path))
    }
    new = using - ORM_OUTSIDE_STORAGE
    assert not new, f"the ORM is for storage/ only; put these queries behind storage functions: {sorted(new)}"
    paid_off = ORM_OUTSIDE_STORAGE - using
    assert not paid_off, f"no longer use the ORM: take them off ORM_OUTSIDE_STORAGE: {sorted(paid_off)}"
