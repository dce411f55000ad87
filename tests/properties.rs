//! Invariants of the pay rules, checked on generated inputs (proptest).

mod common;
use common::*;
use payrules::payslip::Payslip;
use payrules::payslip::{GradeNote, LineCode, annual, monthly};
use payrules::period::{Year, YearMonth, parse_date};
use payrules::policy::PolicySet;
use payrules::worker::{Grade, Title, Worker};
use payrules::{Payslips, Request, run, run_with};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

fn date(days_from_2025: u32) -> String {
    let d = parse_date("2025-01-01").unwrap() + chrono::Duration::days(days_from_2025 as i64);
    d.to_string()
}

/// A worker record with occasional bad fields, and its assessment and honours.
#[allow(clippy::type_complexity)]
fn arb_worker() -> impl Strategy<Value = (Value, Option<Value>, Vec<Value>)> {
    (
        0u32..40,                                  // id (small range: duplicates happen)
        0usize..3,                                 // unit
        prop_oneof![9 => 0usize..3, 1 => Just(3)], // position (3 = unknown)
        prop_oneof![9 => 0usize..4, 1 => Just(4)], // title (4 = unknown)
        0u32..730,                                 // hired_on
        prop::option::of(0u32..730),               // left_on
        prop::option::of(0u32..730),               // probation_until
        prop::option::weighted(0.9, 0usize..6),    // grade (5 = bad)
        prop::collection::vec((0usize..3, 640u32..700, 0usize..3), 0..3), // honours
    )
        .prop_map(|(id, unit, pos, title, hired, left, prob, grade, honours)| {
            let id = format!("W{id:02}");
            let unit = ["温泉社区", "东街社区", "西湖社区"][unit];
            let position = ["community_worker", "社区书记", "career_secretary", "mayor"][pos];
            let title = ["none", "助理社会工作师", "social_worker", "senior_social_worker", "doctor"][title];
            let mut w = json!({
                "id": id, "unit": unit, "position": position, "title": title, "hired_on": date(hired),
            });
            if let Some(l) = left {
                w["left_on"] = json!(date(l));
            }
            if let Some(p) = prob {
                w["probation_until"] = json!(date(p));
            }
            let a = grade.map(|g| {
                let g = ["excellent", "good", "pass", "fail", "ungraded", "great"][g];
                json!({"worker_id": id, "period": "2026-11", "grade": g})
            });
            let hs = honours
                .into_iter()
                .map(|(level, day, deed)| {
                    let level = ["national", "provincial", "municipal"][level];
                    let deed = ["a", "b", "c"][deed];
                    json!({"worker_id": id, "level": level, "awarded_on": date(day), "deed": deed})
                })
                .collect();
            (w, a, hs)
        })
}

