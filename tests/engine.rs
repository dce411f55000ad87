//! Hand-worked examples from the built-in policy (policies/gulou.toml):
//! positions community_worker 2200 / 600 / 300, community_secretary
//! 2600 / 600 / 600; titles 0 / 200 / 400 / 600; monthly bonus
//! 900 / 1100 / 1300 (fail 0); annual 1200 / 1800 / 2400; honours
//! 10000 / 5000 / 3000, highest only per deed.

mod common;
use common::*;
use payrules::period::YearMonth;
use payrules::policy::PolicySet;
use payrules::run::{Request, RequestError, run};
use serde_json::json;

/// A pool of ten in one unit, so that two excellent and six good grades
/// are within the caps; `W00` is the worker under test.
fn pool_of_ten(
    period: &str,
    test_grade: &str,
    test_worker: serde_json::Value,
) -> serde_json::Value {
    let grades = [
        "excellent",
        "good",
        "good",
        "good",
        "good",
        "good",
        "pass",
        "pass",
        "pass",
    ];
    let mut workers = vec![worker("W00", test_worker)];
    let mut assessments = vec![grade("W00", period, test_grade)];
    for (i, g) in grades.iter().enumerate() {
        let id = format!("W{:02}", i + 1);
        workers.push(worker(&id, json!({})));
        assessments.push(grade(&id, period, g));
    }
    let kind = if period.len() == 4 {
        "annual"
    } else {
        "monthly"
    };
    json!({"kind": kind, "period": period, "workers": workers, "assessments": assessments})
}

#[test]
fn each_grade_pays_its_monthly_and_annual_bonus() {
    for (g, monthly, annual) in [
        ("excellent", "1300.00", "2400.00"),
        ("good", "1100.00", "1800.00"),
        ("pass", "900.00", "1200.00"),
        ("fail", "0.00", "0.00"),
        ("ungraded", "0.00", "0.00"),
        ("优秀", "1300.00", "2400.00"),
        ("不合格", "0.00", "0.00"),
    ] {
        let r = response(&run_doc(pool_of_ten("2026-11", g, json!({})), None));
        assert_eq!(r["complete"], true, "{g}: {}", r["errors"]);
        assert_eq!(amount(&r, "W00", "monthly_bonus"), monthly, "monthly {g}");
        let r = response(&run_doc(pool_of_ten("2026", g, json!({})), None));
        assert_eq!(r["complete"], true, "{g}: {}", r["errors"]);
        assert_eq!(amount(&r, "W00", "annual_bonus"), annual, "annual {g}");
    }
}

#[test]
fn each_title_pays_its_allowance() {
    for (t, allowance, gross) in [
        // 2200 + 600 + 300 + title + 900 (pass)
        ("none", "0.00", "4000.00"),
        ("assistant_social_worker", "200.00", "4200.00"),
        ("social_worker", "400.00", "4400.00"),
        ("senior_social_worker", "600.00", "4600.00"),
        ("助理社会工作师", "200.00", "4200.00"),
        ("高级社会工作师", "600.00", "4600.00"),
    ] {
        let r = response(&run_doc(
            pool_of_ten("2026-11", "pass", json!({"title": t})),
            None,
        ));
        assert_eq!(amount(&r, "W00", "title_allowance"), allowance, "{t}");
        assert_eq!(slip(&r, "W00")["gross"], gross, "{t}");
    }
}

#[test]
fn hired_mid_month_calendar_days() {
    // Hired 2026-11-16: 15 of 30 days. Good grade, social worker.
    let w = json!({"hired_on": "2026-11-16", "title": "social_worker"});
    let r = response(&run_doc(pool_of_ten("2026-11", "good", w), None));
    assert_eq!(amount(&r, "W00", "base_pay"), "1100.00"); // 2200 × 15/30
    assert_eq!(amount(&r, "W00", "living_allowance"), "300.00");
    assert_eq!(amount(&r, "W00", "post_allowance"), "150.00");
    assert_eq!(amount(&r, "W00", "title_allowance"), "200.00");
    assert_eq!(amount(&r, "W00", "monthly_bonus"), "550.00"); // 1100 × 15/30
    assert_eq!(slip(&r, "W00")["gross"], "2300.00");
    let base = &slip(&r, "W00")["lines"][0];
    assert_eq!(
        base["explain"],
        "position community_worker: 2200.00 × 15/30 calendar days = 1100.00"
    );
    assert_eq!(
        base["rule"],
        "gulou 2018 §positions.community_worker.base_pay"
    );
}

