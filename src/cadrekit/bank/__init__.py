"""Question banks: the item model, YAML loading, scoring; checking and stats load on demand."""

from cadrekit.bank.loader import BankError, load_items, read_bank_file
from cadrekit.bank.model import ITEM_TYPES, TYPE_LABELS, Item, Source
from cadrekit.bank.scoring import Score, describe_answer, score

__all__ = [
    "ITEM_TYPES", "TYPE_LABELS", "BankError", "Item", "Score", "Source",
    "describe_answer", "load_items", "read_bank_file", "score",
]
