"""payrules.run: the golden cases, Decimal amounts, floats refused, errors."""

import copy
import re
import datetime as dt
import json
from decimal import Decimal

import pytest

import payrules
from payrules import _native

from conftest import GOLDEN, golden_names, load_json


def walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


def amounts_as_decimal(doc):
    """The expected response with its amount strings as Decimal."""
    doc = copy.deepcopy(doc)
    for slip in doc["payslips"]:
        slip["gross"] = Decimal(slip["gross"])
        for line in slip["lines"]:
            line["amount"] = Decimal(line["amount"])
    t = doc["totals"]
    t["gross"] = Decimal(t["gross"])
    for k in ("by_code", "by_unit"):
        t[k] = {key: Decimal(v) for key, v in t[k].items()}
    return doc


@pytest.mark.parametrize("name", golden_names())
def test_golden_cases(name):
    request = load_json(GOLDEN / f"{name}.request.json")
    want = amounts_as_decimal(load_json(GOLDEN / f"{name}.response.json"))
    got = payrules.run(request, strict=False)
    assert got == want
    # Byte for byte through the C ABI too.
    status, text, _ = payrules._run.run_text((GOLDEN / f"{name}.request.json").read_bytes())
    assert text + "\n" == (GOLDEN / f"{name}.response.json").read_text(encoding="utf-8")
    assert (status == _native.lib.PAYRULES_OK) == want["complete"]


def test_explain_false_gives_the_same_amounts_without_the_texts():
    request = load_json(GOLDEN / "monthly-example.request.json")
    want = amounts_as_decimal(load_json(GOLDEN / "monthly-example.response.json"))
    for slip in want["payslips"]:
        for line in slip["lines"]:
            del line["rule"], line["explain"]
    got = payrules.run(dict(request, explain=False))
    assert got == want
    assert set(got["payslips"][0]["lines"][0]) == {"code", "amount"}


def test_no_float_anywhere_in_a_response():
    got = payrules.run(load_json(GOLDEN / "monthly-example.request.json"))
    values = list(walk(got))
    assert not any(isinstance(v, float) for v in values)
    assert sum(isinstance(v, Decimal) for v in values) > 50
    for slip in got["payslips"]:
        assert slip["gross"] == sum(line["amount"] for line in slip["lines"])
        assert all(line["amount"].as_tuple().exponent == -2 for line in slip["lines"])
    assert got["totals"]["gross"] == sum(s["gross"] for s in got["payslips"])


def test_golden_errors_case_raises_input_error_by_default():
    request = load_json(GOLDEN / "errors.request.json")
    with pytest.raises(payrules.InputError) as e:
        payrules.run(request)
    err = e.value
    want = load_json(GOLDEN / "errors.response.json")
    assert [(p.worker_id, p.field, p.message) for p in err.errors] == [
        (x["worker_id"], x["field"], x["message"]) for x in want["errors"]]
    assert (err.worker_id, err.field) == ("E1", "title")
    assert err.response["complete"] is False and err.response["payslips"] == []
    assert err.status == _native.lib.PAYRULES_INPUT_ERRORS


def scores_request(score):
    return {
        "kind": "monthly",
        "period": "2026-11",
        "workers": [{"id": "A", "name": "", "unit": "u", "position": "community_worker", "title": "none",
                     "hired_on": dt.date(2020, 1, 1)}],
        "assessments": [{"worker_id": "A", "period": "2026-11", "score": score}],
    }


def test_scores_may_be_decimal_str_or_int():
    results = [payrules.run(scores_request(s)) for s in (Decimal("85"), "85", 85, Decimal("85.00"))]
    assert all(r == results[0] for r in results)
    assert results[0]["payslips"][0]["lines"][4]["code"] == "monthly_bonus"


@pytest.mark.parametrize("where", ["score", "nested", "top"])
def test_a_float_anywhere_is_a_type_error(where):
    request = scores_request("85")
    if where == "score":
        request["assessments"][0]["score"] = 85.0
    elif where == "nested":
        request["workers"][0]["extra"] = [1, {"x": 0.1}]
    else:
        request["period"] = 2026.11
    with pytest.raises(TypeError, match="float"):
        payrules.run(request)


def test_records_are_checked_like_any_value():
    # Lists of plain records skip the copy; anything else in them still goes
    # through the full check, with the path of the offending value.
    request = scores_request("85")
    request["workers"].append(dict(request["workers"][0], id="B", extra={"x": 0.5}))
    with pytest.raises(TypeError, match=r"workers\[1\]\.extra\.x: 0\.5 is a float"):
        payrules.run(request)
    request = scores_request("85")
    request["workers"][0][3] = "x"
    with pytest.raises(TypeError, match=r"workers\[0\]: keys must be strings"):
        payrules.run(request)
    request = scores_request("85")
    request["assessments"][0]["score"] = 85
    assert payrules._run.request_json(request) == payrules._run.request_json(scores_request("85"))


def test_json_numbers_where_strings_belong_are_refused_by_the_engine():
    # A float-looking value given as a JSON number never reaches the engine
    # from Python; a bool (JSON true) does, and the engine refuses it.
    request = scores_request("85")
    request["assessments"][0]["score"] = True
    with pytest.raises(payrules.InputError):
        payrules.run(request)


def test_request_that_cannot_be_run():
    with pytest.raises(payrules.InputError) as e:
        payrules.run({"kind": "weekly", "period": "2026-11"})
    assert e.value.status == _native.lib.PAYRULES_INVALID_REQUEST
    with pytest.raises(payrules.InputError) as e:
        payrules.run({"kind": "monthly", "period": "2026-13", "workers": []})
    assert e.value.field == "period"
    with pytest.raises(payrules.PolicyError):
        payrules.run({"kind": "monthly", "period": "2010-01", "workers": []})
    with pytest.raises(payrules.PolicyError):
        payrules.run({"kind": "monthly", "period": "2026-11", "policy": "not toml [", "workers": []})
    with pytest.raises(TypeError):
        payrules.run([1, 2])
    with pytest.raises(TypeError):
        payrules.run({"kind": "monthly", "period": "2026-11", 3: "x"})
    with pytest.raises(TypeError):
        payrules.run({"kind": "monthly"}, policy="gulou")


