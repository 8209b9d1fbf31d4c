"""Quizzes on ipywidgets for trainees: practice with feedback that quotes the rule, or exam.

Runs in trainee kernels, so it imports only ipywidgets, yaml and the light bank modules (never
pandas). An exam receives public items only, so no key exists in the kernel, the widget model
or the notebook.
"""

from __future__ import annotations

import getpass
import hashlib
import html
import os
import random
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import ipywidgets as w

from cadrekit.bank.loader import load_items
from cadrekit.bank.model import Item
from cadrekit.bank.scoring import CORRECT, PARTIAL, UNANSWERED, Score, describe_answer, is_blank, score
from cadrekit.quiz.store import AnswerStore, sidecar_path
from cadrekit.quiz.views import VIEWS, ItemView

__all__ = ["Quiz", "exam", "practice", "current_student", "display_order"]

PRACTICE, EXAM = "practice", "exam"
KEY_FIELDS = ("answer", "explanation", "source", "tags")


def current_student() -> str:
    """Who is answering: the hub user, an explicit override, or the login name."""
    return (os.environ.get("CADREKIT_STUDENT") or os.environ.get("JUPYTERHUB_USER")
            or getpass.getuser())


def _rng(*parts: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def display_order(quiz_id: str, student: str | None, items: list[Item]) -> list[tuple[Item, list[str]]]:
    """Items and their option ids in display order, the same on every run for one trainee.

    ``student=None`` keeps the authored item and option order. Ordering and matching choices are
    always shuffled (by item only when ``student`` is None), since authors often list them in
    key order.
    """
    ordered = list(items)
    if student is not None:
        _rng(quiz_id, student).shuffle(ordered)
    result = []
    for item in ordered:
        options = list(item.options)
        if student is not None or item.type in ("ordering", "matching"):
            _rng(quiz_id, student or "", item.id).shuffle(options)
        result.append((item, options))
    return result


class Quiz:
    """A set of items bound to one answers sidecar; display it as the last line of a cell."""

    def __init__(self, quiz_id: str, items: list[Item], *, mode: str = PRACTICE,
                 title: str | None = None, shuffle: bool = False, folder: str | Path | None = ".",
                 student: str | None = None, on_result: Callable[[Item, Score], None] | None = None):
        if mode not in (PRACTICE, EXAM):
            raise ValueError(f"mode must be {PRACTICE!r} or {EXAM!r}")
        if mode == EXAM and any(item.has_key for item in items):
            raise ValueError("an exam quiz must be given public items only (no answer key)")
        if not items:
            raise ValueError(f"quiz {quiz_id!r} has no items")
        self.quiz_id = quiz_id
        self.mode = mode
        self.student = student or current_student()
        self.store = AnswerStore(sidecar_path(quiz_id, folder) if folder is not None else None,
                                 quiz_id, self.student)
        self.on_result = on_result
        order = display_order(quiz_id, self.student if shuffle else None, items)
        self.views: list[ItemView] = [VIEWS[item.type](item, n, options)
                                      for n, (item, options) in enumerate(order, 1)]
        self.feedback: dict[str, w.HTML] = {}
        self.status = w.HTML()
        self._restoring = False
        self.widget = self._layout(title)
        self._restore()
        for view in self.views:
            view.observe(lambda view=view: self._changed(view))
        self._show_status()

    # -- layout -----------------------------------------------------------------------------
    def _layout(self, title: str | None) -> w.VBox:
        css = resources.files("cadrekit.quiz").joinpath("quiz.css").read_text(encoding="utf-8")
        intro = ("练习模式：作答后点“核对答案”，会显示解析和所依据的条文。" if self.mode == PRACTICE
                 else "考试模式：每次作答都会自动保存，交卷前可以随时修改；成绩由教员统一评定。")
        head = w.HTML(f"<style>{css}</style><h3 class='cadrekit-title'>{html.escape(title or '')}</h3>"
                      f"<div class='cadrekit-intro'>{intro}</div>")
        cards = [self._card(view) for view in self.views]
        box = w.VBox([head, *cards, self.status])
        box.add_class("cadrekit-quiz")
        return box

    def _card(self, view: ItemView) -> w.VBox:
        children: list[w.Widget] = [view.header(), *view.body()]
        if self.mode == PRACTICE:
            out = w.HTML()
            self.feedback[view.item.id] = out
            button = w.Button(description="核对答案", icon="check", button_style="info",
                              tooltip="显示对错、解析和依据条文")
            button.on_click(lambda _b, view=view: self._show_feedback(view))
            children += [button, out]
        card = w.VBox(children)
        card.add_class("cadrekit-card")
        return card

    # -- answers ----------------------------------------------------------------------------
    def _restore(self) -> None:
        self._restoring = True
        try:
            unusable = []
            for view in self.views:
                saved = self.store.get(view.item.id)
                if saved is not None and not view.restore(saved):
                    unusable.append(str(view.number))
            if unusable:
                self.store.keep_backup(f"第 {'、'.join(unusable)} 题保存的答案与题目不符，未能恢复")
        finally:
            self._restoring = False

    def _changed(self, view: ItemView) -> None:
        if self._restoring:
            return
        self.store.set(view.item.id, view.response())
        if self.mode == PRACTICE and view.item.type in ("single", "truefalse"):
            self._show_feedback(view)
        self._show_status()

    def responses(self) -> dict[str, Any]:
        """Current answers by item id, as saved in the sidecar."""
        return {view.item.id: view.response() for view in self.views}

    def answered(self) -> int:
        return sum(not is_blank(view.item, view.response()) for view in self.views)

    # -- messages ---------------------------------------------------------------------------
    def _show_status(self) -> None:
        parts = [f"已作答 {self.answered()} / {len(self.views)} 题"]
        if self.store.save_error:
            parts.append(f"<span class='cadrekit-error'>⚠ {html.escape(self.store.save_error)}</span>")
        elif self.store.saved_at:
            parts.append(f"✔ 已自动保存（{self.store.saved_at:%H:%M:%S}）")
        elif self.answered():
            parts.append("✔ 已恢复上次保存的答案")
        warnings = "".join(f"<div class='cadrekit-error'>⚠ {html.escape(m)}</div>"
                           for m in self.store.warnings)
        self.status.value = f"<div class='cadrekit-status'>{' · '.join(parts)}</div>{warnings}"

    def _show_feedback(self, view: ItemView) -> None:
        item = view.item
        result = score(item, view.response())
        if result.status == UNANSWERED:
            self.feedback[item.id].value = "<div class='cadrekit-fb'>请先作答。</div>"
            return
        if self.on_result:
            self.on_result(item, result)
        verdict = {CORRECT: ("✔ 回答正确", "ok"), PARTIAL: ("◐ 部分正确", "part")}.get(
            result.status, ("✘ 回答错误", "bad"))
        lines = [
            f"<b class='cadrekit-{verdict[1]}'>{verdict[0]}</b>（得 {result.earned:g} / {result.possible:g} 分）",
            f"<b>正确答案：</b>{html.escape(describe_answer(item))}",
            f"<b>解析：</b>{html.escape(item.explanation or '')}",
        ]
        if item.source:
            lines.append(f"<b>依据：</b>{html.escape(item.source.citation())}："
                         f"<q>{html.escape(item.source.text)}</q>")
        self.feedback[item.id].value = "<div class='cadrekit-fb'>" + "<br>".join(lines) + "</div>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def practice(bank: str | Path, *, quiz_id: str | None = None, ids: list[str] | None = None,
             topic: str | None = None, rule: str | None = None, limit: int | None = None,
             title: str | None = None, shuffle: bool = False, folder: str | Path = ".",
             module: str | None = None) -> Quiz:
    """A practice quiz drawn from a bank file, filtered by ids, topic or rule, in bank order.

    Results go to the trainee's study log (progress and 错题本) under ``module``.
    """
    items = load_items(bank)
    if ids is not None:
        by_id = {item.id: item for item in items}
        if missing := [i for i in ids if i not in by_id]:
            raise KeyError(f"{bank}: 题库中没有这些题目编号：{', '.join(missing)}")
        items = [by_id[i] for i in ids]
    items = [i for i in items if (topic is None or i.topic == topic) and (rule is None or i.rule == rule)]
    if limit is not None:
        items = items[:limit]
    if quiz_id is None:
        quiz_id = "-".join(["practice", Path(bank).stem, *(p for p in (topic, rule) if p)])
    from cadrekit.study import practice_recorder

    recorder = practice_recorder(quiz_id, module, {item.id: Path(bank).stem for item in items})
    return Quiz(quiz_id, items, mode=PRACTICE, title=title, shuffle=shuffle, folder=folder, on_result=recorder)


def exam(quiz_id: str, items: list[dict[str, Any]], *, title: str | None = None,
         shuffle: bool = False, folder: str | Path = ".") -> Quiz:
    """An exam quiz from public item data (as written into a released notebook)."""
    for data in items:
        if leaked := [k for k in KEY_FIELDS if k in data]:
            raise ValueError(f"exam item {data.get('id')} carries {leaked}: exams take public items only")
    return Quiz(quiz_id, [Item.from_dict(d) for d in items], mode=EXAM, title=title,
                shuffle=shuffle, folder=folder)
