"""The question item as the quiz engine and the grader see it.

Kept free of heavy imports: trainee kernels import this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ITEM_TYPES = ("single", "multiple", "truefalse", "fill", "ordering", "matching")

TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "truefalse": "判断题",
    "fill": "填空题",
    "ordering": "排序题",
    "matching": "匹配题",
}

BLANK = re.compile(r"_{3,}")
"""A blank in a fill-in stem: three or more underscores."""


@dataclass(frozen=True)
class Source:
    """A citation; ``text`` is empty only on an imported item still marked ``needs_source``."""

    regulation: str
    article: str
    text: str = ""

    def citation(self) -> str:
        return f"《{self.regulation}》{self.article}"


@dataclass(frozen=True)
class Item:
    """One question. ``answer`` and the teaching fields are None in an exam's public copy."""

    id: str
    type: str
    stem: str
    points: float
    options: dict[str, str] = field(default_factory=dict)
    prompts: dict[str, str] = field(default_factory=dict)
    answer: Any = None
    explanation: str | None = None
    source: Source | None = None
    topic: str | None = None
    rule: str | None = None
    difficulty: int | None = None

    @property
    def blank_count(self) -> int:
        return len(BLANK.findall(self.stem))

    @property
    def has_key(self) -> bool:
        return self.answer is not None

    def public(self) -> dict[str, Any]:
        """What a trainee may see during an exam: no key, no explanation, no rule."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "stem": self.stem,
            "points": self.points,
        }
        if self.options:
            data["options"] = dict(self.options)
        if self.prompts:
            data["prompts"] = dict(self.prompts)
        return data

    def to_dict(self) -> dict[str, Any]:
        """The full item, key included, in the bank's own shape (the inverse of ``from_dict``)."""
        data = self.public()
        data["answer"] = self.answer
        if self.explanation is not None:
            data["explanation"] = self.explanation
        if self.source is not None:
            data["source"] = {"regulation": self.source.regulation, "article": self.source.article,
                              "text": self.source.text}
        if self.topic or self.rule:
            data["tags"] = {"topic": self.topic, "rule": self.rule}
        if self.difficulty is not None:
            data["difficulty"] = self.difficulty
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        """Build from a bank entry or a public copy; the bank checker validates beforehand."""
        source = data.get("source")
        tags = data.get("tags") or {}
        return cls(
            id=str(data["id"]),
            type=data["type"],
            stem=data["stem"],
            points=float(data.get("points", 1)),
            options=_str_keys(data.get("options")),
            prompts=_str_keys(data.get("prompts")),
            answer=normalize_answer(data["type"], data["answer"]) if "answer" in data else None,
            explanation=data.get("explanation"),
            source=Source(**{k: str(v) for k, v in source.items()}) if source else None,
            topic=tags.get("topic"),
            rule=tags.get("rule"),
            difficulty=data.get("difficulty"),
        )


def _str_keys(mapping: dict | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (mapping or {}).items()}


def normalize_answer(item_type: str, answer: Any) -> Any:
    """Bring a key into one canonical form per type (YAML lets authors write it loosely)."""
    if item_type == "single":
        return str(answer)
    if item_type in ("multiple", "ordering"):
        return [str(a) for a in answer]
    if item_type == "truefalse":
        return bool(answer)
    if item_type == "fill":
        return [[str(a) for a in blank] if isinstance(blank, list) else [str(blank)]
                for blank in answer]
    if item_type == "matching":
        return {str(k): str(v) for k, v in answer.items()}
    raise ValueError(f"unknown item type {item_type!r}")
