//! Gross to net through whole runs, and its properties.

use payrules::payslip::{Line, LineCode, Payslip, Why};
use payrules::period::parse_date;
use payrules::policy::{BUILTIN_TOML, PolicySet};
use payrules::run::{Request, run};
use payrules::run_json;
use payrules::tax::{
    self, Input, Method, MonthFigures, Settings, TaxRules, Ytd, bonus_choice, withhold,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn rules() -> TaxRules {
    PolicySet::builtin().versions()[0].tax().cloned().unwrap()
}

/// The built-in policy with community workers paid a flat 30000 a month
/// (the State Taxation Administration's example salary).
fn salary_30000() -> PolicySet {
    let text = BUILTIN_TOML.replacen(
        "base_pay = \"2200.00\"\nliving_allowance = \"600.00\"\npost_allowance = \"300.00\"",
        "base_pay = \"30000.00\"\nliving_allowance = \"0.00\"\npost_allowance = \"0.00\"",
        1,
    );
    let set = PolicySet::from_toml(&text).unwrap();
    let v = &set.versions()[0];
    let p = &v.positions()[v.position_index("community_worker").unwrap()];
    assert_eq!(p.base_pay, d("30000.00"));
    set
}

fn run_value(req: Value, set: &PolicySet) -> Value {
    let resp = run_json(req.to_string().as_bytes(), Some(set)).unwrap();
    serde_json::from_str(&resp.json).unwrap()
}

fn line<'a>(slip: &'a Value, code: &str) -> &'a Value {
    slip["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .unwrap_or_else(|| panic!("no {code} line in {slip}"))
}

fn worker() -> Value {
    json!({"id": "W1", "name": "林晓", "unit": "温泉社区", "position": "community_worker",
           "hired_on": "2020-03-01"})
}

fn month_request(month: u32, ytd: Option<Value>) -> Value {
    let period = format!("2026-{month:02}");
    let mut req = json!({
        "kind": "monthly", "period": period,
        "workers": [worker()],
        // fail: no monthly bonus, so gross is the 30000 salary alone
        "assessments": [{"worker_id": "W1", "period": period, "grade": "fail"}],
        // 22500 × (8% + 2% + 0.5% + 9.5%) = 4500 of contributions
        "tax": [{"worker_id": "W1", "contribution_base": "22500.00",
                 "housing_fund_rate": "0.095", "additional_deductions": "2000.00"}]
    });
    if let Some(y) = ytd {
        req["ytd"] = y;
    }
    req
}

#[test]
fn official_example_twelve_months_in_sequence_then_the_bonus() {
    let set = salary_30000();
    let mut ytd = None;
    let mut withheld = Vec::new();
    for month in 1..=12 {
        let v = run_value(month_request(month, ytd.take()), &set);
        assert_eq!(v["complete"], true, "{v}");
        let slip = &v["payslips"][0];
        assert_eq!(slip["gross"], "30000.00");
        for (code, amount) in [
            ("pension", "1800.00"),
            ("medical", "450.00"),
            ("unemployment", "112.50"),
            ("housing_fund", "2137.50"),
        ] {
            assert_eq!(line(slip, code)["amount"], amount);
        }
        let tax = line(slip, "income_tax")["amount"]
            .as_str()
            .unwrap()
            .to_string();
        // net = gross − contributions − tax, to the fen
        let net = d("30000") - d("4500") - d(&tax);
        assert_eq!(slip["net"], net.to_string());
        assert_eq!(line(slip, "net")["amount"], net.to_string());
        withheld.push(tax);
        // Each state out says which month it runs through; none is missing.
        assert_eq!(v["ytd"][0]["through"], format!("2026-{month:02}"));
        assert!(v.get("warnings").is_none(), "{v}");
        ytd = Some(v["ytd"].clone());
    }
    assert_eq!(
        withheld,
        [
            "555.00", "625.00", "1850.00", "1850.00", "1850.00", "1850.00", "1850.00", "2250.00",
            "3700.00", "3700.00", "3700.00", "3700.00"
        ]
    );
    let y = &ytd.clone().unwrap()[0];
    assert_eq!(y["months"], 12);
    assert_eq!(y["income"], "360000.00");
    assert_eq!(y["contributions"], "54000.00");
    assert_eq!(y["additional_deductions"], "24000.00");
    // 360000 − 60000 − 54000 − 24000 = 222000 × 20% − 16920 = 27480
    assert_eq!(y["tax_withheld"], "27480.00");

    // The annual bonus on top of that year: pass 1200 (alone in a pool,
    // a worker cannot be excellent or good under the 20%/60% caps).
    let req = json!({
        "kind": "annual", "period": "2026", "workers": [worker()],
        "assessments": [{"worker_id": "W1", "period": "2026", "grade": "pass"}],
        "tax": [{"worker_id": "W1"}], "ytd": ytd.unwrap()
    });
    let v = run_value(req, &set);
    assert_eq!(v["complete"], true, "{v}");
    let slip = &v["payslips"][0];
    assert_eq!(slip["gross"], "1200.00");
    // separate 1200 × 3% = 36; merged (222000 + 1200) × 20% − 16920 = 27720 → 240 more
    let b = &slip["bonus_tax"];
    assert_eq!(b["separate"], "36.00");
    assert_eq!(b["merged"], "240.00");
    assert_eq!(b["separate_total"], "27516.00");
    assert_eq!(b["merged_total"], "27720.00");
    assert_eq!(b["chosen"], "separate");
    assert_eq!(b["saving"], "204.00");
    assert_eq!(b["cliff"], Value::Null);
    assert_eq!(line(slip, "income_tax")["amount"], "36.00");
    assert_eq!(
        line(slip, "income_tax")["rule"],
        "gulou 2018 §tax.annual_bonus.monthly"
    );
    assert_eq!(slip["net"], "1164.00");
    let explain = line(slip, "income_tax")["explain"].as_str().unwrap();
    assert!(explain.contains("→ separate, lower by 204.00"), "{explain}");
    // no contributions on the bonus
    assert_eq!(slip["lines"].as_array().unwrap().len(), 3);
    let y = &v["ytd"][0];
    assert_eq!(y["separate_bonus"], "1200.00");
    assert_eq!(y["separate_bonus_tax"], "36.00");
    assert_eq!(y["income"], "360000.00");
    // The annual run adds no month of wages: the state keeps its `through`.
    assert_eq!(y["through"], "2026-12");
}

