"""payrules.monthly (the typed batch) against payrules.run, and its errors."""

import datetime as dt
from decimal import Decimal

import pytest

import payrules
from payrules import Grade, Worker
from payrules.synth import monthly_request

from conftest import GOLDEN, load_json


def run_lines(response):
    """worker id → [(code, amount)] of a run, honour lines summed into one."""
    out = {}
    for slip in response["payslips"]:
        lines = [(l["code"], l["amount"]) for l in slip["lines"] if l["code"] != "honour_award"]
        honours = [l["amount"] for l in slip["lines"] if l["code"] == "honour_award"]
        if honours:
            lines.append(("honour_award", sum(honours)))
        out[slip["worker_id"]] = (slip["name"], slip["unit"], lines, slip["gross"])
    return out


def batch_lines(slips):
    return {s.worker_id: (s.name, s.unit, [(l.code, l.amount) for l in s.lines], s.gross) for s in slips}


def test_golden_monthly_example_equals_run():
    request = load_json(GOLDEN / "monthly-example.request.json")
    response = payrules.run(request)
    slips = payrules.monthly(request["workers"], request["assessments"], request["period"],
                             honours=request["honours"])
    assert batch_lines(slips) == run_lines(response)
    # W001: provincial and municipal honours for one deed: the highest is paid.
    w1 = next(s for s in slips if s.worker_id == "W001")
    assert w1.honour_award == Decimal("5000.00") and w1.gross == Decimal("10300.00")
    assert sum(s.gross for s in slips) == response["totals"]["gross"]


def test_synthetic_population_equals_run():
    request = monthly_request(500, "2026-02")
    response = payrules.run(request)
    slips = payrules.monthly(request["workers"], request["assessments"], "2026-02")
    assert len(slips) == 500
    assert batch_lines(slips) == run_lines(response)
    # Partial months are prorated by calendar days: W0000007 was hired on the
    # 11th (18 of 28 days), W0000027 left on the 20th (20 of 28 days).
    by_id = {s.worker_id: s for s in slips}
    assert by_id["W0000007"].base_pay == Decimal("1414.29")  # 2200 × 18/28 = 1414.2857…
    assert by_id["W0000027"].base_pay == Decimal("1571.43")  # 2200 × 20/28 = 1571.4285…


def test_hand_worked_payslip_and_types(policy):
    workers = [Worker(id="A1", position="社区书记", hired_on=dt.date(2015, 3, 1), title="中级", unit="温泉社区",
                      name="张三")]
    [slip] = payrules.monthly(workers, {"A1": Grade.EXCELLENT}, (2026, 11), policy=policy)
    assert slip == payrules.Payslip("A1", "张三", "温泉社区", Decimal("2600.00"), Decimal("600.00"),
                                    Decimal("600.00"), Decimal("400.00"), Decimal("1300.00"),
                                    Decimal("0.00"), Decimal("5500.00"))
    assert all(type(getattr(slip, f)) is Decimal for f in ("base_pay", "gross", "honour_award"))
    assert [l.code for l in slip.lines] == ["base_pay", "living_allowance", "post_allowance",
                                           "title_allowance", "monthly_bonus"]


def test_order_kept_and_not_employed_left_out():
    workers = [
        {"id": "B", "position": "community_worker", "hired_on": "2020-01-01"},
        {"id": "A", "position": "community_worker", "hired_on": "2020-01-01", "left_on": "2026-10-31"},
        {"id": "C", "position": "community_worker", "hired_on": "2026-12-01"},
        {"id": "D", "position": "community_worker", "hired_on": "2026-11-16"},
    ]
    slips = payrules.monthly(workers, {"B": "good", "D": "pass"}, "2026-11")
    assert [s.worker_id for s in slips] == ["B", "D"]
    # D: hired on the 16th: 15 of 30 days, the bonus prorated too (built-in policy).
    d = slips[1]
    assert (d.base_pay, d.monthly_bonus) == (Decimal("1100.00"), Decimal("450.00"))


def test_assessment_records_for_other_periods_are_ignored():
    workers = [{"id": "A", "position": "community_worker", "hired_on": "2020-01-01"}]
    records = [{"worker_id": "A", "period": "2026-10", "grade": "fail"},
               {"worker_id": "A", "period": "2026-11", "grade": "excellent"}]
    [s] = payrules.monthly(workers, records, "2026-11")
    assert s.monthly_bonus == Decimal("1300.00")


def test_probationer_without_assessment_is_ungraded():
    workers = [{"id": "P", "position": "community_worker", "hired_on": "2026-09-01",
                "probation_until": "2026-12-31"}]
    [s] = payrules.monthly(workers, {}, "2026-11")
    assert s.monthly_bonus == Decimal("0.00") and s.gross == Decimal("3100.00")
    # Every amount on the fen, written with two decimals (scale 2), zero too.
    assert [str(l.amount) for l in s.lines] == ["2200.00", "600.00", "300.00", "0.00", "0.00"]


def good(id_, **kw):
    w = {"id": id_, "name": "n", "unit": "u", "position": "community_worker", "hired_on": "2020-01-01"}
    w.update(kw)
    return w


