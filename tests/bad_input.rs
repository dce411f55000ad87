//! Bad input: each a clear error naming the worker and field, never a panic.

mod common;
use common::*;
use payrules::run::{Request, RequestError, run};
use payrules::run_json;
use serde_json::{Value, json};

fn five(extra: Value) -> Value {
    let mut workers = vec![];
    let mut assessments = vec![];
    for i in 0..5 {
        let id = format!("W{i}");
        workers.push(worker(&id, json!({})));
        assessments.push(grade(&id, "2026-11", "pass"));
    }
    let mut d = json!({"kind": "monthly", "period": "2026-11", "workers": workers, "assessments": assessments});
    for (k, v) in extra.as_object().unwrap() {
        d[k] = v.clone();
    }
    d
}

/// Runs `d` and returns (response, the errors as (worker_id, field, message)).
fn errors(d: Value) -> (Value, Vec<(Value, String, String)>) {
    let r = response(&run_doc(d, None));
    let errs = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["worker_id"].clone(),
                e["field"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(r["complete"], false);
    (r, errs)
}

fn paid(r: &Value) -> Vec<String> {
    r["payslips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["worker_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn unknown_codes_name_worker_and_field() {
    for (field, value, expect) in [
        (
            "title",
            "doctor",
            "unknown title \"doctor\"; expected one of: none (无), assistant_social_worker",
        ),
        (
            "position",
            "mayor",
            "unknown position \"mayor\"; policy gulou 2018 has: career_secretary (事业编制社区书记)",
        ),
        ("hired_on", "2026-02-30", "\"2026-02-30\" is not a date"),
    ] {
        let mut d = five(json!({}));
        d["workers"][2][field] = json!(value);
        let (r, errs) = errors(d);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].0, "W2");
        assert_eq!(errs[0].1, field);
        assert!(errs[0].2.contains(expect), "{}", errs[0].2);
        // The others are still paid.
        assert_eq!(paid(&r), ["W0", "W1", "W3", "W4"]);
    }
    let mut d = five(json!({}));
    d["assessments"][1]["grade"] = json!("great");
    let (_, errs) = errors(d);
    assert_eq!(
        (errs[0].0.clone(), errs[0].1.as_str()),
        (json!("W1"), "grade")
    );
    assert!(
        errs[0].2.contains("unknown grade \"great\""),
        "{}",
        errs[0].2
    );
    let d = five(
        json!({"honours": [{"worker_id": "W1", "level": "county", "awarded_on": "2026-11-01"}]}),
    );
    let (r, errs) = errors(d);
    assert_eq!(
        (errs[0].0.clone(), errs[0].1.as_str()),
        (json!("W1"), "level")
    );
    assert!(
        errs[0].2.contains("unknown honour level \"county\""),
        "{}",
        errs[0].2
    );
    assert!(
        !paid(&r).contains(&"W1".to_string()),
        "a worker with a bad input is not paid"
    );
}

#[test]
fn left_before_hired() {
    let mut d = five(json!({}));
    d["workers"][0]["left_on"] = json!("2019-12-31");
    let (_, errs) = errors(d);
    assert_eq!(errs[0].1, "left_on");
    assert!(
        errs[0]
            .2
            .contains("left_on 2019-12-31 is before hired_on 2020-01-01")
    );
}

#[test]
fn duplicate_worker_ids() {
    let mut d = five(json!({}));
    d["workers"][3]["id"] = json!("W1");
    let (r, errs) = errors(d);
    let dup: Vec<_> = errs.iter().filter(|e| e.1 == "id").collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].0, "W1");
    assert!(
        dup[0].2.contains("duplicate worker id, given 2 times"),
        "{}",
        dup[0].2
    );
    assert!(!paid(&r).contains(&"W1".to_string()));
}

#[test]
fn records_for_unknown_workers() {
    let d = five(
        json!({"honours": [{"worker_id": "X9", "level": "national", "awarded_on": "2026-11-01"}]}),
    );
    let (_, errs) = errors(d);
    assert_eq!(
        errs,
        [(
            json!("X9"),
            "worker_id".to_string(),
            "no worker \"X9\" in the roster".to_string()
        )]
    );
    let mut d = five(json!({}));
    d["assessments"][4]["worker_id"] = json!("X8");
    let (_, errs) = errors(d);
    assert!(
        errs.contains(&(
            json!("X8"),
            "worker_id".into(),
            "no worker \"X8\" in the roster".into()
        )),
        "{errs:?}"
    );
    // W4 lost its assessment: an error too.
    assert!(
        errs.iter().any(|e| e.0 == "W4" && e.1 == "assessment"),
        "{errs:?}"
    );
}