/// A worker hired on the last day of November: one day's pay, 103.33
/// (2200.00 × 1/30 = 73.33, 600.00 × 1/30 = 20.00, 300.00 × 1/30 = 10.00,
/// no title, grade fail), against 900.00 of contributions on the lower bound
/// 4000.00 of the base: the pension takes all of it, net 0.00, and the
/// run warns of the 796.67 not deducted.
#[test]
fn a_day_of_pay_nets_zero_and_the_run_warns() {
    let set = PolicySet::builtin();
    let mut w = worker();
    w["hired_on"] = json!("2026-11-30");
    let v = run_value(
        json!({"kind": "monthly", "period": "2026-11", "workers": [w],
               "assessments": [{"worker_id": "W1", "period": "2026-11", "grade": "fail"}],
               "tax": [{"worker_id": "W1"}]}),
        &set,
    );
    assert_eq!(v["complete"], true, "{v}");
    let slip = &v["payslips"][0];
    assert_eq!(slip["gross"], "103.33");
    for (code, amount) in [
        ("pension", "103.33"),
        ("medical", "0.00"),
        ("unemployment", "0.00"),
        ("housing_fund", "0.00"),
        ("income_tax", "0.00"),
        ("net", "0.00"),
    ] {
        assert_eq!(line(slip, code)["amount"], amount, "{code}");
    }
    assert_eq!(slip["net"], "0.00");
    assert_eq!(slip["contributions_unpaid"], "796.67");
    assert!(slip.get("tax_unwithheld").is_none());
    assert_eq!(
        line(slip, "pension")["explain"],
        "base 4000.00 (gross pay 103.33 raised to the lower bound) × 8% = 320.00; pay allows 103.33; 216.67 not deducted (not carried: collect it outside the payroll)"
    );
    assert_eq!(
        v["warnings"],
        json!([{"worker_id": "W1", "field": "contributions",
                "message": "contributions due 900.00; pay allows 103.33; 796.67 not deducted (pension 216.67, medical 80.00, unemployment 20.00, housing fund 480.00) and not carried: collect it outside the payroll"}])
    );
    // Only what was deducted counts as a special deduction.
    assert_eq!(v["ytd"][0]["contributions"], "103.33");
    assert!(v["ytd"][0].get("tax_unwithheld").is_none());
}

