//! Career changes within a month (issue 15): promotions, new titles and
//! transfers effective from a day, paid per part of the month.

use payrules::book::{Book, Replace};
use payrules::policy::{BUILTIN_TOML, PolicySet};
use payrules::run::{Request, run};
use payrules::whatif::{Reform, Scope, compare};
use payrules::{LineCode, Run};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn request(doc: Value) -> Request {
    serde_json::from_value(doc).unwrap()
}

/// Two workers of 温泉社区 employed all of November 2026 (30 days; the 1st
/// is a Sunday, so 21 weekdays: 10 from the 2nd to the 13th, 11 from the
/// 16th to the 30th), both graded pass, with `changes`.
fn november(changes: Value) -> Value {
    json!({
        "kind": "monthly", "period": "2026-11",
        "workers": [
            {"id": "W1", "name": "林晓", "unit": "温泉社区", "position": "community_worker",
             "title": "assistant_social_worker", "hired_on": "2020-03-01"},
            {"id": "W2", "name": "陈默", "unit": "温泉社区", "position": "community_worker",
             "hired_on": "2021-05-01"}
        ],
        "assessments": [
            {"worker_id": "W1", "period": "2026-11", "grade": "pass"},
            {"worker_id": "W2", "period": "2026-11", "grade": "pass"}
        ],
        "changes": changes
    })
}

fn run_doc(doc: Value, policy: Option<&PolicySet>) -> Run {
    run(request(doc), policy).unwrap()
}

/// The lines of a worker's payslip with a code: (amount, explanation).
fn lines(run: &Run, id: &str, code: LineCode) -> Vec<(String, String)> {
    let slip = run
        .payslips
        .iter()
        .find(|p| run.workers[p.worker].id == id)
        .unwrap_or_else(|| panic!("{id} paid"));
    slip.lines
        .iter()
        .filter(|l| l.code == code)
        .map(|l| {
            let text = run.with_context(slip, |cx| l.explain(cx));
            (l.amount.to_string(), text)
        })
        .collect()
}

fn gross(run: &Run, id: &str) -> String {
    let slip = run
        .payslips
        .iter()
        .find(|p| run.workers[p.worker].id == id)
        .unwrap();
    slip.gross.to_string()
}

fn policy_with(from: &str, to: &str) -> PolicySet {
    let text = BUILTIN_TOML.replacen(from, to, 1);
    assert_ne!(text, BUILTIN_TOML);
    PolicySet::from_toml(&text).unwrap()
}

/// The built-in policy with a sub-district deputy outside the scheme.
fn with_deputy() -> PolicySet {
    let text = format!(
        "{BUILTIN_TOML}\n[versions.outside_scheme.sub_district_deputy]\nname_zh = \"街道副职\"\n"
    );
    PolicySet::from_toml(&text).unwrap()
}

#[test]
fn promotion_to_social_worker_on_the_16th_calendar_days() {
    let r = run_doc(
        november(json!([{"worker_id": "W1", "on": "2026-11-16", "title": "社会工作师"}])),
        None,
    );
    assert!(r.complete(), "{:?}", r.errors);
    // 200 × 15/30 = 100.00 as assistant, 400 × 15/30 = 200.00 as social worker.
    assert_eq!(
        lines(&r, "W1", LineCode::TitleAllowance),
        [
            (
                "100.00".to_string(),
                "title assistant_social_worker from 2026-11-01: 200.00 × 15/30 calendar days = 100.00"
                    .to_string()
            ),
            (
                "200.00".to_string(),
                "title social_worker from 2026-11-16: 400.00 × 15/30 calendar days = 200.00"
                    .to_string()
            ),
        ]
    );
    // The position did not change: one full line, as without changes.
    assert_eq!(
        lines(&r, "W1", LineCode::BasePay),
        [(
            "2200.00".to_string(),
            "position community_worker: 2200.00 a month, full month".to_string()
        )]
    );
    // 2200 + 600 + 300 + 100 + 200 + 900
    assert_eq!(gross(&r, "W1"), "4300.00");
    let slip = &r.payslips[0];
    let rules: Vec<String> = slip
        .lines
        .iter()
        .filter(|l| l.code == LineCode::TitleAllowance)
        .map(|l| r.with_context(slip, |cx| l.rule(cx)))
        .collect();
    assert_eq!(
        rules,
        [
            "gulou 2018 §title_allowance.assistant_social_worker",
            "gulou 2018 §title_allowance.social_worker"
        ]
    );
}