def test_policy_argument_and_request_policy(policy):
    text = policy.to_toml().replace('excellent = "1300.00"', 'excellent = "1299.99"', 1)
    custom = payrules.Policy.from_toml(text)
    request = load_json(GOLDEN / "monthly-example.request.json")
    base = payrules.run(request)
    via_arg = payrules.run(request, policy=custom)
    via_text = payrules.run(dict(request, policy=text))
    assert via_arg == via_text
    diff = base["totals"]["by_code"]["monthly_bonus"] - via_arg["totals"]["by_code"]["monthly_bonus"]
    excellent = sum(1 for s in base["payslips"] for line in s["lines"]
                    if line["rule"].endswith("§monthly_bonus.excellent") and line["explain"].endswith("→ 1300.00"))
    assert excellent >= 1 and diff == Decimal("0.01") * excellent


def test_response_is_the_cli_document():
    raw = (GOLDEN / "scores.request.json").read_bytes()
    status, text, _ = payrules._run.run_text(raw)
    assert payrules.run(json.loads(raw)) == payrules._run.parse_response(text)


def test_bad_text_and_bad_decimals_are_input_errors():
    request = scores_request("85")
    request["workers"][0]["name"] = "\udc80"
    with pytest.raises(payrules.InputError) as e:
        payrules.run(request)
    assert e.value.status == _native.lib.PAYRULES_INVALID_UTF8
    for bad in (Decimal("NaN"), Decimal("Infinity"), 10**40, "85.5.5"):
        with pytest.raises(payrules.InputError) as e:
            payrules.run(scores_request(bad))
        assert (e.value.worker_id, e.value.field) == ("A", "score")
    # Exponent forms are written out plainly: 1E+1 is the score 10.
    assert payrules.run(scores_request(Decimal("1E+1"))) == payrules.run(scores_request("10"))


_AMOUNT_TEXT = re.compile(r"-?\d+\.\d{2}")


def _strings_that_look_like_amounts(value, key=None):
    """(key, value) of every string in a response that is written like an
    amount, outside the explanation texts."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("rule", "explain", "message"):
                yield from _strings_that_look_like_amounts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings_that_look_like_amounts(v, key)
    elif isinstance(value, str) and _AMOUNT_TEXT.fullmatch(value):
        yield key, value


def test_gross_to_net_amounts_are_decimal():
    worker = {"id": "W1", "name": "林晓", "unit": "温泉社区", "position": "community_worker",
              "hired_on": "2020-03-01"}
    tax = [{"worker_id": "W1", "contribution_base": "22500.00", "additional_deductions": "2000.00"}]
    month = payrules.run({
        "kind": "monthly", "period": "2026-12", "workers": [worker],
        "assessments": [{"worker_id": "W1", "period": "2026-12", "grade": "pass"}], "tax": tax,
    })
    slip = month["payslips"][0]
    assert isinstance(slip["net"], Decimal) and slip["net"] == slip["lines"][-1]["amount"]
    assert all(isinstance(month["ytd"][0][k], Decimal) for k in ("income", "tax_withheld", "contributions"))
    year = payrules.run({
        "kind": "annual", "period": "2026", "workers": [worker],
        "assessments": [{"worker_id": "W1", "period": "2026", "grade": "pass"}],
        "tax": tax, "ytd": month["ytd"],
    })
    bonus = year["payslips"][0]["bonus_tax"]
    assert bonus["bonus"] == Decimal("1200.00")
    assert all(isinstance(bonus[k], Decimal) for k in ("separate", "merged", "merged_total", "saving"))
    for doc in (month, year):
        assert list(_strings_that_look_like_amounts(doc)) == []


def test_deductions_the_pay_cannot_cover_are_decimal_and_warned():
    # One day's pay (103.33) against 900.00 of contributions: net 0.00.
    worker = {"id": "W1", "name": "林晓", "unit": "温泉社区", "position": "community_worker",
              "hired_on": "2026-11-30"}
    month = payrules.run({
        "kind": "monthly", "period": "2026-11", "workers": [worker],
        "assessments": [{"worker_id": "W1", "period": "2026-11", "grade": "fail"}],
        "tax": [{"worker_id": "W1"}],
    })
    slip = month["payslips"][0]
    assert slip["net"] == Decimal("0.00")
    assert slip["contributions_unpaid"] == Decimal("796.67")
    assert [(w["worker_id"], w["field"]) for w in month["warnings"]] == [("W1", "contributions")]
    # Tax owed by a state taken over mid-year: 2790.00 carried to April.
    worker["hired_on"] = "2020-03-01"
    march = payrules.run({
        "kind": "monthly", "period": "2026-03", "workers": [worker],
        "assessments": [{"worker_id": "W1", "period": "2026-03", "grade": "pass"}],
        "tax": [{"worker_id": "W1"}],
        "ytd": [{"worker_id": "W1", "year": 2026, "months": 2, "income": Decimal("96000.00"),
                 "through": "2026-02"}],
    })
    assert march["payslips"][0]["tax_unwithheld"] == Decimal("2790.00")
    assert march["ytd"][0]["tax_unwithheld"] == Decimal("2790.00")
    assert march["ytd"][0]["through"] == "2026-03"
    for doc in (month, march):
        assert list(_strings_that_look_like_amounts(doc)) == []
