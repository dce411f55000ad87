//! Issue 12, part 5: years outside 1..9999 are refused everywhere, and
//! `policy show --on` reads dates as HR files write them.

use std::process::Command;

fn bin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn year_zero_is_refused() {
    use payrules::period::{parse_date, ymd};
    assert!(parse_date("0000-01-01").is_err());
    assert!(parse_date("0001-01-01").is_ok());
    assert!(parse_date("9999-12-31").is_ok());
    assert!(ymd(0, 1, 1).is_none());
    assert!(ymd(10_000, 1, 1).is_none());
    assert_eq!(payrules::hrfile::normalize_date("0000/1/1"), "0000/1/1");
    assert_eq!(payrules::hrfile::normalize_date("0001/1/1"), "0001-01-01");
}

#[test]
fn hired_on_year_zero_is_an_error_on_the_json_path() {
    let req = serde_json::json!({"kind": "monthly", "period": "2026-11", "workers": [
        {"id": "W1", "unit": "U", "position": "community_worker", "hired_on": "0000-01-01"},
        {"id": "W2", "unit": "U", "position": "community_worker", "hired_on": "2020-01-01"}
    ], "assessments": [
        {"worker_id": "W1", "period": "2026-11", "grade": "pass"},
        {"worker_id": "W2", "period": "2026-11", "grade": "pass"}
    ]});
    let resp = payrules::run_json(req.to_string().as_bytes(), None).unwrap();
    assert!(!resp.complete, "{}", resp.json);
    let v: serde_json::Value = serde_json::from_str(&resp.json).unwrap();
    let errors = v["errors"].to_string();
    assert!(
        errors.contains("W1") && errors.contains("0000-01-01"),
        "{errors}"
    );
    assert_eq!(v["payslips"].as_array().unwrap().len(), 1);
}

#[test]
fn policy_show_on_accepts_slashes_as_hr_files_do() {
    let dash = bin(&["policy", "show", "--on", "2026-11-01"]);
    assert_eq!(dash.status.code(), Some(0));
    for on in ["2026/11/01", "2026/11/1", "2026年11月1日"] {
        let o = bin(&["policy", "show", "--on", on]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{on}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.stdout, dash.stdout, "{on}");
    }
    let o = bin(&["policy", "show", "--on", "0000-01-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--on"));
}

#[test]
fn policy_effective_from_year_zero_is_refused() {
    let toml = payrules::policy::BUILTIN_TOML.replacen(
        "effective_from = ",
        "effective_from = 0000-01-01\n# was: ",
        1,
    );
    assert_ne!(toml, payrules::policy::BUILTIN_TOML);
    assert!(payrules::policy::PolicySet::from_toml(&toml).is_err());
    // year 1 is a date like any other
    let toml = toml.replace("0000-01-01", "0001-01-01");
    assert!(payrules::policy::PolicySet::from_toml(&toml).is_ok());
}
