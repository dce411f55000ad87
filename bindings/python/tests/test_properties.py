"""Round trips and invariants (hypothesis)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings, strategies as st

import payrules
from payrules import _codes, _native
from payrules._native import ffi, lib

from test_monthly import batch_lines, run_lines


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(min_value=0, max_value=28))
def test_decimal_round_trip_through_c(mantissa, scale):
    d = _codes.to_decimal(mantissa, scale)
    assert d == Decimal(mantissa).scaleb(-scale) and d.as_tuple().exponent == -scale
    # C writes it as text; Python reads back the same Decimal, exactly.
    buf = ffi.new("char[]", lib.PAYRULES_DECIMAL_STRING_MAX)
    v = ffi.new("payrules_decimal *", {"mantissa": mantissa, "scale": scale})
    assert lib.payrules_decimal_to_string(v[0], buf, len(buf), ffi.NULL, ffi.NULL) == lib.PAYRULES_OK
    assert Decimal(ffi.string(buf).decode()) == d
    # And C parses Python's text of it back to the same pair.
    text = format(d, "f").encode()
    out = ffi.new("payrules_decimal *")
    assert lib.payrules_decimal_parse(text, len(text), out, ffi.NULL) == lib.PAYRULES_OK
    assert _codes.to_decimal(out.mantissa, out.scale) == d


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
def test_scores_as_decimal_str_and_int_grade_alike(score):
    forms = [score, format(score, "f")]
    if score == score.to_integral_value():
        forms.append(int(score))
    results = [payrules.assign_grades({"A": s, "B": "75"}, period="2026-11") for s in forms]
    assert all(r == results[0] for r in results)


positions = st.sampled_from(["community_worker", "community_secretary", "career_secretary", "社区书记"])
titles = st.sampled_from(["none", "assistant_social_worker", "social_worker", "senior_social_worker", "中级", "无"])
grades = st.sampled_from(["excellent", "good", "pass", "fail", "ungraded", "优秀", "良好"])
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))


@st.composite
def worker(draw, i):
    hired = draw(days)
    w = {"id": f"W{i:03}", "name": f"n{i}", "unit": draw(st.sampled_from(["u1", "u2"])),
         "position": draw(positions), "title": draw(titles), "hired_on": hired.isoformat()}
    if draw(st.booleans()):
        w["left_on"] = (hired + dt.timedelta(days=draw(st.integers(0, 400)))).isoformat()
    return w


@st.composite
def population(draw):
    n = draw(st.integers(0, 12))
    return [draw(worker(i)) for i in range(n)], [draw(grades) for _ in range(n)]


@settings(max_examples=60, deadline=None)
@given(population(), st.sampled_from(["2026-02", "2026-11", "2027-12"]))
def test_monthly_equals_run_on_random_populations(pop, period):
    workers, gs = pop
    assessments = [{"worker_id": w["id"], "period": period, "grade": g} for w, g in zip(workers, gs)]
    # Given grades, not quotas: a run with grades also takes them as given.
    response = payrules.run({"kind": "monthly", "period": period, "workers": workers,
                             "assessments": assessments}, strict=False)
    try:
        slips = payrules.monthly(workers, assessments, period)
        errors = []
    except payrules.InputError as e:
        slips, errors = e.payslips, e.errors
    assert batch_lines(slips) == run_lines(response)
    # A run also checks given grades against the quotas (pool-level errors,
    # no worker id); the typed batch takes grades as given. Otherwise the
    # same workers fail, on the same fields.
    quota = [e for e in response["errors"] if e["worker_id"] is None]
    assert all(e["field"] == "grade" and "over the cap" in e["message"] for e in quota)
    assert sorted((p.worker_id, p.field) for p in errors) == sorted(
        (e["worker_id"], e["field"]) for e in response["errors"] if e["worker_id"] is not None)
    for s in slips:
        assert s.gross == sum(l.amount for l in s.lines)


def test_status_of_every_error_class():
    assert issubclass(payrules.PolicyError, payrules.PayrulesError)
    assert issubclass(payrules.InputError, payrules.PayrulesError)
    assert _native.lib.PAYRULES_OK == 0
