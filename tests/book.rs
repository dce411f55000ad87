//! The payroll book: a year of months paid, closed, corrected and verified.

use payrules::book::{Book, BookError, Replace};
use payrules::policy::BUILTIN_TOML;
use payrules::rules::tax::{YtdDoc, YtdRecord};
use payrules::run::{Kind, Request, run};
use serde_json::json;
use std::path::PathBuf;

fn book_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("pay.book")
}

fn request(doc: serde_json::Value) -> Request {
    serde_json::from_value(doc).unwrap()
}

/// The built-in policy with community workers paid a flat 30000 a month
/// (the State Taxation Administration's example salary).
fn policy_30000() -> String {
    let p = BUILTIN_TOML
        .replacen("base_pay = \"2200.00\"", "base_pay = \"30000.00\"", 1)
        .replacen(
            "living_allowance = \"600.00\"",
            "living_allowance = \"0.00\"",
            1,
        )
        .replacen(
            "post_allowance = \"300.00\"",
            "post_allowance = \"0.00\"",
            1,
        );
    assert_ne!(p, BUILTIN_TOML);
    p
}

fn sta_month(m: u32) -> Request {
    let period = format!("2026-{m:02}");
    request(json!({
        "kind": "monthly", "period": period,
        "workers": [{"id": "W1", "name": "林晓", "unit": "温泉社区",
                     "position": "community_worker", "hired_on": "2020-03-01"}],
        "assessments": [{"worker_id": "W1", "period": period, "grade": "fail"}],
        // 22500 × (8% + 2% + 0.5% + 9.5%) = 4500 of contributions
        "tax": [{"worker_id": "W1", "contribution_base": "22500.00",
                 "housing_fund_rate": "0.095", "additional_deductions": "2000.00"}]
    }))
}

fn line(run: &payrules::Run, worker: usize, code: payrules::LineCode) -> String {
    let slip = &run.payslips[worker];
    slip.lines
        .iter()
        .filter(|l| l.code == code)
        .map(|l| l.amount)
        .sum::<rust_decimal::Decimal>()
        .to_string()
}

#[test]
fn the_tax_administrations_example_through_a_year_in_a_book() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_path(&dir);
    let mut book = Book::init(&path, Some(&policy_30000())).unwrap();
    let mut withheld = Vec::new();
    for m in 1..=12 {
        let paid = book.pay(sta_month(m)).unwrap();
        assert!(paid.stored, "{:?}", paid.run.errors);
        withheld.push(line(&paid.run, 0, payrules::LineCode::IncomeTax));
        book.close(&format!("2026-{m:02}")).unwrap();
    }
    // By hand: cumulative taxable 18500 × month number on the annual table.
    assert_eq!(
        withheld,
        [
            "555.00", "625.00", "1850.00", "1850.00", "1850.00", "1850.00", "1850.00", "2250.00",
            "3700.00", "3700.00", "3700.00", "3700.00"
        ]
    );
    let states = book.states(2026).unwrap();
    assert_eq!(states[0].tax_withheld.as_deref(), Some("27480.00"));
    assert_eq!(states[0].months.0, "12");
    // The history holds every month, closed.
    let h = book.history("W1").unwrap();
    assert_eq!(h.rows.len(), 12);
    assert!(h.rows.iter().all(|r| r.status == "closed"));
    assert_eq!(h.rows[11].tax_ytd.unwrap().to_string(), "27480.00");
    // 30000 − 4500 − 3700 in December
    assert_eq!(h.rows[11].net.unwrap().to_string(), "21800.00");
    assert!(book.verify().unwrap().ok());
}

fn district_month(period: &str) -> Request {
    payrules::example::district().into_request(Kind::Monthly, period.to_string())
}

