"""The quiz engine driven programmatically: autosave, restore, corruption, shuffle, modes."""

import json
from dataclasses import replace
from pathlib import Path

import ipywidgets as w
import pytest

from cadrekit.bank import load_items, score
from cadrekit.quiz import Quiz, display_order, exam, practice

from .conftest import SAMPLE_BANK

ITEMS = load_items(SAMPLE_BANK)
KEY = {item.id: item for item in ITEMS}


def views(quiz: Quiz) -> dict:
    return {view.item.id: view for view in quiz.views}


def answer_everything(quiz: Quiz) -> None:
    """Click through every type the way a trainee would, by option text, not by position."""
    v = views(quiz)
    radio = v["s-single"].inputs[0]
    radio.value = next(oid for label, oid in radio.options if label.endswith("每季度"))
    v["s-tf"].inputs[0].value = False
    for box in v["s-multi"].inputs:
        box.value = "每年" not in box.description
    v["s-fill"].inputs[0].value = "季度"
    v["s-fill"].inputs[1].value = "一"
    for position, wanted in zip(v["s-order"].inputs, ["支委会", "党员大会", "年度"], strict=True):
        position.value = next(oid for label, oid in position.options if oid and label.startswith(wanted))
    for prompt_id, box in zip(v["s-match"].prompt_ids, v["s-match"].inputs, strict=True):
        wanted = {"1": "每季度", "2": "每月"}[prompt_id]
        box.value = next(oid for label, oid in box.options if label == wanted)


def saved(folder: Path, quiz_id: str) -> dict:
    return json.loads((folder / f"{quiz_id}.answers.json").read_text(encoding="utf-8"))


def test_every_change_is_saved_and_restored(tmp_path: Path):
    quiz = practice(SAMPLE_BANK, quiz_id="q1", folder=tmp_path)
    assert not (tmp_path / "q1.answers.json").exists()
    views(quiz)["s-single"].inputs[0].value = "A"
    assert saved(tmp_path, "q1")["answers"] == {"s-single": "A"}
    answer_everything(quiz)
    data = saved(tmp_path, "q1")
    assert data["format"] == "cadrekit-answers/1" and data["quiz"] == "q1"
    assert data["answers"] == {
        "s-single": "B", "s-tf": False, "s-multi": ["A", "B", "D"], "s-fill": ["季度", "一"],
        "s-order": ["A", "B", "C"], "s-match": {"1": "B", "2": "A"},
    }
    assert "季度" in (tmp_path / "q1.answers.json").read_text(encoding="utf-8")  # readable, not \u-escaped
    assert [p.name for p in tmp_path.iterdir()] == ["q1.answers.json"]  # no temporary file left behind
    assert all(score(KEY[i], r).status == "correct" for i, r in data["answers"].items())

    again = practice(SAMPLE_BANK, quiz_id="q1", folder=tmp_path)  # a re-run after a kernel restart
    assert again.responses() == data["answers"]
    assert views(again)["s-multi"].inputs[0].value in (True, False)
    assert "已恢复上次保存的答案" in again.status.value
    assert saved(tmp_path, "q1") == data  # restoring writes nothing


def test_practice_feedback_quotes_the_rule(tmp_path: Path):
    quiz = practice(SAMPLE_BANK, quiz_id="fb", folder=tmp_path)
    v = views(quiz)
    v["s-single"].inputs[0].value = "A"  # single choice: feedback on click
    text = quiz.feedback["s-single"].value
    assert "回答错误" in text and "正确答案：</b>每季度" in text
    assert "《示例条例》第一条" in text and "党员大会一般每季度召开1次" in text
    v["s-multi"].inputs[0].value = True  # multiple choice: feedback on 核对答案
    assert quiz.feedback["s-multi"].value == ""
    button = next(c for c in quiz.widget.children[2].children if isinstance(c, w.Button))
    button.click()
    assert "部分正确" in quiz.feedback["s-multi"].value and "得 1 / 3 分" in quiz.feedback["s-multi"].value


def test_exam_has_no_key_anywhere(tmp_path: Path):
    w.Widget.close_all()  # only this exam's widgets in the state below
    marked = [replace(item, explanation=f"解析标记{n}", source=replace(item.source, text=f"原文标记{n}"))
              for n, item in enumerate(ITEMS)]
    public = [item.public() for item in marked]
    assert all(set(p) <= {"id", "type", "stem", "points", "options", "prompts"} for p in public)
    quiz = exam("ex", public, folder=tmp_path)
    assert not quiz.feedback
    assert all(not view.item.has_key and view.item.explanation is None for view in quiz.views)
    state = json.dumps(w.Widget.get_manager_state(drop_defaults=True), ensure_ascii=False)
    assert "解析标记" not in state and "原文标记" not in state
    with pytest.raises(ValueError, match="public items only"):
        exam("ex2", [{**public[0], "answer": "B"}], folder=tmp_path)
    with pytest.raises(ValueError, match="no answer key"):
        Quiz("ex3", ITEMS, mode="exam", folder=tmp_path)


