//! `payrules run` and `payrules policy`: exit codes, outputs, nothing partial.

use std::path::PathBuf;
use std::process::{Command, Output};

fn payrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(args)
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payrules-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn golden(name: &str) -> String {
    format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn complete_run_exits_0_and_writes_the_response() {
    let out = tmp("complete.json");
    let o = payrules(&[
        "run",
        &golden("monthly-example.request.json"),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let want = std::fs::read_to_string(golden("monthly-example.response.json")).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), want);
}

#[test]
fn input_errors_exit_2_with_the_response_written() {
    let o = payrules(&["run", &golden("errors.request.json")]);
    assert_eq!(o.status.code(), Some(2));
    let want = std::fs::read_to_string(golden("errors.response.json")).unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), want);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("workers[0]: worker E1: title: unknown title \"doctor\""),
        "{err}"
    );
}

#[test]
fn unreadable_request_exits_1_and_writes_nothing() {
    let bad = tmp("bad.json");
    std::fs::write(&bad, "{\"kind\": \"monthly\",").unwrap();
    let out = tmp("never.json");
    let o = payrules(&[
        "run",
        bad.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists(), "no output for an unreadable request");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("bad.json: request is not a valid run document: EOF while parsing"),
        "{err}"
    );
    let o = payrules(&["run", "/nonexistent/request.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read /nonexistent/request.json"));
}

#[test]
fn policy_show_and_check() {
    let o = payrules(&["policy", "show", "--on", "2026-11-01"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("# policy gulou version 2018 — in force on 2026-11-01\n"),
        "{text}"
    );
    assert!(text.contains("excellent = \"1300.00\""));
    let o = payrules(&["policy", "show", "--on", "2017-06-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no version in force on 2017-06-01"));

    let good = tmp("good.toml");
    std::fs::write(&good, payrules::policy::BUILTIN_TOML).unwrap();
    let o = payrules(&["policy", "check", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok — policy gulou with 1 version(s)"));

    let bad = tmp("bad.toml");
    let text = payrules::policy::BUILTIN_TOML
        .replace("excellent = \"1300.00\"", "excellent = \"1400.00\"")
        .replace("good = \"0.60\"", "good = \"0.90\"");
    std::fs::write(&bad, text).unwrap();
    let o = payrules(&["policy", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("policy has 2 problem(s)"), "{err}");
    assert!(
        err.contains(
            "versions[0].monthly_bonus.excellent: 1400.00 is outside the band 900.00..1300.00"
        ),
        "{err}"
    );
    assert!(
        err.contains("versions[0].quota: excellent 0.20 + good 0.90 = 1.10 is over 1"),
        "{err}"
    );
}
