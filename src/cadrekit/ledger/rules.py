"""The rule set: data (``ledger/rules.yaml``), so a district can add local rules without code.

A national rule must quote its article verbatim as registered in ``quizzes/sources`` (verified
wording only), so the checker can only enforce what the reference verifies. Anything else is
``status: local`` and is shown as 地方规定. A district file given with ``--rules`` adds rules, or
changes fields of a shipped rule with the same id (e.g. ``enabled: true``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cadrekit.ledger.read import MEETING_TYPES, REGISTER_FIELDS
from cadrekit.paths import kit_root

CHECKS = ("frequency", "attendance", "vote_attendance", "vote_passed", "register")
PERIODS = {"month": "月", "quarter": "季度", "year": "年"}
STATUSES = {"national": "全国规定", "local": "地方规定"}
OPERATORS = {"==": int.__eq__, "!=": int.__ne__, ">": int.__gt__, ">=": int.__ge__, "<": int.__lt__,
             "<=": int.__le__}
FIGURES = REGISTER_FIELDS[1:]


def default_rules_path() -> Path:
    return kit_root() / "ledger" / "rules.yaml"


class RuleError(Exception):
    """A rule file that cannot be used; the message names the file, the rule and the fix."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    check: str
    regulation: str
    article: str
    text: str
    status: str = "national"
    enabled: bool = True
    general: bool = False  # the article says 一般: a gap is a finding to look into, not a breach
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def citation(self) -> str:
        return f"《{self.regulation}》{self.article}"

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


FIELDS = ("id", "title", "check", "regulation", "article", "text", "status", "enabled", "general")


def load_rules(extra: Path | None = None, *, base: Path | None = None, sources: Path | None = None) -> list[Rule]:
    """The shipped rules, overlaid by a district file; national rules verified against the register."""
    base = base or default_rules_path()
    entries = {e["id"]: e for e in _entries(base)}
    if extra is not None:
        for entry in _entries(extra):
            entries[entry["id"]] = {**entries.get(entry["id"], {}), **entry}
    sources = sources or kit_root() / "quizzes" / "sources"
    register = _register(sources)
    where = f"{base}" + (f" + {extra}" if extra else "")
    return [_rule(entry, register, where) for entry in entries.values()]


def _entries(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: 无法读取规则文件（{exc}）") from exc
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("id") for r in rules):
        raise RuleError(f"{path}: 规则文件应为 rules: 列表，每条规则都有 id")
    return rules


def _register(sources: Path):
    from cadrekit.bank.sources import SourceRegister

    if not sources.is_dir():
        raise RuleError(f"找不到法规原文登记目录 {sources}；全国规定的条文要与登记原文核对")
    return SourceRegister.load(sources)


def _rule(entry: dict[str, Any], register, where: str) -> Rule:
    rule_id = str(entry["id"])
    here = f"{where}: 规则 {rule_id}"
    if missing := [k for k in ("title", "check", "regulation", "article") if not entry.get(k)]:
        raise RuleError(f"{here}: 缺少 {'、'.join(missing)}")
    status = entry.get("status", "national")
    if status not in STATUSES:
        raise RuleError(f"{here}: status 应为 national（全国规定）或 local（地方规定）")
    text = str(entry.get("text") or "")
    if status == "national":
        problem = register.problem_with(str(entry["regulation"]), str(entry["article"]), text) if text else "缺少 text"
        if problem:
            raise RuleError(f"{here}: 全国规定必须逐字引用已核实的条文（{problem}）；"
                            "未核实或地方的要求请写 status: local")
    params = {k: v for k, v in entry.items() if k not in FIELDS}
    _check_params(str(entry["check"]), params, here)
    return Rule(id=rule_id, title=str(entry["title"]), check=str(entry["check"]),
                regulation=str(entry["regulation"]).strip("《》"), article=str(entry["article"]), text=text,
                status=status, enabled=bool(entry.get("enabled", True)), general=bool(entry.get("general", False)),
                params=params)


def _check_params(check: str, params: dict[str, Any], here: str) -> None:
    if check not in CHECKS:
        raise RuleError(f"{here}: check 应为 {'、'.join(CHECKS)} 之一")
    if check != "register" and params.get("meeting") not in MEETING_TYPES:
        raise RuleError(f"{here}: meeting 应为 {'、'.join(MEETING_TYPES)} 之一")
    figures = [params[k] for k in ("minimum_from", "only_if", "of") if k in params]
    figures += [c[0] for c in params.get("when", []) if isinstance(c, list) and c]
    if bad := [f for f in figures if f not in FIGURES]:
        raise RuleError(f"{here}: 名册中没有 {'、'.join(map(str, bad))}；可用：{'、'.join(FIGURES)}")
    if check == "frequency":
        if params.get("period") not in PERIODS:
            raise RuleError(f"{here}: period 应为 month、quarter 或 year")
        if not isinstance(params.get("minimum", 1), int):
            raise RuleError(f"{here}: minimum 应为整数")
    if check in ("attendance", "vote_attendance", "vote_passed") and "of" not in params:
        raise RuleError(f"{here}: 需要 of（名册中作为基数的一列，如 支委人数、正式党员）")
    if check == "register":
        conditions = params.get("when")
        if not conditions or not all(isinstance(c, list) and len(c) == 3 and c[1] in OPERATORS
                                     and isinstance(c[2], int) for c in conditions):
            raise RuleError(f"{here}: when 应为条件列表，如 [[正式党员, \">=\", 7], [支委人数, \"==\", 0]]")
