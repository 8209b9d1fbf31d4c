"""GIFT export (Moodle's text import format) for the types GIFT can express.

Escaping follows Moodle's own GIFT writer: backslash and ~ = # { } : are escaped with a backslash and
a line break is written as \\n, so every question's text stays on one line. Choice fractions are
those of the Moodle XML export. GIFT cannot express an ordering item or a fill-in item with several
blanks (those go to Moodle XML); they are skipped and reported. GIFT carries no points: Moodle gives
each question a default mark of 1.
"""

from __future__ import annotations

from cadrekit.bank.interchange import Bank
from cadrekit.bank.interchange.citation import feedback_text
from cadrekit.bank.interchange.moodle import category_path, literal_answer, percent
from cadrekit.bank.model import TYPE_LABELS, Item

_SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Text safe inside a GIFT question: specials and backslash escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def gift(banks: list[Bank]) -> tuple[str, dict[str, str]]:
    """The GIFT text, and why each skipped item (by id) was skipped."""
    blocks = ["// cadrekit 题库导出（GIFT，UTF-8）"]
    skipped: dict[str, str] = {}
    for bank in banks:
        blocks.append(f"$CATEGORY: {category_path(bank)}")
        for item in bank.items:
            if reason := unsupported(item):
                skipped[item.id] = reason
                continue
            blocks.append(question(item))
    return "\n\n".join(blocks) + "\n", skipped


def unsupported(item: Item) -> str | None:
    if item.type == "ordering":
        return f"GIFT 没有{TYPE_LABELS['ordering']}（请用 Moodle XML 导出）"
    if item.type == "fill" and len(item.answer) > 1:
        return "GIFT 的填空题只能有一个空（多空填空题请用 Moodle XML 导出，为完形填空题）"
    return None


def question(item: Item) -> str:
    """One question: ::id::stem{ answers ####feedback }."""
    lines = [f"::{escape(item.id)}::{escape(item.stem)}{{", *(f"\t{a}" for a in _ANSWERS[item.type](item))]
    if feedback := feedback_text(item):
        lines.append(f"\t####{escape(feedback)}")
    lines.append("}")
    return "\n".join(lines)


def _choices(item: Item) -> list[str]:
    if item.type == "single":
        return [("=" if key == item.answer else "~") + escape(text) for key, text in item.options.items()]
    share = percent(100 / len(item.answer))
    return [f"~%{share if key in item.answer else '-100'}%{escape(text)}" for key, text in item.options.items()]


def _truefalse(item: Item) -> list[str]:
    return ["T" if item.answer else "F"]


def _fill(item: Item) -> list[str]:
    return [f"={escape(literal_answer(accepted))}" for accepted in item.answer[0]]


def _matching(item: Item) -> list[str]:
    pairs = [f"={escape(item.prompts[p])} -> {escape(item.options[o])}" for p, o in item.answer.items()]
    extra = [f"= -> {escape(text)}" for key, text in item.options.items() if key not in item.answer.values()]
    return pairs + extra


_ANSWERS = {"single": _choices, "multiple": _choices, "truefalse": _truefalse, "fill": _fill,
            "matching": _matching}