#[test]
fn the_example_district_through_a_year_equals_the_chained_json_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), None).unwrap();
    // The stateless chain: each month's request carries the previous
    // response's ytd; every worker has default tax settings (as the book gives).
    let mut ytd: Vec<YtdRecord> = Vec::new();
    for m in 1..=12 {
        let period = format!("2026-{m:02}");
        let paid = book.pay(district_month(&period)).unwrap();
        assert!(paid.stored, "{period}: {:?}", &paid.run.errors[..1]);
        book.close(&period).unwrap();

        let mut req = district_month(&period);
        req.tax = req
            .workers
            .iter()
            .map(|w| payrules::tax::TaxRecord {
                worker_id: w.id.to_string(),
                ..Default::default()
            })
            .collect();
        req.ytd = ytd.clone();
        let run = run(req, None).unwrap();
        assert!(run.complete());
        assert_eq!(run.totals, paid.run.totals, "{period}");
        let doc = serde_json::to_value(YtdDoc(&run.tax.ytd)).unwrap();
        ytd = serde_json::from_value(doc).unwrap();
    }
    let states = book.states(2026).unwrap();
    assert_eq!(states.len(), ytd.len());
    assert_eq!(states, ytd);
    // Then the annual bonus on the book's year figures.
    let req = payrules::example::district().into_request(Kind::Annual, "2026".into());
    let paid = book.annual(req).unwrap();
    assert!(paid.stored);
    assert!(
        paid.run
            .totals
            .by_code
            .contains_key(&payrules::LineCode::IncomeTax)
    );
    book.close("2026").unwrap();
    let v = book.verify().unwrap();
    assert_eq!((v.months, v.ok()), (13, true));
    // The report sums every line per month and unit: its gross equals the runs'.
    let report = book.report(2026).unwrap();
    let dec: rust_decimal::Decimal = report
        .iter()
        .filter(|r| r.period == "2026-12")
        .map(|r| r.gross)
        .sum();
    let mut req = district_month("2026-12");
    req.ytd.clear();
    assert_eq!(dec, run(req, None).unwrap().totals.gross);
}

#[test]
fn refusals_name_the_month() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_path(&dir);
    let mut book = Book::init(&path, Some(&policy_30000())).unwrap();
    assert!(matches!(Book::init(&path, None), Err(BookError::Exists(_))));
    book.pay(sta_month(1)).unwrap();
    // Closing out of order: February was never paid.
    assert_eq!(
        book.close("2026-02").unwrap_err(),
        BookError::NotPaid("2026-02".into())
    );
    // Another month while January is a draft.
    let e = book.pay(sta_month(2)).unwrap_err();
    assert!(e.to_string().contains("2026-01 is a draft"), "{e}");
    book.close("2026-01").unwrap();
    // Paying a closed month again.
    let e = book.pay(sta_month(1)).unwrap_err();
    assert_eq!(e, BookError::Closed("2026-01".into()));
    assert!(e.to_string().contains("2026-01 is closed"), "{e}");
    // A gap: March before February.
    let e = book.pay(sta_month(3)).unwrap_err();
    assert!(
        e.to_string().contains(
            "2026-03: the book's last closed month is 2026-01; pay and close 2026-02 first"
        ),
        "{e}"
    );
    // Closing twice.
    assert_eq!(
        book.close("2026-01").unwrap_err(),
        BookError::Closed("2026-01".into())
    );
    // A re-run replaces the draft.
    assert!(!book.pay(sta_month(2)).unwrap().replaced);
    assert!(book.pay(sta_month(2)).unwrap().replaced);
    drop(book);

    // A book from a newer payrules.
    let newer = dir.path().join("newer.book");
    drop(Book::init(&newer, None).unwrap());
    let c = rusqlite::Connection::open(&newer).unwrap();
    c.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(c);
    let e = Book::open(&newer).err().unwrap();
    assert_eq!(
        e,
        BookError::Newer {
            found: 99,
            supported: payrules::book::SCHEMA_VERSION
        }
    );
    assert!(e.to_string().contains("upgrade payrules"), "{e}");
    // Not a book at all.
    let junk = dir.path().join("junk.book");
    std::fs::write(&junk, b"hello, not a database").unwrap();
    assert!(Book::open(&junk).is_err());
    assert!(matches!(
        Book::open(&dir.path().join("none.book")),
        Err(BookError::Missing(_))
    ));
}

#[test]
fn a_change_made_outside_payrules_is_found_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_path(&dir);
    let mut book = Book::init(&path, Some(&policy_30000())).unwrap();
    for m in 1..=3 {
        book.pay(sta_month(m)).unwrap();
        book.close(&format!("2026-{m:02}")).unwrap();
    }
    assert!(book.verify().unwrap().ok());
    drop(book);
    let c = rusqlite::Connection::open(&path).unwrap();
    let n = c
        .execute(
            "UPDATE slips SET lines = replace(lines, 'bp:3000000', 'bp:3100000') WHERE period = '2026-02'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(c);
    let v = Book::open(&path).unwrap().verify().unwrap();
    assert!(!v.ok());
    assert_eq!(v.problems[0].0, "2026-02");
    assert!(v.problems[0].1.contains("changed outside payrules"));
}

