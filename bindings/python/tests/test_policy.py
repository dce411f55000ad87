"""Policy handles and single amounts: exact Decimals, every error path."""

import datetime as dt
import decimal
from decimal import Decimal

import pytest

import payrules
from payrules import Grade, HonourLevel, Title

from conftest import REPO

ON = dt.date(2026, 11, 1)


def test_builtin_id_and_version(policy):
    assert policy.id == "gulou"
    assert policy.version_on(ON) == "2018"
    assert policy.version_on("2018-01-01") == "2018"


@pytest.mark.parametrize(
    "grade, monthly, annual",
    [("excellent", "1300.00", "2400.00"), ("good", "1100.00", "1800.00"), ("pass", "900.00", "1200.00"),
     ("fail", "0.00", "0.00"), ("ungraded", "0.00", "0.00")],
)
def test_bonuses_are_exact_decimals(policy, grade, monthly, annual):
    m = policy.monthly_bonus(grade, on=ON)
    a = policy.annual_bonus(grade, on=ON)
    assert type(m) is Decimal and type(a) is Decimal
    # Equal and written the same: two decimals, no float on the way.
    assert str(m) == monthly and str(a) == annual
    assert m.as_tuple().exponent == -2


def test_codes_in_chinese_and_enums(policy):
    assert policy.monthly_bonus("优秀", on=ON) == Decimal("1300.00")
    assert policy.monthly_bonus(Grade.GOOD, on=ON) == Decimal("1100.00")
    assert policy.monthly_bonus(" Excellent ", on="2026-11-01") == Decimal("1300.00")
    assert policy.honour_award("national", on=ON) == Decimal("10000.00")
    assert policy.honour_award("省级", on=ON) == Decimal("5000.00")
    assert policy.honour_award(HonourLevel.MUNICIPAL, on=ON) == Decimal("3000.00")
    assert [str(policy.title_allowance(t, on=ON)) for t in Title] == ["0.00", "200.00", "400.00", "600.00"]
    assert policy.title_allowance("社会工作师", on=ON) == Decimal("400.00")


def test_low_decimal_precision_does_not_round(policy):
    with decimal.localcontext() as ctx:
        ctx.prec = 2
        assert str(policy.honour_award("national", on=ON)) == "10000.00"


def test_no_version_in_force_is_a_policy_error(policy):
    with pytest.raises(payrules.PolicyError) as e:
        policy.monthly_bonus("good", on="2017-12-31")
    assert e.value.status == payrules._native.lib.PAYRULES_NO_POLICY_VERSION
    assert "2017-12-31" in str(e.value)
    with pytest.raises(payrules.PolicyError):
        policy.version_on(dt.date(2000, 1, 1))


def test_bad_codes_and_dates_are_input_errors(policy):
    with pytest.raises(payrules.InputError) as e:
        policy.monthly_bonus("great", on=ON)
    assert e.value.field == "grade" and "great" in str(e.value) and "excellent (优秀)" in str(e.value)
    with pytest.raises(payrules.InputError) as e:
        policy.honour_award("county", on=ON)
    assert e.value.field == "level"
    with pytest.raises(payrules.InputError) as e:
        policy.title_allowance("none", on="2026-02-30")
    assert e.value.field == "on"
    assert isinstance(e.value, payrules.PayrulesError)


def test_wrong_types_are_type_errors(policy):
    with pytest.raises(TypeError):
        policy.monthly_bonus(3.0, on=ON)
    with pytest.raises(TypeError):
        policy.monthly_bonus(3, on=ON)  # a bare int is not a Grade
    with pytest.raises(TypeError):
        policy.monthly_bonus("good", on=20261101)
    with pytest.raises(TypeError):
        policy.monthly_bonus("good", on=dt.datetime(2026, 11, 1))
    with pytest.raises(TypeError):
        policy.monthly_bonus("good")  # on= is required
    with pytest.raises(TypeError):
        payrules.Policy()
    with pytest.raises(TypeError):
        payrules.Policy.from_toml(b"id = 'x'")


def test_from_toml_round_trip_and_from_file(policy, tmp_path):
    text = policy.to_toml()
    again = payrules.Policy.from_toml(text)
    assert again.to_toml() == text
    assert again.monthly_bonus("excellent", on=ON) == Decimal("1300.00")
    f = tmp_path / "p.toml"
    f.write_text(text.replace('excellent = "1300.00"', 'excellent = "1250.50"', 1), encoding="utf-8")
    custom = payrules.Policy.from_file(f)
    assert custom.monthly_bonus("excellent", on=ON) == Decimal("1250.50")
    assert policy.monthly_bonus("excellent", on=ON) == Decimal("1300.00")
    builtin_file = payrules.Policy.from_file(REPO / "policies" / "gulou.toml")
    assert builtin_file.id == "gulou"


def test_invalid_policy_lists_every_problem(policy):
    text = policy.to_toml()
    bad = text.replace('excellent = "1300.00"', 'excellent = "1400.00"', 1).replace(
        'national = "10000.00"', 'nationall = "10000.00"', 1)
    with pytest.raises(payrules.PolicyError) as e:
        payrules.Policy.from_toml(bad)
    msg = str(e.value)
    assert "monthly_bonus.excellent" in msg and "1400.00" in msg
    assert "honours.nationall" in msg and "honours.national" in msg
    assert e.value.status == payrules._native.lib.PAYRULES_INVALID_POLICY


def test_not_toml_and_empty_are_policy_errors():
    for text in ("", "this is not toml [", "id = 1.5"):
        with pytest.raises(payrules.PolicyError):
            payrules.Policy.from_toml(text)


def test_from_file_missing_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        payrules.Policy.from_file(tmp_path / "missing.toml")
