//! Corrections through the JSON contract: a past month recomputed and
//! compared with what it paid, and the difference paid in a later month as
//! explained `arrears` / `recovery` lines that the month's tax follows.

mod common;

use common::worker;
use payrules::run_json;
use serde_json::{Value, json};

fn run(doc: &Value) -> Value {
    let resp = run_json(doc.to_string().as_bytes(), None).unwrap();
    serde_json::from_str(&resp.json).unwrap()
}

fn month(period: &str, grades: &[(&str, &str)]) -> Value {
    json!({
        "kind": "monthly", "period": period,
        "workers": [worker("W1", json!({})), worker("W2", json!({"title": "social_worker"}))],
        "assessments": grades.iter().map(|(w, g)| json!({"worker_id": w, "period": period, "grade": g})).collect::<Vec<_>>(),
    })
}

fn line<'a>(slip: &'a Value, code: &str) -> Option<&'a Value> {
    slip["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
}

#[test]
fn a_september_grade_corrected_pays_arrears_in_november_and_the_tax_follows() {
    // September as paid: W1 pass (900), W2 good (1100).
    let sept = run(&month("2026-09", &[("W1", "pass"), ("W2", "good")]));
    assert_eq!(sept["complete"], true);
    // W1's grade corrected on appeal to good (1100); W2's to pass (900): one
    // good of two stays within the 60% cap.
    let corr = run(&json!({
        "kind": "correction", "period": "2026-09", "reason": "grades corrected on appeal",
        "paid": sept["payslips"],
        "request": month("2026-09", &[("W1", "good"), ("W2", "pass")]),
    }));
    assert_eq!(corr["kind"], "correction");
    assert_eq!(corr["complete"], true);
    assert_eq!(
        corr["adjustments"],
        json!([
            {"worker_id": "W1", "period": "2026-09", "code": "monthly_bonus",
             "old": "900.00", "new": "1100.00", "reason": "grades corrected on appeal"},
            {"worker_id": "W2", "period": "2026-09", "code": "monthly_bonus",
             "old": "1100.00", "new": "900.00", "reason": "grades corrected on appeal"},
        ])
    );
    assert_eq!(corr["lines"][0]["line"], "arrears");
    assert_eq!(corr["lines"][0]["amount"], "200.00");
    assert_eq!(corr["lines"][1]["line"], "recovery");
    assert_eq!(corr["lines"][1]["amount"], "-200.00");
    assert_eq!(corr["totals"]["arrears"], "200.00");
    assert_eq!(corr["totals"]["recovery"], "-200.00");

    // November pays them, with tax inputs: W1 earns 2200 + 600 + 300 + 900
    // (pass) = 4000, plus 200 arrears = 4200.
    let mut nov = month("2026-11", &[("W1", "pass"), ("W2", "pass")]);
    nov["adjustments"] = corr["adjustments"].clone();
    nov["tax"] =
        json!([{"worker_id": "W1", "contribution_base": "10000.00", "other_deductions": "0"}]);
    let r = run(&nov);
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    let w1 = &r["payslips"][0];
    let arrears = line(w1, "arrears").unwrap();
    assert_eq!(arrears["amount"], "200.00");
    assert_eq!(
        arrears["explain"],
        "correction of 2026-09 monthly_bonus: 900.00 → 1100.00, 200.00 paid (grades corrected on appeal)"
    );
    assert_eq!(
        arrears["rule"],
        "gulou 2018 §corrections.2026-09.monthly_bonus"
    );
    assert_eq!(w1["gross"], "4200.00");
    // The tax is on 4200: contributions on the 10000 base are 8% + 2% + 0.5% + 12%
    // = 2250, so taxable is 4200 − 5000 − 2250 < 0: nothing withheld, but the
    // income of the month counts the arrears.
    assert_eq!(line(w1, "income_tax").unwrap()["amount"], "0.00");
    assert_eq!(r["ytd"][0]["income"], "4200.00");
    let w2 = &r["payslips"][1];
    assert_eq!(line(w2, "recovery").unwrap()["amount"], "-200.00");
    // 2200 + 600 + 300 + 400 (title) + 900 − 200
    assert_eq!(w2["gross"], "4200.00");
    assert_eq!(r["totals"]["by_code"]["arrears"], "200.00");
    assert_eq!(r["totals"]["by_code"]["recovery"], "-200.00");
}