#[test]
fn promotion_to_social_worker_on_the_16th_paid_days() {
    let set = policy_with("basis = \"calendar_days\"", "basis = \"paid_days_21_75\"");
    let r = run_doc(
        november(json!([{"worker_id": "W1", "on": "2026-11-16", "title": "social_worker"}])),
        Some(&set),
    );
    assert!(r.complete(), "{:?}", r.errors);
    // 200 × 10/21.75 = 91.954… → 91.95; 400 × 11/21.75 = 202.298… → 202.30
    assert_eq!(
        lines(&r, "W1", LineCode::TitleAllowance),
        [
            (
                "91.95".to_string(),
                "title assistant_social_worker from 2026-11-01: 200.00 × 10/21.75 paid days = 91.95"
                    .to_string()
            ),
            (
                "202.30".to_string(),
                "title social_worker from 2026-11-16: 400.00 × 11/21.75 paid days = 202.30"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn a_position_change_and_a_title_change_on_different_days() {
    let r = run_doc(
        november(json!([
            {"worker_id": "W2", "on": "2026-11-20", "title": "assistant_social_worker"},
            {"worker_id": "W2", "on": "2026-11-10", "position": "社区书记"}
        ])),
        None,
    );
    assert!(r.complete(), "{:?}", r.errors);
    let amounts =
        |code| -> Vec<String> { lines(&r, "W2", code).into_iter().map(|(a, _)| a).collect() };
    // Worker 1st–9th (9 days), secretary 10th–30th (21 days):
    // 2200 × 9/30 = 660, 2600 × 21/30 = 1820; 600 × 9/30 = 180, 600 × 21/30 = 420;
    // 300 × 9/30 = 90, 600 × 21/30 = 420.
    assert_eq!(amounts(LineCode::BasePay), ["660.00", "1820.00"]);
    assert_eq!(amounts(LineCode::LivingAllowance), ["180.00", "420.00"]);
    assert_eq!(amounts(LineCode::PostAllowance), ["90.00", "420.00"]);
    // No title 1st–19th: 0; assistant 20th–30th: 200 × 11/30 = 73.333… → 73.33.
    assert_eq!(amounts(LineCode::TitleAllowance), ["0.00", "73.33"]);
    assert_eq!(
        lines(&r, "W2", LineCode::BasePay)[1].1,
        "position community_secretary from 2026-11-10: 2600.00 × 21/30 calendar days = 1820.00"
    );
    // 660 + 1820 + 180 + 420 + 90 + 420 + 0 + 73.33 + 900
    assert_eq!(gross(&r, "W2"), "4563.33");
    // Worker 1 has no change: today's payslip.
    assert_eq!(gross(&r, "W1"), "4200.00");
}

#[test]
fn a_transfer_on_the_10th_moves_the_pool() {
    let doc = november(json!([{"worker_id": "W2", "on": "2026-11-10", "unit": "东湖社区"}]));
    let r = run_doc(doc.clone(), None);
    assert!(r.complete(), "{:?}", r.errors);
    // The unit on the last day (quota.pool_day = "last_day"), counted once.
    let w2 = r.workers.iter().find(|w| w.id == "W2").unwrap();
    assert_eq!(w2.unit, "东湖社区");
    let pools: Vec<(&str, u32)> = r
        .quota
        .iter()
        .map(|p| (p.pool.as_str(), p.graded))
        .collect();
    assert_eq!(pools, [("东湖社区", 1), ("温泉社区", 1)]);
    assert_eq!(r.totals.by_unit["东湖社区"].to_string(), "4000.00");
    // A transfer moves no pay: 2200 + 600 + 300 + 900.
    assert_eq!(gross(&r, "W2"), "4000.00");
    // Under pool_day = "first_day" the worker stays in the first pool.
    let set = policy_with(
        "pool = \"unit\"",
        "pool = \"unit\"\npool_day = \"first_day\"",
    );
    let r = run_doc(doc, Some(&set));
    let pools: Vec<(&str, u32)> = r
        .quota
        .iter()
        .map(|p| (p.pool.as_str(), p.graded))
        .collect();
    assert_eq!(pools, [("温泉社区", 2)]);
    // The policy written back keeps the choice.
    assert!(set.to_toml().contains("pool_day = \"first_day\""));
    assert_eq!(PolicySet::from_toml(&set.to_toml()).unwrap(), set);
}

#[test]
fn a_promotion_to_sub_district_deputy_ends_pay_the_day_before() {
    let set = with_deputy();
    let doc = november(json!([{"worker_id": "W1", "on": "2026-11-16", "position": "街道副职"}]));
    let r = run_doc(doc.clone(), Some(&set));
    assert!(r.complete(), "{:?}", r.errors);
    // Paid the 1st–15th: 2200 × 15/30 = 1100, 600 × 15/30 = 300, 300 × 15/30 = 150,
    // 200 × 15/30 = 100, bonus 900 × 15/30 = 450.
    assert_eq!(
        lines(&r, "W1", LineCode::BasePay),
        [(
            "1100.00".to_string(),
            "position community_worker: 2200.00 × 15/30 calendar days = 1100.00".to_string()
        )]
    );
    assert_eq!(gross(&r, "W1"), "2100.00");
    assert_eq!(
        r.workers.iter().find(|w| w.id == "W1").unwrap().left_on,
        Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap())
    );
    // December: not paid here, and no error.
    let mut dec = doc;
    dec["period"] = json!("2026-12");
    for a in dec["assessments"].as_array_mut().unwrap() {
        a["period"] = json!("2026-12");
    }
    let r = run_doc(dec, Some(&set));
    assert!(r.complete(), "{:?}", r.errors);
    let ids: Vec<&str> = r.workers.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, ["W2"]);
    // The built-in policy has no such position: an error naming it.
    let r = run_doc(
        november(json!([{"worker_id": "W1", "on": "2026-11-16", "position": "街道副职"}])),
        None,
    );
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].field, "position");
    assert!(
        r.errors[0].message.contains("unknown position"),
        "{}",
        r.errors[0]
    );
    // A career-established secretary marked as paid elsewhere leaves too.
    let text = BUILTIN_TOML
        .replacen("[versions.positions.career_secretary]\nname_zh = \"事业编制社区书记\"\nbase_pay = \"3000.00\"\nliving_allowance = \"600.00\"\npost_allowance = \"800.00\"\n", "[versions.outside_scheme.career_secretary]\nname_zh = \"事业编制社区书记\"\n", 1);
    assert_ne!(text, BUILTIN_TOML);
    let set = PolicySet::from_toml(&text).unwrap();
    let r = run_doc(
        november(json!([{"worker_id": "W2", "on": "2026-11-21", "position": "事业编制社区书记"}])),
        Some(&set),
    );
    // 20 days: 2200 × 20/30 = 1466.67, 600 × 20/30 = 400, 300 × 20/30 = 200, 900 × 20/30 = 600
    assert_eq!(gross(&r, "W2"), "2666.67");
}