fn arb_request() -> impl Strategy<Value = Value> {
    prop::collection::vec(arb_worker(), 0..30).prop_map(|ws| {
        let mut workers = vec![];
        let mut assessments = vec![];
        let mut honours = vec![];
        for (w, a, hs) in ws {
            workers.push(w);
            assessments.extend(a);
            honours.extend(hs);
        }
        json!({"kind": "monthly", "period": "2026-11", "workers": workers,
               "assessments": assessments, "honours": honours})
    })
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Lines sum exactly to gross; totals are sums of payslips.
    #[test]
    fn lines_sum_to_gross(doc in arb_request()) {
        let r = response(&run_doc(doc, None));
        let mut total = Decimal::ZERO;
        let mut by_code: BTreeMap<String, Decimal> = BTreeMap::new();
        for p in r["payslips"].as_array().unwrap() {
            let mut sum = Decimal::ZERO;
            for l in p["lines"].as_array().unwrap() {
                let a = d(l["amount"].as_str().unwrap());
                prop_assert_eq!(a.scale(), 2, "amounts carry two decimals");
                sum += a;
                *by_code.entry(l["code"].as_str().unwrap().into()).or_default() += a;
            }
            prop_assert_eq!(sum, d(p["gross"].as_str().unwrap()));
            total += sum;
        }
        prop_assert_eq!(total, d(r["totals"]["gross"].as_str().unwrap()));
        for (code, t) in by_code {
            prop_assert_eq!(t, d(r["totals"]["by_code"][&code].as_str().unwrap()));
        }
    }

    /// Every worker employed in the period is in the payslips (once) or in
    /// the errors, never both; nobody else is paid.
    #[test]
    fn every_employed_worker_once(doc in arb_request()) {
        let r = response(&run_doc(doc.clone(), None));
        let paid: Vec<&str> = r["payslips"].as_array().unwrap().iter().map(|p| p["worker_id"].as_str().unwrap()).collect();
        let paid_set: BTreeSet<&str> = paid.iter().copied().collect();
        prop_assert_eq!(paid.len(), paid_set.len(), "a worker paid twice");
        let erred: BTreeSet<&str> = r["errors"].as_array().unwrap().iter().filter_map(|e| e["worker_id"].as_str()).collect();
        prop_assert!(paid_set.is_disjoint(&erred), "paid and in error: {:?}", paid_set.intersection(&erred).collect::<Vec<_>>());
        let month: YearMonth = "2026-11".parse().unwrap();
        for w in doc["workers"].as_array().unwrap() {
            let id = w["id"].as_str().unwrap();
            let hired = parse_date(w["hired_on"].as_str().unwrap()).unwrap();
            let left = w.get("left_on").map(|l| parse_date(l.as_str().unwrap()).unwrap());
            let employed = hired <= month.last_day() && left.is_none_or(|l| l >= month.first_day());
            let bad_dates = left.is_some_and(|l| l < hired);
            if employed || bad_dates {
                prop_assert!(paid_set.contains(id) ^ erred.contains(id), "{} neither or both", id);
            } else {
                prop_assert!(!paid_set.contains(id), "{} paid though not employed", id);
            }
        }
    }

    /// Shuffling the input lists leaves the response byte-identical.
    #[test]
    fn input_order_does_not_matter(doc in arb_request(), seed in any::<u64>()) {
        let before = run_doc(doc.clone(), None).to_json();
        let mut shuffled = doc;
        for list in ["workers", "assessments", "honours"] {
            let v = shuffled[list].as_array_mut().unwrap();
            // A deterministic shuffle from the seed.
            let mut s = seed;
            for i in (1..v.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                v.swap(i, (s >> 33) as usize % (i + 1));
            }
        }
        prop_assert_eq!(before, run_doc(shuffled, None).to_json());
    }

    /// Every way of running a request gives the same run: borrowed
    /// (`run(&req)`), owned (`run(req)`, whose records give up their
    /// strings as they are read), and streamed (`run_with` and
    /// `Payslips::Each`, borrowed or owned, which hand the payslips over
    /// instead of keeping them) — also with blank ids and impossible dates
    /// among the records.
    #[test]
    fn owned_and_streamed_runs_agree(
        doc in arb_request(),
        blank in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        bad_date in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    ) {
        let mut doc = doc;
        let n = doc["workers"].as_array().unwrap().len();
        if n > 0 {
            for i in blank {
                doc["workers"][i.index(n)]["id"] = json!(if n % 2 == 0 { "" } else { " " });
            }
            for i in bad_date {
                doc["workers"][i.index(n)]["hired_on"] = json!("2026-02-30");
            }
        }
        let req: Request = serde_json::from_value(doc).unwrap();
        let plain = run(&req, None).unwrap();
        let owned = run(req.clone(), None).unwrap();
        prop_assert_eq!(plain.to_json(), owned.to_json());
        for streamed in [true, false] {
            let mut slips = Vec::new();
            let mut ids = Vec::new();
            let mut each = |w: &Worker, p: &Payslip| {
                ids.push(w.id.clone());
                slips.push(p.clone());
            };
            let r = if streamed {
                run_with(&req, None, Payslips::Each(&mut each)).unwrap()
            } else {
                run_with(req.clone(), None, Payslips::Each(&mut each)).unwrap()
            };
            prop_assert!(r.payslips.is_empty());
            prop_assert_eq!(&slips, &plain.payslips);
            let want: Vec<String> = plain.payslips.iter().map(|p| plain.workers[p.worker].id.to_string()).collect();
            prop_assert_eq!(ids, want);
            prop_assert_eq!(&r.totals, &plain.totals);
            prop_assert_eq!(&r.errors, &plain.errors);
            prop_assert_eq!(&r.workers, &plain.workers);
        }
    }

    /// A better grade never pays less, monthly or annual, whatever the
    /// worker's days, title, position and probation.
    #[test]
    fn better_grade_never_pays_less(
        hired in 0u32..730, left in prop::option::of(0u32..730), prob in prop::option::of(0u32..730),
        title in 0u32..4, pos in 0usize..3, paid_days in any::<bool>(),
    ) {
        let set = if paid_days {
            policy_with(&[("basis = \"calendar_days\"", "basis = \"paid_days_21_75\""), ("pay_rate = \"1.00\"", "pay_rate = \"0.8\"")])
        } else {
            PolicySet::builtin()
        };
        let policy = &set.versions()[0];
        let hired_on = parse_date(&date(hired)).unwrap();
        let w = Worker {
            id: "W".into(), name: String::new().into(), unit: "U".into(),
            position: policy.positions()[pos].code.clone().into(), title: Title::from_u32(title).unwrap(),
            hired_on, left_on: left.map(|l| parse_date(&date(l)).unwrap()).filter(|l| *l >= hired_on),
            probation_until: prob.map(|p| parse_date(&date(p)).unwrap()),
        };
        let month: YearMonth = "2026-11".parse().unwrap();
        let year: Year = "2026".parse().unwrap();
        let order = [Grade::Ungraded, Grade::Fail, Grade::Pass, Grade::Good, Grade::Excellent];
        for pair in order.windows(2) {
            let lo = monthly(policy, month, &w, 0, pair[0], GradeNote::Given, &[]).unwrap();
            let hi = monthly(policy, month, &w, 0, pair[1], GradeNote::Given, &[]).unwrap();
            prop_assert!(lo.amount(LineCode::MonthlyBonus) <= hi.amount(LineCode::MonthlyBonus));
            // Every amount is on the fen (the C ABI hands out mantissa and scale).
            for l in lo.lines.iter().chain(&hi.lines) {
                prop_assert_eq!(l.amount.scale(), 2, "{:?}", l);
            }
            prop_assert_eq!(lo.gross.scale(), 2);
            prop_assert!(lo.gross <= hi.gross);
            let lo = annual(policy, year, &w, 0, pair[0], GradeNote::Given);
            let hi = annual(policy, year, &w, 0, pair[1], GradeNote::Given);
            prop_assert!(lo.gross <= hi.gross);
        }
    }
}

#[test]
fn shuffled_example_is_byte_identical() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/request-2026-11.json"
    ))
    .unwrap();
    let req: Request = serde_json::from_str(&text).unwrap();
    let a = run(&req, None).unwrap().to_json();
    let mut rev = req.clone();
    rev.workers.reverse();
    rev.assessments.reverse();
    rev.honours.reverse();
    assert_eq!(a, run(&rev, None).unwrap().to_json());
    assert_eq!(
        a,
        run(&req, None).unwrap().to_json(),
        "same input, same bytes"
    );
}
