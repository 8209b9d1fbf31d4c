# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 测验演示：三会一课（六种题型）
#
# 这份笔记本演示 cadrekit 的练习测验。**不需要写代码**：点击菜单 **“运行 → 运行全部单元格”**，
# 下方就会出现题目。
#
# - 单选题、判断题：点选后立即显示对错、解析和所依据的条文原文；
# - 多选题、填空题、排序题、匹配题：作答后点 **“核对答案”**；
# - 每次作答都会自动保存。关闭浏览器或重启后再次“运行全部单元格”，答案都会恢复。
#
# 题目出自题库 `quizzes/sanhui-yike.yaml`，每题都注明依据的法规和条款。

# %% jupyter={"source_hidden": true} tags=["cadrekit-quiz"]
# 练习题：运行后在下方作答
from cadrekit.quiz import practice

practice(
    "../quizzes/sanhui-yike.yaml",
    quiz_id="demo-sanhui",
    ids=["shyk-002", "shyk-011", "shyk-009", "shyk-027", "shyk-018", "shyk-088"],
    title="三会一课 · 六种题型示例",
)

# %% [markdown]
# 想继续练习？打开其他课程模块，每个模块后面都有练习题。
