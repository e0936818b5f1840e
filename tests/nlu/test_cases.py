"""Our own labelled replies (data/cases.jsonl), written to the README conventions.

They were labelled by hand from the conventions, several batches of them before the
classifier had seen them; a per-line "today" exercises month ends, year ends, the
2028 leap day and Sundays.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.nlu import INTENTS, PRECEDENCE, classify
from tests.nlu.support import Labelled, load

# reviewer_a.jsonl: 418 replies written to the conventions by a reviewer who never saw the
# classifier or cases.jsonl. Measured before any rule was touched for them: 93.3% of intents,
# 99.2% of promise dates and 96.8% of amounts right; the fixes are general rules, not per line.
# reviewer_b.jsonl: 324 more by a second reviewer, in other voices (regional English, voice-to-text,
# long messages), measured on the classifier that had learned from reviewer_a: 94.4% of intents,
# 92.3% of promise dates and 97.1% of amounts right before the rules were touched for them.
# reviewer_c.jsonl and reviewer_d.jsonl: 320 each, written blind for complaints that do not say
# "complaint" (charges called extortionate, being ignored, regulators / lawyers / the press, contact
# with family or work or too often), their hard negatives, and, in reviewer_d, Traditional characters
# and Cantonese. Measured before any rule was touched for them (bench/nlu_eval.py): reviewer_c 75.9%
# of intents, complaint recall 53.8% (70/130), precision 92.1%, 10 unsafe promises (a complaint,
# dispute, opt-out or hardship read as a promise), 89.6% of promise dates and 97.9% of amounts right;
# reviewer_d 74.1% of intents, complaint recall 56.7% (68/120), precision 90.7%, 6 unsafe promises,
# 91.2% of promise dates and 98.2% of amounts right.
# reviewer_e.jsonl: 300 more, written blind by a reviewer who never saw the code, after the rules had
# reached 100% on reviewer_c and reviewer_d; it showed those rules were partly fitted to their lines.
# The same kinds of complaint in other words (charges called loan-sharking or robbery, the runaround
# and chatbot loops, an MP, Citizens Advice, review sites, the police, contacts lists, night calls,
# sarcasm), hard negatives, and regional English (Irish, Scots, Nigerian Pidgin, Singlish, Taglish).
# Measured before any rule was touched for it (bench/nlu_eval.py): 87.0% of intents, complaint
# recall 84.5% (93/110), precision 96.9%, 3 unsafe promises, 90.4% of promise dates and 96.2% of
# amounts right. Labels are the reviewer's; none was corrected.
# reviewer_f.jsonl: 300 more, written blind by a reviewer who never saw the code or the earlier sets'
# rules, after reviewer_e had been brought to 100%: complaints in yet other words (formal letters, gig and
# farm workers, slang and internet Chinese such as yygq, 还有脸, 真nb), complaints that also promise,
# extension requests phrased as a question about paying ("can I pay next week instead?"), a guarantor who
# is not the borrower, Cantonese and regional Mandarin. Measured before any rule was touched for it
# (bench/nlu_eval.py): 86.3% of intents, complaint recall 86.4% (95/110), precision 99.0%, 5 unsafe
# promises, 85.7% of promise dates and 96.8% of amounts right: phrase-by-phrase tuning on C, D and E had
# not generalised. The answer was the grievance safety net (bot/nlu/grievance.py), which alone caught 12
# of the 15 missed complaints, plus general rules for the rest. Labels are the reviewer's; none was
# corrected (none plainly contradicts shared/nlu/README.md; "sb吧 我啥时候借过你们钱" stays a dispute:
# an insult is not a complaint about treatment, fees, contact or staff).
CASES = (
    load("cases.jsonl")
    + load("reviewer_a.jsonl")
    + load("reviewer_b.jsonl")
    + load("reviewer_c.jsonl")
    + load("reviewer_d.jsonl")
    + load("reviewer_e.jsonl")
    + load("reviewer_f.jsonl")
)
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Labelled honestly, still misclassified: kept visible instead of deleted. strict=True
# makes the test fail the day one of them starts passing, so this list stays true.
KNOWN_FAILURES: dict[str, str] = {
    "I will pay on fry day": "voice-to-text 'fry day' for Friday is not read as a date",
}


def _param(case: Labelled) -> object:
    reason = KNOWN_FAILURES.get(case.text)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


def test_known_failures_are_in_the_data() -> None:
    assert set(KNOWN_FAILURES) <= {c.text for c in CASES}


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: Labelled) -> None:
    got = classify(case.text, case.today)
    assert (got.intent, got.promise_date, got.amount) == (case.intent, case.promise_date, case.amount)


def test_cases_cover_every_intent_in_both_languages() -> None:
    assert len(CASES) >= 400
    per_intent = Counter(c.intent for c in CASES)
    assert set(per_intent) == set(INTENTS)
    assert min(per_intent.values()) >= 14
    chinese = [c for c in CASES if _HAN.search(c.text)]
    assert len(chinese) >= 100
    assert {c.intent for c in chinese} == set(INTENTS)


def test_cases_use_many_todays_including_edges() -> None:
    todays = {c.today.isoformat() for c in CASES}
    assert {"2026-12-31", "2028-02-29", "2026-01-31", "2026-11-30", "2027-02-28"} <= todays
    assert any(c.today.weekday() == 6 for c in CASES)  # a Sunday


def test_labels_only_carry_dates_and_amounts_for_promises() -> None:
    for case in CASES:
        if case.intent != "promise_to_pay":
            assert case.promise_date is None and case.amount is None, case.id
        if case.promise_date is not None:
            assert case.promise_date >= case.today, case.id


@pytest.mark.parametrize("case", CASES[::7], ids=[c.id for c in CASES[::7]])
def test_also_lists_other_intents_in_precedence_order(case: Labelled) -> None:
    got = classify(case.text, case.today)
    assert got.intent not in got.also
    assert list(got.also) == sorted(got.also, key=PRECEDENCE.__getitem__)
    assert len(set(got.also)) == len(got.also)
    if got.intent == "other":
        assert got.also == ()
    else:
        assert all(PRECEDENCE[got.intent] < PRECEDENCE[i] for i in got.also)
