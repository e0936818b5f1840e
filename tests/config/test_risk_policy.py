"""The risk policy: the scorecard (``[risk]``) and the early-warning rules (``[warnings]``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.policy import load_policy


def test_the_defaults() -> None:
    policy = load_policy()
    assert policy.risk.bands == {"A": (0, 29), "B": (30, 59), "C": (60,)}
    assert [policy.risk.tier_for(s) for s in (0, 29, 30, 59, 60, 10_000)] == ["A", "A", "B", "B", "C", "C"]
    assert policy.risk.points.warning_orange >= policy.risk.bands["B"][0]  # any orange warning: not A
    assert policy.risk.points.overdue_late >= policy.risk.bands["C"][0]  # 91+ days past due: C
    assert policy.warnings.broken_promises.level_for(2) == "orange"
    assert policy.warnings.broken_promises.level_for(3) == "red"
    assert policy.routing.route("early_warning").queue == "collections"


@pytest.mark.parametrize(
    ("toml", "named", "says"),
    [
        ("[risk.points]\nfoo = 3\n", "risk.points.foo", "unknown signal 'foo'; allowed: broken_promises"),
        ("[risk.points]\noverdue_late = -1\n", "risk.points.overdue_late", "greater than or equal to 0"),
        ("[risk]\nbands = { A = [0, 29], B = [31, 59], C = [60] }\n", "risk.bands", "B starts at 31: it leaves a gap"),
        ("[risk]\nbands = { A = [0, 29], B = [25, 59], C = [60] }\n", "risk.bands", "overlaps the band before"),
        ("[risk]\nbands = { A = [1, 29], B = [30, 59], C = [60] }\n", "risk.bands", "band A starts at 1"),
        ("[risk]\nbands = { A = [0, 29], B = [30, 59], C = [60, 61] }\n", "risk.bands", "band C ends at 61"),
        ("[risk]\nbands = { B = [30] }\n", "risk.bands", "band B must be [lowest, highest]"),
        ("[risk]\nbands = { A = [0, 29], B = [30, 59], C = [60], D = [99] }\n", "risk.bands", "exactly the bands"),
        ('[warnings]\nlate_again = { level = "red" }\n', "warnings.late_again", "unknown signal 'late_again'"),
        ('[warnings.dpd_jump]\nlevel = "purple"\n', "warnings.dpd_jump.level", "allowed: yellow, orange, red"),
        ("[warnings.dpd_jump]\nsize = 2\n", "warnings.dpd_jump.size", "not a policy key"),
        ("[warnings.broken_promises]\norange = 3\nred = 2\n", "warnings.broken_promises", "counts must grow"),
        ('[routing]\nrules = [{ kind = "complaint", queue = "complaints" }]\n', "routing", "early_warning"),
    ],
)
def test_a_bad_risk_policy_names_the_key(tmp_path: Path, toml: str, named: str, says: str) -> None:
    override = tmp_path / "policy.toml"
    override.write_text(toml)
    with pytest.raises(ConfigError) as exc:
        load_policy(override)
    assert f"key '{named}'" in str(exc.value)
    assert says in str(exc.value)


def test_a_closed_top_band_reaching_every_score_is_accepted(tmp_path: Path) -> None:
    override = tmp_path / "policy.toml"
    override.write_text("[risk]\nbands = { A = [0, 9], B = [10, 19], C = [20, 100000] }\n")
    policy = load_policy(override)
    assert policy.risk.tier_for(15) == "B"


@pytest.mark.parametrize(
    ("toml", "named"),
    [("[risk.points]\nfoo = 3\n", "risk.points.foo"), ("[risk]\nbands = { B = [31, 59] }\n", "risk.bands")],
)
def test_duebot_exits_3_naming_the_key(tmp_path: Path, toml: str, named: str) -> None:
    from tests.cli.test_import_cli import duebot

    policy = tmp_path / "policy.toml"
    policy.write_text(toml)
    (tmp_path / ".env").write_text(f"DUEBOT_POLICY_FILE={policy}\n")
    result = duebot(tmp_path, "tick", "--now", "2026-12-02T04:00:00Z", dotenv=True)
    assert result.returncode == 3, result.stderr
    assert f"key '{named}'" in result.stderr