fn two_workers(period: &str, grades: [&str; 2], title2: &str) -> Request {
    request(json!({
        "kind": "monthly", "period": period,
        "workers": [
            {"id": "W1", "name": "甲", "unit": "温泉社区", "position": "community_worker", "hired_on": "2020-03-01"},
            {"id": "W2", "name": "乙", "unit": "温泉社区", "position": "community_worker",
             "title": title2, "hired_on": "2020-03-01"},
        ],
        "assessments": [
            {"worker_id": "W1", "period": period, "grade": grades[0]},
            {"worker_id": "W2", "period": period, "grade": grades[1]},
        ],
    }))
}

#[test]
fn a_september_grade_corrected_in_november_pays_arrears_in_november() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), None).unwrap();
    for m in 9..=10 {
        let p = format!("2026-{m:02}");
        book.pay(two_workers(&p, ["pass", "good"], "none")).unwrap();
        book.close(&p).unwrap();
    }
    // September's grades corrected: W1 pass → good (+200), W2 good → pass (−200).
    let sept = two_workers("2026-09", ["good", "pass"], "none");
    let adj = book
        .correct(
            "2026-09",
            Replace {
                assessments: Some(sept.assessments),
                ..Replace::default()
            },
            "grade appeal",
        )
        .unwrap();
    assert_eq!(adj.len(), 2);
    assert_eq!(adj[0].amount().to_string(), "200.00");
    assert_eq!(adj[1].amount().to_string(), "-200.00");
    // Correcting a draft or an unpaid month is refused.
    assert!(book.correct("2026-11", Replace::default(), "x").is_err());
    let nov = book
        .pay(two_workers("2026-11", ["pass", "pass"], "none"))
        .unwrap();
    assert_eq!(nov.adjustments, 2);
    let r = &nov.run;
    let w1 = &r.payslips[0];
    let arrears = w1
        .lines
        .iter()
        .find(|l| l.code == payrules::LineCode::Arrears)
        .unwrap();
    let text = r.with_context(w1, |cx| arrears.explain(cx));
    assert_eq!(
        text,
        "correction of 2026-09 monthly_bonus: 900.00 → 1100.00, 200.00 paid (grade appeal)"
    );
    // 2200 + 600 + 300 + 900 + 200: the tax base of November holds the arrears.
    assert_eq!(w1.gross.to_string(), "4200.00");
    let t = r.tax.slips[0].as_ref().unwrap();
    assert_eq!(t.gross.to_string(), "4200.00");
    book.close("2026-11").unwrap();
    // Once paid, a correction is not paid again.
    let dec = book
        .pay(two_workers("2026-12", ["pass", "pass"], "none"))
        .unwrap();
    assert_eq!(dec.adjustments, 0);
    let h = book.history("W1").unwrap();
    assert_eq!(h.corrections.len(), 1);
    assert_eq!(h.corrections[0].1.as_deref(), Some("2026-11"));
}

#[test]
fn a_title_allowance_raised_retroactively_pays_every_worker_and_month_since() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), None).unwrap();
    for m in 9..=11 {
        let p = format!("2026-{m:02}");
        book.pay(two_workers(&p, ["pass", "pass"], "social_worker"))
            .unwrap();
        book.close(&p).unwrap();
    }
    // Adopted in December: a version from 2026-10-01 raising social_worker 400 → 500.
    let second = BUILTIN_TOML
        .split("[[versions]]")
        .nth(1)
        .unwrap()
        .replacen("version = \"2018\"", "version = \"2026-10\"", 1)
        .replacen(
            "effective_from = 2018-01-01",
            "effective_from = 2026-10-01",
            1,
        )
        .replacen(
            "\nsocial_worker = \"400.00\"",
            "\nsocial_worker = \"500.00\"",
            1,
        );
    assert!(second.contains("social_worker = \"500.00\""));
    let raised = format!("{BUILTIN_TOML}\n[[versions]]{second}");
    let adj = book
        .correct_policy(&raised, "2026-10", "title allowance raised from October")
        .unwrap();
    // W2 only (W1 has no title), October and November: 100 each.
    let got: Vec<(String, String, String)> = adj
        .iter()
        .map(|a| {
            (
                a.worker_id.clone(),
                a.period.clone(),
                a.amount().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("W2".into(), "2026-10".into(), "100.00".into()),
            ("W2".into(), "2026-11".into(), "100.00".into())
        ]
    );
    let dec = book
        .pay(two_workers("2026-12", ["pass", "pass"], "social_worker"))
        .unwrap();
    assert_eq!(dec.adjustments, 2);
    // December is paid under the new version: 500, plus 200 of arrears.
    let w2 = &dec.run.payslips[1];
    assert_eq!(
        line(&dec.run, 1, payrules::LineCode::TitleAllowance),
        "500.00"
    );
    assert_eq!(line(&dec.run, 1, payrules::LineCode::Arrears), "200.00");
    assert_eq!(w2.gross.to_string(), "4700.00"); // 2200+600+300+500+900+200
}

