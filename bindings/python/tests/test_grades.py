"""assign_grades: quota caps, as a run grades."""

from decimal import Decimal

import pytest

import payrules
from payrules import Grade

from conftest import GOLDEN, load_json


def test_caps_floor_per_pool():
    scores = {f"W{i:02}": 99 - i for i in range(10)}
    grades = payrules.assign_grades(scores, period="2026-11")
    # 10 people: 2 excellent, 6 good (20% / 60%, rounded down), the rest pass.
    assert [grades[k] for k in sorted(grades)] == [Grade.EXCELLENT] * 2 + [Grade.GOOD] * 6 + [Grade.PASS] * 2
    assert list(grades) == sorted(grades)


def test_fail_below_60_and_scores_as_decimal_str_int():
    a = payrules.assign_grades({"A": Decimal("59.99"), "B": "60", "C": 95, "D": "70", "E": "80"}, period="2026")
    # 5 graded: 1 excellent, 3 good; 59.99 is below fail_below = 60, 60 is not.
    assert a == {"A": Grade.FAIL, "B": Grade.GOOD, "C": Grade.EXCELLENT, "D": Grade.GOOD, "E": Grade.GOOD}


def test_roster_pools_equal_the_golden_scores_case():
    request = load_json(GOLDEN / "scores.request.json")
    want = load_json(GOLDEN / "scores.response.json")
    scores = {a["worker_id"]: a["score"] for a in request["assessments"]}
    grades = payrules.assign_grades(scores, request["workers"], period=request["period"])
    from_rules = {s["worker_id"]: l["rule"].rsplit(".", 1)[1] for s in want["payslips"] for l in s["lines"]
                  if l["code"] == "monthly_bonus"}
    assert {k: g.code for k, g in grades.items()} == from_rules
    assert len(grades) == 12


def test_bad_scores_and_periods():
    with pytest.raises(TypeError):
        payrules.assign_grades({"A": 85.5}, period="2026-11")
    with pytest.raises(payrules.InputError) as e:
        payrules.assign_grades({"A": "eighty"}, period="2026-11")
    assert e.value.worker_id == "A"
    with pytest.raises(payrules.InputError):
        payrules.assign_grades({"A": "80"}, period="Nov 2026")
