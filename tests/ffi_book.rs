//! The payroll book through the C ABI, called from Rust: handles, JSON
//! commands and their responses, the statuses of refusals, a handle shared
//! by threads. `bindings/c/book.c` tests it from C, `bindings/python/tests/
//! test_book.py` from Python.
#![cfg(feature = "book")]

use payrules::ffi::*;
use serde_json::{Value, json};
use std::ffi::{CString, c_char};
use std::ptr::{null, null_mut};

struct Handle(*mut payrules_book);

// The handle is Send + Sync (its calls are serialised).
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        unsafe { payrules_book_free(self.0) };
    }
}

fn take_error(err: *mut payrules_error) -> (u32, String) {
    assert!(!err.is_null());
    let status = unsafe { payrules_error_status(err) };
    let mut needed = 0;
    unsafe { payrules_error_message(err, null_mut(), 0, &mut needed) };
    let mut buf = vec![0u8; needed];
    assert_eq!(
        unsafe { payrules_error_message(err, buf.as_mut_ptr().cast(), needed, &mut needed) },
        PAYRULES_OK
    );
    unsafe { payrules_error_free(err) };
    buf.pop();
    (status, String::from_utf8(buf).unwrap())
}

fn create(path: &std::path::Path, policy: Option<&str>) -> Result<Handle, (u32, String)> {
    let p = CString::new(path.to_str().unwrap()).unwrap();
    let policy = policy.map(|t| CString::new(t).unwrap());
    let mut out = null_mut();
    let mut err = null_mut();
    let status = unsafe {
        payrules_book_create(
            p.as_ptr(),
            policy.as_ref().map_or(null(), |c| c.as_ptr()),
            &mut out,
            &mut err,
        )
    };
    if status == PAYRULES_OK {
        assert!(err.is_null());
        Ok(Handle(out))
    } else {
        assert!(out.is_null());
        Err(take_error(err))
    }
}

fn open(path: &std::path::Path) -> Result<Handle, (u32, String)> {
    let p = CString::new(path.to_str().unwrap()).unwrap();
    let mut out = null_mut();
    let mut err = null_mut();
    match unsafe { payrules_book_open(p.as_ptr(), &mut out, &mut err) } {
        PAYRULES_OK => Ok(Handle(out)),
        _ => Err(take_error(err)),
    }
}

/// Runs a command: the status, the response (when written) and the message.
fn call(book: &Handle, command: &Value) -> (u32, Option<Value>, String) {
    let text = command.to_string();
    let mut resp: *mut c_char = null_mut();
    let mut n = 0usize;
    let mut err = null_mut();
    let status = unsafe {
        payrules_book_json(
            book.0,
            text.as_ptr().cast(),
            text.len(),
            &mut resp,
            &mut n,
            &mut err,
        )
    };
    let doc = (!resp.is_null()).then(|| {
        let bytes = unsafe { std::slice::from_raw_parts(resp.cast::<u8>(), n) };
        let v: Value = serde_json::from_slice(bytes).unwrap();
        unsafe { payrules_string_free(resp) };
        v
    });
    let message = if err.is_null() {
        String::new()
    } else {
        take_error(err).1
    };
    (status, doc, message)
}

fn ok(book: &Handle, command: Value) -> Value {
    let (status, doc, message) = call(book, &command);
    assert_eq!(status, PAYRULES_OK, "{command}: {message}");
    doc.unwrap()
}

fn month(period: &str, grade: &str) -> Value {
    json!({
        "period": period,
        "workers": [
            {"id": "W1", "name": "林晓", "unit": "温泉社区", "position": "community_worker",
             "title": "social_worker", "hired_on": "2020-03-01"},
            {"id": "W2", "name": "陈静", "unit": "温泉社区", "position": "community_worker",
             "hired_on": "2021-06-01"},
        ],
        "assessments": [
            {"worker_id": "W1", "period": period, "grade": grade},
            {"worker_id": "W2", "period": period, "grade": "pass"},
        ],
    })
}

fn slip<'a>(run: &'a Value, worker: &str) -> &'a Value {
    run["payslips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["worker_id"] == worker)
        .unwrap()
}