#[test]
fn hired_mid_month_paid_days_21_75() {
    let set = policy_with(&[("basis = \"calendar_days\"", "basis = \"paid_days_21_75\"")]);
    // 2026-11-16 is a Monday: 11 weekdays from the 16th to the 30th.
    let w = json!({"hired_on": "2026-11-16", "title": "social_worker"});
    let r = response(&run_doc(pool_of_ten("2026-11", "good", w), Some(&set)));
    assert_eq!(amount(&r, "W00", "base_pay"), "1112.64"); // 2200 × 11/21.75 = 1112.6436…
    assert_eq!(amount(&r, "W00", "living_allowance"), "303.45"); // 303.448…
    assert_eq!(amount(&r, "W00", "post_allowance"), "151.72"); // 151.724…
    assert_eq!(amount(&r, "W00", "title_allowance"), "202.30"); // 202.298…
    assert_eq!(amount(&r, "W00", "monthly_bonus"), "556.32"); // 556.321…
    // Gross is the sum of the rounded lines, not the rounded sum.
    assert_eq!(slip(&r, "W00")["gross"], "2326.43");
    let base = &slip(&r, "W00")["lines"][0];
    assert_eq!(
        base["explain"],
        "position community_worker: 2200.00 × 11/21.75 paid days = 1112.64"
    );
    // A full month is a full month on this basis too.
    assert_eq!(amount(&r, "W01", "base_pay"), "2200.00");
}

#[test]
fn leaving_mid_month() {
    // Left on 2026-11-10: 10 of 30 days, pass.
    let r = response(&run_doc(
        pool_of_ten("2026-11", "pass", json!({"left_on": "2026-11-10"})),
        None,
    ));
    assert_eq!(amount(&r, "W00", "base_pay"), "733.33"); // 733.333…
    assert_eq!(amount(&r, "W00", "living_allowance"), "200.00");
    assert_eq!(amount(&r, "W00", "post_allowance"), "100.00");
    assert_eq!(amount(&r, "W00", "monthly_bonus"), "300.00");
    assert_eq!(slip(&r, "W00")["gross"], "1333.33");
    // Left before the month: no payslip and no error.
    let r = response(&run_doc(
        pool_of_ten("2026-11", "pass", json!({"left_on": "2026-10-31"})),
        None,
    ));
    assert!(
        r["payslips"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["worker_id"] != "W00")
    );
    // Its assessment names a worker who was not employed: not paid, and an
    // assessment for a known worker is not an error.
    assert_eq!(r["errors"], json!([]));
}

#[test]
fn probationer_is_ungraded_and_paid_at_the_probation_rate() {
    let set = policy_with(&[("pay_rate = \"1.00\"", "pay_rate = \"0.80\"")]);
    let doc = |g: Option<&str>| {
        let mut d = pool_of_ten(
            "2026-11",
            "pass",
            json!({"hired_on": "2026-10-01", "probation_until": "2026-12-31"}),
        );
        let a = d["assessments"].as_array_mut().unwrap();
        match g {
            None => {
                a.remove(0);
            }
            Some(g) => a[0]["grade"] = json!(g),
        }
        d
    };
    let r = response(&run_doc(doc(None), Some(&set)));
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    assert_eq!(amount(&r, "W00", "base_pay"), "1760.00"); // 2200 × (0 + 30 × 0.8)/30
    assert_eq!(amount(&r, "W00", "living_allowance"), "480.00");
    assert_eq!(amount(&r, "W00", "post_allowance"), "240.00");
    assert_eq!(amount(&r, "W00", "monthly_bonus"), "0.00");
    assert_eq!(slip(&r, "W00")["gross"], "2480.00");
    let bonus = &slip(&r, "W00")["lines"][4];
    assert_eq!(
        bonus["explain"],
        "ungraded: on probation until 2026-12-31 (probation.graded = false) → 0.00"
    );
    // Probation ending mid-month: 15 days at 80%, 15 at full pay; graded at month end.
    let mut d = doc(Some("pass"));
    d["workers"][0]["probation_until"] = json!("2026-11-15");
    let r = response(&run_doc(d, Some(&set)));
    assert_eq!(amount(&r, "W00", "base_pay"), "1980.00"); // 2200 × (15 + 15 × 0.8)/30
    assert_eq!(amount(&r, "W00", "monthly_bonus"), "900.00");
    // A grade given to a probationer is an error naming the worker.
    let r = response(&run_doc(doc(Some("good")), Some(&set)));
    assert_eq!(r["complete"], false);
    assert_eq!(r["errors"][0]["worker_id"], "W00");
    assert_eq!(r["errors"][0]["field"], "grade");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("on probation until 2026-12-31")
    );
}

