//! Gross to net for a year: 12 sequential months with year-to-date state,
//! then the annual-bonus choice, per worker.
//!
//! The issue's target is 1,000,000 workers in under 3 s. The default run
//! measures 100,000 workers, on one thread and split over every core
//! (workers are independent), and is scaled by 10 in the README;
//! `TAX_BENCH_WORKERS=1000000` measures the full million.
//!
//! ```sh
//! cargo bench --bench tax -- --warm-up-time 1 --measurement-time 2
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use payrules::payslip::{Line, LineCode, Payslip, Why};
use payrules::policy::PolicySet;
use payrules::run_json;
use payrules::tax::{self, Input, Settings, Ytd};
use rust_decimal::Decimal;
use std::hint::black_box;

fn workers() -> usize {
    std::env::var("TAX_BENCH_WORKERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// One worker's year: twelve months of wages through the cumulative method,
/// then the annual bonus's choice. Returns the year's total tax.
fn year(rules: &tax::TaxRules, i: usize, slip: &mut Payslip) -> Decimal {
    // Gross from 3000.00 to about 42000.00, so every bracket up to 30% is met.
    let gross = Decimal::new(300_000 + (i as i64 * 7_919) % 3_900_000, 2);
    let settings = Settings {
        contribution_base: i.is_multiple_of(3).then_some(gross),
        housing_fund_rate: Some(Decimal::new(5 + (i % 8) as i64, 2)),
        additional_deductions: Decimal::new(200_000 * (i % 2) as i64, 2),
        ..Settings::default()
    };
    let mut ytd = Ytd::start(2026);
    for _ in 0..12 {
        slip.lines.truncate(1);
        slip.lines[0].amount = gross;
        slip.gross = gross;
        ytd = *tax::month_lines(rules, &Input { settings, ytd }, slip).ytd_out();
    }
    let bonus = Decimal::new(120_000 + (i as i64 % 7) * 20_000, 2);
    let paid = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
    let b = tax::bonus_choice(rules, &ytd, bonus, paid);
    ytd.tax_withheld + b.tax
}

/// [`year`] in integer fen ([`tax::Bulk`]): the same months, no
/// explanation records; the state converted back for the bonus choice.
fn year_fen(rules: &tax::TaxRules, bulk: &tax::Bulk, i: usize) -> Decimal {
    let gross = 300_000 + (i as i64 * 7_919) % 3_900_000;
    let settings = Settings {
        contribution_base: i.is_multiple_of(3).then_some(Decimal::new(gross, 2)),
        housing_fund_rate: Some(Decimal::new(5 + (i % 8) as i64, 2)),
        additional_deductions: Decimal::new(200_000 * (i % 2) as i64, 2),
        ..Settings::default()
    };
    let s = bulk.settings(&settings).expect("two-decimal settings");
    let mut ytd = tax::YtdFen::from_ytd(&Ytd::start(2026)).expect("zero state");
    let mut net = 0;
    for _ in 0..12 {
        net += bulk.month(&s, &mut ytd, gross, 0).net;
    }
    black_box(net);
    let ytd = ytd.to_ytd();
    let bonus = Decimal::new(120_000 + (i as i64 % 7) * 20_000, 2);
    let paid = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
    let b = tax::bonus_choice(rules, &ytd, bonus, paid);
    ytd.tax_withheld + b.tax
}

fn slip() -> Payslip {
    let mut slip = Payslip {
        worker: 0,
        lines: Vec::with_capacity(8),
        gross: Decimal::ZERO,
    };
    slip.lines.push(Line {
        code: LineCode::BasePay,
        amount: Decimal::ZERO,
        why: Why::Tax,
    });
    slip
}

fn years(rules: &tax::TaxRules, workers: std::ops::Range<usize>) -> Decimal {
    let mut slip = slip();
    let mut total = Decimal::ZERO;
    for i in workers {
        total += year(rules, i, &mut slip);
    }
    total
}

fn bench(c: &mut Criterion) {
    let set = PolicySet::builtin();
    let rules = set.versions()[0]
        .tax()
        .cloned()
        .expect("built-in tax rules");
    let n = workers();
    let mut g = c.benchmark_group("tax");
    g.sample_size(10);
    g.bench_function(format!("year_{n}_workers_1_thread"), |b| {
        b.iter(|| black_box(years(&rules, 0..n)))
    });
    // The same months in integer fen (`tax::Bulk`), the bonus choice as above.
    let bulk = tax::Bulk::new(&rules).expect("built-in rules in fen");
    assert_eq!(
        (0..1000)
            .map(|i| year_fen(&rules, &bulk, i))
            .sum::<Decimal>(),
        years(&rules, 0..1000),
        "the fen year and the explained year agree"
    );
    g.bench_function(format!("year_{n}_workers_1_thread_fen"), |b| {
        b.iter(|| black_box((0..n).map(|i| year_fen(&rules, &bulk, i)).sum::<Decimal>()))
    });
    // The floor: one Decimal sum a worker-month, the least a year of
    // payslips must touch (the same-run baseline of the ratios).
    let grosses: Vec<Decimal> = (0..n * 12)
        .map(|i| Decimal::new(300_000 + (i as i64 * 7_919) % 3_900_000, 2))
        .collect();
    g.bench_function(format!("baseline/sum_{}_amounts", n * 12), |b| {
        b.iter(|| {
            let mut t = Decimal::ZERO;
            for a in black_box(&grosses) {
                t += *a;
            }
            t
        })
    });
    drop(grosses);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    g.bench_function(format!("year_{n}_workers_{threads}_threads"), |b| {
        b.iter(|| {
            let chunk = n.div_ceil(threads);
            let total: Decimal = std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let rules = &rules;
                        s.spawn(move || years(rules, t * chunk..((t + 1) * chunk).min(n)))
                    })
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).sum()
            });
            black_box(total)
        })
    });

    // A whole monthly JSON run with gross to net, for the overhead of the
    // run around the tax computation (validation, explanations, JSON).
    let m = 10_000;
    let workers: Vec<String> = (0..m)
        .map(|i| {
            format!(
                r#"{{"id":"W{i:06}","unit":"U{}","position":"community_worker","title":"social_worker","hired_on":"2020-01-01"}}"#,
                i % 50
            )
        })
        .collect();
    let grades: Vec<String> = (0..m)
        .map(|i| format!(r#"{{"worker_id":"W{i:06}","period":"2026-03","grade":"pass"}}"#))
        .collect();
    let tax: Vec<String> = (0..m)
        .map(|i| format!(r#"{{"worker_id":"W{i:06}","additional_deductions":"1000.00"}}"#))
        .collect();
    let ytd: Vec<String> = (0..m)
        .map(|i| {
            format!(
                r#"{{"worker_id":"W{i:06}","year":2026,"months":2,"income":"8800.00","contributions":"1980.00"}}"#
            )
        })
        .collect();
    let req = format!(
        r#"{{"kind":"monthly","period":"2026-03","workers":[{}],"assessments":[{}],"tax":[{}],"ytd":[{}]}}"#,
        workers.join(","),
        grades.join(","),
        tax.join(","),
        ytd.join(",")
    );
    g.bench_function(format!("monthly_json_run_{m}_workers"), |b| {
        b.iter(|| black_box(run_json(req.as_bytes(), Some(&set)).map(|r| r.json.len())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
