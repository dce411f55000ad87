"""payrules.Book: months paid, closed, corrected and read back from a book
file, every amount a Decimal; refusals as exceptions naming the month; and
the stateless correction document through payrules.run."""

import threading
from decimal import Decimal

import pytest

import payrules

from test_run import _strings_that_look_like_amounts, walk


def worker(wid, name, **extra):
    w = {"id": wid, "name": name, "unit": "温泉社区", "position": "community_worker", "hired_on": "2020-03-01"}
    w.update(extra)
    return w


ROSTER = [worker("W1", "林晓", title="social_worker"), worker("W2", "陈静")]


def month(period, grades=("pass", "pass")):
    """The roster's month: W1 (social worker) and W2 with their grades."""
    return {
        "period": period,
        "workers": ROSTER,
        "assessments": [
            {"worker_id": w["id"], "period": period, "grade": g} for w, g in zip(ROSTER, grades)
        ],
    }


def slip(run, wid):
    return next(s for s in run["payslips"] if s["worker_id"] == wid)


def no_float_and_no_amount_text(doc):
    assert not any(isinstance(v, float) for v in walk(doc))
    assert list(_strings_that_look_like_amounts(doc)) == []


def test_months_paid_closed_and_read_back(tmp_path):
    path = tmp_path / "district.book"
    with payrules.Book.create(path) as book:
        oct_ = book.pay(month("2026-10"))
        assert (oct_["stored"], oct_["adjustments"], oct_["replaced"]) == (True, 0, False)
        w1, w2 = slip(oct_["run"], "W1"), slip(oct_["run"], "W2")
        # 2200 + 600 + 300 + 400 (social worker) + 900 (pass)
        assert w1["gross"] == Decimal("4400.00")
        assert w2["gross"] == Decimal("4000.00")
        # Net: contributions 22.5% of gross; no tax below 5000 a month.
        assert w1["net"] == Decimal("3410.00")
        assert w2["net"] == Decimal("3100.00")
        no_float_and_no_amount_text(oct_)
        # Paying the draft again replaces it.
        assert book.pay(month("2026-10"))["replaced"] is True
        closed = book.close("2026-10")
        assert closed["period"] == "2026-10" and closed["seq"] == 1 and closed["workers"] == 2
        assert len(closed["digest"]) == 64
        nov = book.pay(month("2026-11", ("good", "pass")))
        assert slip(nov["run"], "W1")["gross"] == Decimal("4600.00")
        book.close("2026-11")

    # Reopened: the history, the report, the states, the months.
    with payrules.Book(path) as book:
        h = book.history("W1")
        assert [p["period"] for p in h["periods"]] == ["2026-10", "2026-11"]
        assert all(p["status"] == "closed" for p in h["periods"])
        oct_row, nov_row = h["periods"]
        assert oct_row["lines"]["monthly_bonus"] == Decimal("900.00")
        assert nov_row["lines"]["monthly_bonus"] == Decimal("1100.00")
        assert oct_row["lines"]["title_allowance"] == Decimal("400.00")
        assert (oct_row["gross"], oct_row["net"]) == (Decimal("4400.00"), Decimal("3410.00"))
        # 4600 − 1035 of contributions
        assert (nov_row["gross"], nov_row["net"]) == (Decimal("4600.00"), Decimal("3565.00"))
        assert nov_row["tax_withheld_ytd"] == Decimal("0.00")
        assert h["corrections"] == []
        no_float_and_no_amount_text(h)

        rows = book.report(2026)
        assert [(r["period"], r["workers"], r["gross"]) for r in rows] == [
            ("2026-10", 2, Decimal("8400.00")),
            ("2026-11", 2, Decimal("8600.00")),
        ]
        assert rows[1]["by_code"]["monthly_bonus"] == Decimal("2000.00")
        states = book.states(2026)
        assert [(s["worker_id"], s["income"]) for s in states] == [
            ("W1", Decimal("9000.00")),
            ("W2", Decimal("8000.00")),
        ]
        assert [(m["period"], m["status"]) for m in book.months()] == [
            ("2026-10", "closed"),
            ("2026-11", "closed"),
        ]
        assert book.verify() == {"ok": True, "months": 2, "problems": []}
        assert book.policy().to_toml() == payrules.Policy.builtin().to_toml()
    # Released: further calls are refused.
    with pytest.raises(ValueError, match="closed"):
        book.months()
    book.release()


