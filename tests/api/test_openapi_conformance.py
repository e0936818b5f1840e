"""The API honours its own OpenAPI document: schemathesis, every check, all its phases (stateful too),
with a fixed seed, against the app served over a small book (tests/api/served.py), on each backend.

schemathesis runs as its command line (``schemathesis run``, the README's command) in a subprocess,
reading the repository's schemathesis.toml (its hooks and what the document cannot say); the app
runs in a thread of this process. A failure shows schemathesis's report, with a curl line for each
failing case.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.api.served import TOKEN, served

ROOT = Path(__file__).resolve().parents[2]
# Per operation and phase; the README's command uses more. A run takes some tens of seconds.
MAX_EXAMPLES = 25
SEED = 1


def schemathesis_command() -> str:
    beside = Path(sys.executable).parent / "schemathesis"
    found = str(beside) if beside.exists() else shutil.which("schemathesis")
    assert found, "schemathesis is not installed (pip install -e '.[dev]')"
    return found


def run_schemathesis(base_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            schemathesis_command(),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{base_url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {TOKEN}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--mode",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_schemathesis_finds_no_failure(database_url: str) -> None:
    with served(database_url) as base_url:
        result = run_schemathesis(base_url)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    assert "Stateful" in report, report[-5000:]