@pytest.mark.parametrize(
    "worker, grade, field, text",
    [
        (good("X", position="mayor"), "good", "position", "mayor"),
        (good("X", title="doctor"), "good", "title", "doctor"),
        (good("X", hired_on="2026-02-30"), "good", "hired_on", "2026-02-30"),
        (good("X", left_on="2019-01-01"), "good", "left_on", "before"),
        (good("X"), "great", "grade", "great"),
        (good("X"), None, "grade", "no assessment"),
        (good("X", probation_until="2026-12-31"), "good", "grade", "probation"),
        (good("X", hierd_on="2020-01-01"), "good", "hierd_on", "unknown field"),
        (good("X", hired_on=None), "good", "hired_on", "missing"),
        (good("X\0Y"), "good", "id", "NUL"),
        (good("X", position="community\0worker"), "good", "position", "NUL"),
    ],
)
def test_bad_rows_are_input_errors_and_the_rest_is_paid(worker, grade, field, text):
    grades = {"OK": "good"}
    if grade is not None:
        grades[worker["id"]] = grade
    with pytest.raises(payrules.InputError) as e:
        payrules.monthly([good("OK"), worker], grades, "2026-11")
    err = e.value
    assert [(p.worker_id, p.field) for p in err.errors] == [(worker["id"], field)]
    assert (err.worker_id, err.field) == (worker["id"], field)
    assert text in err.errors[0].message
    assert [s.worker_id for s in err.payslips] == ["OK"]
    assert err.payslips[0].gross == Decimal("4200.00")


def test_duplicate_ids_fail_every_copy():
    with pytest.raises(payrules.InputError) as e:
        payrules.monthly([good("D"), good("OK"), good("D")], {"D": "good", "OK": "pass"}, "2026-11")
    assert [(p.worker_id, p.field) for p in e.value.errors] == [("D", "id"), ("D", "id")]
    assert "duplicate" in e.value.errors[0].message
    assert [s.worker_id for s in e.value.payslips] == ["OK"]


def test_honour_errors():
    honours = [{"worker_id": "NOBODY", "level": "national", "awarded_on": "2026-11-01"},
               {"worker_id": "OK", "level": "county", "awarded_on": "2026-11-01"}]
    with pytest.raises(payrules.InputError) as e:
        payrules.monthly([good("OK")], {"OK": "good"}, "2026-11", honours=honours)
    got = sorted((p.worker_id, p.field) for p in e.value.errors)
    assert got == [("NOBODY", "worker_id"), ("OK", "level")]


def test_honours_of_other_months_are_not_paid():
    honours = [payrules.Honour("OK", "national", dt.date(2026, 10, 31)),
               payrules.Honour("OK", payrules.HonourLevel.MUNICIPAL, "2026-11-30", deed="x")]
    [s] = payrules.monthly([good("OK")], {"OK": "good"}, "2026-11", honours=honours)
    assert s.honour_award == Decimal("3000.00") and s.lines[-1] == payrules.Line("honour_award", Decimal("3000.00"))


def test_type_errors_and_periods():
    with pytest.raises(TypeError):
        payrules.monthly([good("A", hired_on=20200101)], {"A": "good"}, "2026-11")
    with pytest.raises(TypeError):
        payrules.monthly([good("A", hired_on=1.5)], {"A": "good"}, "2026-11")
    with pytest.raises(TypeError):
        payrules.monthly([good("A")], {"A": 4.0}, "2026-11")
    with pytest.raises(TypeError):
        payrules.monthly([("A",)], {}, "2026-11")
    with pytest.raises(TypeError):
        payrules.monthly([good("A")], {"A": "good"}, 202611)
    with pytest.raises(TypeError):
        payrules.monthly([good("A", id=7)], {}, "2026-11")
    for bad in ("2026-13", "2026-1", "11-2026"):
        with pytest.raises(payrules.InputError) as e:
            payrules.monthly([good("A")], {"A": "good"}, bad)
        assert e.value.field == "period"
    with pytest.raises(payrules.PolicyError):
        payrules.monthly([good("A")], {"A": "good"}, "2017-12")
    with pytest.raises(payrules.InputError):
        payrules.monthly([good("A")], [{"worker_id": "A", "period": "2026-11", "score": "90"}], "2026-11")
    assert payrules.monthly([], {}, "2026-11") == []


def test_empty_id_is_an_input_error():
    with pytest.raises(payrules.InputError) as e:
        payrules.monthly([good("")], {"": "good"}, "2026-11")
    assert e.value.field == "id"


def test_text_that_is_not_utf8_or_holds_nul():
    # A lone surrogate cannot be UTF-8: the C ABI refuses the row, naming the field.
    with pytest.raises(payrules.InputError) as e:
        payrules.monthly([good("OK"), good("X", position="community\udc80worker")], {"OK": "pass", "X": "pass"}, "2026-11")
    assert [(p.worker_id, p.field) for p in e.value.errors] == [("X", "position")]
    assert "UTF-8" in e.value.errors[0].message and len(e.value.payslips) == 1
    honours = [{"worker_id": "OK", "level": "national", "awarded_on": "2026-11-01", "deed": "a\0b"}]
    with pytest.raises(payrules.InputError) as e:
        payrules.monthly([good("OK")], {"OK": "pass"}, "2026-11", honours=honours)
    assert [(p.worker_id, p.field) for p in e.value.errors] == [("OK", "deed")]
    assert e.value.payslips[0].honour_award == Decimal("0.00")


def test_garbage_collector_state_is_restored():
    import gc

    workers = [{"id": "G1", "position": "community_worker", "hired_on": "2020-01-01"}]
    assert gc.isenabled()
    slips = payrules.monthly(workers, {"G1": "pass"}, "2026-11")
    assert slips[0].gross == Decimal("4000.00")
    assert gc.isenabled(), "monthly must switch the collector back on"
    with pytest.raises(payrules.InputError):
        payrules.monthly(workers, {"G1": "great"}, "2026-11")
    assert gc.isenabled(), "also after an error"
    gc.disable()
    try:
        payrules.monthly(workers, {"G1": "pass"}, "2026-11")
        assert not gc.isenabled(), "a collector the caller paused stays paused"
    finally:
        gc.enable()
