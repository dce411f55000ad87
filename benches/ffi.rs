//! The C ABI against the Rust API on the same work.
//!
//! - `batch/rust`: `payslip::monthly` over prebuilt `Worker`s (the Rust API);
//! - `batch/c_abi_sorted`, `batch/c_abi_unsorted`: `payrules_monthly_batch`
//!   called from Rust on the same rows as C structs (ids sorted, or shuffled);
//! - `json/rust`: `run::run_json`; `json/c_abi`: `payrules_run_json` (+ free).
//!
//! ```sh
//! cargo bench --bench ffi -- --warm-up-time 1 --measurement-time 2
//! PAYRULES_BENCH_ROWS=100000 cargo bench --bench ffi -- --warm-up-time 1 --measurement-time 2
//! ```
//! After the criterion groups, the ratios to the Rust baseline are printed,
//! from interleaved runs in the same process (medians of several rounds).
//! Under `cargo test` (no `--bench`) each benchmark runs once on a few rows
//! and no ratios are printed.

use criterion::{Criterion, criterion_group};
use payrules::ffi::*;
use payrules::payslip::{self, GradeNote, Payslip};
use payrules::period::{YearMonth, parse_date};
use payrules::policy::PolicySet;
use payrules::worker::{Grade, Title, Worker};
use std::ffi::{CString, c_char};
use std::hint::black_box;
use std::ptr::{null, null_mut};
use std::time::{Duration, Instant};

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn rows() -> usize {
    if !bench_mode() {
        return 1000;
    }
    std::env::var("PAYRULES_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn json_workers() -> usize {
    if bench_mode() { 2000 } else { 50 }
}

const POSITIONS: [&str; 3] = [
    "community_worker",
    "community_secretary",
    "career_secretary",
];

/// The same worker-months as Rust values and as C rows.
struct Data {
    month: YearMonth,
    workers: Vec<Worker>,
    grades: Vec<Grade>,
    _ids: Vec<CString>,
    _positions: Vec<CString>,
    rows: Vec<payrules_worker_month>,
    shuffled: Vec<payrules_worker_month>,
}

fn date_c(d: chrono::NaiveDate) -> payrules_date {
    use chrono::Datelike;
    payrules_date {
        year: d.year() as u32,
        month: d.month(),
        day: d.day(),
    }
}

fn data(n: usize) -> Data {
    let month: YearMonth = "2026-11".parse().unwrap();
    let positions: Vec<CString> = POSITIONS
        .iter()
        .map(|p| CString::new(*p).unwrap())
        .collect();
    let mut workers = Vec::with_capacity(n);
    let mut grades = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        // One in ten hired mid-month (prorated), the rest full months.
        let hired = if i % 10 == 0 {
            parse_date(&format!("2026-11-{:02}", 1 + i % 28)).unwrap()
        } else {
            parse_date("2020-03-01").unwrap()
        };
        let id = format!("W{i:07}");
        ids.push(CString::new(id.clone()).unwrap());
        workers.push(Worker {
            id: id.into(),
            name: String::new().into(),
            unit: format!("U{:03}", i % 69).into(),
            position: POSITIONS[i % 3].to_string().into(),
            title: Title::ALL[i % 4],
            hired_on: hired,
            left_on: None,
            probation_until: None,
        });
        grades.push(Grade::ALL[1 + i % 4]);
    }
    let units: Vec<CString> = (0..69)
        .map(|u| CString::new(format!("U{u:03}")).unwrap())
        .collect();
    let rows: Vec<payrules_worker_month> = workers
        .iter()
        .enumerate()
        .map(|(i, w)| payrules_worker_month {
            worker_id: ids[i].as_ptr(),
            unit: units[i % 69].as_ptr(),
            position: positions[i % 3].as_ptr(),
            title: w.title as u32,
            grade: grades[i] as u32,
            hired_on: date_c(w.hired_on),
            left_on: payrules_date::default(),
            probation_until: payrules_date::default(),
        })
        .collect();
    // The same rows in a fixed shuffled order, their id strings allocated in
    // that order (as a caller reading an unsorted file would have them).
    let mut order: Vec<usize> = (0..n).collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let shuffled_ids: Vec<CString> = order.iter().map(|&i| ids[i].clone()).collect();
    let shuffled: Vec<payrules_worker_month> = order
        .iter()
        .zip(&shuffled_ids)
        .map(|(&i, id)| payrules_worker_month {
            worker_id: id.as_ptr(),
            ..rows[i]
        })
        .collect();
    // Kept alive for the rows' pointers until exit.
    std::mem::forget(units);
    std::mem::forget(shuffled_ids);
    Data {
        month,
        workers,
        grades,
        _ids: ids,
        _positions: positions,
        rows,
        shuffled,
    }
}