#[test]
fn two_months_paid_closed_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pay.book");
    let book = create(&path, None).unwrap();
    let oct = ok(
        &book,
        json!({"op": "pay", "request": month("2026-10", "pass")}),
    );
    assert_eq!(oct["stored"], true);
    assert_eq!(oct["replaced"], false);
    assert_eq!(oct["adjustments"], 0);
    // 2200 + 600 + 300 + 400 (social worker) + 900 (pass)
    assert_eq!(slip(&oct["run"], "W1")["gross"], "4400.00");
    assert_eq!(slip(&oct["run"], "W2")["gross"], "4000.00");
    // The book pays net: the run has net-pay lines.
    let net_oct = slip(&oct["run"], "W1")["net"].as_str().unwrap().to_string();
    // 4400 − contributions on 4400 (8% + 2% + 0.5% + 12% = 990); no tax below 5000.
    assert_eq!(net_oct, "3410.00");
    let closed = ok(&book, json!({"op": "close", "period": "2026-10"}));
    assert_eq!(closed["period"], "2026-10");
    assert_eq!(closed["seq"], 1);
    assert_eq!(closed["workers"], 2);
    assert_eq!(closed["digest"].as_str().unwrap().len(), 64);

    // Paid again once closed: refused, naming the month.
    let (status, doc, message) = call(
        &book,
        &json!({"op": "pay", "request": month("2026-10", "pass")}),
    );
    assert_eq!(status, PAYRULES_BOOK_REFUSED);
    assert!(doc.is_none());
    assert!(message.contains("2026-10 is closed"), "{message}");

    let nov = ok(
        &book,
        json!({"op": "pay", "request": month("2026-11", "pass")}),
    );
    ok(&book, json!({"op": "close", "period": "2026-11"}));
    drop(book);

    // Reopened: the history holds both months, closed, amounts as strings.
    let book = open(&path).unwrap();
    let h = ok(&book, json!({"op": "history", "worker_id": "W1"}));
    assert_eq!(h["worker_id"], "W1");
    let periods = h["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0]["period"], "2026-10");
    assert_eq!(periods[0]["status"], "closed");
    assert_eq!(periods[0]["gross"], "4400.00");
    assert_eq!(periods[0]["lines"]["base_pay"], "2200.00");
    assert_eq!(periods[0]["lines"]["title_allowance"], "400.00");
    assert_eq!(periods[0]["lines"]["monthly_bonus"], "900.00");
    assert_eq!(periods[0]["net"].as_str().unwrap(), net_oct);
    assert_eq!(periods[1]["net"], slip(&nov["run"], "W1")["net"]);
    assert_eq!(h["corrections"], json!([]));

    let months = ok(&book, json!({"op": "months"}));
    let statuses: Vec<(&str, &str)> = months["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["period"].as_str().unwrap(), m["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, [("2026-10", "closed"), ("2026-11", "closed")]);
    let v = ok(&book, json!({"op": "verify"}));
    assert_eq!(v, json!({"ok": true, "months": 2, "problems": []}));
    let r = ok(&book, json!({"op": "report", "year": 2026}));
    assert_eq!(r["rows"][0]["gross"], "8400.00");
    assert_eq!(r["rows"][0]["by_code"]["monthly_bonus"], "1800.00");
    assert_eq!(r["rows"][0]["workers"], 2);
    let states = ok(&book, json!({"op": "states", "year": 2026}));
    assert_eq!(states["ytd"].as_array().unwrap().len(), 2);
    assert_eq!(states["ytd"][0]["income"], "8800.00");
    let policy = ok(&book, json!({"op": "policy"}));
    assert_eq!(policy["policy"], payrules::policy::BUILTIN_TOML);
}

