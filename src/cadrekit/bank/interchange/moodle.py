"""Moodle XML export: one category per bank, every item type, feedback carrying the citation.

Type mapping (grading kept as close to ``scoring.py`` as Moodle allows):
- single -> multichoice, single=true: the key 100 %, other options 0 %.
- multiple -> multichoice, single=false: each correct option 100/n %, each wrong option -100 %, so a
  wrong choice cancels the credit (Moodle floors at 0) and k of n correct earns k/n, as ours does.
- truefalse -> truefalse.
- fill with one blank -> shortanswer (every accepted answer 100 %, case-insensitive); with several
  blanks -> cloze (Embedded answers), one SHORTANSWER of weight 1 per blank: equal shares, as ours.
- ordering -> ordering (standard from Moodle 4.4, the qtype_ordering plugin before), graded
  RELATIVE_NEXT_EXCLUDE_LAST: the n-1 adjacent pairs, exactly our rule.
- matching -> matching; unused right-column options become distractors.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from cadrekit.bank.interchange import Bank
from cadrekit.bank.interchange.citation import feedback_text
from cadrekit.bank.model import BLANK, Item

CATEGORY_ROOT = "$course$/top/cadrekit"
PENALTY = "0.3333333"
_CLOZE_SPECIAL = re.compile(r'([\\}#~/"])')


def moodle_xml(banks: list[Bank]) -> str:
    """The whole export as an XML document string (UTF-8 declaration, indented)."""
    quiz = ET.Element("quiz")
    for bank in banks:
        quiz.append(_category(bank))
        for item in bank.items:
            quiz.append(_QUESTION[item.type](item))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def category_path(bank: Bank) -> str:
    """Moodle splits category paths at '/'; a literal slash in a title is written '//'."""
    return f"{CATEGORY_ROOT}/{bank.title.replace('/', '//')}"


def percent(value: float) -> str:
    """A fraction in Moodle's notation: at most five decimals (33.33333), no trailing zeros."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _category(bank: Bank) -> ET.Element:
    question = ET.Element("question", type="category")
    _text(ET.SubElement(question, "category"), category_path(bank))
    return question


def _text(parent: ET.Element, value: str) -> ET.Element:
    ET.SubElement(parent, "text").text = value
    return parent


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _question(kind: str, item: Item, questiontext: str | None = None) -> ET.Element:
    question = ET.Element("question", type=kind)
    _text(ET.SubElement(question, "name"), item.id)
    _text(ET.SubElement(question, "questiontext", format="html"), questiontext or _html(item.stem))
    _text(ET.SubElement(question, "generalfeedback", format="html"), _html(feedback_text(item)))
    ET.SubElement(question, "defaultgrade").text = percent(item.points)
    ET.SubElement(question, "penalty").text = "1" if kind == "truefalse" else PENALTY
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = item.id
    return question


def _answer(parent: ET.Element, fraction: str, text: str, format: str = "html") -> ET.Element:
    answer = _text(ET.SubElement(parent, "answer", fraction=fraction, format=format), text)
    _text(ET.SubElement(answer, "feedback", format="html"), "")
    return answer


def _tags(question: ET.Element, item: Item) -> ET.Element:
    tags = ET.SubElement(question, "tags")
    for tag in (item.topic, item.rule):
        if tag:
            _text(ET.SubElement(tags, "tag"), tag)
    return question


def _multichoice(item: Item) -> ET.Element:
    question = _question("multichoice", item)
    single = item.type == "single"
    ET.SubElement(question, "single").text = "true" if single else "false"
    ET.SubElement(question, "shuffleanswers").text = "true"
    ET.SubElement(question, "answernumbering").text = "ABCD"
    correct = {item.answer} if single else set(item.answer)
    right, wrong = (100, 0) if single else (100 / len(correct), -100)
    for key, text in item.options.items():
        _answer(question, percent(right if key in correct else wrong), _html(text))
    return _tags(question, item)


def _truefalse(item: Item) -> ET.Element:
    question = _question("truefalse", item)
    _answer(question, "100" if item.answer else "0", "true", "moodle_auto_format")
    _answer(question, "0" if item.answer else "100", "false", "moodle_auto_format")
    return _tags(question, item)


def _fill(item: Item) -> ET.Element:
    if len(item.answer) > 1:
        return _cloze(item)
    question = _question("shortanswer", item)
    ET.SubElement(question, "usecase").text = "0"
    for accepted in item.answer[0]:
        _answer(question, "100", literal_answer(accepted), "moodle_auto_format")
    return _tags(question, item)


def _cloze(item: Item) -> ET.Element:
    """Each ___ becomes {1:SHORTANSWER:=a~=b}; Moodle takes the grade from the blanks' weights."""
    pieces = BLANK.split(item.stem)
    text = _html(pieces[0])
    for accepted, after in zip(item.answer, pieces[1:], strict=True):
        choices = "~".join(f"={_cloze_answer(a)}" for a in accepted)
        text += f"{{1:SHORTANSWER:{choices}}}" + _html(after)
    question = _question("cloze", item, questiontext=text)
    question.remove(question.find("defaultgrade"))
    return _tags(question, item)


def _cloze_answer(text: str) -> str:
    """Inside {…:SHORTANSWER:…} the characters } # ~ / " and backslash are escaped with a backslash."""
    return _CLOZE_SPECIAL.sub(r"\\\1", html.escape(literal_answer(text), quote=False))


def literal_answer(text: str) -> str:
    """A Moodle short answer treats * as a wildcard; ours are literal, so * is written \\*."""
    return text.replace("*", "\\*")


def _ordering(item: Item) -> ET.Element:
    question = _question("ordering", item)
    for name, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", str(len(item.answer))),
                        ("gradingtype", "RELATIVE_NEXT_EXCLUDE_LAST"), ("showgrading", "SHOW")):
        ET.SubElement(question, name).text = value
    for position, key in enumerate(item.answer, start=1):
        _answer(question, str(position), _html(item.options[key]))
    return _tags(question, item)


def _matching(item: Item) -> ET.Element:
    question = _question("matching", item)
    ET.SubElement(question, "shuffleanswers").text = "true"
    for prompt, key in item.answer.items():
        _subquestion(question, _html(item.prompts[prompt]), item.options[key])
    for key, text in item.options.items():
        if key not in item.answer.values():
            _subquestion(question, "", text)
    return _tags(question, item)


def _subquestion(question: ET.Element, prompt: str, option: str) -> None:
    sub = _text(ET.SubElement(question, "subquestion", format="html"), prompt)
    _text(ET.SubElement(sub, "answer"), option)


_QUESTION = {"single": _multichoice, "multiple": _multichoice, "truefalse": _truefalse, "fill": _fill,
             "ordering": _ordering, "matching": _matching}