def test_exam_answers_save_by_option_id_under_shuffle(tmp_path: Path):
    public = [item.public() for item in ITEMS]
    orders = set()
    for student in ("t001", "t002", "t003", "t004", "t005"):
        folder = tmp_path / student
        folder.mkdir()
        quiz = Quiz("ex", [type(ITEMS[0]).from_dict(p) for p in public], mode="exam", shuffle=True,
                    folder=folder, student=student)
        orders.add(tuple((view.item.id, tuple(view.order)) for view in quiz.views))
        answer_everything(quiz)
        answers = saved(folder, "ex")["answers"]
        assert all(score(KEY[i], r).status == "correct" for i, r in answers.items()), student
    assert len(orders) > 1  # different trainees see different orders


def test_shuffle_is_deterministic_per_trainee():
    first = display_order("exam-a", "t001", ITEMS)
    assert first == display_order("exam-a", "t001", ITEMS)
    assert [i.id for i, _ in first] != [i.id for i in ITEMS] or \
        any(opts != list(i.options) for i, opts in first)
    authored = display_order("exam-a", None, ITEMS)
    assert [i.id for i, _ in authored] == [i.id for i in ITEMS]
    assert all(opts == list(i.options) for i, opts in authored if i.type in ("single", "multiple"))


def test_corrupt_sidecar_is_backed_up_and_reported(tmp_path: Path):
    sidecar = tmp_path / "c.answers.json"
    sidecar.write_text('{"format": "cadrekit-answers/1", "answers": {"s-single": "B"', encoding="utf-8")
    original = sidecar.read_bytes()
    quiz = practice(SAMPLE_BANK, quiz_id="c", folder=tmp_path)
    backups = list(tmp_path.glob("c.answers.unreadable-*.json"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert "无法读取" in quiz.status.value and backups[0].name in quiz.status.value
    views(quiz)["s-tf"].inputs[0].value = True
    assert saved(tmp_path, "c")["answers"] == {"s-tf": True}
    assert backups[0].read_bytes() == original  # the unreadable answers are still there


def test_sidecar_of_another_quiz_is_kept(tmp_path: Path):
    (tmp_path / "c.answers.json").write_text(
        json.dumps({"format": "cadrekit-answers/1", "quiz": "other", "answers": {"x": 1}}), encoding="utf-8")
    quiz = practice(SAMPLE_BANK, quiz_id="c", folder=tmp_path)
    assert "属于另一份测验" in quiz.status.value
    assert len(list(tmp_path.glob("c.answers.unreadable-*.json"))) == 1


def test_answer_that_no_longer_fits_is_backed_up(tmp_path: Path):
    (tmp_path / "c.answers.json").write_text(json.dumps({
        "format": "cadrekit-answers/1", "quiz": "c",
        "answers": {"s-single": "Q", "s-tf": True, "retired-item": "A"}}), encoding="utf-8")
    quiz = practice(SAMPLE_BANK, quiz_id="c", folder=tmp_path)
    assert quiz.responses()["s-tf"] is True and quiz.responses()["s-single"] is None
    assert "与题目不符" in quiz.status.value
    assert len(list(tmp_path.glob("c.answers.unreadable-*.json"))) == 1
    views(quiz)["s-fill"].inputs[0].value = "季度"
    assert saved(tmp_path, "c")["answers"]["retired-item"] == "A"  # answers to other items are kept


def test_failed_save_is_shown_not_raised(tmp_path: Path):
    folder = tmp_path / "gone"
    folder.mkdir()
    quiz = practice(SAMPLE_BANK, quiz_id="g", folder=folder)
    folder.rmdir()
    views(quiz)["s-tf"].inputs[0].value = True
    assert "答案保存失败" in quiz.status.value
    folder.mkdir()
    views(quiz)["s-tf"].inputs[0].value = False
    assert saved(folder, "g")["answers"]["s-tf"] is False
    assert "已自动保存" in quiz.status.value


def test_unreadable_and_uncopyable_sidecar_blocks_saving(tmp_path: Path):
    (tmp_path / "d.answers.json").mkdir()  # neither readable as a file nor copyable
    quiz = practice(SAMPLE_BANK, quiz_id="d", folder=tmp_path)
    views(quiz)["s-tf"].inputs[0].value = True
    assert "本次作答不会保存" in quiz.status.value
    assert (tmp_path / "d.answers.json").is_dir()


def test_practice_selection():
    assert [v.item.id for v in practice(SAMPLE_BANK, topic="党员大会", folder="/nonexistent").views] == \
        ["s-single", "s-tf", "s-fill"]
    assert [v.item.id for v in practice(SAMPLE_BANK, ids=["s-match"], folder="/x").views] == ["s-match"]
    with pytest.raises(KeyError, match="nope"):
        practice(SAMPLE_BANK, ids=["nope"])
