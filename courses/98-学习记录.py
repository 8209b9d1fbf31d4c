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
# # 我的学习记录
#
# 点击菜单 **“运行 → 运行全部单元格”**，下方显示你在本机学习各模块的情况：首次和最近学习日期、学习时长、
# 折合学时（每学时 45 分钟）和练习得分。学习时间在模块页面打开期间自动记录。
#
# 点击 **“保存为网页（可打印）”** 会在本文件夹生成 `学习记录.html`：在左侧文件浏览器中右键该文件，
# 选择“在新浏览器标签中打开”，即可打印或另存。
#
# 学习记录保存在本机的用户数据文件夹中（不在课程文件夹里），课程更新不会清除它。

# %% jupyter={"source_hidden": true} tags=["cadrekit-study"]
# 学习记录
from cadrekit.study import study_record

study_record()
