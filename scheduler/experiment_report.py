"""An experiment's status: its figures per arm and the verdict, read from what was sent."""

from __future__ import annotations

from typing import Any

from config.policy import Policy
from scheduler.experiment_stats import count_arms, experiment_status
from storage.experiments import experiment_reach, stopped_arms


class UnknownExperiment(LookupError):
    pass


async def status_of(policy: Policy, name: str) -> dict[str, Any]:
    experiment = policy.experiments.get(name)
    if experiment is None:
        known = ", ".join(sorted(policy.experiments)) or "none in the policy"
        raise UnknownExperiment(f"no experiment {name!r} (known: {known})")
    stopped = {arm for exp, arm in await stopped_arms() if exp == name}
    arms = count_arms(experiment, await experiment_reach(name, experiment.start), stopped)
    status = experiment_status(name, experiment, arms)
    status.update(kinds=list(experiment.kinds), start=experiment.start.isoformat(), end=experiment.end.isoformat())
    return status


def status_lines(status: dict[str, Any]) -> list[str]:
    """The status as a table for a terminal."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.1f}%"

    lines = [
        f"experiment {status['experiment']}: {', '.join(status['kinds'])}, {status['start']} to {status['end']}, "
        f"metric {status['metric']}",
        f"{'arm':12} {'state':8} {'borrowers':>9} {'messages':>8} {'metric':>8} {'95% interval':>17} "
        f"{'vs control':>10} {'95% interval':>17} {'p':>6} {'opt-out':>8} {'complaint':>9}",
    ]
    for arm in status["arms"]:
        metric, diff = arm["metric"], arm["diff"]
        interval = f"{pct(metric['low'])}..{pct(metric['high'])}" if metric["rate"] is not None else "-"
        diff_interval = f"{pct(diff['low'])}..{pct(diff['high'])}" if diff["value"] is not None else "-"
        lines.append(
            f"{arm['arm']:12} {arm['state']:8} {arm['borrowers']:>9} {arm['messages']:>8} {pct(metric['rate']):>8} "
            f"{interval:>17} {pct(diff['value']):>10} {diff_interval:>17} "
            f"{'-' if diff['p'] is None else format(diff['p'], '.3f'):>6} {pct(arm['opt_out_rate']):>8} "
            f"{pct(arm['complaint_rate']):>9}"
        )
    lines.append(f"verdict: {status['verdict']}")
    return lines