#[test]
fn honours_highest_only_per_deed() {
    let mut d = pool_of_ten("2026-11", "pass", json!({}));
    d["honours"] = json!([
        {"worker_id": "W00", "level": "municipal", "awarded_on": "2026-11-02", "deed": "flood relief"},
        {"worker_id": "W00", "level": "provincial", "awarded_on": "2026-11-20", "deed": "flood relief"},
        {"worker_id": "W01", "level": "国家级", "awarded_on": "2026-11-05", "deed": "census"},
        {"worker_id": "W01", "level": "市级", "awarded_on": "2026-11-06", "deed": "elderly care"},
        {"worker_id": "W02", "level": "national", "awarded_on": "2026-10-31", "deed": "paid in October"}
    ]);
    let r = response(&run_doc(d.clone(), None));
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    // One deed at two levels: only the provincial 5000.
    let lines = slip(&r, "W00")["lines"].as_array().unwrap().clone();
    let awards: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["code"] == "honour_award")
        .collect();
    assert_eq!(awards.len(), 1);
    assert_eq!(awards[0]["amount"], "5000.00");
    assert_eq!(awards[0]["rule"], "gulou 2018 §honours.provincial");
    assert!(
        awards[0]["explain"]
            .as_str()
            .unwrap()
            .contains("1 lower honour(s) for the same deed not paid")
    );
    assert_eq!(slip(&r, "W00")["gross"], "9000.00"); // 4000 + 5000
    // Two deeds in one month: both, 10000 + 3000.
    // W01 is excellent: 2200 + 600 + 300 + 0 + 1300 = 4400, plus 10000 + 3000.
    assert_eq!(slip(&r, "W01")["gross"], "17400.00");
    // An honour awarded in another month is not paid in this one.
    assert!(
        slip(&r, "W02")["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["code"] != "honour_award")
    );
    // Paying each honour instead:
    let each = policy_with(&[("same_deed = \"highest_only\"", "same_deed = \"each\"")]);
    let r = response(&run_doc(d, Some(&each)));
    assert_eq!(slip(&r, "W00")["gross"], "12000.00"); // 4000 + 3000 + 5000
}

