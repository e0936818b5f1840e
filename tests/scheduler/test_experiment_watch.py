"""An experiment's figures per arm, and a guardrail that stops a challenger by itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from scheduler.experiment_report import status_of
from scheduler.experiment_watch import GuardrailWatch
from scheduler.experiments import arm_for
from scheduler.plan_step import PlanStep
from storage.counters import CounterBatch
from storage.experiments import stopped_arms
from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog, LogEvent
from storage.loanbook import parse_loans_csv, parse_payments_csv
from storage.models import Borrower, Installment, LogEntry, Message, MessageItem
from tests.conftest import SECRET
from tests.dispatch.support import make_policy
from tests.flows.conftest import HEADER

SENT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, T-3 of a 10 December due date
EXPERIMENT: dict[str, Any] = {
    "kinds": ["before_due"],
    "arms": {"control": 50, "firm": 50},
    "start": date(2026, 12, 1),
    "end": date(2027, 1, 31),
    "metric": "paid_by_due",
    "guardrails": {"opt_out_rate": 0.05, "complaint_rate": 0.05},
    "min_borrowers": 20,
}


async def reach_everyone(count: int) -> tuple[Any, InteractionLog, dict[str, str]]:
    """``count`` borrowers, each sent one T-3 reminder under the experiment; a third of control's
    and two thirds of firm's pay on time; firm's borrowers opt out a quarter of the time."""
    policy = make_policy(experiments={"t1": EXPERIMENT})
    log = InteractionLog(SECRET)
    ids = [f"B{n:03d}" for n in range(count)]
    rows = "".join(
        f"{b},Name {b},+86138001{n:05d},,zh,Asia/Shanghai,sms,L{b},consumer,CNY,1,2026-12-10,100.00\n"
        for n, b in enumerate(ids)
    )
    await import_loan_rows(parse_loans_csv(HEADER + rows).rows, now=SENT - timedelta(days=30), log=log)
    arms = {b: arm_for("t1", policy.experiments["t1"], b) for b in ids}
    payments = "payment_id,loan_id,amount,paid_at\n"
    words: dict[str, dict[str, str]] = {"control": {}, "firm": {"variant": "firm"}}
    for n, b in enumerate(ids):
        borrower = await Borrower.get(borrower_id=b)
        message = await Message.create(
            borrower=borrower, direction="out", channel="sms", kind="before_due", tier="T-3", status="delivered",
            idempotency_key=f"reminder:{b}:T-3:2026-12-07", sent_at=SENT, created_at=SENT, updated_at=SENT,
            payload={"risk_tier": "B", "experiment": "t1", "arm": arms[b], **words[arms[b]]},
        )  # fmt: skip
        installment = await Installment.get(loan__loan_id=f"L{b}")
        await MessageItem.create(message=message, installment_id=installment.id, item_key=f"{installment.id}:t")
        if n % 3 == 0 or (arms[b] == "firm" and n % 3 == 1):
            payments += f"P{b},L{b},100.00,2026-12-09T10:00:00+08:00\n"
        if arms[b] == "firm" and n % 4 == 0:
            await log.append(
                LogEvent("borrower.contact_changed", SENT + timedelta(hours=1), b,
                         data={"field": "sms_opted_out", "value": True, "because": "the borrower asked to stop"})
            )  # fmt: skip
    await import_payment_rows(parse_payments_csv(payments).rows, now=SENT + timedelta(days=3), log=log)
    return policy, log, arms


async def test_status_per_arm(db: str) -> None:
    policy, _log, arms = await reach_everyone(60)
    status = await status_of(policy, "t1")
    by_arm = {a["arm"]: a for a in status["arms"]}
    control_ids = [b for b, a in arms.items() if a == "control"]
    firm_ids = [b for b, a in arms.items() if a == "firm"]
    assert by_arm["control"]["borrowers"] == len(control_ids) and by_arm["firm"]["borrowers"] == len(firm_ids)
    paid_control = sum(1 for b in control_ids if int(b[1:]) % 3 == 0)
    metric = by_arm["control"]["metric"]
    assert metric["rate"] == round(paid_control / len(control_ids), 4)
    assert metric["low"] < metric["rate"] < metric["high"]
    firm = by_arm["firm"]
    paid_firm = sum(1 for b in firm_ids if int(b[1:]) % 3 in (0, 1))
    assert firm["diff"]["value"] == round(paid_firm / len(firm_ids) - paid_control / len(control_ids), 4)
    assert 0 < firm["diff"]["p"] < 1 and firm["diff"]["low"] < firm["diff"]["value"] < firm["diff"]["high"]
    assert firm["opt_out_rate"] == round(sum(1 for b in firm_ids if int(b[1:]) % 4 == 0) / len(firm_ids), 4)
    assert by_arm["control"]["opt_out_rate"] == 0.0
    assert [a["state"] for a in status["arms"]] == ["control", "running"]
    assert set(status) >= {"experiment", "arms", "verdict"} and status["experiment"] == "t1"


async def test_a_guardrail_stops_a_challenger_that_draws_opt_outs(db: str) -> None:
    policy, log, _arms = await reach_everyone(60)
    told: list[str] = []

    async def tell(text: str) -> None:
        told.append(text)

    watch = GuardrailWatch(policy, log, tell)
    assert await watch(SENT + timedelta(days=3)) == {"arms_stopped": 1}
    assert await stopped_arms() == {("t1", "firm")}
    assert len(told) == 1 and "arm firm stopped" in told[0] and "opt-out rate" in told[0]
    entry = await LogEntry.get(kind="experiment.arm_stopped")
    assert entry.chain == "system" and '"arm":"firm"' in entry.data
    assert (await status_of(policy, "t1"))["verdict"] == "arm firm stopped by guardrail"
    # Once only, and from then on the planner gives firm's borrowers control's words.
    assert await watch(SENT + timedelta(days=4)) == {"arms_stopped": 0}
    planner = PlanStep(
        policy=policy, log=log, counters=CounterBatch(), pace={"sms": 1000.0},
        has_variant=lambda kind, channel, locale, variant: True,
    )  # fmt: skip
    await planner.run(datetime(2026, 12, 9, 2, 0, tzinfo=UTC))  # T-1 day in Shanghai
    firm_t1 = await Message.filter(tier="T-1").values_list("payload", flat=True)
    firm_words = [p for p in firm_t1 if p.get("arm") == "firm"]  # type: ignore[union-attr]
    assert firm_words and all("variant" not in p for p in firm_words)  # type: ignore[operator]


async def test_too_few_borrowers_is_collecting_and_never_stops(db: str) -> None:
    policy, log, _arms = await reach_everyone(16)
    assert await GuardrailWatch(policy, log)(SENT + timedelta(days=3)) == {"arms_stopped": 0}
    assert (await status_of(policy, "t1"))["verdict"] == "collecting"


async def test_the_report_groups_the_indicators_by_arm(db: str) -> None:
    from scheduler.portfolio import ReportError, ReportRequest, report_request
    from scheduler.report import build_report

    policy, _log, arms = await reach_everyone(30)
    request = ReportRequest(date(2026, 12, 1), date(2026, 12, 10), by="arm", experiment="t1")
    report = await build_report(request, policy)
    groups = {g["key"]["arm"]: g["indicators"] for g in report["groups"]}
    assert sorted(groups) == ["control", "firm"] and report["experiment"] == "t1"
    for arm, figures in groups.items():
        mine = [b for b, a in arms.items() if a == arm]
        paid = [b for b in mine if int(b[1:]) % 3 == 0 or (arm == "firm" and int(b[1:]) % 3 == 1)]
        assert figures["collected_amount"] == {"CNY": f"{len(paid) * 100}.00"}
        assert figures["messages_sent"] == {"sms": len(mine), "telegram": 0}
        assert figures["buckets"]["paid_off"] == len(paid)
    for wrong, why in [
        ({"by": "arm"}, "go together"),
        ({"experiment": "t1"}, "go together"),
        ({"by": "arm", "experiment": "t9"}, "no experiment 't9'"),
    ]:
        args = {"since": None, "until": None, "every": None, "by": None, "experiment": None, **wrong}
        try:
            report_request(today=date(2026, 12, 20), experiments=policy.experiments, **args)  # type: ignore[arg-type]
        except ReportError as exc:
            assert why in str(exc)
        else:
            raise AssertionError(f"{wrong} was accepted")