fn rust_batch(set: &PolicySet, d: &Data) -> Vec<Payslip> {
    let policy = set.version_on(d.month.first_day()).unwrap();
    d.workers
        .iter()
        .zip(&d.grades)
        .enumerate()
        .map(|(i, (w, g))| {
            payslip::monthly(policy, d.month, w, i, *g, GradeNote::Given, &[]).unwrap()
        })
        .collect()
}

/// The Rust API computing each payslip and keeping only its gross, like the
/// C ABI keeps only fixed-size amounts: the strictest baseline.
fn rust_batch_gross(set: &PolicySet, d: &Data, out: &mut [rust_decimal::Decimal]) {
    let policy = set.version_on(d.month.first_day()).unwrap();
    for (i, (w, g)) in d.workers.iter().zip(&d.grades).enumerate() {
        out[i] = payslip::monthly(policy, d.month, w, i, *g, GradeNote::Given, &[])
            .unwrap()
            .gross;
    }
}

fn c_batch(
    h: *const payrules_policy,
    rows: &[payrules_worker_month],
    out: &mut [payrules_payslip],
) {
    let status = unsafe {
        payrules_monthly_batch(
            h,
            2026,
            11,
            rows.as_ptr(),
            rows.len(),
            null(),
            0,
            out.as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(status, PAYRULES_OK);
}

fn request(n: usize) -> String {
    let mut workers = Vec::new();
    let mut assessments = Vec::new();
    for i in 0..n {
        workers.push(format!(
            r#"{{"id": "W{i:05}", "unit": "U{:02}", "position": "{}", "title": "{}", "hired_on": "2020-03-01"}}"#,
            i / 10,
            POSITIONS[i % 3],
            Title::ALL[i % 4].code()
        ));
        // Per pool of 10: 2 excellent, 6 good, 2 pass: within the caps.
        let g = match i % 10 {
            0 | 1 => "excellent",
            2..=7 => "good",
            _ => "pass",
        };
        assessments.push(format!(
            r#"{{"worker_id": "W{i:05}", "period": "2026-11", "grade": "{g}"}}"#
        ));
    }
    format!(
        r#"{{"kind": "monthly", "period": "2026-11", "workers": [{}], "assessments": [{}]}}"#,
        workers.join(","),
        assessments.join(",")
    )
}

fn c_json(h: *const payrules_policy, req: &str) -> usize {
    let mut resp: *mut c_char = null_mut();
    let mut len = 0;
    let status = unsafe {
        payrules_run_json(
            h,
            req.as_ptr().cast(),
            req.len(),
            &mut resp,
            &mut len,
            null_mut(),
        )
    };
    assert_eq!(status, PAYRULES_OK);
    unsafe { payrules_string_free(resp) };
    len
}

fn handle() -> *mut payrules_policy {
    let mut h = null_mut();
    assert_eq!(unsafe { payrules_policy_builtin(&mut h) }, PAYRULES_OK);
    h
}

fn check_same(set: &PolicySet, d: &Data, h: *const payrules_policy) {
    let slips = rust_batch(set, d);
    let mut out = vec![
        payrules_payslip {
            status: 99,
            ..zero()
        };
        d.rows.len()
    ];
    c_batch(h, &d.rows, &mut out);
    for (s, o) in slips.iter().zip(&out) {
        assert_eq!(o.gross.mantissa, i64::try_from(s.gross.mantissa()).unwrap());
        assert_eq!(o.gross.scale, s.gross.scale());
    }
}

fn zero() -> payrules_payslip {
    let z = payrules_decimal {
        mantissa: 0,
        scale: 2,
    };
    payrules_payslip {
        status: 0,
        employed: 0,
        base_pay: z,
        living_allowance: z,
        post_allowance: z,
        title_allowance: z,
        monthly_bonus: z,
        honour_award: z,
        gross: z,
    }
}

fn benches(c: &mut Criterion) {
    let n = rows();
    let set = PolicySet::builtin();
    let h = handle();
    let d = data(n);
    check_same(&set, &d, h);
    let mut out = vec![zero(); n];

    let mut g = c.benchmark_group(format!("batch_{n}_rows"));
    g.sample_size(10);
    g.bench_function("rust", |b| b.iter(|| black_box(rust_batch(&set, &d))));
    let mut gross = vec![rust_decimal::Decimal::ZERO; n];
    g.bench_function("rust_gross_only", |b| {
        b.iter(|| rust_batch_gross(&set, &d, black_box(&mut gross)))
    });
    g.bench_function("c_abi_sorted", |b| {
        b.iter(|| c_batch(h, black_box(&d.rows), &mut out))
    });
    g.bench_function("c_abi_unsorted", |b| {
        b.iter(|| c_batch(h, black_box(&d.shuffled), &mut out))
    });
    g.finish();

    let req = request(json_workers());
    let mut g = c.benchmark_group(format!("json_{}_workers", json_workers()));
    g.sample_size(10);
    g.bench_function("rust", |b| {
        b.iter(|| {
            black_box(
                payrules::run_json(req.as_bytes(), Some(&set))
                    .unwrap()
                    .json
                    .len(),
            )
        })
    });
    g.bench_function("c_abi", |b| b.iter(|| black_box(c_json(h, &req))));
    g.finish();
    unsafe { payrules_policy_free(h) };
}

/// Median of `rounds` timings of `f`, interleaved with the other variants by the caller.
fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Ratios to the Rust baseline from interleaved runs in this process.
fn ratios() {
    if !bench_mode() {
        return;
    }
    let n = rows();
    let rounds = 7;
    let set = PolicySet::builtin();
    let h = handle();
    let d = data(n);
    let mut out = vec![zero(); n];
    let req = request(json_workers());
    let mut gross = vec![rust_decimal::Decimal::ZERO; n];
    let (mut rb, mut rg, mut cs, mut cu, mut rj, mut cj) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let time = |v: &mut Vec<Duration>, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        v.push(t.elapsed());
    };
    for _ in 0..rounds {
        time(&mut rb, &mut || drop(black_box(rust_batch(&set, &d))));
        time(&mut rg, &mut || {
            rust_batch_gross(&set, &d, black_box(&mut gross))
        });
        time(&mut cs, &mut || c_batch(h, black_box(&d.rows), &mut out));
        time(&mut cu, &mut || {
            c_batch(h, black_box(&d.shuffled), &mut out)
        });
        time(&mut rj, &mut || {
            black_box(payrules::run_json(req.as_bytes(), Some(&set)).unwrap());
        });
        time(&mut cj, &mut || {
            black_box(c_json(h, &req));
        });
    }
    let (rb, rg, cs, cu) = (median(rb), median(rg), median(cs), median(cu));
    let (rj, cj) = (median(rj), median(cj));
    let r = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("ratios to the Rust API (medians of {rounds} interleaved rounds):");
    println!(
        "  batch {n} rows: rust (collect payslips) {rb:.2?}, rust (gross only) {rg:.2?}, \
         c_abi sorted {cs:.2?}, c_abi unsorted {cu:.2?}"
    );
    println!(
        "    c_abi sorted / rust collect {:.3}×, / rust gross-only {:.3}×; \
         c_abi unsorted / rust collect {:.3}×, / rust gross-only {:.3}×",
        r(cs, rb),
        r(cs, rg),
        r(cu, rb),
        r(cu, rg)
    );
    println!(
        "  json {} workers: rust {rj:.2?}, c_abi {cj:.2?} ({:.3}×)",
        json_workers(),
        r(cj, rj)
    );
    unsafe { payrules_policy_free(h) };
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    ratios();
}