#[test]
fn the_annual_bonus_goes_with_the_year_end_unit() {
    let doc = json!({
        "kind": "annual", "period": "2026",
        "workers": [{"id": "W1", "name": "林晓", "unit": "温泉社区", "position": "community_worker",
                     "hired_on": "2020-03-01"}],
        "assessments": [{"worker_id": "W1", "period": "2026", "grade": "pass"}],
        "changes": [{"worker_id": "W1", "on": "2026-06-01", "unit": "东湖社区", "title": "social_worker"}]
    });
    let r = run_doc(doc, None);
    assert!(r.complete(), "{:?}", r.errors);
    assert_eq!(r.workers[0].unit, "东湖社区");
    assert_eq!(r.totals.by_unit["东湖社区"].to_string(), "1200.00");
}

#[test]
fn bad_changes_are_errors_naming_worker_and_field_and_the_rest_is_paid() {
    let mut doc = november(json!([
        {"worker_id": "W1", "on": "2019-01-01", "title": "social_worker"},
        {"worker_id": "W1", "on": "2026-11-16", "title": "doctor"},
        {"worker_id": "W9", "on": "2026-11-16", "title": "social_worker"},
        {"worker_id": "W1", "on": "2026-11-16", "unit": "东湖社区"},
        {"worker_id": "W1", "on": "2026-11-16", "unit": "西湖社区"},
        {"worker_id": "W1", "on": "2026-13-01", "title": "social_worker"},
        {"worker_id": "W1", "on": "2026-11-16"}
    ]));
    doc["workers"].as_array_mut().unwrap().push(json!(
        {"id": "W3", "name": "王五", "unit": "温泉社区", "position": "community_worker",
         "hired_on": "2020-03-01", "left_on": "2026-11-20"}));
    doc["assessments"].as_array_mut().unwrap().push(json!(
        {"worker_id": "W3", "period": "2026-11", "grade": "pass"}));
    doc["changes"].as_array_mut().unwrap().push(json!(
        {"worker_id": "W3", "on": "2026-11-25", "title": "social_worker"}));
    let r = run_doc(doc, None);
    let got: Vec<(Option<&str>, &str)> = r
        .errors
        .iter()
        .map(|e| (e.worker_id.as_deref(), e.field.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("W1"), "changes"),
            (Some("W1"), "on"),
            (Some("W1"), "title"),
            (Some("W1"), "title"),
            (Some("W1"), "unit"),
            (Some("W3"), "title"),
            (Some("W9"), "worker_id"),
        ],
        "{:#?}",
        r.errors
    );
    let msgs: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
    let all = msgs.join("\n");
    assert!(
        all.contains("change on 2019-01-01 is before hiring on 2020-03-01"),
        "{all}"
    );
    assert!(all.contains("two changes of unit on 2026-11-16"), "{all}");
    assert!(
        all.contains("change on 2026-11-25 is after leaving on 2026-11-20"),
        "{all}"
    );
    assert!(all.contains("no worker \"W9\" in the roster"), "{all}");
    assert!(all.contains("unknown title \"doctor\""), "{all}");
    // The rest of the run goes on: W2 is paid as without changes.
    let ids: Vec<&str> = r
        .payslips
        .iter()
        .map(|p| r.workers[p.worker].id.as_str())
        .collect();
    assert_eq!(ids, ["W2"]);
    assert_eq!(gross(&r, "W2"), "4000.00");
}