#[test]
fn a_second_correction_pays_only_what_is_still_due() {
    let sept = run(&month("2026-09", &[("W1", "pass"), ("W2", "good")]));
    let first = run(&json!({
        "kind": "correction", "period": "2026-09", "reason": "appeal",
        "paid": sept["payslips"],
        "request": month("2026-09", &[("W1", "good"), ("W2", "pass")]),
    }));
    let second = run(&json!({
        "kind": "correction", "period": "2026-09", "reason": "appeal reviewed",
        "paid": sept["payslips"], "paid_adjustments": first["adjustments"],
        "request": month("2026-09", &[("W1", "pass"), ("W2", "pass")]),
    }));
    // W1 is back to what September paid (1100 → 900 recovers the arrears);
    // W2's 900 was already corrected.
    assert_eq!(
        second["adjustments"],
        json!([{"worker_id": "W1", "period": "2026-09", "code": "monthly_bonus",
                "old": "1100.00", "new": "900.00", "reason": "appeal reviewed"}])
    );
}

#[test]
fn bad_adjustments_name_the_worker_and_field() {
    let mut nov = month("2026-11", &[("W1", "pass"), ("W2", "pass")]);
    nov["adjustments"] = json!([
        {"worker_id": "W1", "period": "2026-12", "code": "monthly_bonus", "old": "0", "new": "1", "reason": "x"},
        {"worker_id": "W2", "period": "2026-09", "code": "income_tax", "old": "0", "new": "1", "reason": "x"},
        {"worker_id": "W9", "period": "2026-09", "code": "base_pay", "old": "0", "new": "1", "reason": "x"},
    ]);
    let r = run(&nov);
    assert_eq!(r["complete"], false);
    let errors: Vec<String> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["worker_id"], e["field"], e["message"]))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].contains("\"W1\" \"adjustments.period\""),
        "{errors:?}"
    );
    assert!(errors[0].contains("is not before 2026-11"), "{errors:?}");
    assert!(
        errors[1].contains("\"W2\" \"adjustments.code\""),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("expected one of base_pay, living_allowance"),
        "{errors:?}"
    );
    assert!(
        errors[2].contains("no worker \\\"W9\\\" in the roster"),
        "{errors:?}"
    );
    // Workers with a bad adjustment are not paid.
    assert_eq!(r["totals"]["workers"], 0);
}

#[test]
fn a_correction_refuses_tax_inputs_and_a_mismatched_period() {
    let mut req = month("2026-09", &[("W1", "pass")]);
    req["tax"] = json!([{"worker_id": "W1"}]);
    let doc = json!({"kind": "correction", "period": "2026-09", "reason": "r", "paid": [], "request": req});
    let e = run_json(doc.to_string().as_bytes(), None).unwrap_err();
    assert!(e.to_string().contains("compares earnings only"), "{e}");
    let doc = json!({"kind": "correction", "period": "2026-08", "reason": "r", "paid": [],
                     "request": month("2026-09", &[("W1", "pass")])});
    let e = run_json(doc.to_string().as_bytes(), None).unwrap_err();
    assert!(e.to_string().contains("must be the same period"), "{e}");
}

#[test]
fn a_recovery_larger_than_the_pay_takes_what_the_pay_allows_and_defers_the_rest() {
    let mut nov = month("2026-11", &[("W1", "pass"), ("W2", "pass")]);
    // W1 earns 4000 in November (2200 + 600 + 300 + 900); 9000 to recover.
    nov["adjustments"] = json!([
        {"worker_id": "W1", "period": "2026-09", "code": "base_pay", "old": "9000.00", "new": "0.00", "reason": "paid by mistake"},
    ]);
    nov["tax"] = json!([{"worker_id": "W1"}]);
    let r = run(&nov);
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    let w1 = &r["payslips"][0];
    let rec = line(w1, "recovery").unwrap();
    assert_eq!(rec["amount"], "-4000.00");
    assert_eq!(
        rec["explain"],
        "correction of 2026-09 base_pay: 9000.00 → 5000.00, 4000.00 recovered (paid by mistake)"
    );
    assert_eq!(w1["gross"], "0.00");
    assert_eq!(w1["net"], "0.00");
    assert_eq!(
        r["deferred"],
        json!([{"worker_id": "W1", "period": "2026-09", "code": "base_pay",
                "old": "5000.00", "new": "0.00", "reason": "paid by mistake"}])
    );
    let warned: Vec<&Value> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["field"] == "recovery")
        .collect();
    assert_eq!(warned.len(), 1);
    assert!(
        warned[0]["message"]
            .as_str()
            .unwrap()
            .contains("5000.00 left to recover")
    );
}
