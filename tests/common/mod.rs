//! Helpers shared by the integration tests.
#![allow(dead_code)]

use payrules::policy::PolicySet;
use payrules::run::{Request, Run, run};
use serde_json::{Value, json};

/// A worker record as JSON, with the given overrides.
pub fn worker(id: &str, extra: Value) -> Value {
    let mut w = json!({
        "id": id, "name": format!("社工{id}"), "unit": "温泉社区",
        "position": "community_worker", "title": "none", "hired_on": "2020-01-01"
    });
    for (k, v) in extra.as_object().unwrap() {
        w[k] = v.clone();
    }
    w
}

/// An assessment record.
pub fn grade(id: &str, period: &str, grade: &str) -> Value {
    json!({"worker_id": id, "period": period, "grade": grade})
}

/// Runs a request given as JSON under `policy` (the built-in when `None`).
pub fn run_doc(doc: Value, policy: Option<&PolicySet>) -> Run {
    let req: Request = serde_json::from_value(doc).unwrap();
    run(&req, policy).unwrap()
}

/// The run's response as JSON.
pub fn response(r: &Run) -> Value {
    serde_json::from_str(&r.to_json()).unwrap()
}

/// The amount of `code` on the payslip of `id`, as a string.
pub fn amount(resp: &Value, id: &str, code: &str) -> String {
    let slip = slip(resp, id);
    let lines = slip["lines"].as_array().unwrap();
    let found: Vec<&Value> = lines.iter().filter(|l| l["code"] == code).collect();
    assert_eq!(found.len(), 1, "{id}: expected one {code} line in {slip}");
    found[0]["amount"].as_str().unwrap().to_string()
}

/// The payslip of `id`.
pub fn slip<'a>(resp: &'a Value, id: &str) -> &'a Value {
    resp["payslips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["worker_id"] == id)
        .unwrap_or_else(|| panic!("no payslip for {id} in {resp}"))
}

/// The built-in policy with text replacements applied.
pub fn policy_with(replacements: &[(&str, &str)]) -> PolicySet {
    let mut text = PolicySet::builtin().to_toml();
    for (from, to) in replacements {
        assert!(text.contains(from), "{from:?} not in the built-in policy");
        text = text.replacen(from, to, 1);
    }
    PolicySet::from_toml(&text).unwrap()
}
