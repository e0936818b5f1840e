"""Accuracy and speed of bot.nlu on the labelled sets.

Usage: python bench/nlu_accuracy.py [--errors] [FILE.jsonl ...]

Without files it measures the shared sample (tests/nlu/data/sample.jsonl, labelled for
2026-12-02) and our own cases (tests/nlu/data/cases.jsonl, which may carry a per-line
"today"), each separately: per-intent precision / recall, overall accuracy, exactness of
promise_date and amount on lines labelled promise_to_pay, and classifications per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.nlu import INTENTS, classify  # noqa: E402  (after the path fix-up above)

DATA = ROOT / "tests" / "nlu" / "data"
DEFAULT_FILES = (
    DATA / "sample.jsonl",
    DATA / "cases.jsonl",
    DATA / "reviewer_a.jsonl",
    DATA / "reviewer_b.jsonl",
)
SAMPLE_TODAY = dt.date(2026, 12, 2)


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    intent: str
    promise_date: dt.date | None
    amount: Decimal | None
    today: dt.date


def load(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Case(
                text=row["text"],
                intent=row["intent"],
                promise_date=dt.date.fromisoformat(row["promise_date"]) if row["promise_date"] else None,
                amount=Decimal(str(row["amount"])) if row["amount"] is not None else None,
                today=dt.date.fromisoformat(row["today"]) if row.get("today") else SAMPLE_TODAY,
            )
        )
    return cases


def report(name: str, cases: list[Case], show_errors: bool) -> None:
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    promises = date_ok = amount_ok = correct = 0
    errors = []
    for case in cases:
        got = classify(case.text, case.today)
        predicted[got.intent] += 1
        actual[case.intent] += 1
        if got.intent == case.intent:
            tp[case.intent] += 1
            correct += 1
        if case.intent == "promise_to_pay":
            promises += 1
            date_ok += got.promise_date == case.promise_date
            amount_ok += got.amount == case.amount
        if (got.intent, got.promise_date, got.amount) != (case.intent, case.promise_date, case.amount):
            errors.append((case, got))

    print(f"\n== {name}: {len(cases)} replies ==")
    print(f"{'intent':<16}{'support':>8}{'precision':>11}{'recall':>8}")
    for intent in INTENTS:
        if not (actual[intent] or predicted[intent]):
            continue
        precision = tp[intent] / predicted[intent] if predicted[intent] else 0.0
        recall = tp[intent] / actual[intent] if actual[intent] else 0.0
        print(f"{intent:<16}{actual[intent]:>8}{precision:>11.1%}{recall:>8.1%}")
    print(f"intent accuracy      {correct}/{len(cases)} = {correct / len(cases):.1%}")
    if promises:
        print(f"promise_date exact   {date_ok}/{promises} = {date_ok / promises:.1%}")
        print(f"amount exact         {amount_ok}/{promises} = {amount_ok / promises:.1%}")
    fully = len(cases) - len(errors)
    print(f"all fields right     {fully}/{len(cases)} = {fully / len(cases):.1%}")
    if show_errors:
        for case, got in errors:
            print(
                f"  ✗ {case.text!r} (today {case.today}): want {case.intent} {case.promise_date} {case.amount}"
                f" | got {got.intent} {got.promise_date} {got.amount} also={list(got.also)}"
            )


def throughput(cases: list[Case], seconds: float = 1.0) -> float:
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for case in cases:
            classify(case.text, case.today)
        done += len(cases)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--errors", action="store_true", help="list every misclassified reply")
    args = parser.parse_args()
    everything: list[Case] = []
    for path in args.files:
        cases = load(path)
        everything.extend(cases)
        report(path.name, cases, args.errors)
    print(f"\nthroughput: {throughput(everything):,.0f} classifications/second (single thread)")


if __name__ == "__main__":
    main()