#[test]
fn duplicate_assessments() {
    let mut d = five(json!({}));
    d["assessments"]
        .as_array_mut()
        .unwrap()
        .push(grade("W2", "2026-11", "good"));
    let (r, errs) = errors(d);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "W2");
    assert!(
        errs[0].2.contains("assessed more than once for 2026-11"),
        "{}",
        errs[0].2
    );
    assert!(!paid(&r).contains(&"W2".to_string()));
}

#[test]
fn json_float_where_a_string_belongs() {
    // A score or an amount as a JSON number is refused: the request is not read.
    let mut d = five(json!({}));
    d["assessments"][0] = json!({"worker_id": "W0", "period": "2026-11", "score": 85.5});
    let err = Request::from_json(d.to_string().as_bytes()).unwrap_err();
    assert!(matches!(err, RequestError::Json(_)));
    assert!(
        err.to_string()
            .contains("invalid type: floating point `85.5`, expected a string"),
        "{err}"
    );
    let err = serde_json::from_str::<payrules::money::Amount>("1300.1").unwrap_err();
    assert!(err.to_string().contains("amounts must be strings"), "{err}");
}

#[test]
fn malformed_documents() {
    for (bytes, expect) in [
        (&b""[..], "the request is empty"),
        (b"   \n", "the request is empty"),
        (b"{}", "missing field `kind`"),
        (b"{\"kind\": \"monthly\"", "EOF while parsing"),
        (b"[1,2]", "not a valid run document"),
        (b"\xff\xfe{}", "expected value"),
        (
            b"{\"kind\": \"weekly\", \"period\": \"2026-11\"}",
            "unknown variant `weekly`",
        ),
        (
            b"{\"kind\": \"monthly\", \"period\": \"2026-11\", \"wokers\": []}",
            "unknown field `wokers`",
        ),
    ] {
        let err = run_json(bytes, None).unwrap_err().to_string();
        assert!(
            err.contains(expect),
            "{:?}: {err}",
            String::from_utf8_lossy(bytes)
        );
    }
    for (period, expect) in [("2026-13", "is not a month"), ("2026/11", "is not a month")] {
        let d = json!({"kind": "monthly", "period": period});
        let err = run_json(d.to_string().as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{err}");
    }
    let d = json!({"kind": "annual", "period": "2026-11"});
    let err = run_json(d.to_string().as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not a year"), "{err}");
    // Malformed policy TOML in the request.
    let d = json!({"kind": "monthly", "period": "2026-11", "policy": "id = ["});
    let err = run_json(d.to_string().as_bytes(), None).unwrap_err();
    assert!(
        err.to_string().contains("policy is not valid TOML"),
        "{err}"
    );
    let d = json!({"kind": "monthly", "period": "2026-11", "policy": "id = \"x\"\nname = \"y\"\n[[versions]]\nversion = \"1\""});
    let err = run_json(d.to_string().as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("versions[0].effective_from: missing"), "{err}");
    assert!(err.contains("versions[0].monthly_bonus: missing"), "{err}");
}

#[test]
fn an_empty_roster_is_a_complete_empty_run() {
    let d = json!({"kind": "monthly", "period": "2026-11"});
    let req = Request::from_json(d.to_string().as_bytes()).unwrap();
    let r = run(&req, None).unwrap();
    assert!(r.complete());
    assert_eq!(
        response(&r)["totals"],
        json!({"workers": 0, "gross": "0.00", "by_code": {}, "by_unit": {}})
    );
}

#[test]
fn garbage_never_panics() {
    // Mutations of a valid request: every byte position flipped to a few
    // troublesome values. Each must give a response or an error, never a panic.
    let doc = five(json!({"honours": [{"worker_id": "W1", "level": "national", "awarded_on": "2026-11-01", "deed": "x"}]}))
        .to_string()
        .into_bytes();
    for i in (0..doc.len()).step_by(3) {
        for b in [b'"', b'9', b'-', b'\\', 0xff, b'}'] {
            let mut m = doc.clone();
            m[i] = b;
            let _ = run_json(&m, None);
        }
    }
}