/// A state taken over mid-year with tax owed: 96000.00 of income in
/// January and February, nothing withheld. March's pay (4000.00: 2200 +
/// 600 + 300 and the pass bonus 900, no title) leaves 3100.00 after 900.00
/// of contributions against 5890.00 due (taxable 100000 − 15000 − 900 =
/// 84100 → × 10% − 2520): 3100.00 withheld, 2790.00 carried in the state;
/// April withholds the 2600.00 then due (104000 − 20000 − 1800 = 82200 →
/// 5700.00 − 3100.00; the month lowers the cumulative tax by 190.00) and
/// nets 3100.00 − 2600.00 = 500.00.
#[test]
fn tax_the_pay_cannot_cover_is_carried_to_the_next_month() {
    let set = PolicySet::builtin();
    let req = |month: &str, ytd: Value| {
        json!({"kind": "monthly", "period": month, "workers": [worker()],
               "assessments": [{"worker_id": "W1", "period": month, "grade": "pass"}],
               "tax": [{"worker_id": "W1"}], "ytd": ytd})
    };
    let march = run_value(
        req(
            "2026-03",
            json!([{"worker_id": "W1", "year": 2026, "months": 2, "income": "96000.00",
                    "through": "2026-02"}]),
        ),
        &set,
    );
    assert_eq!(march["complete"], true, "{march}");
    let slip = &march["payslips"][0];
    assert_eq!(slip["gross"], "4000.00");
    assert_eq!(line(slip, "income_tax")["amount"], "3100.00");
    assert_eq!(slip["net"], "0.00");
    assert_eq!(slip["tax_unwithheld"], "2790.00");
    let explain = line(slip, "income_tax")["explain"].as_str().unwrap();
    assert!(
        explain.ends_with(
            "= 5890.00; tax due 5890.00; pay allows 3100.00; 2790.00 carried to next month"
        ),
        "{explain}"
    );
    assert_eq!(
        march["warnings"],
        json!([{"worker_id": "W1", "field": "income_tax",
                "message": "tax due 5890.00; pay allows 3100.00; 2790.00 carried to next month (ytd.tax_unwithheld): pass this response's ytd to the next run"}])
    );
    let y = &march["ytd"][0];
    assert_eq!(y["tax_withheld"], "3100.00");
    assert_eq!(y["tax_unwithheld"], "2790.00");
    assert_eq!(y["through"], "2026-03");

    let april = run_value(req("2026-04", march["ytd"].clone()), &set);
    assert_eq!(april["complete"], true, "{april}");
    let slip = &april["payslips"][0];
    assert_eq!(line(slip, "income_tax")["amount"], "2600.00");
    assert_eq!(slip["net"], "500.00");
    assert!(slip.get("tax_unwithheld").is_none());
    let explain = line(slip, "income_tax")["explain"].as_str().unwrap();
    assert!(
        explain.ends_with("= 2600.00 (of which 2600.00 carried unwithheld from earlier months)"),
        "{explain}"
    );
    assert!(april.get("warnings").is_none(), "{april}");
    let y = &april["ytd"][0];
    assert_eq!(y["tax_withheld"], "5700.00");
    assert!(y.get("tax_unwithheld").is_none());
}

fn errors_of(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_state_through_the_run_month_or_with_a_gap_is_refused() {
    let set = salary_30000();
    let sept = run_value(
        month_request(
            9,
            Some(json!([{"worker_id": "W1", "year": 2026, "months": 8, "through": "2026-08"}])),
        ),
        &set,
    );
    assert_eq!(sept["complete"], true, "{sept}");
    let oct = run_value(month_request(10, Some(sept["ytd"].clone())), &set);
    assert_eq!(oct["complete"], true, "{oct}");
    assert_eq!(oct["ytd"][0]["through"], "2026-10");
    // October again with October's state: refused, nothing paid.
    let again = run_value(month_request(10, Some(oct["ytd"].clone())), &set);
    assert_eq!(again["complete"], false);
    assert_eq!(again["payslips"], json!([]));
    assert_eq!(
        errors_of(&again),
        [
            (
                "ytd.months".to_string(),
                "10 months employed, but at most 9 month(s) of 2026 come before 2026-10; pass the state out of the previous run, not this one's".to_string()
            ),
            (
                "ytd.through".to_string(),
                "2026-10 is already in this state (through 2026-10); pass the state out of the 2026-09 run".to_string()
            )
        ]
    );
    // A state later than the run.
    let early = run_value(month_request(9, Some(oct["ytd"].clone())), &set);
    assert!(errors_of(&early).contains(&(
        "ytd.through".to_string(),
        "this state runs through 2026-10, after this run's month 2026-09; pass the state out of the 2026-08 run".to_string()
    )));
    // September's state given to December: October and November are missing.
    let gap = run_value(month_request(12, Some(sept["ytd"].clone())), &set);
    assert_eq!(gap["complete"], false);
    assert_eq!(
        errors_of(&gap),
        [(
            "ytd.through".to_string(),
            "this state runs through 2026-09 but this run is 2026-12: 2026-10 to 2026-11 are missing; run 2026-10 with this state and pass its state on (hired 2020-03-01, before the gap)".to_string()
        )]
    );
    // A bad month, a month of another year, more months than `through` has.
    let bad = run_value(
        month_request(
            5,
            Some(json!([{"worker_id": "W1", "year": 2026, "months": 3, "through": "2026-3"}])),
        ),
        &set,
    );
    assert_eq!(errors_of(&bad)[0].0, "ytd.through");
    assert!(
        errors_of(&bad)[0]
            .1
            .contains("\"2026-3\" is not a month; expected YYYY-MM")
    );
    let other_year = run_value(
        month_request(
            5,
            Some(json!([{"worker_id": "W1", "year": 2026, "months": 3, "through": "2025-12"}])),
        ),
        &set,
    );
    assert_eq!(
        errors_of(&other_year),
        [(
            "ytd.through".to_string(),
            "2025-12 is not in the state's tax year 2026; a state holds one tax year".to_string()
        )]
    );
    let too_many = run_value(
        month_request(
            5,
            Some(json!([{"worker_id": "W1", "year": 2026, "months": 3, "through": "2026-02"}])),
        ),
        &set,
    );
    assert!(
        errors_of(&too_many).contains(&(
            "ytd.months".to_string(),
            "3 months employed, but the state runs only through 2026-02 (2 month(s) of 2026)"
                .to_string()
        ))
    );
}

/// A worker hired after the state's `through` (back after leaving) may
/// skip the months before hire; a state without `through` is not checked.
#[test]
fn a_gap_before_hire_is_accepted() {
    let set = salary_30000();
    let mut w = worker();
    w["hired_on"] = json!("2026-10-15");
    let mut req = month_request(
        11,
        Some(
            json!([{"worker_id": "W1", "year": 2026, "months": 3, "income": "90000.00",
                     "through": "2026-03"}]),
        ),
    );
    req["workers"] = json!([w]);
    let v = run_value(req, &set);
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(v["ytd"][0]["months"], 4);
    assert_eq!(v["ytd"][0]["through"], "2026-11");
    let v = run_value(
        month_request(
            11,
            Some(json!([{"worker_id": "W1", "year": 2026, "months": 3}])),
        ),
        &set,
    );
    assert_eq!(v["complete"], true, "{v}");
}

#[test]
fn a_missing_state_after_january_is_warned_about() {
    let set = salary_30000();
    let v = run_value(month_request(11, None), &set);
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(
        v["warnings"],
        json!([{"worker_id": "W1", "field": "ytd",
                "message": "no year-to-date state although employed before 2026-11 (hired 2020-03-01): taken as the start of 2026; pass the state out of the 2026-10 run"}])
    );
    // Taken as the start of the year: month 1 of 2026.
    assert_eq!(v["ytd"][0]["months"], 1);
    // January starts the year; a worker hired this month has no earlier state.
    let jan = run_value(month_request(1, None), &set);
    assert!(jan.get("warnings").is_none(), "{jan}");
    let mut req = month_request(11, None);
    req["workers"][0]["hired_on"] = json!("2026-11-01");
    let v = run_value(req, &set);
    assert!(v.get("warnings").is_none(), "{v}");
}

#[test]
fn request_without_tax_inputs_has_no_net_lines_or_ytd() {
    let text = std::fs::read("examples/request-2026-11.json").unwrap();
    let resp = run_json(&text, None).unwrap();
    let v: Value = serde_json::from_str(&resp.json).unwrap();
    // serde_json::Value sorts keys
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "complete", "errors", "kind", "payslips", "period", "policy", "quota", "totals"
        ]
    );
    for slip in v["payslips"].as_array().unwrap() {
        let keys: Vec<&str> = slip
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["gross", "lines", "name", "unit", "worker_id"]);
        for l in slip["lines"].as_array().unwrap() {
            let code: LineCode = LineCode::ALL
                .into_iter()
                .find(|c| c.code() == l["code"])
                .unwrap();
            assert!(code.is_earning(), "{l}");
        }
    }
    // A Request serialises without the empty tax lists.
    let req: Request = serde_json::from_slice(&text).unwrap();
    let again = serde_json::to_value(&req).unwrap();
    assert!(again.get("tax").is_none() && again.get("ytd").is_none());
}

