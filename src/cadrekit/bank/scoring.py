"""Score one response against one item's key.

The single scoring function: practice feedback and the grader both call ``score``, so what a
trainee sees in practice is exactly what an exam would award. Pure: no I/O, no widgets.

Credit rules (also in the README):
- single, truefalse: all or nothing.
- multiple: any wrong option selected gives 0; otherwise points x (correct options selected /
  correct options), so a complete answer earns full points and an incomplete one part.
- fill: each blank is worth an equal share; a blank is right when, after NFKC normalization,
  whitespace removal and case folding, it equals one of the accepted answers.
- ordering: each adjacent pair of the key (n - 1 pairs) that the response also has next to each
  other in the same order is worth an equal share.
- matching: each prompt matched to its key option is worth an equal share.
Earned points are rounded to two decimals.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from cadrekit.bank.model import Item

CORRECT, PARTIAL, WRONG, UNANSWERED = "correct", "partial", "wrong", "unanswered"


@dataclass(frozen=True)
class Score:
    earned: float
    possible: float
    status: str


def score(item: Item, response: Any) -> Score:
    """Points earned by ``response`` (as stored in the answers file) on ``item``."""
    if not item.has_key:
        raise ValueError(f"item {item.id} has no answer key")
    if is_blank(item, response):
        return Score(0.0, item.points, UNANSWERED)
    if not well_formed(item, response):
        return Score(0.0, item.points, WRONG)  # a hand-edited answers file earns nothing
    fraction = _FRACTION[item.type](item, response)
    earned = round(item.points * fraction, 2)
    if fraction >= 1:
        status = CORRECT
    elif fraction > 0:
        status = PARTIAL
    else:
        status = WRONG
    return Score(earned, item.points, status)


def is_blank(item: Item, response: Any) -> bool:
    """True when the trainee has not answered any part of the item."""
    if response is None:
        return True
    if item.type == "single":
        return response == ""
    if isinstance(response, dict):
        return not any(v not in (None, "") for v in response.values())
    if isinstance(response, list):
        return not any(v not in (None, "") for v in response)
    return False


def well_formed(item: Item, response: Any) -> bool:
    """Whether a response has the shape the widgets produce for this item type."""
    def ids(values: Any, allow_none: bool) -> bool:
        return all(isinstance(v, str) or (allow_none and v is None) for v in values)

    if item.type == "single":
        return isinstance(response, str)
    if item.type == "truefalse":
        return isinstance(response, bool)
    if item.type == "multiple":
        return isinstance(response, list) and ids(response, False) and len(set(response)) == len(response)
    if item.type == "fill":
        return isinstance(response, list) and len(response) == len(item.answer) and ids(response, True)
    if item.type == "ordering":
        return isinstance(response, list) and len(response) == len(item.answer) and ids(response, True)
    if item.type == "matching":
        return isinstance(response, dict) and ids(response.keys(), False) and ids(response.values(), True)
    return False


def normalize_text(text: Any) -> str:
    """Fill-in comparison form: NFKC (full-width to half-width), no whitespace, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(folded.split())


def _single(item: Item, response: Any) -> float:
    return 1.0 if response == item.answer else 0.0


def _truefalse(item: Item, response: Any) -> float:
    return 1.0 if response is item.answer else 0.0


def _multiple(item: Item, response: Any) -> float:
    chosen = set(response)
    key = set(item.answer)
    if chosen - key:
        return 0.0
    return len(chosen & key) / len(key)


def _fill(item: Item, response: Any) -> float:
    right = sum(given is not None and normalize_text(given) in {normalize_text(a) for a in accepted}
                for given, accepted in zip(response, item.answer, strict=True))
    return right / len(item.answer)


def _ordering(item: Item, response: Any) -> float:
    key_pairs = list(zip(item.answer, item.answer[1:], strict=False))
    given_pairs = set(zip(response, response[1:], strict=False))
    return sum(pair in given_pairs for pair in key_pairs) / len(key_pairs)


def _matching(item: Item, response: Any) -> float:
    right = sum(response.get(prompt) == option for prompt, option in item.answer.items())
    return right / len(item.answer)


_FRACTION = {
    "single": _single,
    "truefalse": _truefalse,
    "multiple": _multiple,
    "fill": _fill,
    "ordering": _ordering,
    "matching": _matching,
}


def describe_answer(item: Item) -> str:
    """The key in words, for feedback: option texts, since shuffling changes the letters."""
    if item.type == "single":
        return item.options.get(item.answer, item.answer)
    if item.type == "multiple":
        return "；".join(item.options.get(a, a) for a in item.answer)
    if item.type == "truefalse":
        return "正确" if item.answer else "错误"
    if item.type == "fill":
        return "；".join(f"第{i}空：{' / '.join(a)}" for i, a in enumerate(item.answer, 1))
    if item.type == "ordering":
        return " → ".join(item.options.get(a, a) for a in item.answer)
    if item.type == "matching":
        return "；".join(f"{item.prompts.get(p, p)} — {item.options.get(o, o)}"
                        for p, o in item.answer.items())
    raise ValueError(f"unknown item type {item.type!r}")


def describe_response(item: Item, response: Any) -> str:
    """A trainee's stored response in words, for feedback."""
    if is_blank(item, response):
        return "（未作答）"
    if not well_formed(item, response):
        return "（答案格式无效）"
    options = item.options
    if item.type == "single":
        return options.get(response, str(response))
    if item.type == "multiple":
        return "；".join(options.get(r, str(r)) for r in response)
    if item.type == "truefalse":
        return "正确" if response else "错误"
    if item.type == "fill":
        return "；".join(f"第{i}空：{v or '（空）'}" for i, v in enumerate(response, 1))
    if item.type == "ordering":
        return " → ".join(options.get(r, "（空）") if r else "（空）" for r in response)
    if item.type == "matching":
        return "；".join(f"{item.prompts.get(p, p)} — {options.get(o, '（空）') if o else '（空）'}"
                        for p, o in response.items())
    return str(response)
