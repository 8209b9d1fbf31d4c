"""党费计算：《党费规定》第二条（在职）和第五条（离退休）的档次边界与四舍五入。"""

import pytest

from cadrekit.calculators import ARTICLE_2, ARTICLE_5, dues_calculator, monthly_dues


@pytest.mark.parametrize(("income", "expected"), [
    (0, 0.0),
    (3000, 15.0),          # 3000元以下（含3000元）：0.5%
    (3000.01, 30.0),       # 3000元以上：1%  -> 30.0001
    (4200, 42.0),
    (5000, 50.0),          # 含5000元：1%
    (5000.01, 75.0),       # 5000元以上：1.5% -> 75.00015
    (10000, 150.0),        # 含10000元：1.5%
    (10000.01, 200.0),     # 10000元以上：2% -> 200.0002
    (12345, 246.9),
])
def test_in_service_brackets(income, expected):
    assert monthly_dues(income, "在职") == expected


@pytest.mark.parametrize(("income", "expected"), [
    (4000, 20.0),
    (5000, 25.0),          # 5000元以下（含5000元）：0.5%
    (5000.01, 50.0),       # 5000元以上：1% -> 50.0001
    (6800, 68.0),
])
def test_retired_brackets(income, expected):
    assert monthly_dues(income, "离退休") == expected


def test_rounds_half_up_to_the_cent():
    assert monthly_dues(1001, "在职") == 5.01        # 5.005 -> 5.01（不是银行家舍入的 5.00）
    assert monthly_dues(3000.5, "在职") == 30.01     # 30.005 -> 30.01
    assert monthly_dues(2999.99, "在职") == 15.0     # 14.99995 -> 15.00


@pytest.mark.parametrize(("income", "category"), [(-1, "在职"), (100, "农民"), (float("nan"), "在职")])
def test_rejects_bad_input(income, category):
    with pytest.raises(ValueError):
        monthly_dues(income, category)


def test_widget_shows_amount_and_quotes_the_article():
    box = dues_calculator()
    category, income, result = box.children
    assert list(category.options) == ["在职", "离退休"]
    income.value = 4200
    assert "42.00 元" in result.value and "第二条" in result.value and ARTICLE_2 in result.value
    category.value = "离退休"
    assert "21.00 元" in result.value and "第五条" in result.value and ARTICLE_5 in result.value
    income.value = 5000.01
    assert "50.00 元" in result.value
    income.value = -5
    assert "不小于0" in result.value
