//! The C ABI called from Rust: the typed batch equals the Rust API row for
//! row (a property test), and JSON runs equal `run::run_json` byte for byte.
//! The C programs under bindings/c/ (scripts/test-c.sh) test it from C.

use payrules::ffi::*;
use payrules::payslip::{self, GradeNote, LineCode};
use payrules::period::{YearMonth, parse_date};
use payrules::policy::PolicySet;
use payrules::worker::{Grade, Honour, HonourLevel, Title, Worker};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::ffi::{CString, c_char};
use std::ptr::{null, null_mut};

fn builtin() -> *mut payrules_policy {
    let mut h = null_mut();
    assert_eq!(unsafe { payrules_policy_builtin(&mut h) }, PAYRULES_OK);
    h
}

fn dec(d: payrules_decimal) -> Decimal {
    Decimal::from_i128_with_scale(i128::from(d.mantissa), d.scale)
}

fn cdate(d: chrono::NaiveDate) -> payrules_date {
    use chrono::Datelike;
    payrules_date {
        year: d.year() as u32,
        month: d.month(),
        day: d.day(),
    }
}

fn error_message(err: *mut payrules_error) -> String {
    let mut needed = 0;
    assert_eq!(
        unsafe { payrules_error_message(err, null_mut(), 0, &mut needed) },
        PAYRULES_BUFFER_TOO_SMALL
    );
    let mut buf = vec![0u8; needed];
    assert_eq!(
        unsafe {
            payrules_error_message(err, buf.as_mut_ptr().cast::<c_char>(), needed, null_mut())
        },
        PAYRULES_OK
    );
    unsafe { payrules_error_free(err) };
    buf.pop();
    String::from_utf8(buf).unwrap()
}

const POSITIONS: [&str; 3] = [
    "community_worker",
    "community_secretary",
    "career_secretary",
];

#[derive(Debug, Clone)]
struct Row {
    position: usize,
    title: usize,
    grade: usize,
    hired_day: u32,
    left_day: Option<u32>,
    probation_day: Option<u32>,
    honours: Vec<(usize, u32, Option<u8>)>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0..3usize,
        0..4usize,
        0..5usize,
        prop_oneof![Just(0u32), 1..=30u32],
        proptest::option::of(1..=30u32),
        proptest::option::of(1..=30u32),
        proptest::collection::vec((0..3usize, 1..=30u32, proptest::option::of(0..2u8)), 0..3),
    )
        .prop_map(
            |(position, title, grade, hired_day, left_day, probation_day, honours)| Row {
                position,
                title,
                grade,
                hired_day,
                left_day,
                probation_day,
                honours,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every row the batch pays equals `payslip::monthly` on the same worker,
    /// line by line; rows the Rust rules refuse (a graded probationer) fail.
    #[test]
    fn batch_equals_the_rust_api(rows in proptest::collection::vec(row(), 1..12)) {
        let set = PolicySet::builtin();
        let month: YearMonth = "2026-11".parse().unwrap();
        let policy = set.version_on(month.first_day()).unwrap();
        let day = |d: u32| parse_date(&format!("2026-11-{d:02}")).unwrap();
        let h = builtin();
        let ids: Vec<CString> = (0..rows.len()).map(|i| CString::new(format!("W{i:03}")).unwrap()).collect();
        let positions: Vec<CString> = POSITIONS.iter().map(|p| CString::new(*p).unwrap()).collect();
        let deeds = [CString::new("flood").unwrap(), CString::new("census").unwrap()];
        let mut workers = Vec::new();
        let mut c_rows = Vec::new();
        let mut c_honours = Vec::new();
        let mut honours: Vec<Vec<Honour>> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            // hired_day 0: hired long before the month.
            let hired = if r.hired_day == 0 { parse_date("2019-06-01").unwrap() } else { day(r.hired_day) };
            let left = r.left_day.map(day).filter(|l| *l >= hired);
            let w = Worker {
                id: format!("W{i:03}").into(),
                name: String::new().into(),
                unit: "U".into(),
                position: POSITIONS[r.position].into(),
                title: Title::ALL[r.title],
                hired_on: hired,
                left_on: left,
                probation_until: r.probation_day.map(day),
            };
            c_rows.push(payrules_worker_month {
                worker_id: ids[i].as_ptr(),
                unit: null(),
                position: positions[r.position].as_ptr(),
                title: r.title as u32,
                grade: r.grade as u32,
                hired_on: cdate(hired),
                left_on: left.map(cdate).unwrap_or_default(),
                probation_until: w.probation_until.map(cdate).unwrap_or_default(),
            });
            let mut hs = Vec::new();
            for &(level, d, deed) in &r.honours {
                c_honours.push(payrules_honour {
                    worker_id: ids[i].as_ptr(),
                    level: level as u32,
                    awarded_on: cdate(day(d)),
                    deed: deed.map_or(null(), |k| deeds[k as usize].as_ptr()),
                });
                hs.push(Honour {
                    worker_id: w.id.to_string(),
                    level: HonourLevel::ALL[level],
                    awarded_on: day(d),
                    deed: deed.map(|k| ["flood", "census"][k as usize].to_string()),
                    paid: None,
                });
            }
            honours.push(hs);
            workers.push(w);
        }
        let mut out = vec![unsafe { std::mem::zeroed::<payrules_payslip>() }; rows.len()];
        let mut err = null_mut();
        let status = unsafe {
            payrules_monthly_batch(h, 2026, 11, c_rows.as_ptr(), c_rows.len(),
                c_honours.as_ptr(), c_honours.len(), out.as_mut_ptr(), &mut err)
        };
        let msg = if err.is_null() { String::new() } else { error_message(err) };
        let mut any_bad = false;
        for (i, w) in workers.iter().enumerate() {
            let grade = Grade::ALL[rows[i].grade];
            let o = out[i];
            if !w.employed_between(month.first_day(), month.last_day()) {
                prop_assert_eq!(o.status, PAYRULES_OK);
                prop_assert_eq!(o.employed, 0);
                prop_assert_eq!(dec(o.gross), Decimal::ZERO);
                continue;
            }
            let ungraded = payslip::probation_ungraded(policy, w, month.last_day());
            if ungraded.is_some() && grade != Grade::Ungraded {
                prop_assert_eq!(o.status, PAYRULES_INVALID_GRADE);
                prop_assert!(msg.contains(&format!("rows[{i}] (worker {})", w.id)), "{}", msg);
                any_bad = true;
                continue;
            }
            let hs: Vec<&Honour> = honours[i].iter().collect();
            let slip = payslip::monthly(policy, month, w, i, grade, GradeNote::Given, &hs).unwrap();
            prop_assert_eq!(o.status, PAYRULES_OK, "{}", msg);
            prop_assert_eq!(o.employed, 1);
            let amount = |c| slip.amount(c).unwrap_or_default();
            let honour: Decimal = slip.lines.iter().filter(|l| l.code == LineCode::HonourAward).map(|l| l.amount).sum();
            prop_assert_eq!(dec(o.base_pay), amount(LineCode::BasePay));
            prop_assert_eq!(dec(o.living_allowance), amount(LineCode::LivingAllowance));
            prop_assert_eq!(dec(o.post_allowance), amount(LineCode::PostAllowance));
            prop_assert_eq!(dec(o.title_allowance), amount(LineCode::TitleAllowance));
            prop_assert_eq!(dec(o.monthly_bonus), amount(LineCode::MonthlyBonus));
            prop_assert_eq!(dec(o.honour_award), honour);
            prop_assert_eq!(dec(o.gross), slip.gross);
            prop_assert_eq!(o.gross.scale, 2);
        }
        prop_assert_eq!(status, if any_bad { PAYRULES_ROW_ERROR } else { PAYRULES_OK }, "{}", msg);
        unsafe { payrules_policy_free(h) };
    }
}

