"""Question banks in and out of other formats: Excel 题库 workbooks, Moodle XML and GIFT."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cadrekit.bank.check import bank_files
from cadrekit.bank.loader import load_items, read_bank_file
from cadrekit.bank.model import Item


@dataclass(frozen=True)
class Bank:
    bank: str
    title: str
    items: list[Item]


def load_banks(paths: Iterable[str | Path]) -> list[Bank]:
    """The banks under ``paths`` (folders searched as ``bank check`` does); raises BankError."""
    banks = []
    for path in bank_files(paths):
        data = read_bank_file(path).data
        banks.append(Bank(str(data.get("bank", path.stem)), str(data.get("title", path.stem)), load_items(path)))
    return banks
