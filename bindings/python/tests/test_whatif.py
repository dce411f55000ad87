"""payrules.whatif: the what-if comparison through the C ABI, exact Decimals."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

import payrules

ROOT = Path(__file__).resolve().parents[3]


def example():
    return json.loads((ROOT / "examples" / "request-2026-11.json").read_text(encoding="utf-8"))


def reform(name):
    return (ROOT / "examples" / "reforms" / name).read_text(encoding="utf-8")


def test_monthly_bonus_plus_100_on_the_example():
    cmp = payrules.whatif(example(), reform("monthly-bonus-plus-100.toml"))
    assert cmp["kind"] == "whatif" and cmp["complete"] is True
    # Same figures as the README's what-if run: 13 gain, 2 unchanged.
    assert cmp["counts"] == {"gain": 13, "lose": 0, "same": 2}
    assert cmp["total"] == {"old": Decimal("70800.00"), "new": Decimal("72016.67"), "delta": Decimal("1216.67")}
    for unit in cmp["by_unit"].values():
        assert unit["new"] - unit["old"] == unit["delta"]
        assert all(type(v) is Decimal for v in unit.values())
    # The base side equals a plain run of the same request.
    plain = payrules.run(example())
    assert cmp["total"]["old"] == plain["totals"]["gross"]
    # Delta totals are the sum of per-worker deltas.
    per_worker = sum(
        (line["delta"] for w in cmp["workers"] for line in w["lines"]), Decimal("0.00")
    )
    assert per_worker == cmp["total"]["delta"]


def test_a_reform_that_changes_nothing():
    text = reform("monthly-bonus-plus-100.toml")
    # The same value as the base policy: a change that changes nothing.
    cmp = payrules.whatif(example(), text.split("[changes]")[0] + '[changes]\nmonthly_bonus.pass = "900.00"\n')
    assert cmp["total"]["delta"] == Decimal("0.00")
    assert cmp["counts"]["gain"] == 0 and cmp["counts"]["lose"] == 0


def test_bad_reforms():
    with pytest.raises(TypeError):
        payrules.whatif(example(), b"not text")
    bad = reform("monthly-bonus-plus-100.toml").replace("[changes]", "[changes]\nquota.excelent = \"0.25\"")
    with pytest.raises(payrules.PayrulesError) as e:
        payrules.whatif(example(), bad)
    assert "changes.quota.excelent" in str(e.value)
