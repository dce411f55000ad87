"""Reading responses: run()'s shortcut for the lines many payslips share
gives exactly json.loads with the amount hook, or steps aside."""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

import payrules
from payrules import _run
from payrules.synth import monthly_request

from conftest import GOLDEN


def whole(text):
    """The reference: the document parsed whole, as run() did before."""
    return json.loads(text, object_hook=_run._hook)


def pretty(doc):
    """Laid out as the engine writes documents (serde_json's pretty form)."""
    return json.dumps(doc, indent=2, ensure_ascii=False)


def shortcut(text):
    """_parse_shared_lines on the text's bytes (None if it steps aside)."""
    return _run._parse_shared_lines(text.encode("utf-8"))


def line(code, amount, rule="gulou 2018 §x", explain="x"):
    return {"code": code, "amount": amount, "rule": rule, "explain": explain}


def slip(wid, lines, **extra):
    return {"worker_id": wid, "name": "社工", "unit": "社区", "lines": lines, "gross": "1.00", **extra}


def doc_of(slips, **extra):
    return {"kind": "monthly", "period": "2026-11", "complete": True, "payslips": slips, "errors": [],
            "totals": {"gross": "2.00", "by_code": {"base_pay": "2.00"}, "by_unit": {"社区": "2.00"}}, **extra}


@pytest.mark.parametrize("name", ["monthly-example", "annual", "scores"])
def test_golden_responses_take_the_shortcut(name):
    raw = _run.run_bytes((GOLDEN / f"{name}.request.json").read_bytes())[1]
    got = _run._parse_shared_lines(raw)
    assert got is not None and got == whole(raw.decode("utf-8"))


def test_a_synthetic_run_and_a_whatif():
    raw = _run.run_bytes(_run.request_json(monthly_request(3000, "2026-11")))[1]
    got = _run._parse_shared_lines(raw)
    assert got is not None and got == whole(raw.decode("utf-8"))
    reform = (GOLDEN.parents[1] / "examples" / "reforms" / "monthly-bonus-plus-100.toml").read_text(encoding="utf-8")
    request = dict(monthly_request(300, "2026-11"), kind="whatif", reform=reform)
    raw = _run.run_bytes(_run.request_json(request))[1]
    got = _run._parse_shared_lines(raw)
    assert got is not None and got == whole(raw.decode("utf-8"))
    assert got["workers"] and all(type(l["delta"]) is Decimal for w in got["workers"] for l in w["lines"])


def test_payslips_do_not_share_their_lines():
    doc = pretty(doc_of([slip("A", [line("base_pay", "1.00")]), slip("B", [line("base_pay", "1.00")])]))
    got = shortcut(doc)
    assert got == whole(doc)
    a, b = got["payslips"]
    assert a["lines"] is not b["lines"] and a["lines"][0] is not b["lines"][0]
    a["lines"][0]["amount"] = 0
    a["lines"].append("x")
    assert b["lines"] == [whole(doc)["payslips"][1]["lines"][0]]


def test_lines_holding_containers_are_copied_deeply():
    nested = [dict(line("base_pay", "1.00"), parts=[{"amount": "1.00"}])]
    doc = pretty(doc_of([slip("A", nested), slip("B", nested)]))
    got = shortcut(doc)
    assert got == whole(doc)
    got["payslips"][0]["lines"][0]["parts"][0]["amount"] = 0
    assert got["payslips"][1]["lines"][0]["parts"][0]["amount"] == whole(doc)["payslips"][1]["lines"][0]["parts"][0]["amount"]


@pytest.mark.parametrize(
    "doc",
    [
        # A NaN of the document's own (never written by the engine).
        pretty(doc_of([slip("A", [line("base_pay", "1.00")])])).replace('"errors": []', '"errors": NaN'),
        pretty(doc_of([slip("A", [line("base_pay", "1.00")])])).replace('"errors": []', '"errors": -Infinity'),
        # No lines, or none laid out over several lines.
        pretty(doc_of([slip("A", [])])),
        json.dumps(doc_of([slip("A", [line("base_pay", "1.00")])])),
        "[]",
    ],
)
def test_steps_aside_when_the_layout_is_not_as_expected(doc):
    assert shortcut(doc) is None
    assert _run.parse_response(doc.encode("utf-8")) == whole(doc)


@pytest.mark.parametrize(
    "doc",
    [
        # "lines" laid out the same outside payslips.
        pretty(doc_of([], totals={"x": {"lines": [line("base_pay", "1.00")]}})),
        pretty(doc_of([], x={"y": {"lines": [line("base_pay", "1.00")]}})),
        # A payslip with "lines" twice (json.loads keeps the last).
        pretty(doc_of([slip("A", [line("base_pay", "1.00")])])).replace(
            '"gross": "1.00"', '"lines": [\n        {\n          "amount": "9.99"\n        }\n      ],\n      "gross": "1.00"'),
    ],
)
def test_lines_anywhere_are_put_back_where_they_were(doc):
    assert shortcut(doc) == whole(doc)


def test_not_json_is_the_same_error():
    doc = pretty(doc_of([slip("A", [line("base_pay", "1.00")])]))[:-2]
    assert shortcut(doc) is None
    with pytest.raises(json.JSONDecodeError):
        _run.parse_response(doc.encode("utf-8"))


def test_other_lists_of_lines_and_compact_documents():
    # Lines that are not lists of line dicts, and the same document compact
    # (no layout to go by): the same result either way.
    odd = [slip("A", [1, "x", None, [line("base_pay", "1.00")]]), slip("B", [line("base_pay", "2.00")])]
    for text in (pretty(doc_of(odd)), json.dumps(doc_of(odd), ensure_ascii=False)):
        assert _run.parse_response(text.encode("utf-8")) == whole(text)


# Strings that look like the layout's markers, quotes, escapes, NaN.
awkward = st.lists(
    st.sampled_from(['"', "\\", "\n", " ", "]", "[", "NaN", '"lines": [', "\n      ]", ":", "社", "é", "a", "\t"]),
    max_size=6,
).map("".join)
amounts = st.sampled_from(["0.00", "1.00", "2600.00", "-3.50"])


@st.composite
def documents(draw):
    codes = st.sampled_from(["base_pay", "monthly_bonus", "honour_award"])
    pool = [[line(draw(codes), draw(amounts), draw(awkward), draw(awkward)) for _ in range(draw(st.integers(0, 3)))]
            for _ in range(draw(st.integers(1, 3)))]
    slips = [slip(draw(awkward), draw(st.sampled_from(pool)), name=draw(awkward), unit=draw(awkward))
             for _ in range(draw(st.integers(0, 6)))]
    return doc_of(slips, period=draw(awkward))


@settings(max_examples=200, deadline=None)
@given(documents())
def test_same_document_as_parsing_whole(doc):
    text = pretty(doc)
    got = _run.parse_response(text.encode("utf-8"))
    assert got == whole(text)
    if any(s["lines"] for s in doc["payslips"]):
        assert shortcut(text) is not None


def test_run_gives_the_cli_document_at_scale():
    request = monthly_request(2000, "2026-11")
    status, raw, _ = _run.run_bytes(_run.request_json(request))
    assert payrules.run(request) == whole(raw.decode("utf-8"))