#[test]
fn low_earner_merges_the_bonus_and_pays_no_tax() {
    let set = PolicySet::builtin();
    // social worker, pass: 2200 + 600 + 300 + 400 + 900 = 4400; base 4400 (gross, in bounds)
    let w = json!({"id": "W2", "unit": "U", "position": "community_worker",
                   "title": "social_worker", "hired_on": "2020-01-01"});
    let v = run_value(
        json!({"kind": "monthly", "period": "2026-01", "workers": [w],
               "assessments": [{"worker_id": "W2", "period": "2026-01", "grade": "pass"}],
               "tax": [{"worker_id": "W2"}]}),
        &set,
    );
    let slip = &v["payslips"][0];
    assert_eq!(slip["gross"], "4400.00");
    // 352 + 88 + 22 + 528 (12% default) = 990; taxable 4400 − 5000 − 990 < 0
    assert_eq!(line(slip, "housing_fund")["amount"], "528.00");
    assert_eq!(
        line(slip, "housing_fund")["explain"],
        "base 4400.00 (gross pay) × 12% (policy default rate) = 528.00"
    );
    assert_eq!(line(slip, "income_tax")["amount"], "0.00");
    assert_eq!(slip["net"], "3410.00");
    assert_eq!(v["ytd"][0]["months"], 1);

    // A year of that: taxable 12 × (4400 − 5000 − 990) = −19080; good bonus 1800.
    let ytd = json!([{"worker_id": "W2", "year": "2026", "months": 12, "income": "52800.00",
                      "contributions": "11880.00", "tax_withheld": "0.00"}]);
    let v = run_value(
        json!({"kind": "annual", "period": "2026", "workers": [w],
               "assessments": [{"worker_id": "W2", "period": "2026", "grade": "good"}],
               "ytd": ytd}),
        &set,
    );
    let slip = &v["payslips"][0];
    let b = &slip["bonus_tax"];
    // separate 1800 × 3% = 54; merged: −19080 + 1800 < 0 → 0
    assert_eq!(
        (&b["separate"], &b["merged"]),
        (&json!("54.00"), &json!("0.00"))
    );
    assert_eq!(b["chosen"], "merged");
    assert_eq!(slip["net"], "1800.00");
    assert_eq!(v["ytd"][0]["income"], "54600.00");
    assert_eq!(v["ytd"][0]["separate_bonus"], "0.00");
}