#[test]
fn no_changes_or_changes_to_the_state_held_give_todays_bytes() {
    let plain = |doc: Value| {
        payrules::run_json(doc.to_string().as_bytes(), None)
            .unwrap()
            .json
    };
    let mut without = november(json!([]));
    without.as_object_mut().unwrap().remove("changes");
    let today = plain(without);
    assert_eq!(plain(november(json!([]))), today);
    // A title already held and a unit already in, from mid-month: nothing moves.
    let same = plain(november(json!([
        {"worker_id": "W1", "on": "2026-11-16", "title": "assistant_social_worker"},
        {"worker_id": "W2", "on": "2026-11-05", "unit": "温泉社区", "position": "community_worker"}
    ])));
    assert_eq!(same, today);
    // Changes before the period set its state; changes after it are not yet paid.
    let later = plain(november(json!([
        {"worker_id": "W2", "on": "2026-12-01", "title": "senior_social_worker"}
    ])));
    assert_eq!(later, today);
}

#[test]
fn shuffled_changes_give_identical_bytes() {
    let changes = json!([
        {"worker_id": "W2", "on": "2026-11-20", "title": "assistant_social_worker"},
        {"worker_id": "W1", "on": "2026-11-16", "title": "social_worker"},
        {"worker_id": "W2", "on": "2026-11-10", "position": "community_secretary"},
        {"worker_id": "W1", "on": "2026-11-03", "unit": "东湖社区"},
        {"worker_id": "W2", "on": "2026-10-01", "title": "none"}
    ]);
    let base = payrules::run_json(november(changes.clone()).to_string().as_bytes(), None)
        .unwrap()
        .json;
    let list = changes.as_array().unwrap();
    // Every rotation and the reverse order.
    let mut orders: Vec<Vec<Value>> = (0..list.len())
        .map(|k| {
            let mut v = list.clone();
            v.rotate_left(k);
            v
        })
        .collect();
    orders.push(list.iter().rev().cloned().collect());
    for order in orders {
        let out = payrules::run_json(november(json!(order)).to_string().as_bytes(), None)
            .unwrap()
            .json;
        assert_eq!(out, base);
    }
}