#[test]
fn run_json_equals_the_rust_api() {
    let req = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/request-2026-11.json"
    ))
    .unwrap();
    let set = PolicySet::builtin();
    let want = payrules::run_json(&req, Some(&set)).unwrap();
    let h = builtin();
    let (mut resp, mut len, mut err) = (null_mut(), 0usize, null_mut());
    let status = unsafe {
        payrules_run_json(
            h,
            req.as_ptr().cast(),
            req.len(),
            &mut resp,
            &mut len,
            &mut err,
        )
    };
    assert_eq!(
        status,
        if want.complete {
            PAYRULES_OK
        } else {
            PAYRULES_INPUT_ERRORS
        }
    );
    let got = unsafe { std::slice::from_raw_parts(resp.cast::<u8>(), len) };
    assert_eq!(std::str::from_utf8(got).unwrap(), want.json);
    unsafe {
        payrules_string_free(resp);
        payrules_error_free(err);
        payrules_policy_free(h);
    }
}

#[test]
fn duplicates_in_unsorted_rows_fail_every_copy() {
    let h = builtin();
    let ids: Vec<CString> = ["W3", "W1", "W2", "W1", "W9", "W1"]
        .iter()
        .map(|s| CString::new(*s).unwrap())
        .collect();
    let pos = CString::new("community_worker").unwrap();
    let rows: Vec<payrules_worker_month> = ids
        .iter()
        .map(|id| payrules_worker_month {
            worker_id: id.as_ptr(),
            unit: null(),
            position: pos.as_ptr(),
            title: PAYRULES_TITLE_NONE,
            grade: PAYRULES_GRADE_PASS,
            hired_on: payrules_date {
                year: 2020,
                month: 1,
                day: 1,
            },
            left_on: payrules_date::default(),
            probation_until: payrules_date::default(),
        })
        .collect();
    let mut out = vec![unsafe { std::mem::zeroed::<payrules_payslip>() }; rows.len()];
    let mut err = null_mut();
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
            &mut err,
        )
    };
    assert_eq!(status, PAYRULES_ROW_ERROR);
    let statuses: Vec<u32> = out.iter().map(|o| o.status).collect();
    let d = PAYRULES_DUPLICATE_WORKER;
    assert_eq!(statuses, [0, d, 0, d, 0, d]);
    assert_eq!(dec(out[0].gross).to_string(), "4000.00"); // 2200 + 600 + 300 + 0 + 900
    let msg = error_message(err);
    assert!(
        msg.contains(
            "rows[1] (worker W1): worker_id: duplicate worker id, given 3 times (rows[1], rows[3], rows[5])"
        ),
        "{msg}"
    );
    unsafe { payrules_policy_free(h) };
}