#[test]
fn exempt_honours_and_taxable_ones() {
    let set = salary_30000();
    let run_with = |level: &str| {
        let mut req = month_request(1, None);
        req["honours"] = json!([{"worker_id": "W1", "level": level, "awarded_on": "2026-01-10"}]);
        run_value(req, &set)
    };
    // provincial 5000 exempt: taxable 35000 − 5000 − 5000 − 4500 − 2000 = 18500 → 555
    let v = run_with("provincial");
    let slip = &v["payslips"][0];
    assert_eq!(slip["gross"], "35000.00");
    assert_eq!(line(slip, "income_tax")["amount"], "555.00");
    assert_eq!(v["ytd"][0]["exempt_income"], "5000.00");
    // municipal 3000 taxable: 33000 − 5000 − 4500 − 2000 = 21500 × 3% = 645
    let v = run_with("municipal");
    assert_eq!(line(&v["payslips"][0], "income_tax")["amount"], "645.00");
    assert_eq!(v["ytd"][0]["exempt_income"], "0.00");
}

#[test]
fn bonus_paid_in_2028_is_merged() {
    let set = salary_30000();
    let bonus_run = |period: &str, paid_on: Option<&str>, year: &str| {
        let mut t = json!({"worker_id": "W1"});
        if let Some(p) = paid_on {
            t["paid_on"] = json!(p);
        }
        run_value(
            json!({"kind": "annual", "period": period, "workers": [worker()],
                   "assessments": [{"worker_id": "W1", "period": period, "grade": "pass"}],
                   "tax": [t],
                   "ytd": [{"worker_id": "W1", "year": year, "months": 0}]}),
            &set,
        )
    };
    // 2027's bonus paid on 2027-12-31, no wages yet: separate 1200 × 3% = 36, merged
    // 1200 × 3% = 36: a tie keeps it with wages.
    let v = bonus_run("2027", None, "2027");
    assert_eq!(v["payslips"][0]["bonus_tax"]["separate"], "36.00");
    assert_eq!(v["payslips"][0]["bonus_tax"]["chosen"], "merged");
    // 2027's bonus paid on 2028-01-15: the state must be of 2028, and merging is the only way.
    let v = bonus_run("2027", Some("2028-01-15"), "2028");
    assert_eq!(v["complete"], true, "{v}");
    let b = &v["payslips"][0]["bonus_tax"];
    assert_eq!(b["separate"], Value::Null);
    assert_eq!(
        b["separate_unavailable"],
        "separate taxation ended 2027-12-31"
    );
    assert_eq!(b["chosen"], "merged");
    let explain = line(&v["payslips"][0], "income_tax")["explain"]
        .as_str()
        .unwrap();
    assert!(
        explain.contains("separate taxation ended 2027-12-31"),
        "{explain}"
    );
    // 2028's bonus, paid by default on 2028-12-31, too.
    let v = bonus_run("2028", None, "2028");
    assert_eq!(v["payslips"][0]["bonus_tax"]["chosen"], "merged");
    assert_eq!(v["payslips"][0]["bonus_tax"]["separate"], Value::Null);
}

#[test]
fn bonus_in_a_cliff_is_flagged() {
    let r = rules();
    // A year with taxable wages 600000 (30% bracket): a bonus of 36100 taxed
    // separately costs 36100 × 10% − 210 = 3400; merged 30% = 10830: separate.
    let y = Ytd {
        months: 12,
        income: d("660000"),
        ..Ytd::start(2026)
    };
    assert_eq!(y.taxable(&r), d("600000"));
    let b = bonus_choice(&r, &y, d("36100"), parse_date("2026-12-31").unwrap());
    assert_eq!(b.chosen, Method::Separate);
    assert_eq!(b.tax, d("3400"));
    let c = b.cliff.unwrap();
    // 36000 would leave 34920; 36100 leaves 32700: 2220 more for 100 less bonus.
    assert_eq!(
        (c.edge, c.net_at_edge, c.net_here),
        (d("36000"), d("34920"), d("32700"))
    );
    assert_eq!(c.loss, d("2220"));
}

