"""One widget view per item type: draws the inputs and converts them to and from stored answers.

Answers are stored by option id, never by position, so a shuffled display grades the same.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from cadrekit.bank.model import BLANK, TYPE_LABELS, Item

LETTERS = "ABCDEFGHIJ"
FULL_WIDTH = {"description_width": "initial"}


class ItemView:
    """Inputs for one item. Subclasses define ``_build``, ``response`` and ``restore``."""

    def __init__(self, item: Item, number: int, order: list[str]):
        self.item = item
        self.number = number
        self.order = order  # option ids in display order
        self.inputs: list[w.DOMWidget] = []
        self._build()

    def header(self) -> w.HTML:
        label = TYPE_LABELS[self.item.type]
        points = f"{self.item.points:g} 分"
        return w.HTML(
            f'<div class="cadrekit-stem"><span class="cadrekit-badge">{self.number}. {label} · {points}</span>'
            f"{self.stem_html()}</div>"
        )

    def stem_html(self) -> str:
        return html.escape(self.item.stem)

    def labelled(self, option_id: str, position: int) -> str:
        return f"{LETTERS[position]}. {self.item.options[option_id]}"

    def observe(self, callback: Callable[[], None]) -> None:
        for widget in self.inputs:
            widget.observe(lambda _change: callback(), names="value")

    def body(self) -> list[w.Widget]:
        return list(self.inputs)

    def _build(self) -> None:
        raise NotImplementedError

    def response(self) -> Any:
        raise NotImplementedError

    def restore(self, response: Any) -> bool:
        """Put a stored response back into the inputs; False when it does not fit this item."""
        raise NotImplementedError


class SingleView(ItemView):
    def _build(self) -> None:
        choices = [(self.labelled(oid, i), oid) for i, oid in enumerate(self.order)]
        self.inputs = [w.RadioButtons(options=choices, value=None, layout=w.Layout(width="auto"))]

    def response(self) -> Any:
        return self.inputs[0].value

    def restore(self, response: Any) -> bool:
        if response not in self.order:
            return False
        self.inputs[0].value = response
        return True


class TrueFalseView(ItemView):
    def _build(self) -> None:
        self.inputs = [w.RadioButtons(options=[("正确", True), ("错误", False)], value=None)]

    def response(self) -> Any:
        return self.inputs[0].value

    def restore(self, response: Any) -> bool:
        if not isinstance(response, bool):
            return False
        self.inputs[0].value = response
        return True


class MultipleView(ItemView):
    def _build(self) -> None:
        self.inputs = [
            w.Checkbox(value=False, description=self.labelled(oid, i), indent=False,
                       layout=w.Layout(width="auto"))
            for i, oid in enumerate(self.order)
        ]

    def response(self) -> Any:
        chosen = [oid for oid, box in zip(self.order, self.inputs, strict=True) if box.value]
        return sorted(chosen, key=list(self.item.options).index)

    def restore(self, response: Any) -> bool:
        if not isinstance(response, list) or not set(response) <= set(self.order):
            return False
        for oid, box in zip(self.order, self.inputs, strict=True):
            box.value = oid in response
        return True


class FillView(ItemView):
    def stem_html(self) -> str:
        parts = BLANK.split(self.item.stem)
        out = [html.escape(parts[0])]
        for number, part in enumerate(parts[1:], 1):
            out.append(f'<span class="cadrekit-blank">（{number}）＿＿＿＿</span>{html.escape(part)}')
        return "".join(out)

    def _build(self) -> None:
        self.inputs = [
            w.Text(value="", description=f"第{n}空", placeholder="在此填写", style=FULL_WIDTH)
            for n in range(1, self.item.blank_count + 1)
        ]

    def response(self) -> Any:
        return [box.value for box in self.inputs]

    def restore(self, response: Any) -> bool:
        if not isinstance(response, list) or len(response) != len(self.inputs) or \
                not all(isinstance(v, str) for v in response):
            return False
        for box, value in zip(self.inputs, response, strict=True):
            box.value = value
        return True


class OrderingView(ItemView):
    """One dropdown per position: unambiguous (no half-dragged state) and keyboard-usable."""

    def _build(self) -> None:
        choices = [("（请选择）", None)] + [(self.item.options[oid], oid) for oid in self.order]
        self.inputs = [
            w.Dropdown(options=choices, value=None, description=f"第{n}步", style=FULL_WIDTH,
                       layout=w.Layout(width="auto"))
            for n in range(1, len(self.order) + 1)
        ]

    def response(self) -> Any:
        return [box.value for box in self.inputs]

    def restore(self, response: Any) -> bool:
        if not isinstance(response, list) or len(response) != len(self.inputs) or \
                not set(response) <= {*self.order, None}:
            return False
        for box, value in zip(self.inputs, response, strict=True):
            box.value = value
        return True


class MatchingView(ItemView):
    def _build(self) -> None:
        choices = [("（请选择）", None)] + [(self.item.options[oid], oid) for oid in self.order]
        self.prompt_ids = list(self.item.prompts)
        self.inputs = [
            w.Dropdown(options=choices, value=None, layout=w.Layout(width="auto"))
            for _ in self.prompt_ids
        ]

    def body(self) -> list[w.Widget]:
        return [
            w.HBox([w.HTML(f'<span class="cadrekit-prompt">{html.escape(self.item.prompts[pid])}</span>'),
                    box])
            for pid, box in zip(self.prompt_ids, self.inputs, strict=True)
        ]

    def response(self) -> Any:
        return {pid: box.value for pid, box in zip(self.prompt_ids, self.inputs, strict=True)}

    def restore(self, response: Any) -> bool:
        if not isinstance(response, dict) or not set(response) <= set(self.prompt_ids) or \
                not set(response.values()) <= {*self.order, None}:
            return False
        for pid, box in zip(self.prompt_ids, self.inputs, strict=True):
            box.value = response.get(pid)
        return True


VIEWS: dict[str, type[ItemView]] = {
    "single": SingleView,
    "truefalse": TrueFalseView,
    "multiple": MultipleView,
    "fill": FillView,
    "ordering": OrderingView,
    "matching": MatchingView,
}
