"""The project's register of verified regulation wording (``quizzes/sources/*.yaml``).

Every item's ``source.text`` must stand verbatim in the article it cites, so a question can only
teach wording that a reviewer has checked against the regulation text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

VERIFIED_STATUSES = ("VERIFIED", "VERIFIED(2nd)")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零]+条")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")


def normalize_wording(text: str) -> str:
    """Comparison form: NFKC, no whitespace, no quotation marks (sources quote differently)."""
    return "".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def _loose_name(name: str) -> str:
    return normalize_wording(name).replace("《", "").replace("》", "")


def article_key(article: str) -> str:
    """'第十六条第三款' -> '第十六条': the register is kept per article."""
    match = _ARTICLE.match(article.strip())
    return match.group(0) if match else article.strip()


@dataclass
class Regulation:
    short: str
    title: str
    path: Path
    articles: dict[str, dict] = field(default_factory=dict)


class SourceRegister:
    """All regulations under one sources folder, found by short name or full title."""

    def __init__(self, regulations: list[Regulation]):
        self._by_name: dict[str, Regulation] = {}
        for reg in regulations:
            self._by_name[reg.short] = reg
            self._by_name[reg.title] = reg

    @classmethod
    def load(cls, folder: Path) -> SourceRegister:
        regulations = []
        for path in sorted(folder.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            regulations.append(Regulation(
                short=data["regulation"], title=data["title"], path=path,
                articles=data.get("articles") or {},
            ))
        return cls(regulations)

    def find(self, name: str) -> Regulation | None:
        return self._by_name.get(name.strip().strip("《》"))

    def find_loosely(self, name: str) -> Regulation | None:
        """``find`` tolerating how workbooks spell titles: half-width brackets, spaces, 《》 anywhere."""
        wanted = _loose_name(name)
        return next((reg for key, reg in self._by_name.items() if _loose_name(key) == wanted), None)

    def problem_with(self, regulation: str, article: str, text: str) -> str | None:
        """Why this citation is not supported by the register, or None when it is."""
        reg = self.find(regulation)
        if reg is None:
            known = "、".join(sorted({r.short for r in self._by_name.values()}))
            return (f"依据中的法规《{regulation}》不在 sources/ 登记的法规中（已登记：{known}）；"
                    "请使用登记的简称，或先把核实过的条文加入 sources/")
        key = article_key(article)
        entry = reg.articles.get(key)
        if entry is None:
            return (f"《{reg.short}》{key} 未在 {reg.path.name} 中登记；"
                    "请先核实该条原文并加入 sources/")
        if entry.get("status") not in VERIFIED_STATUSES:
            return (f"《{reg.short}》{key} 的原文状态为 {entry.get('status')}，未核实的条文不能出题")
        if normalize_wording(text) not in normalize_wording(entry["text"]):
            return (f"依据原文与《{reg.short}》{key} 登记的条文不一致；"
                    f"请逐字摘引 {reg.path.name} 中该条的原文")
        return None