/// Splitting the month at any day: the parts tile the days employed (no day
/// paid twice or missed), and each part line is within half a fen of its
/// exact prorated amount, on both bases and with a mid-month hire.
#[test]
fn splits_at_any_day_tile_the_month_within_a_fen_a_line() {
    let paid_days = policy_with("basis = \"calendar_days\"", "basis = \"paid_days_21_75\"");
    for (policy, per) in [(None, "calendar"), (Some(&paid_days), "paid")] {
        for hired in ["2020-03-01", "2026-11-07"] {
            for day in 2..=30 {
                let on = format!("2026-11-{day:02}");
                let mut doc = november(
                    json!([{"worker_id": "W1", "on": on, "title": "senior_social_worker"}]),
                );
                doc["workers"][0]["hired_on"] = json!(hired);
                let r = run_doc(doc, policy);
                if hired == "2026-11-07" && day < 7 {
                    assert_eq!(r.errors.len(), 1, "{on}: before hiring");
                    continue;
                }
                let got = lines(&r, "W1", LineCode::TitleAllowance);
                // Units per part from the explanations: "… × D/30 calendar days" or "… × D/21.75".
                let mut days = 0u32;
                let mut exact = Decimal::ZERO;
                let mut paid = Decimal::ZERO;
                for (amount, text) in &got {
                    let (full, rest) = text.split_once(": ").unwrap().1.split_once(" × ").unwrap();
                    let d: u32 = rest.split('/').next().unwrap().parse().unwrap();
                    days += d;
                    let denom: Decimal = if per == "calendar" {
                        Decimal::from(30)
                    } else {
                        "21.75".parse().unwrap()
                    };
                    let part = full.parse::<Decimal>().unwrap() * Decimal::from(d) / denom;
                    let amount: Decimal = amount.parse().unwrap();
                    assert!(
                        (amount - part).abs() <= "0.005".parse().unwrap(),
                        "{on} {text}"
                    );
                    exact += part;
                    paid += amount;
                }
                // Calendar: 30 days, or 24 from the 7th; weekdays: 21, or
                // 16 from the 9th (the 7th and 8th are a weekend).
                let employed = match (per, hired) {
                    ("calendar", "2020-03-01") => 30,
                    ("calendar", _) => 24,
                    (_, "2020-03-01") => 21,
                    _ => 16,
                };
                assert_eq!(days, employed, "{on} {per} {hired}: {got:?}");
                assert!((paid - exact).abs() <= Decimal::new(got.len() as i64, 2));
            }
        }
    }
}

