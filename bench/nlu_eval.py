"""Safety-first evaluation of bot.nlu on labelled reply sets (issue 8, item 9).

Usage: python bench/nlu_eval.py [--errors] [--no-net] [FILE.jsonl ...]

Without files it measures every set in tests/nlu/data. For each file it prints one table:
intent accuracy, complaint recall and precision, unsafe promises (a reply labelled
complaint, dispute, opt_out or hardship that is classified promise_to_pay), and the
exactness of promise_date and amount on the replies labelled promise_to_pay. The
grievance safety net (bot/nlu/grievance.py) is measured on its own: the table gives the
complaint recall without it and how many labelled complaints only it caught, and how many
replies it made complaints that are labelled otherwise; so is the learned complaint net
(bot/nlu/learned.py), which runs after it. --no-net measures everything with the grievance net
left out, --no-learned with the learned net left out. With --errors it lists the misclassified replies under each table.

Lines are JSON objects {"text", "intent", "promise_date", "amount"[, "today"]}; a line
without "today" was labelled for 2026-12-02, as the shared sample is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.nlu import classify  # noqa: E402  (after the path fix-up above)
from bot.nlu.classification import Classification  # noqa: E402

DATA = ROOT / "tests" / "nlu" / "data"
SAMPLE_TODAY = dt.date(2026, 12, 2)
# Labels that must never be read as a promise: acting on a promise would keep reminding a
# borrower who complained, disputed, opted out or said they cannot pay.
NEVER_PROMISE = frozenset({"complaint", "dispute", "opt_out", "hardship"})
PROMISE = "promise_to_pay"
COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    intent: str
    promise_date: dt.date | None
    amount: Decimal | None
    today: dt.date


@dataclass(frozen=True, slots=True)
class Figures:
    replies: int
    correct: int
    complaints: int
    complaints_found: int
    complaints_predicted: int
    unsafe: int
    promises: int
    date_ok: int
    amount_ok: int
    found_without_net: int  # labelled complaints found with both nets left out
    net_wrong: int  # replies the grievance net alone made complaints, labelled otherwise
    found_without_learned: int  # labelled complaints found with the learned net left out
    learned_wrong: int  # replies the learned net alone made complaints, labelled otherwise


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


def measure(
    cases: list[Case], net: bool = True, learned: bool = True
) -> tuple[Figures, list[tuple[Case, Classification]]]:
    correct = complaints = found = predicted = unsafe = promises = date_ok = amount_ok = 0
    found_without_net = net_wrong = found_without_learned = learned_wrong = 0
    wrong: list[tuple[Case, Classification]] = []
    for case in cases:
        got = classify(case.text, case.today, grievance_net=net, learned_net=learned)
        no_learned = classify(case.text, case.today, grievance_net=net, learned_net=False)
        without = classify(case.text, case.today, grievance_net=False, learned_net=False)
        found_without_net += case.intent == COMPLAINT and without.intent == COMPLAINT
        net_wrong += no_learned.intent == COMPLAINT != without.intent and case.intent != COMPLAINT
        found_without_learned += case.intent == COMPLAINT and no_learned.intent == COMPLAINT
        learned_wrong += got.intent == COMPLAINT != no_learned.intent and case.intent != COMPLAINT
        correct += got.intent == case.intent
        complaints += case.intent == COMPLAINT
        found += case.intent == COMPLAINT and got.intent == COMPLAINT
        predicted += got.intent == COMPLAINT
        unsafe += case.intent in NEVER_PROMISE and got.intent == PROMISE
        if case.intent == PROMISE:
            promises += 1
            date_ok += got.promise_date == case.promise_date
            amount_ok += got.amount == case.amount
        if (got.intent, got.promise_date, got.amount) != (case.intent, case.promise_date, case.amount):
            wrong.append((case, got))
    figures = Figures(
        len(cases),
        correct,
        complaints,
        found,
        predicted,
        unsafe,
        promises,
        date_ok,
        amount_ok,
        found_without_net,
        net_wrong,
        found_without_learned,
        learned_wrong,
    )
    return figures, wrong


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else "n/a"


def report(name: str, figures: Figures, wrong: list[tuple[Case, Classification]], show_errors: bool) -> None:
    print(f"\n== {name}: {figures.replies} replies ==")
    rows = (
        ("intent accuracy", _ratio(figures.correct, figures.replies)),
        ("complaint recall", _ratio(figures.complaints_found, figures.complaints)),
        ("complaint precision", _ratio(figures.complaints_found, figures.complaints_predicted)),
        ("  recall, rules only", _ratio(figures.found_without_net, figures.complaints)),
        ("  recall, rules + net", _ratio(figures.found_without_learned, figures.complaints)),
        ("  caught by net alone", str(figures.found_without_learned - figures.found_without_net)),
        ("  net false complaints", str(figures.net_wrong)),
        ("  caught by learned", str(figures.complaints_found - figures.found_without_learned)),
        ("  learned false compl.", str(figures.learned_wrong)),
        ("unsafe promises", str(figures.unsafe)),
        ("promise date exact", _ratio(figures.date_ok, figures.promises)),
        ("promise amount exact", _ratio(figures.amount_ok, figures.promises)),
    )
    for label, value in rows:
        print(f"  {label:<24}{value}")
    if show_errors:
        for case, got in wrong:
            flag = "UNSAFE " if case.intent in NEVER_PROMISE and got.intent == PROMISE else ""
            print(
                f"  ✗ {flag}{case.text!r} (today {case.today}): want {case.intent} {case.promise_date} "
                f"{case.amount} | got {got.intent} {got.promise_date} {got.amount} also={list(got.also)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=sorted(DATA.glob("*.jsonl")))
    parser.add_argument("--errors", action="store_true", help="list every reply not classified as labelled")
    parser.add_argument("--no-net", action="store_true", help="leave the grievance safety net out")
    parser.add_argument("--no-learned", action="store_true", help="leave the learned complaint net out")
    args = parser.parse_args()
    for path in args.files:
        figures, wrong = measure(load(path), net=not args.no_net, learned=not args.no_learned)
        report(path.name, figures, wrong, args.errors)


if __name__ == "__main__":
    main()
