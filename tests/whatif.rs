//! Whole what-if runs: worked examples on the bundled district, the JSON
//! face, bad reforms, and properties.

use payrules::payslip::LineCode;
use payrules::policy::PolicySet;
use payrules::run::{Kind, Request, RequestError, run};
use payrules::run_json;
use payrules::whatif::{Outcome, Reform, Scope, compare};
use payrules::worker::{AssessmentRecord, Title, WorkerRecord};
use proptest::prelude::*;
use rust_decimal::Decimal;

const EXAMPLE: &[u8] = include_bytes!("../examples/request-2026-11.json");

fn example() -> Request {
    Request::from_json(EXAMPLE).unwrap()
}

fn reform(changes: &str) -> Reform {
    Reform::from_toml(&format!(
        "id = \"t\"\nbase = \"gulou\"\neffective_from = 2026-01-01\n[changes]\n{changes}\n"
    ))
    .unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn nov() -> Scope {
    Scope::parse("2026-11").unwrap()
}

#[test]
fn a_reform_that_changes_nothing_gives_zero_deltas() {
    let set = PolicySet::builtin();
    let w = compare(
        &example(),
        &set,
        &reform("quota.excellent = \"0.20\""),
        nov(),
    )
    .unwrap();
    assert_eq!(w.scope, nov());
    assert_eq!(w.total.old, d("70800.00"));
    assert_eq!(w.total.delta(), Decimal::ZERO);
    assert_eq!(w.workers.len(), 15);
    assert!(
        w.workers
            .iter()
            .all(|x| x.gross.delta().is_zero() && x.lines.iter().all(|(_, l)| l.delta().is_zero()))
    );
    assert!(w.by_unit.values().all(|u| u.delta().is_zero()));
    let c = w.counts();
    assert_eq!((c.gain, c.lose, c.same), (0, 0, 15));
    assert!(w.grade_changes.is_empty());
    assert!(w.complete());
}

#[test]
fn excellent_plus_100_adds_100_per_excellent_worker() {
    // Two workers (W001, W002) are graded excellent for 2026-11 and both
    // work the full month, so the month costs exactly 2 × 100 more.
    let set = PolicySet::builtin();
    let r = reform(
        "monthly_bonus.excellent = \"1400.00\"\nmonthly_bonus.band = [\"900.00\", \"1400.00\"]",
    );
    let w = compare(&example(), &set, &r, nov()).unwrap();
    assert_eq!(w.total.delta(), d("200.00"));
    assert_eq!(w.total.new, d("71000.00"));
    assert_eq!(w.by_code[&LineCode::MonthlyBonus].delta(), d("200.00"));
    assert_eq!(w.by_code[&LineCode::BasePay].delta(), Decimal::ZERO);
    let gainers: Vec<&str> = w
        .workers
        .iter()
        .filter(|x| x.outcome() == Outcome::Gain)
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(gainers, ["W001", "W002"]);
    let w001 = &w.workers[0];
    assert_eq!(
        (w001.gross.old, w001.gross.new),
        (d("10300.00"), d("10400.00"))
    );
    assert_eq!(w.by_unit["温泉社区"].delta(), d("200.00"));
    assert_eq!(w.by_unit["东街社区"].delta(), Decimal::ZERO);
    let c = w.counts();
    assert_eq!((c.gain, c.lose, c.same), (2, 0, 13));
}

#[test]
fn every_monthly_bonus_plus_100_example_reform() {
    // The example reform: pass/good/excellent +100 with the band moved to
    // 1000–1400. 13 workers have a paying grade; W003 is paid 15/30 of the
    // month (+50.00), W007 20/30 (+66.67); W010 fails (no bonus) and W012 is
    // on probation (ungraded): 11 × 100 + 50 + 66.67 = 1216.67.
    let set = PolicySet::builtin();
    let r = Reform::from_toml(include_str!(
        "../examples/reforms/monthly-bonus-plus-100.toml"
    ))
    .unwrap();
    let w = compare(&example(), &set, &r, nov()).unwrap();
    assert_eq!(w.total.delta(), d("1216.67"));
    let c = w.counts();
    assert_eq!((c.gain, c.lose, c.same), (13, 0, 2));
    let w003 = w.workers.iter().find(|x| x.id == "W003").unwrap();
    assert_eq!(w003.gross.delta(), d("50.00"));
}

fn scored(scores: &[(&str, &str)], periods: &[&str]) -> Request {
    let workers = scores
        .iter()
        .map(|(id, _)| WorkerRecord {
            id: id.to_string().into(),
            name: String::new().into(),
            unit: "U".into(),
            position: "community_worker".into(),
            title: "none".into(),
            hired_on: "2020-01-01".into(),
            left_on: None,
            probation_until: None,
        })
        .collect();
    let assessments = periods
        .iter()
        .flat_map(|p| {
            scores.iter().map(|(id, s)| AssessmentRecord {
                worker_id: id.to_string().into(),
                period: p.to_string().into(),
                grade: None,
                score: Some(s.to_string().into()),
            })
        })
        .collect();
    Request {
        kind: Kind::Monthly,
        period: String::new(),
        policy: None,
        workers,
        assessments,
        honours: Vec::new(),
        tax: Vec::new(),
        ytd: Vec::new(),
        adjustments: Vec::new(),
        changes: Vec::new(),
        explain: true,
    }
}

fn year_periods() -> Vec<String> {
    let mut periods: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
    periods.push("2026".into());
    periods
}

#[test]
fn excellent_quota_25_changes_grades_by_score() {
    // Four scored workers in one unit. At 20%: 0 excellent (0.8 rounds
    // down), 2 good (2.4), 2 pass. At 25%: 1 excellent, 2 good, 1 pass:
    // A good → excellent (+200), C pass → good (+200).
    let set = PolicySet::builtin();
    let r = Reform::from_toml(include_str!("../examples/reforms/excellent-quota-25.toml")).unwrap();
    let req = scored(
        &[("A", "95"), ("B", "90"), ("C", "85"), ("D", "80")],
        &["2026-11"],
    );
    let w = compare(&req, &set, &r, nov()).unwrap();
    assert_eq!(w.total.delta(), d("400.00"));
    let changes: Vec<String> = w
        .grade_changes
        .iter()
        .map(|g| {
            format!(
                "{} {} {}→{} {}",
                g.period, g.worker_id, g.old, g.new, g.scored
            )
        })
        .collect();
    assert_eq!(
        changes,
        ["2026-11 A good→excellent true", "2026-11 C pass→good true"]
    );
    let c = w.counts();
    assert_eq!((c.gain, c.lose, c.same), (2, 0, 2));
}

#[test]
fn a_year_is_twelve_months_and_the_annual_bonus() {
    // The same four workers scored for every month and the year. Monthly:
    // +400 a month; annual: A good → excellent (1800 → 2400, +600), C pass →
    // good (1200 → 1800, +600). 12 × 400 + 1200 = 6000.
    let set = PolicySet::builtin();
    let r = Reform::from_toml(include_str!("../examples/reforms/excellent-quota-25.toml")).unwrap();
    let periods = year_periods();
    let p: Vec<&str> = periods.iter().map(String::as_str).collect();
    let req = scored(&[("A", "95"), ("B", "90"), ("C", "85"), ("D", "80")], &p);
    let w = compare(&req, &set, &r, Scope::parse("2026").unwrap()).unwrap();
    assert!(w.complete(), "{:?}", w.errors);
    assert_eq!(w.periods.len(), 13);
    assert!(
        w.periods[..12]
            .iter()
            .all(|p| p.gross.delta() == d("400.00"))
    );
    assert_eq!(w.periods[12].kind, Kind::Annual);
    assert_eq!(w.periods[12].gross.delta(), d("1200.00"));
    assert_eq!(w.total.delta(), d("6000.00"));
    assert_eq!(w.by_code[&LineCode::AnnualBonus].delta(), d("1200.00"));
    assert_eq!(w.grade_changes.len(), 26);
    // A: 12 × 200 a month + 600 annual.
    let a = &w.workers[0];
    assert_eq!(a.id, "A");
    assert_eq!(a.gross.delta(), d("3000.00"));
}

#[test]
fn a_reform_dated_mid_year_leaves_earlier_months_and_the_annual_run_alone() {
    let set = PolicySet::builtin();
    let mut r = reform(
        "monthly_bonus.excellent = \"1400.00\"\nmonthly_bonus.band = [\"900.00\", \"1400.00\"]",
    );
    r.effective_from = "2026-07-01".parse().unwrap();
    let periods = year_periods();
    let p: Vec<&str> = periods.iter().map(String::as_str).collect();
    // In a pool of 5, the top score takes the one excellent slot.
    let req = scored(
        &[
            ("A", "95"),
            ("B", "90"),
            ("C", "85"),
            ("D", "80"),
            ("E", "75"),
        ],
        &p,
    );
    let w = compare(&req, &set, &r, Scope::parse("2026").unwrap()).unwrap();
    let in_force: Vec<bool> = w.periods.iter().map(|p| p.reform_in_force).collect();
    assert_eq!(in_force[..6], [false; 6]);
    assert_eq!(in_force[6..12], [true; 6]);
    assert!(
        !in_force[12],
        "the annual run uses the version in force on 1 January"
    );
    // July to December: 6 × 100 for A.
    assert_eq!(w.total.delta(), d("600.00"));
}

#[test]
fn json_face_accepts_kind_whatif() {
    let mut v: serde_json::Value = serde_json::from_slice(EXAMPLE).unwrap();
    v["kind"] = "whatif".into();
    v["reform"] = include_str!("../examples/reforms/monthly-bonus-plus-100.toml").into();
    let resp = run_json(v.to_string().as_bytes(), None).unwrap();
    assert!(resp.complete);
    let out: serde_json::Value = serde_json::from_str(&resp.json).unwrap();
    assert_eq!(out["kind"], "whatif");
    assert_eq!(out["period"], "2026-11");
    assert_eq!(out["total"]["delta"], "1216.67");
    assert_eq!(out["counts"]["gain"], 13);
    assert_eq!(out["by_unit"]["东街社区"]["delta"], "400.00");
    assert_eq!(out["workers"][0]["worker_id"], "W001");
    assert_eq!(out["workers"][0]["lines"][4]["code"], "monthly_bonus");
    assert_eq!(out["workers"][0]["lines"][4]["old"], "1300.00");
    assert_eq!(out["workers"][0]["lines"][4]["new"], "1400.00");
    assert_eq!(
        out["periods"][0]["reform_version"],
        "2018+monthly-bonus-plus-100"
    );

    // A what-if document with a field it does not know names it.
    v["bogus"] = 1.into();
    let e = run_json(v.to_string().as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `bogus`"), "{e}");
    // Other documents are still runs, with their errors unchanged.
    let e = run_json(br#"{"kind":"weekly","period":"2026-11"}"#, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown variant `weekly`"), "{e}");
}

#[test]
fn bad_reforms_are_refused_with_their_keys() {
    let set = PolicySet::builtin();
    let err = |changes: &str| match compare(&example(), &set, &reform(changes), nov()) {
        Err(RequestError::Reform(e)) => e.to_string(),
        other => panic!("expected a reform error, got {:?}", other.map(|w| w.total)),
    };
    // A key that does not exist in the policy.
    let e = err("quota.excelent = \"0.25\"");
    assert!(
        e.contains("changes.quota.excelent: unknown key: the policy schema has no such key (quota in policy gulou 2018 has: excellent, fail_below, good,"),
        "{e}"
    );
    let e = err("monthly_bonuss.excellent = \"1400.00\"");
    assert!(
        e.contains(
            "changes.monthly_bonuss.excellent: in the merged policy, monthly_bonuss: unknown key"
        ),
        "{e}"
    );
    // A reform that makes an invalid policy: excellent above the band.
    let e = err("monthly_bonus.excellent = \"1400.00\"");
    assert!(
        e.contains("changes.monthly_bonus.excellent: 1400.00 is outside the band 900.00..1300.00"),
        "{e}"
    );
    // A better grade paying less.
    let e = err("monthly_bonus.good = \"1000.00\"\nmonthly_bonus.pass = \"1050.00\"");
    assert!(
        e.contains("changes.monthly_bonus.good: good pays 1000.00, less than pass (1050.00)"),
        "{e}"
    );
    // Numbers must be strings, as in a policy.
    let e = err("quota.excellent = 0.25");
    assert!(
        e.contains("changes.quota.excellent: expected a decimal string, found a float"),
        "{e}"
    );

    // A reform dated before its base.
    let mut r = reform("quota.excellent = \"0.25\"");
    r.effective_from = "2017-12-01".parse().unwrap();
    let e = r.apply(&set).unwrap_err().to_string();
    assert!(
        e.contains("effective_from: no version of policy gulou is in force on 2017-12-01"),
        "{e}"
    );
    assert!(
        e.contains("a reform cannot be dated before its base"),
        "{e}"
    );
    r.base_version = Some("2018".into());
    let e = r.apply(&set).unwrap_err().to_string();
    assert!(
        e.contains("2017-12-01 is before its base version gulou 2018 takes effect (2018-01-01)"),
        "{e}"
    );

    // A period wholly before the reform.
    let mut r = reform("quota.excellent = \"0.25\"");
    r.effective_from = "2026-12-01".parse().unwrap();
    let e = compare(&example(), &set, &r, nov())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("takes effect on 2026-12-01, after 2026-11 ends"),
        "{e}"
    );
}

fn arb_request() -> impl Strategy<Value = Request> {
    let worker = (
        0usize..3,
        0usize..4,
        0usize..3,
        1u32..=28,
        prop::option::of(0u32..=100),
        0usize..5,
    );
    prop::collection::vec(worker, 1..25).prop_map(|ws| {
        let titles = [
            "none",
            "assistant_social_worker",
            "social_worker",
            "senior_social_worker",
        ];
        let positions = [
            "community_worker",
            "community_secretary",
            "career_secretary",
        ];
        let grades = ["fail", "pass", "good", "excellent", "ungraded"];
        let mut workers = Vec::new();
        let mut assessments = Vec::new();
        for (i, (unit, title, pos, day, score, grade)) in ws.into_iter().enumerate() {
            let id = format!("W{i:03}");
            workers.push(WorkerRecord {
                id: id.clone().into(),
                name: format!("n{i}").into(),
                unit: format!("U{unit}").into(),
                position: positions[pos].into(),
                title: titles[title].into(),
                hired_on: format!("2026-11-{day:02}").into(),
                left_on: None,
                probation_until: None,
            });
            assessments.push(AssessmentRecord {
                worker_id: id.into(),
                period: "2026-11".into(),
                // Given grades may break the caps: those runs report errors,
                // which must not break the sums.
                grade: score.is_none().then(|| grades[grade].into()),
                score: score.map(|s| s.to_string().into()),
            });
        }
        Request {
            kind: Kind::Monthly,
            period: "2026-11".into(),
            policy: None,
            workers,
            assessments,
            honours: Vec::new(),
            tax: Vec::new(),
            ytd: Vec::new(),
            adjustments: Vec::new(),
            changes: Vec::new(),
            explain: true,
        }
    })
}

/// Valid reforms: monthly amounts ordered inside a widened band, caps that
/// fit one headcount, a title allowance.
fn arb_reform() -> impl Strategy<Value = Reform> {
    (
        (900u32..=1500, 0u32..=200, 0u32..=200),
        (0u32..=40, 0u32..=60),
        0u32..=800,
    )
        .prop_map(|((pass, up1, up2), (e, g), title)| {
            let (good, exc) = (pass + up1, pass + up1 + up2);
            reform(&format!(
                "monthly_bonus.band = [\"900.00\", \"2000.00\"]\nmonthly_bonus.pass = \"{pass}.00\"\nmonthly_bonus.good = \"{good}.00\"\nmonthly_bonus.excellent = \"{exc}.00\"\nquota.excellent = \"{}\"\nquota.good = \"{}\"\ntitle_allowance.social_worker = \"{title}.00\"",
                Decimal::new(e.into(), 2),
                Decimal::new(g.into(), 2)
            ))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn deltas_add_up_and_base_is_a_plain_run(req in arb_request(), r in arb_reform()) {
        let set = PolicySet::builtin();
        let plain = run(&req, Some(&set)).unwrap();
        let w = compare(&req, &set, &r, nov()).unwrap();
        // Delta totals equal the sum of per-worker deltas, and of units and codes.
        let per_worker: Decimal = w.workers.iter().map(|x| x.gross.delta()).sum();
        prop_assert_eq!(per_worker, w.total.delta());
        let per_unit: Decimal = w.by_unit.values().map(|u| u.delta()).sum();
        prop_assert_eq!(per_unit, w.total.delta());
        let per_code: Decimal = w.by_code.values().map(|c| c.delta()).sum();
        prop_assert_eq!(per_code, w.total.delta());
        for x in &w.workers {
            let lines: Decimal = x.lines.iter().map(|(_, l)| l.delta()).sum();
            prop_assert_eq!(lines, x.gross.delta());
        }
        let c = w.counts();
        prop_assert_eq!(c.gain + c.lose + c.same, w.workers.len());
        // Base totals equal a plain run's.
        prop_assert_eq!(w.total.old, plain.totals.gross);
        for (unit, amount) in &plain.totals.by_unit {
            prop_assert_eq!(w.by_unit[unit].old, *amount);
        }
        for (code, amount) in &plain.totals.by_code {
            prop_assert_eq!(w.by_code[code].old, *amount);
        }
        prop_assert_eq!(w.periods[0].workers.0, plain.totals.workers);
    }

    #[test]
    fn a_reform_and_its_inverse_return_the_base(req in arb_request(), r in arb_reform()) {
        let set = PolicySet::builtin();
        let merged = r.apply(&set).unwrap();
        let inv = r.inverse(&set).unwrap();
        let back = inv.apply(&merged).unwrap();
        let on = "2026-11-01".parse().unwrap();
        let a = back.version_on(on).unwrap();
        let b = set.version_on(on).unwrap();
        // Every rule but the version's label and first day.
        prop_assert_eq!(a.id(), b.id());
        prop_assert_eq!(a.positions(), b.positions());
        prop_assert_eq!(a.outside_scheme(), b.outside_scheme());
        for t in [Title::None, Title::AssistantSocialWorker, Title::SocialWorker, Title::SeniorSocialWorker] {
            prop_assert_eq!(a.title_allowance(t), b.title_allowance(t));
        }
        prop_assert_eq!(a.monthly_bonus(), b.monthly_bonus());
        prop_assert_eq!(a.annual_bonus(), b.annual_bonus());
        prop_assert_eq!(a.quota(), b.quota());
        prop_assert_eq!(a.honours(), b.honours());
        prop_assert_eq!(a.proration(), b.proration());
        prop_assert_eq!(a.probation(), b.probation());
        prop_assert_eq!(a.missing_assessment(), b.missing_assessment());
        prop_assert_eq!(a.tax(), b.tax());
        prop_assert_eq!(a.effective_until(), b.effective_until());
        // Priced on the merged policy, undoing the reform gives back the base run.
        let plain = run(&req, Some(&set)).unwrap();
        let w = compare(&req, &merged, &inv, nov()).unwrap();
        prop_assert_eq!(w.total.new, plain.totals.gross);
    }
}