#[test]
fn a_book_started_in_november_takes_imported_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), Some(&policy_30000())).unwrap();
    // January to October of the example, kept elsewhere: 10 × 30000 of
    // income, 10 × 4500 of contributions, 10 × 2000 of additional
    // deductions, 20080 withheld (555 + 625 + 5 × 1850 + 2250 + 2 × 3700).
    let state: YtdRecord = serde_json::from_value(json!({
        "worker_id": "W1", "year": 2026, "months": 10, "income": "300000.00",
        "contributions": "45000.00", "additional_deductions": "20000.00",
        "tax_withheld": "20080.00"
    }))
    .unwrap();
    // Figures of another year, or more months than came before, are refused.
    let mut wrong = state.clone();
    wrong.months = payrules::tax::Count("11".into());
    assert!(book.import_ytd(&[wrong], "2026-10").is_err());
    assert!(
        book.import_ytd(std::slice::from_ref(&state), "2025-10")
            .is_err()
    );
    assert_eq!(book.import_ytd(&[state], "2026-10").unwrap(), 1);
    let nov = book.pay(sta_month(11)).unwrap();
    // Cumulative 11 × 18500 = 203500 → 23780; 23780 − 20080 = 3700.
    assert_eq!(line(&nov.run, 0, payrules::LineCode::IncomeTax), "3700.00");
    book.close("2026-11").unwrap();
    // Once a closed month holds the worker's figures, an import is refused.
    let again: YtdRecord =
        serde_json::from_value(json!({"worker_id": "W1", "year": 2026, "months": 10})).unwrap();
    let e = book.import_ytd(&[again], "2026-10").unwrap_err();
    assert!(
        e.to_string().contains("already holds 2026's figures"),
        "{e}"
    );
}

fn honoured(period: &str, level: &str, day: &str) -> Request {
    let mut r = two_workers(period, ["pass", "pass"], "none");
    r.honours = serde_json::from_value(json!([
        {"worker_id": "W1", "level": level, "awarded_on": format!("{period}-{day}"), "deed": "flood rescue"}
    ]))
    .unwrap();
    r
}

#[test]
fn a_higher_honour_for_a_deed_paid_earlier_pays_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), None).unwrap();
    // September: municipal honour for the flood rescue, 3000.
    let sept = book.pay(honoured("2026-09", "municipal", "10")).unwrap();
    assert_eq!(
        line(&sept.run, 0, payrules::LineCode::HonourAward),
        "3000.00"
    );
    book.close("2026-09").unwrap();
    book.pay(two_workers("2026-10", ["pass", "pass"], "none"))
        .unwrap();
    book.close("2026-10").unwrap();
    // November: the province honours the same deed: 5000 − 3000 paid = 2000.
    let nov = book.pay(honoured("2026-11", "provincial", "05")).unwrap();
    assert!(nov.stored, "{:?}", nov.run.errors);
    assert_eq!(
        line(&nov.run, 0, payrules::LineCode::HonourAward),
        "2000.00"
    );
    let slip = &nov.run.payslips[0];
    let l = slip
        .lines
        .iter()
        .find(|l| l.code == payrules::LineCode::HonourAward)
        .unwrap();
    let text = nov.run.with_context(slip, |cx| l.explain(cx));
    assert!(text.contains("3000.00"), "{text}");
    book.close("2026-11").unwrap();
    // December: the nation: 10000 − 5000 paid over two months = 5000.
    let dec = book.pay(honoured("2026-12", "national", "01")).unwrap();
    assert_eq!(
        line(&dec.run, 0, payrules::LineCode::HonourAward),
        "5000.00"
    );
}

