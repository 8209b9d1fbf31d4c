"""Counts over bank files: by file, type and tag, and how many items carry a verified source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from cadrekit.bank.check import bank_files, find_register
from cadrekit.bank.loader import BankError, read_bank_file


def bank_stats(paths: Iterable[str | Path]) -> dict:
    """Totals and per-file counts; ``full_source`` counts items whose citation the register backs."""
    files: dict[str, dict] = {}
    by_type: Counter = Counter()
    by_topic: Counter = Counter()
    by_rule: Counter = Counter()
    total = sourced = 0
    for path in bank_files(paths):
        try:
            bank = read_bank_file(path)
        except BankError:
            continue
        register = find_register(path)
        file_types: Counter = Counter()
        file_sourced = 0
        for item in bank.items:
            if not isinstance(item, dict):
                continue
            file_types[str(item.get("type"))] += 1
            tags = item.get("tags") or {}
            by_topic[str(tags.get("topic"))] += 1
            by_rule[str(tags.get("rule"))] += 1
            source = item.get("source") or {}
            if all(source.get(k) for k in ("regulation", "article", "text")) and \
                    register.problem_with(source["regulation"], source["article"], source["text"]) is None:
                file_sourced += 1
        count = sum(file_types.values())
        files[str(path)] = {
            "bank": bank.data.get("bank"),
            "title": bank.data.get("title"),
            "items": count,
            "by_type": dict(sorted(file_types.items())),
            "full_source": file_sourced,
        }
        by_type.update(file_types)
        total += count
        sourced += file_sourced
    return {
        "total": total,
        "full_source": sourced,
        "full_source_ratio": round(sourced / total, 4) if total else 0.0,
        "by_type": dict(sorted(by_type.items())),
        "by_tag": {"topic": dict(sorted(by_topic.items())), "rule": dict(sorted(by_rule.items()))},
        "files": files,
    }