#[test]
fn a_correction_of_a_closed_month_is_paid_as_arrears_the_next_month() {
    let dir = tempfile::tempdir().unwrap();
    let book = create(&dir.path().join("pay.book"), None).unwrap();
    for m in ["2026-09", "2026-10"] {
        ok(&book, json!({"op": "pay", "request": month(m, "pass")}));
        ok(&book, json!({"op": "close", "period": m}));
    }
    let c = ok(
        &book,
        json!({"op": "correct", "period": "2026-09", "reason": "grade appeal",
               "assessments": [{"worker_id": "W1", "period": "2026-09", "grade": "good"},
                               {"worker_id": "W2", "period": "2026-09", "grade": "pass"}]}),
    );
    assert_eq!(
        c["adjustments"],
        json!([{"worker_id": "W1", "period": "2026-09", "code": "monthly_bonus",
                "old": "900.00", "new": "1100.00", "reason": "grade appeal"}])
    );
    assert_eq!(c["lines"][0]["line"], "arrears");
    assert_eq!(c["lines"][0]["amount"], "200.00");
    assert_eq!(
        c["totals"],
        json!({"arrears": "200.00", "recovery": "0.00"})
    );
    let nov = ok(
        &book,
        json!({"op": "pay", "request": month("2026-11", "pass")}),
    );
    assert_eq!(nov["adjustments"], 1);
    assert_eq!(slip(&nov["run"], "W1")["gross"], "4600.00");
    let h = ok(&book, json!({"op": "history", "worker_id": "W1"}));
    assert_eq!(h["corrections"][0]["amount"], "200.00");
    assert_eq!(h["corrections"][0]["paid_in"], "2026-11");
    assert_eq!(h["periods"][2]["status"], "draft");
    assert_eq!(h["periods"][2]["lines"]["arrears"], "200.00");
    // An empty reason is refused.
    let (status, _, message) = call(
        &book,
        &json!({"op": "correct", "period": "2026-09", "reason": " "}),
    );
    assert_eq!(status, PAYRULES_BOOK_REFUSED, "{message}");
    assert!(message.contains("reason"), "{message}");
}

