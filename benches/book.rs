//! The payroll book's speed and size.
//!
//! `cargo bench --bench book`
//!
//! - `baseline/run_100k`: the stateless engine run of the same month
//!   (`payrules::run` of an owned request on 100,000 workers with tax settings): the work any
//!   book must do before storing anything.
//! - `book/pay_close_100k`: `Book::pay` + `Book::close` of February for
//!   100,000 workers into a book holding a closed January (a fresh copy of
//!   the book each iteration): year-to-date states read, the run, every
//!   payslip stored, the digest chained, the states written.
//! - `book/history_5y`: `Book::history` of one worker in a book of 60 months
//!   (five years) of 10,000 workers.
//!
//! Before the groups, one **year** for 100,000 workers is run once (12 ×
//! pay + close, then the annual bonus and its close) and its time and the
//! book's bytes per worker-month are printed.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use payrules::book::Book;
use payrules::period::YearMonth;
use payrules::run::{Kind, Request, run};
use payrules::synth::monthly_request;
use payrules::tax::TaxRecord;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

fn big() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn workers() -> usize {
    if big() { 100_000 } else { 500 }
}

fn month(n: usize, y: i32, m: u32) -> Request {
    let mut r = monthly_request(n, YearMonth::new(y, m).unwrap());
    r.tax = r
        .workers
        .iter()
        .map(|w| TaxRecord {
            worker_id: w.id.to_string(),
            additional_deductions: Some("1000.00".into()),
            ..TaxRecord::default()
        })
        .collect();
    r
}

fn size(path: &Path) -> u64 {
    let side = |s: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        std::fs::metadata(p).map_or(0, |m| m.len())
    };
    std::fs::metadata(path).map_or(0, |m| m.len()) + side("-wal")
}

/// One year into a fresh book, timed once; prints the figures.
fn year(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("year.book");
    let mut book = Book::init(&path, None).unwrap();
    let t = Instant::now();
    let mut slips = 0u64;
    for m in 1..=12 {
        let paid = book.pay(month(n, 2026, m)).unwrap();
        assert!(paid.stored);
        slips += paid.run.payslips.len() as u64;
        book.close(&format!("2026-{m:02}")).unwrap();
    }
    let mut annual = month(n, 2026, 12);
    annual.kind = Kind::Annual;
    annual.period = "2026".into();
    for a in &mut annual.assessments {
        a.period = "2026".into();
    }
    annual.tax.clear();
    let paid = book.annual(annual).unwrap();
    assert!(paid.stored, "{:?}", paid.run.errors.first());
    slips += paid.run.payslips.len() as u64;
    book.close("2026").unwrap();
    let secs = t.elapsed().as_secs_f64();
    drop(book);
    let bytes = size(&path);
    println!(
        "book/year_{n}: 12 × pay + close, annual + close: {secs:.1} s; book {bytes} bytes for {slips} payslips = {:.0} bytes per worker-period",
        bytes as f64 / slips as f64
    );
}

fn bench(c: &mut Criterion) {
    let n = workers();
    if big() {
        year(n);
    }
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.book");
    {
        let mut book = Book::init(&template, None).unwrap();
        assert!(book.pay(month(n, 2026, 1)).unwrap().stored);
        book.close("2026-01").unwrap();
    }
    let feb = month(n, 2026, 2);
    let mut g = c.benchmark_group("baseline");
    g.sample_size(10);
    g.bench_function("run_100k", |b| {
        b.iter_batched(
            || feb.clone(),
            |r| black_box(run(r, None).unwrap().totals.gross),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("book");
    g.sample_size(10);
    let copy = dir.path().join("copy.book");
    g.bench_function("pay_close_100k", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_file(&copy);
                std::fs::copy(&template, &copy).unwrap();
                feb.clone()
            },
            |r| {
                let mut book = Book::open(&copy).unwrap();
                let paid = book.pay(r).unwrap();
                book.close("2026-02").unwrap();
                black_box(paid.run.totals.gross)
            },
            BatchSize::LargeInput,
        )
    });

    // Five years of 10,000 workers (60 closed months).
    let five = dir.path().join("five.book");
    let small = if big() { 10_000 } else { 50 };
    {
        let mut book = Book::init(&five, None).unwrap();
        for y in 2022..2027 {
            for m in 1..=12 {
                assert!(book.pay(month(small, y, m)).unwrap().stored);
                book.close(&format!("{y}-{m:02}")).unwrap();
            }
        }
    }
    let mut book = Book::open(&five).unwrap();
    let id = "W0000023".to_string();
    assert_eq!(book.history(&id).unwrap().rows.len(), 60);
    g.bench_function("history_5y", |b| {
        b.iter(|| black_box(book.history(&id).unwrap().rows.len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