#[test]
fn a_book_of_an_older_schema_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_path(&dir);
    let mut book = Book::init(&path, None).unwrap();
    book.pay(two_workers("2026-09", ["pass", "pass"], "none"))
        .unwrap();
    book.close("2026-09").unwrap();
    drop(book);
    // Make it a schema-1 book: without the table version 2 added.
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("DROP TABLE honours_paid; PRAGMA user_version = 1;")
        .unwrap();
    drop(c);
    let mut book = Book::open(&path).unwrap();
    assert!(book.verify().unwrap().ok());
    book.pay(honoured("2026-10", "municipal", "10")).unwrap();
    book.close("2026-10").unwrap();
    drop(book);
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, payrules::book::SCHEMA_VERSION);
    let n: i64 = c
        .query_row("SELECT count(*) FROM honours_paid", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_recovery_larger_than_the_pay_is_recovered_over_months_never_a_negative_net() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), None).unwrap();
    for m in 9..=10 {
        let p = format!("2026-{m:02}");
        book.pay(two_workers(&p, ["pass", "pass"], "none")).unwrap();
        book.close(&p).unwrap();
    }
    // W1 should not have been paid in September and October: 2 × 4000
    // (2200 + 600 + 300 + 900) to recover.
    for p in ["2026-09", "2026-10"] {
        let mut only_w2 = two_workers(p, ["pass", "pass"], "none");
        only_w2.workers.remove(0);
        only_w2.assessments.remove(0);
        let adj = book
            .correct(
                p,
                Replace {
                    workers: Some(only_w2.workers),
                    assessments: Some(only_w2.assessments),
                    honours: None,
                    changes: None,
                },
                "left in August",
            )
            .unwrap();
        assert_eq!(adj.len(), 4);
    }
    // November pays W1 4000 and can recover only that much.
    let nov = book
        .pay(two_workers("2026-11", ["pass", "pass"], "none"))
        .unwrap();
    assert!(nov.stored);
    let w1 = &nov.run.payslips[0];
    assert_eq!(w1.gross.to_string(), "0.00");
    assert_eq!(line(&nov.run, 0, payrules::LineCode::Recovery), "-4000.00");
    assert_eq!(line(&nov.run, 0, payrules::LineCode::Net), "0.00");
    assert_eq!(
        nov.run
            .deferred
            .iter()
            .map(|a| a.amount())
            .sum::<rust_decimal::Decimal>()
            .to_string(),
        "-4000.00"
    );
    assert!(nov.run.warnings.iter().any(|w| w.field == "recovery"));
    book.close("2026-11").unwrap();
    // December recovers the rest.
    let dec = book
        .pay(two_workers("2026-12", ["pass", "pass"], "none"))
        .unwrap();
    assert_eq!(line(&dec.run, 0, payrules::LineCode::Recovery), "-4000.00");
    assert!(dec.run.deferred.is_empty());
    book.close("2026-12").unwrap();
    // Every correction is paid, and they sum to the 8000 owed.
    let h = book.history("W1").unwrap();
    assert!(h.corrections.iter().all(|(_, paid_in)| paid_in.is_some()));
    let total: rust_decimal::Decimal = h.corrections.iter().map(|(a, _)| a.amount()).sum();
    assert_eq!(total.to_string(), "-8000.00");
    assert!(book.verify().unwrap().ok());
}

#[test]
fn a_worker_left_out_of_a_month_is_paid_the_next_and_corrected_as_arrears() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::init(&book_path(&dir), None).unwrap();
    book.pay(two_workers("2026-09", ["pass", "pass"], "none"))
        .unwrap();
    book.close("2026-09").unwrap();
    // October's roster forgot W1.
    let mut oct = two_workers("2026-10", ["pass", "pass"], "none");
    oct.workers.remove(0);
    oct.assessments.remove(0);
    book.pay(oct).unwrap();
    book.close("2026-10").unwrap();
    // November has W1 again: the book's chain has no gap, so W1 is paid.
    let nov = book
        .pay(two_workers("2026-11", ["pass", "pass"], "none"))
        .unwrap();
    assert!(nov.stored, "{:?}", nov.run.errors);
    assert_eq!(nov.run.payslips.len(), 2);
    book.close("2026-11").unwrap();
    // October corrected: W1's 4000 paid as arrears in December.
    let full = two_workers("2026-10", ["pass", "pass"], "none");
    let adj = book
        .correct(
            "2026-10",
            Replace {
                workers: Some(full.workers),
                assessments: Some(full.assessments),
                honours: None,
                changes: None,
            },
            "left out of October's roster",
        )
        .unwrap();
    assert_eq!(
        adj.iter()
            .map(|a| a.amount())
            .sum::<rust_decimal::Decimal>()
            .to_string(),
        "4000.00"
    );
    let dec = book
        .pay(two_workers("2026-12", ["pass", "pass"], "none"))
        .unwrap();
    assert_eq!(line(&dec.run, 0, payrules::LineCode::Arrears), "4000.00");
}