#[test]
fn statuses_of_bad_commands_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pay.book");
    let book = create(&path, None).unwrap();
    // A second book on the same file.
    let (status, message) = create(&path, None).err().unwrap();
    assert_eq!(status, PAYRULES_BOOK_REFUSED);
    assert!(message.contains("already exists"), "{message}");
    // No book there.
    let (status, message) = open(&dir.path().join("none.book")).err().unwrap();
    assert_eq!(status, PAYRULES_BOOK_IO);
    assert!(message.contains("no book at"), "{message}");
    // Not a book.
    let junk = dir.path().join("junk.book");
    std::fs::write(&junk, b"hello, not a database").unwrap();
    assert_eq!(open(&junk).err().unwrap().0, PAYRULES_BOOK_IO);
    // A bad policy.
    let (status, _) = create(&dir.path().join("p.book"), Some("nonsense = ["))
        .err()
        .unwrap();
    assert_eq!(status, PAYRULES_INVALID_POLICY);
    assert!(!dir.path().join("p.book").exists());

    for (command, want, says) in [
        (
            json!({"op": "fly"}),
            PAYRULES_INVALID_REQUEST,
            "unknown variant `fly`",
        ),
        (json!({"period": "2026-10"}), PAYRULES_INVALID_REQUEST, "op"),
        (json!({"op": "close"}), PAYRULES_INVALID_REQUEST, "period"),
        (
            json!({"op": "close", "period": "2026-10", "x": 1}),
            PAYRULES_INVALID_REQUEST,
            "x",
        ),
        (
            json!({"op": "close", "period": "2026-10"}),
            PAYRULES_BOOK_REFUSED,
            "2026-10 has not been paid",
        ),
        (
            json!({"op": "pay", "request": {"period": "2026-13"}}),
            PAYRULES_BOOK_REFUSED,
            "2026-13",
        ),
        (
            json!({"op": "pay", "request": {"kind": "annual", "period": "2026"}}),
            PAYRULES_BOOK_REFUSED,
            "monthly",
        ),
        (
            json!({"op": "pay", "request": {"period": "2026-10", "workers": 3}}),
            PAYRULES_INVALID_REQUEST,
            "expected a sequence",
        ),
        (
            json!({"op": "annual", "request": {"period": "2026"}}),
            PAYRULES_BOOK_REFUSED,
            "close 2026-12 first",
        ),
    ] {
        let (status, doc, message) = call(&book, &command);
        assert_eq!(status, want, "{command}: {message}");
        assert!(doc.is_none());
        assert!(message.contains(says), "{command}: {message}");
    }
    // Input errors: the response is written, nothing stored.
    let mut req = month("2026-10", "pass");
    req["workers"][1]["hired_on"] = json!("2021-02-30");
    let (status, doc, message) = call(&book, &json!({"op": "pay", "request": req}));
    assert_eq!(status, PAYRULES_INPUT_ERRORS, "{message}");
    let doc = doc.unwrap();
    assert_eq!(doc["stored"], false);
    assert_eq!(doc["run"]["complete"], false);
    assert!(
        message.contains("nothing stored") && message.contains("W2"),
        "{message}"
    );
    assert_eq!(ok(&book, json!({"op": "months"})), json!({"months": []}));

    // NULL arguments and text that is not UTF-8.
    let mut resp: *mut c_char = null_mut();
    let cmd = br#"{"op":"months"}"#;
    let s = unsafe {
        payrules_book_json(
            null_mut(),
            cmd.as_ptr().cast(),
            cmd.len(),
            &mut resp,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(s, PAYRULES_NULL_ARGUMENT);
    let s = unsafe { payrules_book_json(book.0, null(), 0, &mut resp, null_mut(), null_mut()) };
    assert_eq!(s, PAYRULES_NULL_ARGUMENT);
    let s = unsafe {
        payrules_book_json(
            book.0,
            cmd.as_ptr().cast(),
            cmd.len(),
            null_mut(),
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(s, PAYRULES_NULL_ARGUMENT);
    let bad = b"{\"op\":\"\xff\"}";
    let s = unsafe {
        payrules_book_json(
            book.0,
            bad.as_ptr().cast(),
            bad.len(),
            &mut resp,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(s, PAYRULES_INVALID_UTF8);
    assert!(resp.is_null());
    let s = unsafe { payrules_book_open(null(), null_mut(), null_mut()) };
    assert_eq!(s, PAYRULES_NULL_ARGUMENT);
    unsafe { payrules_book_free(null_mut()) };
    for code in [PAYRULES_BOOK_REFUSED, PAYRULES_BOOK_BUSY, PAYRULES_BOOK_IO] {
        let m = unsafe { std::ffi::CStr::from_ptr(payrules_status_message(code)) };
        assert!(m.to_str().unwrap().contains("book"), "{code}");
    }
}

#[test]
fn status_codes_keep_their_numbers() {
    assert_eq!(PAYRULES_PANIC, 19);
    assert_eq!(
        (PAYRULES_BOOK_REFUSED, PAYRULES_BOOK_BUSY, PAYRULES_BOOK_IO),
        (20, 21, 22)
    );
}

#[test]
fn one_handle_shared_by_threads_serialises_its_calls() {
    let dir = tempfile::tempdir().unwrap();
    let book = create(&dir.path().join("pay.book"), None).unwrap();
    ok(
        &book,
        json!({"op": "pay", "request": month("2026-10", "pass")}),
    );
    let results: Vec<u32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let book = &book;
                s.spawn(move || {
                    let mut statuses = Vec::new();
                    for _ in 0..5 {
                        let cmd = if i % 2 == 0 {
                            json!({"op": "pay", "request": month("2026-10", "pass")})
                        } else {
                            json!({"op": "history", "worker_id": "W1"})
                        };
                        statuses.push(call(book, &cmd).0);
                    }
                    statuses
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(results.iter().all(|s| *s == PAYRULES_OK), "{results:?}");
    let h = ok(&book, json!({"op": "history", "worker_id": "W1"}));
    assert_eq!(h["periods"].as_array().unwrap().len(), 1);
    assert_eq!(h["periods"][0]["gross"], "4400.00");
}

#[test]
fn a_book_written_by_another_connection_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pay.book");
    let book = create(&path, None).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (status, doc, message) = call(
        &book,
        &json!({"op": "pay", "request": month("2026-10", "pass")}),
    );
    assert_eq!(status, PAYRULES_BOOK_BUSY, "{message}");
    assert!(doc.is_none());
    assert!(message.contains("busy"), "{message}");
    c.execute_batch("ROLLBACK").unwrap();
    ok(
        &book,
        json!({"op": "pay", "request": month("2026-10", "pass")}),
    );
}