#[test]
fn a_reform_raising_the_social_worker_allowance_prices_the_promotion() {
    let mut doc =
        november(json!([{"worker_id": "W1", "on": "2026-11-16", "title": "social_worker"}]));
    doc.as_object_mut().unwrap().remove("kind");
    let req = request({
        let mut d = doc.clone();
        d["kind"] = json!("monthly");
        d
    });
    let reform = Reform::from_toml(
        "id = \"t\"\nbase = \"gulou\"\neffective_from = 2026-01-01\n[changes]\ntitle_allowance.social_worker = \"500.00\"\n",
    )
    .unwrap();
    let w = compare(
        &req,
        &PolicySet::builtin(),
        &reform,
        Scope::parse("2026-11").unwrap(),
    )
    .unwrap();
    // Only the half month as a social worker costs more: 100 × 15/30 = 50.00.
    assert_eq!((w.total.new - w.total.old).to_string(), "50.00");
}

#[test]
fn a_late_reported_promotion_is_paid_as_arrears_from_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&dir.path().join("pay.book"), None).unwrap();
    let month = |period: &str, changes: Value| {
        let mut d = november(changes);
        d["period"] = json!(period);
        for a in d["assessments"].as_array_mut().unwrap() {
            a["period"] = json!(period);
        }
        request(d)
    };
    book.pay(month("2026-10", json!([]))).unwrap();
    book.close("2026-10").unwrap();
    // Reported late: W1 became a social worker on 2026-10-16 (200 × 16/31 → 400 × 16/31).
    let late = json!([{"worker_id": "W1", "on": "2026-10-16", "title": "social_worker"}]);
    let changes: Vec<payrules::worker::ChangeRecord> =
        serde_json::from_value(late.clone()).unwrap();
    let adj = book
        .correct(
            "2026-10",
            Replace {
                changes: Some(changes),
                ..Replace::default()
            },
            "promotion reported late",
        )
        .unwrap();
    // Title 200.00 → 200 × 15/31 + 400 × 16/31 = 96.77 + 206.45 = 303.22: 103.22 more.
    assert_eq!(adj.len(), 1);
    assert_eq!(adj[0].amount().to_string(), "103.22");
    // November, with the change stored with its inputs, pays it as arrears.
    let nov = book.pay(month("2026-11", late)).unwrap();
    assert_eq!(nov.adjustments, 1);
    let slip = &nov.run.payslips[0];
    assert_eq!(
        slip.amount(LineCode::Arrears).unwrap().to_string(),
        "103.22"
    );
    // 2200 + 600 + 300 + 400 (social worker all month) + 900 + 103.22
    assert_eq!(slip.gross.to_string(), "4503.22");
}

#[test]
fn monthly_takes_a_changes_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let roster = p(
        "roster.csv",
        "工号,姓名,社区,岗位,职称,入职日期\nW1,林晓,温泉社区,社区工作者,助理社会工作师,2020-03-01\n",
    );
    let grades = p("grades.csv", "工号,考核期间,等次\nW1,2026-11,合格\n");
    let changes = p(
        "changes.csv",
        "工号,生效日期,岗位,职称,社区/单位\nW1,2026-11-16,,社会工作师,\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args([
            "monthly", "--period", "2026-11", "--format", "csv", "--roster",
        ])
        .arg(&roster)
        .arg("--assessments")
        .arg(&grades)
        .arg("--changes")
        .arg(&changes)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Title 100.00 + 200.00 in one column; gross 4300.00.
    assert!(
        text.contains("300.00") && text.contains("4300.00"),
        "{text}"
    );
    let bad = p("bad.csv", "工号,生效日期,职称\nW1,2026-11-16,博士\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(["monthly", "--period", "2026-11", "--roster"])
        .arg(&roster)
        .arg("--assessments")
        .arg(&grades)
        .arg("--changes")
        .arg(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("bad.csv:2:3: worker W1: title: unknown title \"博士\""),
        "{err}"
    );
}
