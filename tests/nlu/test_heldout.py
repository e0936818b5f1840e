"""Reply understanding on replies it was never tuned or trained on.

``heldout/set_g.jsonl``: 300 replies (110 complaints) written blind to shared/nlu/README.md by a
reviewer who never saw the code, after the rules had been tuned on sets C–F. Nothing in bot/nlu was
tuned on it and the learned complaint layer was not trained on it (it lives outside tests/nlu/data,
which the training script reads). Measured when it arrived: complaint recall 79.1% with the rules
and the grievance net, 97.3% with the learned layer; precision 93.9%; no unsafe promise. These
figures are a floor: a change that loses held-out recall, or reads a complaint, dispute, opt-out or
hardship as a promise, fails here even if every tuned set still passes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bot.nlu import classify

HELDOUT = Path(__file__).resolve().parent / "heldout" / "set_g.jsonl"
UNSAFE = frozenset({"complaint", "dispute", "opt_out", "hardship"})


def test_held_out_complaints_are_caught_and_nothing_unsafe_is_read_as_a_promise() -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = [(row, classify(row["text"], dt.date.fromisoformat(row["today"])).intent) for row in rows]
    complaints = [got for row, got in results if row["intent"] == "complaint"]
    flagged = [row["intent"] for row, got in results if got == "complaint"]
    recall = sum(got == "complaint" for got in complaints) / len(complaints)
    precision = sum(label == "complaint" for label in flagged) / len(flagged)
    unsafe = [row["text"] for row, got in results if got == "promise_to_pay" and row["intent"] in UNSAFE]
    accuracy = sum(got == row["intent"] for row, got in results) / len(results)
    assert len(complaints) == 110
    assert recall >= 0.97, f"held-out complaint recall {recall:.1%}"
    assert precision >= 0.93, f"held-out complaint precision {precision:.1%}"
    assert unsafe == []
    assert accuracy >= 0.92, f"held-out intent accuracy {accuracy:.1%}"