def test_a_corrected_closed_month_is_paid_as_arrears_the_next_month(tmp_path):
    with payrules.Book.create(tmp_path / "b.book", payrules.Policy.builtin()) as book:
        for p in ("2026-09", "2026-10"):
            book.pay(month(p))
            book.close(p)
        fixed = month("2026-09", ("good", "pass"))
        c = book.correct("2026-09", "grade appeal", assessments=fixed["assessments"])
        assert c["adjustments"] == [{
            "worker_id": "W1", "period": "2026-09", "code": "monthly_bonus",
            "old": Decimal("900.00"), "new": Decimal("1100.00"), "reason": "grade appeal",
        }]
        line = c["lines"][0]
        assert (line["worker_id"], line["line"], line["amount"]) == ("W1", "arrears", Decimal("200.00"))
        assert line["explain"] == "correction of 2026-09 monthly_bonus: 900.00 → 1100.00, 200.00 paid (grade appeal)"
        assert c["totals"] == {"arrears": Decimal("200.00"), "recovery": Decimal("0.00")}
        nov = book.pay(month("2026-11"))
        assert nov["adjustments"] == 1
        w1 = slip(nov["run"], "W1")
        arrears = [l for l in w1["lines"] if l["code"] == "arrears"]
        assert [l["amount"] for l in arrears] == [Decimal("200.00")]
        assert w1["gross"] == Decimal("4600.00")
        assert w1["net"] == Decimal("3565.00")
        book.close("2026-11")
        h = book.history("W1")
        assert h["corrections"][0]["paid_in"] == "2026-11"
        assert h["corrections"][0]["amount"] == Decimal("200.00")
        assert h["periods"][2]["lines"]["arrears"] == Decimal("200.00")
        # Once paid, a correction is not paid again.
        assert book.pay(month("2026-12"))["adjustments"] == 0
        assert book.verify()["ok"] is True


def test_a_policy_adopted_retroactively(tmp_path):
    builtin = payrules.Policy.builtin().to_toml()
    with payrules.Book.create(tmp_path / "b.book", builtin) as book:
        for p in ("2026-09", "2026-10"):
            book.pay(month(p))
            book.close(p)
        raised = builtin.replace('social_worker = "400.00"', 'social_worker = "500.00"', 1)
        assert raised != builtin
        c = book.correct_policy(raised, "2026-10", "title allowance raised from October")
        assert [(a["worker_id"], a["period"], a["new"] - a["old"]) for a in c["adjustments"]] == [
            ("W1", "2026-10", Decimal("100.00")),
        ]
        nov = book.pay(month("2026-11"))
        w1 = slip(nov["run"], "W1")
        assert [l["amount"] for l in w1["lines"] if l["code"] == "title_allowance"] == [Decimal("500.00")]
        assert w1["gross"] == Decimal("4600.00")  # 4500 under the new policy + 100 arrears


