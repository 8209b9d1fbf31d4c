"""The 依据 cell of a 题库 workbook, e.g. "《中国共产党支部工作条例（试行）》第十一条：原文", and our ``source``.

Workbooks cite loosely (full titles, half-width brackets, Arabic numerals, quotes around the wording);
the bank cites a registered regulation name, a "第…条" article and the verbatim wording.
"""

from __future__ import annotations

import re

from cadrekit.bank.model import Source
from cadrekit.bank.sources import SourceRegister

_NUMBER = r"(?:[〇零一二三四五六七八九十百]+|\d+)"
ARTICLE = re.compile(
    rf"第{_NUMBER}条(?:第{_NUMBER}款)?(?:第?[（(]{_NUMBER}[)）]项?|第{_NUMBER}项)?")
_LEAD = re.compile(r"^(?:依据|根据|出处|参见|见)[：:\s]*")
_AFTER_ARTICLE = re.compile(r"^(?:之?规定)?[\s：:，,。]*")
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}
_DIGITS = "零一二三四五六七八九"


def parse_citation(cell: str, register: SourceRegister) -> dict[str, str] | None:
    """The source a 依据 cell gives (``text`` only when the cell quotes wording), or None when it
    names no regulation and article."""
    match = ARTICLE.search(cell)
    if match is None:
        return None
    name = _regulation_name(cell[:match.start()])
    if not name:
        return None
    source = {"regulation": _registered_name(name, register), "article": _chinese_article(match.group(0))}
    text = _unquote(_AFTER_ARTICLE.sub("", cell[match.end():]).strip())
    if text:
        source["text"] = text
    return source


def format_citation(source: Source | None) -> str:
    """The 依据 cell for a source; ``parse_citation`` reads it back unchanged."""
    if source is None:
        return ""
    cell = f"《{source.regulation}》{source.article}"
    return f"{cell}：{source.text}" if source.text else cell


def _regulation_name(before_article: str) -> str:
    text = _LEAD.sub("", before_article.strip())
    if "《" in text and "》" in text:
        return text[text.index("《") + 1:text.rindex("》")].strip()
    return text.strip("《》 ").strip()


def _registered_name(name: str, register: SourceRegister) -> str:
    """A registered name stays as written (short or full title); a loose spelling becomes the short name."""
    if register.find(name) is not None:
        return name
    regulation = register.find_loosely(name)
    return regulation.short if regulation else name


def _chinese_article(article: str) -> str:
    """'第11条第(2)项' -> '第十一条第（二）项': the bank's article pattern takes Chinese numerals."""
    article = re.sub(r"\d+", lambda m: _chinese_number(int(m.group(0))), article)
    return article.replace("(", "（").replace(")", "）")


def _chinese_number(number: int) -> str:
    if number < 10:
        return _DIGITS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        return _DIGITS[hundreds] + "百"
    middle = "零" if rest < 10 else ""
    rest_text = _chinese_number(rest)
    return _DIGITS[hundreds] + "百" + middle + ("一" + rest_text if 10 <= rest < 20 else rest_text)


def _unquote(text: str) -> str:
    """Drop one pair of quotes around the whole wording, but not quotes that belong to it."""
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if text[0] not in inner and text[-1] not in inner:
            return inner.strip()
    return text


def feedback_text(item) -> str:
    """General feedback for other systems: the explanation, then the citation with its wording."""
    parts = [item.explanation or ""]
    if item.source is not None:
        cited = f"《{item.source.regulation}》{item.source.article}"
        parts.append(f"依据：{cited}：“{item.source.text}”" if item.source.text else f"依据：{cited}")
    return "\n".join(p for p in parts if p)
