"""Layer 4c: the learned complaint net, run after the rules and the grievance net.

Phrase tables, however often tuned, meet new wordings on every fresh set of replies. This
layer is a small logistic regression (complaint vs not), trained offline from the labelled
sets by ``bench/train_complaint_model.py`` (plain SGD, fixed seed) and shipped as
``complaint_model.json`` next to this module. Its features are read from the normalised reply
(so Traditional characters and Cantonese arrive as Simplified Mandarin):

* English: words (digits folded to ``#``) and word bigrams, plus ``?`` and ``!``;
* Chinese: character 1-, 2- and 3-grams of each run of CJK characters.

It only ever *adds* complaint evidence, never takes any away, runs only when no rule and no
grievance-net cue said complaint, and fires only above a high probability threshold stored
with the weights (chosen by leave-one-set-out over the labelled sets, see the training
script). The weights are loaded once, on first use.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Final

from .cue import MEDIUM, Cue
from .lazyre import lazy

MODEL_PATH: Final = Path(__file__).resolve().with_name("complaint_model.json")

# The evidence this layer adds: one named cue, weighted like a medium-strength rule. Its pattern
# never matches: ``is_complaint`` decides, and the classifier adds this cue when it does.
LEARNED: Final = Cue("complaint", MEDIUM, "en", lazy(r"(?!)"))

_WORD: Final = re.compile(r"[a-z0-9']+|[?!]")
_DIGITS: Final = re.compile(r"\d+")
_HAN: Final = re.compile(r"[\u3400-\u9fff]+")


def features(normalized: str) -> set[str]:
    """The binary features of one normalised reply (see the module docstring)."""
    feats: set[str] = set()
    words = [_DIGITS.sub("#", w) for w in _WORD.findall(normalized)]
    for i, word in enumerate(words):
        feats.add("w:" + word)
        if i:
            feats.add("b:" + words[i - 1] + " " + word)
    for run in _HAN.findall(normalized):
        for n in (1, 2, 3):
            for i in range(len(run) - n + 1):
                feats.add("c:" + run[i : i + n])
    return feats


class Model:
    """Logistic-regression weights over ``features`` and the threshold the layer fires at."""

    __slots__ = ("bias", "threshold", "weights")

    def __init__(self, bias: float, weights: dict[str, float], threshold: float) -> None:
        self.bias = bias
        self.weights = weights
        self.threshold = threshold

    def probability(self, normalized: str) -> float:
        """P(complaint) for one normalised reply."""
        return self.probability_of(features(normalized))

    def probability_of(self, feats: Iterable[str]) -> float:
        """P(complaint) for the features of one reply."""
        weights = self.weights
        z = self.bias + sum(weights.get(f, 0.0) for f in feats)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def to_json(self) -> dict[str, object]:
        return {
            "format": 1,
            "kind": "logistic regression, complaint vs not",
            "threshold": self.threshold,
            "bias": self.bias,
            "weights": self.weights,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        weights = data["weights"]
        assert isinstance(weights, dict)
        bias, threshold = data["bias"], data["threshold"]
        assert isinstance(bias, int | float) and isinstance(threshold, int | float)
        return cls(float(bias), {str(k): float(v) for k, v in weights.items()}, float(threshold))


@cache
def model() -> Model:
    """The shipped model, read once from ``complaint_model.json``."""
    return Model.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def is_complaint(normalized: str) -> bool:
    """Whether the learned layer reads the normalised reply as a complaint."""
    m = model()
    return m.probability(normalized) >= m.threshold


__all__ = ["LEARNED", "MODEL_PATH", "Model", "features", "is_complaint", "model"]
