//! The engine's speed on a large population.
//!
//! `cargo bench --bench engine`
//!
//! - `baseline/sum_1m`: reading one amount per worker and summing it: the
//!   floor any engine must pay to touch 1,000,000 workers.
//! - `monthly/compute_1m`: the compute core, `payslip::monthly_into` (one
//!   payslip's memory reused, as the run does) for 1,000,000 validated
//!   workers (mixed grades and titles, 5% partial months).
//! - `quota/assign_1m_scores_100k_pools`: grading 1,000,000 scores in pools of 10.
//! - `monthly/run_json_100k`: `run::run_json` on 100,000 workers: parse,
//!   run, render every line's rule and explanation, serialise.
//! - `monthly/run_1m`: a whole `run::run` from records: validation, grading
//!   checks, payslips, totals.
//! - `monthly/run_1m_changes_5pct`: the same run with a change of title
//!   (or unit) in the month for 5% of the workers: fixed pay split by days.
//! - `json/serde_value_1m`, `json/run_json_1m_no_explain` (with
//!   `PAYRULES_BENCH_JSON_1M=1`, as they take a minute): `run_json` on
//!   1,000,000 workers with `"explain": false`, and serde_json alone parsing
//!   the same request into a `Value` and writing a `Value` of the same
//!   response.
//! - `honours/payable_100k_one_worker`: `award::payable` on 100,000 honours of
//!   one worker (10,000 deeds, three levels each), once quadratic.
//!
//! Figures are reported as ratios against the baseline in the README.

use criterion::{Criterion, criterion_group, criterion_main};
use payrules::award::payable;
use payrules::payslip::{GradeNote, Payslip, monthly_into};
use payrules::period::YearMonth;
use payrules::policy::PolicySet;
use payrules::quota::{Candidate, assign};
use payrules::run::run;
use payrules::synth::monthly_request;
use payrules::worker::{Grade, Honour, HonourLevel};
use rust_decimal::Decimal;
use std::hint::black_box;

/// 1,000,000 workers under `cargo bench`; a small smoke run under `cargo test --benches`.
fn population() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        1_000
    }
}

fn engine(c: &mut Criterion) {
    let n = population();
    let month: YearMonth = "2026-11".parse().unwrap();
    let set = PolicySet::builtin();
    let req = monthly_request(n, month);
    // Validated workers and grades, as the run builds them.
    let r = run(&req, Some(&set)).unwrap();
    assert!(r.complete(), "{:?}", &r.errors[..r.errors.len().min(3)]);
    let policy = set.version_on(month.first_day()).unwrap();
    let grades: Vec<Grade> = req
        .assessments
        .iter()
        .map(|a| a.grade.as_deref().unwrap().parse().unwrap())
        .collect();
    let workers = &r.workers;
    let amounts: Vec<Decimal> = r.payslips.iter().map(|p| p.gross).collect();

    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.bench_function("baseline/sum_1m", |b| {
        b.iter(|| {
            let mut t = Decimal::ZERO;
            for a in black_box(&amounts) {
                t += *a;
            }
            t
        })
    });
    g.bench_function("monthly/compute_1m", |b| {
        b.iter(|| {
            // One payslip's memory reused, as the run does.
            let mut slip = Payslip::default();
            let mut total = Decimal::ZERO;
            for (i, w) in workers.iter().enumerate() {
                monthly_into(
                    &mut slip,
                    policy,
                    month,
                    w,
                    i,
                    grades[i],
                    GradeNote::Given,
                    &[],
                )
                .unwrap();
                total += slip.gross;
            }
            black_box(total)
        })
    });
    // Grading: n scores across n/10 pools (1,000,000 across 100,000 under `cargo bench`).
    let ids: Vec<String> = (0..n).map(|i| format!("W{i:07}")).collect();
    let units: Vec<String> = (0..n).map(|i| format!("社区{:06}", i / 10)).collect();
    let hired = policy.effective_from();
    let cands: Vec<Candidate> = (0..n)
        .map(|i| Candidate {
            id: &ids[i],
            pool: &units[i],
            score: Decimal::from(40 + (i * 37) % 61),
            hired_on: hired,
        })
        .collect();
    g.bench_function("quota/assign_1m_scores_100k_pools", |b| {
        b.iter(|| black_box(assign(policy.quota(), &cands).1.len()))
    });
    // The JSON face end to end (parse, run, render every explanation,
    // serialise) on a tenth of the population.
    let json = serde_json::to_vec(&monthly_request(n / 10, month)).unwrap();
    g.bench_function("monthly/run_json_100k", |b| {
        b.iter(|| black_box(payrules::run_json(&json, Some(&set)).unwrap().json.len()))
    });
    // The JSON path at full size, without explanations, against serde_json
    // alone on the same bytes: parsing the request into a `Value` and
    // writing a `Value` of the same response (issue 18's yardstick).
    if std::env::var_os("PAYRULES_BENCH_JSON_1M").is_some() || n < 1_000_000 {
        let mut big = monthly_request(n, month);
        big.explain = false;
        let big = serde_json::to_vec(&big).unwrap();
        let response: serde_json::Value =
            serde_json::from_str(&payrules::run_json(&big, Some(&set)).unwrap().json).unwrap();
        g.bench_function("json/serde_value_1m", |b| {
            b.iter(|| {
                let v: serde_json::Value = serde_json::from_slice(black_box(&big)).unwrap();
                let out = serde_json::to_string(black_box(&response)).unwrap();
                black_box((v, out.len()))
            })
        });
        drop(response);
        g.bench_function("json/run_json_1m_no_explain", |b| {
            b.iter(|| black_box(payrules::run_json(&big, Some(&set)).unwrap().json.len()))
        });
    }
    // Both requests exist before either is measured, so that the two runs
    // meet the same heap (the ratio of the two is the figure reported).
    let with_changes = payrules::synth::monthly_request_with_changes(n, month);
    g.bench_function("monthly/run_1m", |b| {
        b.iter(|| black_box(run(&req, Some(&set)).unwrap().totals.gross))
    });
    g.bench_function("monthly/run_1m_changes_5pct", |b| {
        b.iter(|| black_box(run(&with_changes, Some(&set)).unwrap().totals.gross))
    });
    drop(with_changes);
    // One worker with 100,000 honours: 10,000 deeds at mixed levels and days.
    let levels = [
        HonourLevel::Municipal,
        HonourLevel::Provincial,
        HonourLevel::National,
    ];
    let honours: Vec<Honour> = (0..100_000u32)
        .map(|i| Honour {
            worker_id: "W0000001".into(),
            level: levels[(i % 3) as usize],
            awarded_on: month.first_day() + chrono::Days::new(u64::from(i % 28)),
            deed: Some(format!("deed{}", i % 10_000)),
            paid: None,
        })
        .collect();
    let refs: Vec<&Honour> = honours.iter().collect();
    g.bench_function("honours/payable_100k_one_worker", |b| {
        b.iter(|| black_box(payable(policy, black_box(&refs)).len()))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