fn awards(r: &serde_json::Value, id: &str) -> Vec<(String, String)> {
    slip(r, id)["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["code"] == "honour_award")
        .map(|l| {
            (
                l["amount"].as_str().unwrap().to_string(),
                l["explain"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Highest only across months: an honour of an earlier month given with a
/// later, higher one for the same deed counts as paid (its `paid`, else the
/// policy amount of its level); the later one pays the difference.
#[test]
fn honours_across_months_pay_the_difference() {
    let mut d = pool_of_ten("2026-11", "pass", json!({}));
    d["honours"] = json!([
        // Municipal 3000.00 paid in September; provincial 5000.00 now: 2000.00.
        {"worker_id": "W00", "level": "municipal", "awarded_on": "2026-09-10", "deed": "flood"},
        {"worker_id": "W00", "level": "provincial", "awarded_on": "2026-11-20", "deed": "flood"},
        // Paid 4500.00 for a provincial honour in March (and a municipal one
        // the year before): national 10000.00 now pays 10000 − 4500 = 5500.00.
        {"worker_id": "W01", "level": "national", "awarded_on": "2026-11-05", "deed": "census"},
        {"worker_id": "W01", "level": "provincial", "awarded_on": "2026-03-01", "deed": "census",
         "paid": "4500.00"},
        {"worker_id": "W01", "level": "municipal", "awarded_on": "2025-12-01", "deed": "census"},
        // Provincial 5000.00 paid in October; municipal now is not higher: 0.00.
        {"worker_id": "W02", "level": "municipal", "awarded_on": "2026-11-03", "deed": "care"},
        {"worker_id": "W02", "level": "provincial", "awarded_on": "2026-10-01", "deed": "care"},
        // An earlier honour of another deed changes nothing: 3000.00.
        {"worker_id": "W03", "level": "municipal", "awarded_on": "2026-11-03", "deed": "roads"},
        {"worker_id": "W03", "level": "national", "awarded_on": "2026-10-01", "deed": "schools"}
    ]);
    let r = response(&run_doc(d.clone(), None));
    assert_eq!(r["complete"], true, "{}", r["errors"]);
    assert_eq!(
        awards(&r, "W00"),
        [(
            "2000.00".to_string(),
            "provincial honour (省级) awarded 2026-11-20 for \"flood\": provincial 5000.00 − municipal 3000.00 paid 2026-09 = 2000.00 (honours.same_deed = highest_only: the difference)".to_string()
        )]
    );
    assert_eq!(slip(&r, "W00")["gross"], "6000.00"); // 4000 + 2000
    assert_eq!(
        awards(&r, "W01"),
        [(
            "5500.00".to_string(),
            "national honour (国家级) awarded 2026-11-05 for \"census\": national 10000.00 − provincial 4500.00 paid 2026-03 = 5500.00 (honours.same_deed = highest_only: the difference)".to_string()
        )]
    );
    assert_eq!(
        awards(&r, "W02"),
        [(
            "0.00".to_string(),
            "municipal honour (市级) awarded 2026-11-03 for \"care\": municipal 3000.00 − provincial 5000.00 paid 2026-10 = 0.00 (not higher than what was paid: nothing more to pay)".to_string()
        )]
    );
    assert_eq!(awards(&r, "W03").len(), 1);
    assert_eq!(awards(&r, "W03")[0].0, "3000.00");
    assert_eq!(r["totals"]["by_code"]["honour_award"], "10500.00"); // 2000 + 5500 + 0 + 3000
    // The input order does not matter.
    let mut shuffled = d.clone();
    shuffled["honours"].as_array_mut().unwrap().reverse();
    assert_eq!(
        run_doc(shuffled, None).to_json(),
        run_doc(d.clone(), None).to_json()
    );

    // Paying each honour: earlier months are not netted.
    let each = policy_with(&[("same_deed = \"highest_only\"", "same_deed = \"each\"")]);
    let r = response(&run_doc(d.clone(), Some(&each)));
    assert_eq!(awards(&r, "W00")[0].0, "5000.00");

    // `paid` on this month's honour, or not an amount: errors naming the field.
    d["honours"] = json!([
        {"worker_id": "W00", "level": "provincial", "awarded_on": "2026-11-20", "deed": "flood",
         "paid": "5000.00"},
        {"worker_id": "W01", "level": "municipal", "awarded_on": "2026-09-10", "deed": "flood",
         "paid": "3000.555"},
        {"worker_id": "W02", "level": "municipal", "awarded_on": "2026-09-10", "deed": "flood",
         "paid": "-3000.00"}
    ]);
    let r = response(&run_doc(d, None));
    assert_eq!(r["complete"], false);
    let errors: Vec<(&str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["worker_id"].as_str().unwrap(),
                e["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors, [("W00", "paid"), ("W01", "paid"), ("W02", "paid")]);
    assert_eq!(
        r["errors"][0]["message"],
        "paid is what an earlier month's run paid for an honour; this one, awarded 2026-11-20, is paid by this 2026-11 run: leave paid out"
    );
}

#[test]
fn period_before_the_first_version_is_an_error() {
    let req: Request = serde_json::from_value(pool_of_ten("2017-12", "pass", json!({}))).unwrap();
    let err = run(&req, None).unwrap_err();
    assert!(matches!(err, RequestError::Policy(_)));
    assert!(
        err.to_string()
            .contains("no version in force on 2017-12-01"),
        "{err}"
    );
}

#[test]
fn version_change_between_two_months() {
    let base = PolicySet::builtin().to_toml();
    let v2 = base
        .split("[[versions]]")
        .nth(1)
        .unwrap()
        .replace("version = \"2018\"", "version = \"2027\"")
        .replace("effective_from = 2018-01-01", "effective_from = 2027-01-01")
        .replace("pass = \"900.00\"", "pass = \"1000.00\"");
    let set = PolicySet::from_toml(&format!("{base}\n[[versions]]{v2}")).unwrap();
    let dec = response(&run_doc(
        pool_of_ten("2026-12", "pass", json!({})),
        Some(&set),
    ));
    let jan = response(&run_doc(
        pool_of_ten("2027-01", "pass", json!({})),
        Some(&set),
    ));
    assert_eq!(amount(&dec, "W00", "monthly_bonus"), "900.00");
    assert_eq!(dec["policy"]["version"], "2018");
    assert_eq!(amount(&jan, "W00", "monthly_bonus"), "1000.00");
    assert_eq!(jan["policy"]["version"], "2027");
    assert_eq!(
        slip(&jan, "W00")["lines"][4]["rule"],
        "gulou 2027 §monthly_bonus.pass"
    );
}

#[test]
fn annual_bonus_prorated_by_whole_months_served() {
    // Hired 2026-04-16: May..Dec are whole months (8); April is partial.
    let r = response(&run_doc(
        pool_of_ten("2026", "good", json!({"hired_on": "2026-04-16"})),
        None,
    ));
    assert_eq!(amount(&r, "W00", "annual_bonus"), "1200.00"); // 1800 × 8/12
    let line = &slip(&r, "W00")["lines"][0];
    assert_eq!(
        line["explain"],
        "grade good: 1800.00 × 8/12 months served = 1200.00"
    );
    let any_day = policy_with(&[(
        "months_served = \"whole_month\"",
        "months_served = \"any_day\"",
    )]);
    let r = response(&run_doc(
        pool_of_ten("2026", "good", json!({"hired_on": "2026-04-16"})),
        Some(&any_day),
    ));
    assert_eq!(amount(&r, "W00", "annual_bonus"), "1350.00"); // 1800 × 9/12
}

#[test]
fn totals_are_sums_of_rounded_lines() {
    let r = response(&run_doc(
        pool_of_ten("2026-11", "pass", json!({"hired_on": "2026-11-16"})),
        None,
    ));
    let slips = r["payslips"].as_array().unwrap();
    assert_eq!(r["totals"]["workers"], 10);
    // 9 full months: 1 excellent 4400, 5 good 4200, 3 pass 4000 = 37400;
    // W00 half a month at pass: 1100 + 300 + 150 + 0 + 450 = 2000.
    assert_eq!(r["totals"]["gross"], "39400.00");
    assert_eq!(r["totals"]["by_code"]["monthly_bonus"], "9950.00"); // 1300 + 5×1100 + 3×900 + 450
    assert_eq!(r["totals"]["by_unit"]["温泉社区"], "39400.00");
    let ids: Vec<&str> = slips
        .iter()
        .map(|s| s["worker_id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "payslips sorted by worker id");
}

#[test]
fn missing_assessment_is_an_error_unless_the_policy_says_ungraded() {
    let mut d = pool_of_ten("2026-11", "pass", json!({}));
    d["assessments"].as_array_mut().unwrap().remove(0);
    let r = response(&run_doc(d.clone(), None));
    assert_eq!(r["complete"], false);
    assert_eq!(r["errors"][0]["worker_id"], "W00");
    assert_eq!(r["errors"][0]["field"], "assessment");
    assert_eq!(r["payslips"].as_array().unwrap().len(), 9);
    let lenient = policy_with(&[("missing = \"error\"", "missing = \"ungraded\"")]);
    let r = response(&run_doc(d, Some(&lenient)));
    assert_eq!(r["complete"], true);
    assert_eq!(amount(&r, "W00", "monthly_bonus"), "0.00");
}

#[test]
fn a_month_has_the_days_it_has() {
    // Hired on the 15th of February 2028 (a leap year): 15 of 29 days.
    let w = json!({"hired_on": "2028-02-15"});
    let r = response(&run_doc(pool_of_ten("2028-02", "pass", w), None));
    assert_eq!(amount(&r, "W00", "base_pay"), "1137.93"); // 2200 × 15/29 = 1137.931…
    assert_eq!("2028-02".parse::<YearMonth>().unwrap().days(), 29);
}
