"""``duebot preview`` and ``duebot experiment status`` from the command line: formats and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.reports.test_report_command import book_env, report  # noqa: F401  (the module's book)


def duebot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_preview_formats(book_env: dict[str, str]) -> None:  # noqa: F811
    result = duebot(book_env, "preview", "--date", "2031-06-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body == {
        "date": "2031-06-01",
        "items": [],
        "totals": {"send": 0, "held": 0, "by_tier": {}, "by_channel": {}, "by_rule": {}},
    }
    table = duebot(book_env, "preview", "--date", "2031-06-01")
    assert table.returncode == 0 and "preview of 2031-06-01" in table.stdout
    as_csv = duebot(book_env, "preview", "--date", "2031-06-01", "--format", "csv")
    header = next(csv.reader(io.StringIO(as_csv.stdout)))
    assert header == ["borrower_id", "loan_ids", "tier", "channel", "local_time", "template", "arm", "amount",
                      "outcome", "rule", "reason"]  # fmt: skip


def test_preview_of_a_past_day_is_a_usage_error(book_env: dict[str, str]) -> None:  # noqa: F811
    result = duebot(book_env, "preview", "--date", "2020-01-01")
    assert result.returncode == 2 and "2020-01-01 is in the past" in result.stderr
    bad = duebot(book_env, "preview", "--date", "soon")
    assert bad.returncode == 2 and "'soon' is not a date" in bad.stderr


def test_experiment_status_of_an_unknown_experiment(book_env: dict[str, str]) -> None:  # noqa: F811
    result = duebot(book_env, "experiment", "status", "t9")
    assert result.returncode == 2 and "no experiment 't9'" in result.stderr


def test_experiment_status_as_json(book_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    lender = tmp_path / "templates"
    lender.mkdir()
    (lender / "before_due.sms.en@firm.j2").write_text(
        "{{ lender_name }}: {{ borrower_name }}, pay {{ total }} by {{ due_date }}. Reply STOP to opt out"
    )
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[experiments.t1-tone]\nkinds = ["before_due"]\narms = { control = 50, firm = 50 }\n'
        "start = 2026-12-01\nend = 2027-01-31\n"
    )
    env = {**book_env, "DUEBOT_POLICY_FILE": str(policy), "DUEBOT_TEMPLATES_DIR": str(lender)}
    result = duebot(env, "experiment", "status", "t1-tone", "--format", "json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["experiment"] == "t1-tone" and status["verdict"] == "collecting"
    assert [a["arm"] for a in status["arms"]] == ["control", "firm"]
    assert set(status["arms"][1]) == {"arm", "borrowers", "messages", "metric", "diff", "opt_out_rate",
                                      "complaint_rate", "state"}  # fmt: skip
    table = duebot(env, "experiment", "status", "t1-tone")
    assert "verdict: collecting" in table.stdout
    # A variant no template offers stops start-up naming the key.
    (lender / "before_due.sms.en@firm.j2").unlink()
    broken = duebot(env, "templates", "check")
    assert broken.returncode == 3 and "experiments.t1-tone.arms.firm" in broken.stderr