#[test]
fn bad_inputs_name_the_worker_and_field() {
    let set = PolicySet::builtin();
    let workers: Vec<Value> = (1..=7)
        .map(|i| {
            json!({"id": format!("W{i}"), "unit": "U", "position": "community_worker",
                   "hired_on": "2020-01-01"})
        })
        .collect();
    let assessments: Vec<Value> = (1..=7)
        .map(|i| json!({"worker_id": format!("W{i}"), "period": "2026-03", "grade": "pass"}))
        .collect();
    let v = run_value(
        json!({"kind": "monthly", "period": "2026-03", "workers": workers,
               "assessments": assessments,
               "tax": [{"worker_id": "W1", "housing_fund_rate": "0.15"},
                       {"worker_id": "W2", "contribution_base": "-1.00"},
                       {"worker_id": "W7", "paid_on": "2026-03-01"},
                       {"worker_id": "W9"}],
               "ytd": [{"worker_id": "W3", "year": 2025, "months": 12},
                       {"worker_id": "W4", "year": 2026, "months": 13},
                       {"worker_id": "W5", "year": 2026, "months": 3},
                       {"worker_id": "W6", "year": 2026, "months": 2, "income": "1e5"}]}),
        &set,
    );
    assert_eq!(v["complete"], false);
    let errors = v["errors"].as_array().unwrap();
    let find = |w: &str, field: &str| {
        errors
            .iter()
            .find(|e| e["worker_id"] == w && e["field"] == field)
            .unwrap_or_else(|| panic!("no {w} {field} error in {errors:?}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        find("W1", "tax.housing_fund_rate")
            .contains("0.15 is outside the housing-fund range 0.05–0.12")
    );
    assert!(find("W2", "tax.contribution_base").contains("negative"));
    assert!(
        find("W3", "ytd.year").contains("state of tax year 2025 given to a run in tax year 2026")
    );
    assert!(find("W4", "ytd.months").contains("more than the 12 months of a year"));
    assert!(find("W5", "ytd.months").contains("at most 2 month(s) of 2026 come before 2026-03"));
    assert!(find("W6", "ytd.income").contains("not a plain decimal"));
    assert!(find("W7", "tax.paid_on").contains("annual runs"));
    assert!(find("W9", "worker_id").contains("no worker \"W9\" in the roster"));
    // Workers with errors are not paid; nobody else was asked for net pay.
    assert_eq!(v["payslips"].as_array().unwrap().len(), 0);
    assert_eq!(v["ytd"], json!([]));
}

#[test]
fn tax_inputs_without_tax_rules_are_errors() {
    // The built-in policy with its [versions.tax…] tables cut out.
    let from = BUILTIN_TOML.find("\n[versions.tax").unwrap();
    let to = BUILTIN_TOML[from + 1..]
        .find("\n[")
        .map(|i| from + 1 + i)
        .filter(|&i| !BUILTIN_TOML[i..].starts_with("\n[versions.tax"));
    let text = format!(
        "{}{}",
        &BUILTIN_TOML[..from],
        to.map_or("", |i| &BUILTIN_TOML[i..])
    );
    let set = PolicySet::from_toml(&text).unwrap();
    assert!(set.versions()[0].tax().is_none());
    let v = run_value(
        json!({"kind": "monthly", "period": "2026-03", "workers": [worker()],
               "assessments": [{"worker_id": "W1", "period": "2026-03", "grade": "pass"}],
               "tax": [{"worker_id": "W1"}]}),
        &set,
    );
    assert_eq!(v["complete"], false);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("has no tax rules")
    );
}

#[test]
fn a_worker_not_employed_passes_the_state_through() {
    let set = PolicySet::builtin();
    let mut w = worker();
    w["left_on"] = json!("2026-02-28");
    let ytd = json!([{"worker_id": "W1", "year": 2026, "months": 2, "income": "8800.00",
                      "contributions": "1980.00", "tax_withheld": "0.00"}]);
    let v = run_value(
        json!({"kind": "monthly", "period": "2026-03", "workers": [w], "ytd": ytd}),
        &set,
    );
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(v["payslips"], json!([]));
    assert_eq!(v["ytd"][0]["months"], 2);
    assert_eq!(v["ytd"][0]["income"], "8800.00");
}

#[test]
fn library_run_matches_json_and_lines_add_up() {
    let set = salary_30000();
    let req: Request = serde_json::from_value(month_request(1, None)).unwrap();
    let r = run(&req, Some(&set)).unwrap();
    let slip = &r.payslips[0];
    let earnings: Decimal = slip
        .lines
        .iter()
        .filter(|l| l.code.is_earning())
        .map(|l| l.amount)
        .sum();
    assert_eq!(earnings, slip.gross);
    let deductions: Decimal = slip
        .lines
        .iter()
        .filter(|l| !l.code.is_earning() && l.code != LineCode::Net)
        .map(|l| l.amount)
        .sum();
    assert_eq!(slip.gross - deductions, slip.amount(LineCode::Net).unwrap());
    assert_eq!(slip.amount(LineCode::IncomeTax), Some(d("555")));
    assert_eq!(r.tax.ytd[0].1.tax_withheld, d("555"));
    r.with_context(slip, |cx| {
        let l = slip
            .lines
            .iter()
            .find(|l| l.code == LineCode::IncomeTax)
            .unwrap();
        assert_eq!(
            l.explain(cx),
            "cumulative method, month 1 of 2026: income 30000.00 − exempt 0.00 − basic 5000.00 (5000.00 × 1) − contributions 4500.00 − additional deductions 2000.00 − other deductions 0.00 = taxable 18500.00; × 3% − 0.00 = 555.00; − withheld 0.00 = 555.00"
        );
    });
}

// ---------------------------------------------------------------------------
// Properties

fn fen(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max).prop_map(|n| Decimal::new(n, 2))
}

