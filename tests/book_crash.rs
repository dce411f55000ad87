//! The book under a killed process and two writers: `payrules pay` killed
//! with SIGKILL at points spread over its run leaves the book exactly as it
//! was (verify passes; the month is absent or its old draft), and two `pay`
//! commands on one book at once both finish (one waits for the other) or
//! one fails saying the book is busy; the book stays consistent.
#![cfg(unix)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_payrules");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A roster and assessments of `n` workers for `period`, all of `grade`.
fn files_graded(d: &Path, n: usize, period: &str, grade: &str) -> (String, String) {
    let mut r = String::from("id,name,unit,position,title,hired_on\n");
    let mut a = String::from("worker_id,period,grade\n");
    for i in 0..n {
        let _ = writeln!(
            r,
            "W{i:06},社工{i},社区{},community_worker,none,2020-01-01",
            i / 50
        );
        let _ = writeln!(a, "W{i:06},{period},{grade}");
    }
    let rp = d.join(format!("roster-{period}-{grade}.csv"));
    let ap = d.join(format!("assess-{period}-{grade}.csv"));
    std::fs::write(&rp, r).unwrap();
    std::fs::write(&ap, a).unwrap();
    (
        rp.to_string_lossy().into_owned(),
        ap.to_string_lossy().into_owned(),
    )
}

fn files(d: &Path, n: usize, period: &str) -> (String, String) {
    files_graded(d, n, period, "pass")
}

/// The whitespace-separated words of a text, to compare table rows.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pay_args<'a>(book: &'a str, period: &'a str, r: &'a str, a: &'a str) -> Vec<&'a str> {
    vec![
        "pay",
        "--book",
        book,
        "--period",
        period,
        "--roster",
        r,
        "--assessments",
        a,
        "--format",
        "csv",
        "--quiet",
    ]
}

/// The book's state as seen through payrules: its months, every payslip
/// summed per month and unit, and one worker's history.
fn state(book: &str) -> String {
    let m = run(&["book", "months", book]);
    let r = run(&[
        "report", "--book", book, "--year", "2026", "--format", "csv",
    ]);
    let h = run(&[
        "history", "--book", book, "--worker", "W000007", "--format", "json",
    ]);
    format!("{}{}{}", text(&m.stdout), text(&r.stdout), text(&h.stdout))
}

fn setup(name: &str, n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let book = dir.path().join("pay.book");
    let b = book.to_string_lossy().into_owned();
    assert!(run(&["book", "init", &b]).status.success());
    let (r, a) = files(dir.path(), n, "2026-01");
    let o = run(&pay_args(&b, "2026-01", &r, &a));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        run(&["close", "--book", &b, "--period", "2026-01"])
            .status
            .success()
    );
    (dir, book)
}

#[test]
fn a_pay_killed_at_any_point_leaves_the_book_as_it_was() {
    let (dir, book) = setup("kill", 12_000);
    let b = book.to_string_lossy().into_owned();
    let (r, a) = files(dir.path(), 12_000, "2026-02");
    // The state after a complete pay of February (on a copy of the book).
    let copy = dir.path().join("copy.book");
    std::fs::copy(&book, &copy).unwrap();
    let c = copy.to_string_lossy().into_owned();
    let t = Instant::now();
    assert!(run(&pay_args(&c, "2026-02", &r, &a)).status.success());
    // How long an uninterrupted pay takes, to spread the kills over it.
    let full = t.elapsed();
    let after = state(&c);
    // The book holds an old draft of February, on other grades.
    let (r0, a0) = files_graded(dir.path(), 12_000, "2026-02", "fail");
    let o = run(&pay_args(&b, "2026-02", &r0, &a0));
    assert!(o.status.success(), "{}", text(&o.stderr));
    let before = state(&b);
    assert!(
        words(&before).contains("2026-02 monthly draft 12000"),
        "{before}"
    );
    assert_ne!(before, after);
    let mut killed = 0;
    for k in 1..=12u32 {
        let at = full * k / 12;
        let mut child = Command::new(BIN)
            .args(pay_args(&b, "2026-02", &r, &a))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let v = run(&["book", "verify", &b]);
        assert!(v.status.success(), "kill at {at:?}: {}", text(&v.stderr));
        let now = state(&b);
        if now != before {
            // Killed after its commit: the new draft, whole.
            assert_eq!(now, after, "kill at {at:?}");
            let o = run(&pay_args(&b, "2026-02", &r0, &a0));
            assert!(o.status.success());
        }
    }
    assert!(
        killed >= 6,
        "only {killed} of 12 runs were killed before they finished"
    );
    // The book still takes the month and closes it.
    assert!(run(&pay_args(&b, "2026-02", &r, &a)).status.success());
    assert!(
        run(&["close", "--book", &b, "--period", "2026-02"])
            .status
            .success()
    );
    assert!(run(&["book", "verify", &b]).status.success());
}

#[test]
fn two_pays_at_once_wait_or_fail_clearly_and_the_book_stays_consistent() {
    let (dir, book) = setup("two", 5_000);
    let b = book.to_string_lossy().into_owned();
    let (r, a) = files(dir.path(), 5_000, "2026-02");
    let spawn = || {
        Command::new(BIN)
            .args(pay_args(&b, "2026-02", &r, &a))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (one, two) = (spawn(), spawn());
    let outs = [
        one.wait_with_output().unwrap(),
        two.wait_with_output().unwrap(),
    ];
    for o in &outs {
        let e = text(&o.stderr);
        assert!(
            o.status.success() || e.contains("the book is busy"),
            "{}: {e}",
            o.status
        );
    }
    assert!(outs.iter().any(|o| o.status.success()));
    assert!(run(&["book", "verify", &b]).status.success());
    let m = words(&text(&run(&["book", "months", &b]).stdout));
    assert!(m.contains("2026-02 monthly draft 5000"), "{m}");
    assert!(
        run(&["close", "--book", &b, "--period", "2026-02"])
            .status
            .success()
    );
}
