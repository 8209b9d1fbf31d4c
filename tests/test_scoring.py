"""The one scoring function, for every type, with full and partial credit."""

import pytest

from cadrekit.bank import load_items, score
from cadrekit.bank.scoring import CORRECT, PARTIAL, UNANSWERED, WRONG, normalize_text

from .conftest import SAMPLE_BANK

ITEMS = {item.id: item for item in load_items(SAMPLE_BANK)}


@pytest.mark.parametrize(("item_id", "response", "earned", "status"), [
    ("s-single", "B", 2, CORRECT),
    ("s-single", "A", 0, WRONG),
    ("s-single", None, 0, UNANSWERED),
    ("s-single", "Z", 0, WRONG),
    ("s-tf", False, 1, CORRECT),
    ("s-tf", True, 0, WRONG),
    ("s-tf", "false", 0, WRONG),
    ("s-tf", None, 0, UNANSWERED),
    # multiple: 3 points, key A B D
    ("s-multi", ["A", "B", "D"], 3, CORRECT),
    ("s-multi", ["D", "A", "B"], 3, CORRECT),
    ("s-multi", ["A", "B"], 2, PARTIAL),
    ("s-multi", ["A"], 1, PARTIAL),
    ("s-multi", ["A", "B", "C"], 0, WRONG),
    ("s-multi", ["A", "B", "C", "D"], 0, WRONG),
    ("s-multi", [], 0, UNANSWERED),
    # fill: 2 points, two blanks, variants and normalization
    ("s-fill", ["季度", "1"], 2, CORRECT),
    ("s-fill", [" 季 度 ", "一"], 2, CORRECT),
    ("s-fill", ["季度", "１"], 2, CORRECT),
    ("s-fill", ["月", "1"], 1, PARTIAL),
    ("s-fill", ["季度"], 0, WRONG),  # wrong shape: one entry per blank
    ("s-fill", ["季度", None], 1, PARTIAL),
    ("s-fill", ["", ""], 0, UNANSWERED),
    # ordering: key A B C, pairs (A,B) (B,C)
    ("s-order", ["A", "B", "C"], 2, CORRECT),
    ("s-order", ["C", "A", "B"], 1, PARTIAL),
    ("s-order", ["C", "B", "A"], 0, WRONG),
    ("s-order", ["A", "B", None], 1, PARTIAL),
    ("s-order", [None, None, None], 0, UNANSWERED),
    # matching: key 1->B 2->A
    ("s-match", {"1": "B", "2": "A"}, 2, CORRECT),
    ("s-match", {"1": "B", "2": "C"}, 1, PARTIAL),
    ("s-match", {"1": "A", "2": "B"}, 0, WRONG),
    ("s-match", {"1": None, "2": None}, 0, UNANSWERED),
    ("s-match", ["B", "A"], 0, WRONG),
    # hand-edited answers files: malformed shapes earn nothing, however they are forged
    ("s-single", ["A", "B", "C"], 0, WRONG),
    ("s-tf", 1, 0, WRONG),
    ("s-multi", [["A"], "B"], 0, WRONG),
    ("s-multi", ["A", "A", "B", "D"], 0, WRONG),
    ("s-order", ["A", "B", "C", "A", "C", "B"], 0, WRONG),  # every pair present, but not one order
    ("s-fill", [["季度"], "1"], 0, WRONG),
    ("s-match", {"1": ["B"], "2": "A"}, 0, WRONG),
])
def test_score(item_id, response, earned, status):
    result = score(ITEMS[item_id], response)
    assert (result.earned, result.status) == (earned, status)
    assert result.possible == ITEMS[item_id].points


def test_partial_credit_rounds_to_two_decimals():
    item = ITEMS["s-multi"]
    three_way = item.__class__(**{**item.__dict__, "points": 2.0})
    assert score(three_way, ["A"]).earned == 0.67


def test_public_item_cannot_be_scored():
    public = ITEMS["s-single"].__class__.from_dict(ITEMS["s-single"].public())
    with pytest.raises(ValueError, match="no answer key"):
        score(public, "B")


def test_normalize_text_folds_width_space_and_case():
    assert normalize_text(" Ａｂ　1 ") == normalize_text("ab1")
