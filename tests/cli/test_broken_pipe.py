"""Every command that prints exits quietly when its reader goes away (``duebot … | head``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "args",
    [
        ("templates", "list"),
        ("templates", "check"),
        ("classify",),
    ],
)
def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "empty.env").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    env.update(PYTHONPATH=str(ROOT), DUEBOT_ENV_FILE=str(tmp_path / "empty.env"))
    stdin = "\n".join(["I will pay on Friday"] * 2000) if args == ("classify",) else ""
    # `| head -1`: the reader takes one line and closes the pipe.
    command = " ".join([sys.executable, "-m", "bot.cli", *args]) + " | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], input=stdin, cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1
