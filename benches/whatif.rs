//! A yearly what-if over a large district: twelve monthly runs and the
//! annual run, each under the base policy and under the reform (26 runs).
//!
//! Workers default to 100,000 (1,000 when run as a test); set `PAYRULES_BENCH_WORKERS` to change it.
//! Short by default; run with
//! `cargo bench --bench whatif -- --warm-up-time 1 --measurement-time 2`.

use criterion::{Criterion, criterion_group, criterion_main};
use payrules::policy::PolicySet;
use payrules::run::{Kind, Request};
use payrules::whatif::{Reform, Scope, compare};
use payrules::worker::{AssessmentRecord, WorkerRecord};
use std::hint::black_box;
use std::time::Duration;

/// `n` workers in units of 15, each with a score for every month of 2026 and
/// for the year, so the quota grades everyone (the reform moves grades).
fn district(n: usize) -> Request {
    let positions = [
        "community_worker",
        "community_secretary",
        "career_secretary",
    ];
    let titles = [
        "none",
        "assistant_social_worker",
        "social_worker",
        "senior_social_worker",
    ];
    let mut workers = Vec::with_capacity(n);
    let mut assessments = Vec::with_capacity(n * 13);
    for i in 0..n {
        let id = format!("W{i:07}");
        workers.push(WorkerRecord {
            id: id.clone().into(),
            name: format!("社工{i}").into(),
            unit: format!("社区{:05}", i / 15).into(),
            position: positions[usize::from(i % 15 == 0) + usize::from(i % 45 == 0)].into(),
            title: titles[i % 4].into(),
            hired_on: format!("20{:02}-{:02}-01", 10 + i % 16, 1 + i % 12).into(),
            left_on: None,
            probation_until: None,
        });
        let periods = (1..=12)
            .map(|m| format!("2026-{m:02}"))
            .chain(["2026".to_string()]);
        for (k, period) in periods.enumerate() {
            assessments.push(AssessmentRecord {
                worker_id: id.clone().into(),
                period: period.into(),
                grade: None,
                score: Some(format!("{}", 60 + (i * 7 + k * 13) % 41).into()),
            });
        }
    }
    Request {
        kind: Kind::Monthly,
        period: "2026-01".into(),
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

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("PAYRULES_BENCH_WORKERS")
        .ok()
        .and_then(|s| s.parse().ok())
        // `cargo test --all-targets` runs benchmarks once as a smoke test
        // (no --bench flag): keep that quick.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            100_000
        } else {
            1_000
        });
    let base = PolicySet::builtin();
    let reform = Reform::from_toml(include_str!("../examples/reforms/excellent-quota-25.toml"))
        .expect("example reform");
    let inputs = district(n);
    let mut g = c.benchmark_group("whatif");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function(format!("year_2026_{n}_workers"), |b| {
        b.iter(|| {
            black_box(
                compare(
                    &inputs,
                    &base,
                    &reform,
                    Scope::Year("2026".parse().unwrap()),
                )
                .unwrap(),
            )
        })
    });
    g.bench_function(format!("one_monthly_run_{n}_workers"), |b| {
        let mut req = inputs.clone();
        req.period = "2026-11".into();
        b.iter(|| black_box(payrules::run::run(&req, Some(&base)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