fn payslip(gross: Decimal) -> Payslip {
    Payslip {
        worker: 0,
        lines: vec![Line {
            code: LineCode::BasePay,
            amount: gross,
            why: Why::Tax,
        }],
        gross,
    }
}

fn net_of(r: &TaxRules, gross: Decimal, settings: Settings, ytd: Ytd) -> (Decimal, Payslip) {
    let mut slip = payslip(gross);
    let t = tax::month_lines(r, &Input { settings, ytd }, &mut slip);
    (t.net, slip)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn withheld_tax_is_never_negative(
        months in proptest::collection::vec((fen(10_000_000), fen(500_000), fen(300_000)), 1..=12)
    ) {
        let r = rules();
        let mut y = Ytd::start(2026);
        for (income, contributions, additional) in months {
            let w = withhold(&r, &y, &MonthFigures { income, contributions, additional_deductions: additional, ..Default::default() });
            prop_assert!(w.tax >= Decimal::ZERO);
            prop_assert!(w.ytd.tax_withheld >= w.cumulative_tax.min(y.tax_withheld));
            y = w.ytd;
        }
    }

    #[test]
    fn a_steady_year_withholds_the_annual_table_on_the_year(
        income in fen(20_000_000), contributions in fen(600_000), additional in fen(500_000),
        first in 1u8..=12,
    ) {
        let r = rules();
        let m = MonthFigures { income, contributions, additional_deductions: additional, ..Default::default() };
        let mut y = Ytd::start(2026);
        let mut total = Decimal::ZERO;
        for _ in first..=12 {
            let w = withhold(&r, &y, &m);
            total += w.tax;
            y = w.ytd;
        }
        prop_assert_eq!(total, r.annual.tax(y.taxable(&r), Decimal::ONE).1);
    }

    #[test]
    fn net_is_gross_minus_deductions(
        gross in fen(10_000_000), base in proptest::option::of(fen(5_000_000)),
        rate in 500u32..=1200, add in fen(400_000), months in 0u8..=11,
        income in fen(50_000_000), withheld in fen(1_000_000),
    ) {
        let r = rules();
        let settings = Settings {
            contribution_base: base,
            housing_fund_rate: Some(Decimal::new(rate.into(), 4)),
            additional_deductions: add,
            ..Default::default()
        };
        let ytd = Ytd { months, income, tax_withheld: withheld, ..Ytd::start(2026) };
        let (net, slip) = net_of(&r, gross, settings, ytd);
        let deductions: Decimal = slip.lines.iter()
            .filter(|l| !l.code.is_earning() && l.code != LineCode::Net)
            .map(|l| l.amount).sum();
        prop_assert_eq!(gross - deductions, net);
        prop_assert_eq!(slip.amount(LineCode::Net), Some(net));
        prop_assert_eq!(slip.lines.len(), 7);
        for l in &slip.lines { prop_assert_eq!(l.amount.scale(), 2); }
    }

    /// Wages: a higher gross never yields a lower net. Each contribution and
    /// the tax is rounded to the fen on its own, so a rise of a single fen
    /// can net a fen less (a scan found it in the 45% bracket: ytd income
    /// 5000000 over 11 months, housing fund 11%, gross 4000.31 → 4000.32).
    /// The rise keeps at least 0.775 × 0.55 of itself before rounding and
    /// the five roundings move net by under 0.05, so from 0.20 up it always wins.
    #[test]
    fn a_higher_gross_never_nets_less(
        gross in fen(10_000_000), rise in 20i64..=1_000_000, given_base in any::<bool>(),
        add in fen(400_000), months in 0u8..=11, income in fen(20_000_000),
    ) {
        let r = rules();
        let higher = gross + Decimal::new(rise, 2);
        let settings = |g: Decimal| Settings {
            contribution_base: given_base.then_some(g),
            additional_deductions: add,
            ..Default::default()
        };
        // The state a steady worker would have: tax withheld as due.
        let mut ytd = Ytd { months, income, ..Ytd::start(2026) };
        ytd.tax_withheld = r.annual.tax(ytd.taxable(&r), Decimal::ONE).1;
        let (low, _) = net_of(&r, gross, settings(gross), ytd);
        let (high, _) = net_of(&r, higher, settings(higher), ytd);
        prop_assert!(high >= low, "gross {} nets {}, gross {} nets {}", gross, low, higher, high);
    }

    /// Never a negative net, whatever the pay, the base and the state: every
    /// deduction line is at most what the pay leaves, and what the pay left
    /// unwithheld plus what was withheld is the tax due.
    #[test]
    fn net_is_never_negative(
        gross in fen(3_000_000), base in proptest::option::of(fen(5_000_000)),
        rate in 500u32..=1200, add in fen(400_000), months in 0u8..=11,
        income in fen(200_000_000), withheld in fen(10_000_000), carried in fen(10_000_000),
    ) {
        let r = rules();
        let settings = Settings {
            contribution_base: base,
            housing_fund_rate: Some(Decimal::new(rate.into(), 4)),
            additional_deductions: add,
            ..Default::default()
        };
        let ytd = Ytd { months, income, tax_withheld: withheld, tax_unwithheld: carried, ..Ytd::start(2026) };
        let mut slip = payslip(gross);
        let t = tax::month_lines(&r, &Input { settings, ytd }, &mut slip);
        prop_assert!(t.net >= Decimal::ZERO, "gross {} nets {}", gross, t.net);
        prop_assert_eq!(gross - t.deductions, t.net);
        for l in &slip.lines { prop_assert!(l.amount >= Decimal::ZERO); }
        let w = match &t.detail { tax::Detail::Month { withholding, .. } => *withholding, _ => unreachable!() };
        prop_assert_eq!(w.tax + w.unwithheld, w.due);
        prop_assert_eq!(t.ytd_out().tax_unwithheld, t.tax_unwithheld);
        prop_assert_eq!(
            t.ytd_out().tax_withheld + t.ytd_out().tax_unwithheld,
            w.cumulative_tax.max(withheld)
        );
    }

    /// Over months of any pay (some too low for their deductions), each
    /// state's withheld + carried is the tax due so far; once a month's pay
    /// allows it, nothing is carried, and when the cumulative tax never fell
    /// below what was withheld (no refund mid-year) the year's withholding is
    /// the annual table on the cumulative taxable income.
    #[test]
    fn withheld_and_carried_add_up_to_the_annual_table(
        start in 0u8..=6, income in fen(150_000_000), withheld in fen(5_000_000),
        months in proptest::collection::vec(
            (fen(10_000_000), proptest::option::of(fen(3_000_000)), fen(300_000)), 0..=5),
    ) {
        let r = rules();
        let mut y = Ytd { months: start, income, tax_withheld: withheld, ..Ytd::start(2026) };
        // The tax carried in: what the state owes beyond what it withheld.
        y.tax_unwithheld = (r.annual.tax(y.taxable(&r), Decimal::ONE).1 - withheld).max(Decimal::ZERO);
        let mut total = withheld;
        let mut refunds_refused = false;
        // The last month pays 5000000.00: enough for any tax carried.
        let last = (d("5000000.00"), None, Decimal::ZERO);
        for (gross, base, add) in months.into_iter().chain([last]) {
            let settings = Settings { contribution_base: base, additional_deductions: add, ..Default::default() };
            let mut slip = payslip(gross);
            let t = tax::month_lines(&r, &Input { settings, ytd: y }, &mut slip);
            prop_assert!(t.net >= Decimal::ZERO);
            let w = match &t.detail { tax::Detail::Month { withholding, .. } => *withholding, _ => unreachable!() };
            refunds_refused |= w.cumulative_tax < w.withheld_before;
            total += t.income_tax;
            y = *t.ytd_out();
            prop_assert_eq!(y.tax_withheld, total);
            prop_assert_eq!(y.tax_withheld + y.tax_unwithheld, w.cumulative_tax.max(w.withheld_before));
        }
        prop_assert_eq!(y.tax_unwithheld, Decimal::ZERO);
        let table = r.annual.tax(y.taxable(&r), Decimal::ONE).1;
        if refunds_refused {
            prop_assert!(total >= table);
        } else {
            prop_assert_eq!(total, table);
        }
    }

    /// Separate bonus tax: where a larger bonus nets less, a cliff is reported.
    #[test]
    fn a_bonus_that_nets_less_is_in_a_reported_cliff(
        small in fen(150_000_000), rise in 1i64..=5_000_000,
    ) {
        let r = rules();
        let t = &r.bonus_monthly;
        let large = small + Decimal::new(rise, 2);
        let net = |b: Decimal| b - tax::separate_tax(t, b).1;
        if net(large) < net(small) {
            let c = tax::cliff(t, large);
            prop_assert!(c.is_some(), "bonus {} nets less than {} but no cliff", large, small);
            let c = c.unwrap();
            prop_assert!(c.edge < large && c.loss > Decimal::ZERO);
            prop_assert!(c.net_at_edge >= net(small));
        }
    }

    /// Chosen bonus tax is never above either method open to the bonus.
    #[test]
    fn the_bonus_choice_is_the_lower(
        bonus in fen(100_000_000), months in 0u8..=12, income in fen(100_000_000),
    ) {
        let r = rules();
        let mut y = Ytd { months, income, ..Ytd::start(2026) };
        y.tax_withheld = r.annual.tax(y.taxable(&r), Decimal::ONE).1;
        let b = bonus_choice(&r, &y, bonus, parse_date("2026-12-31").unwrap());
        let (_, sep) = b.separate.unwrap();
        prop_assert_eq!(b.tax, sep.min(b.merged));
        prop_assert!(b.tax >= Decimal::ZERO);
    }
}