def test_refusals_raise_with_the_month_in_the_message(tmp_path):
    path = tmp_path / "b.book"
    with payrules.Book.create(path) as book:
        with pytest.raises(payrules.BookError, match="2026-10 has not been paid"):
            book.close("2026-10")
        book.pay(month("2026-10"))
        with pytest.raises(payrules.BookError, match="2026-10 is a draft"):
            book.pay(month("2026-11"))
        book.close("2026-10")
        with pytest.raises(payrules.BookError, match="2026-10 is closed") as e:
            book.pay(month("2026-10"))
        assert e.value.status == payrules._lib.PAYRULES_BOOK_REFUSED
        assert not isinstance(e.value, payrules.BookBusy)
        with pytest.raises(payrules.BookError, match="pay and close 2026-11 first"):
            book.pay(month("2026-12"))
        with pytest.raises(payrules.BookError, match="reason"):
            book.correct("2026-10", "  ")
        with pytest.raises(payrules.BookError, match="close 2026-12 first"):
            book.annual({"period": "2026", "workers": ROSTER})
        # A request that cannot be read; a float refused before any call.
        with pytest.raises(payrules.InputError, match="expected a sequence"):
            book.pay({"period": "2026-11", "workers": 3})
        with pytest.raises(TypeError, match="float"):
            book.correct("2026-10", "x", workers=[dict(ROSTER[0], hired_on=1.5)])
        # Input errors: nothing stored, the errors listed.
        bad = month("2026-11")
        bad["workers"] = [ROSTER[0], dict(ROSTER[1], hired_on="2021-02-30")]
        with pytest.raises(payrules.InputError, match="nothing stored") as e:
            book.pay(bad)
        assert [p.worker_id for p in e.value.errors] == ["W2"]
        assert e.value.response["stored"] is False
        assert book.pay(bad, strict=False)["run"]["complete"] is False
        assert [m["period"] for m in book.months()] == ["2026-10"]
    with pytest.raises(payrules.BookError, match="already exists"):
        payrules.Book.create(path)
    with pytest.raises(payrules.BookError, match="no book at"):
        payrules.Book(tmp_path / "none.book")
    with pytest.raises(payrules.PolicyError):
        payrules.Book.create(tmp_path / "p.book", "nonsense = [")
    assert issubclass(payrules.BookBusy, payrules.BookError)
    assert issubclass(payrules.BookError, payrules.PayrulesError)


def test_one_book_used_by_threads(tmp_path):
    with payrules.Book.create(tmp_path / "b.book") as book:
        book.pay(month("2026-10"))
        errors = []

        def work(i):
            try:
                for _ in range(5):
                    if i % 2:
                        assert book.pay(month("2026-10"))["stored"] is True
                    else:
                        assert book.history("W1")["periods"][0]["gross"] == Decimal("4400.00")
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []


def test_the_stateless_correction_document_through_run():
    sept = payrules.run({"kind": "monthly", **month("2026-09", ("pass", "good"))})
    corr = payrules.run({
        "kind": "correction", "period": "2026-09", "reason": "grades corrected on appeal",
        "paid": sept["payslips"],
        "request": {"kind": "monthly", **month("2026-09", ("good", "pass"))},
    })
    assert corr["kind"] == "correction" and corr["complete"] is True
    assert corr["adjustments"] == [
        {"worker_id": "W1", "period": "2026-09", "code": "monthly_bonus",
         "old": Decimal("900.00"), "new": Decimal("1100.00"), "reason": "grades corrected on appeal"},
        {"worker_id": "W2", "period": "2026-09", "code": "monthly_bonus",
         "old": Decimal("1100.00"), "new": Decimal("900.00"), "reason": "grades corrected on appeal"},
    ]
    assert [(l["line"], l["amount"]) for l in corr["lines"]] == [
        ("arrears", Decimal("200.00")),
        ("recovery", Decimal("-200.00")),
    ]
    assert (corr["totals"]["arrears"], corr["totals"]["recovery"]) == (Decimal("200.00"), Decimal("-200.00"))
    no_float_and_no_amount_text(corr)
    # November pays them: the adjustments go back as they came (Decimals too).
    nov = payrules.run({"kind": "monthly", **month("2026-11"), "adjustments": corr["adjustments"]})
    w1, w2 = slip(nov, "W1"), slip(nov, "W2")
    # 2200 + 600 + 300 + 400 + 900 + 200 arrears; W2 2200 + 600 + 300 + 900 − 200
    assert w1["gross"] == Decimal("4600.00")
    assert w2["gross"] == Decimal("3800.00")
    assert nov["totals"]["by_code"]["recovery"] == Decimal("-200.00")
