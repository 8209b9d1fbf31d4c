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
# # 错题本
#
# 各模块练习中答错（或只答对一部分）的题目会自动收入错题本。点击菜单 **“运行 → 运行全部单元格”** 重新作答：
# 每道题作答后点“核对答案”，会显示解析和依据的条文。**同一道题连续答对两次**后，下次打开错题本时它就不再出现。

# %% jupyter={"source_hidden": true} tags=["cadrekit-quiz"]
# 错题本
from cadrekit.study import mistakes_quiz

mistakes_quiz("../quizzes")
