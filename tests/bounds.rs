//! Issue 12, part 3: a small hostile file cannot make payrules allocate
//! without end, and messages quote at most the start of a long value.

use payrules::hrfile::{ReadOptions, read_roster};
use std::process::Command;

fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("花名册").unwrap();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn roster_error(name: &str, bytes: Vec<u8>) -> String {
    match read_roster(name, bytes, &ReadOptions::default(), None) {
        Ok(_) => panic!("{name} was read"),
        Err(p) => p
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn xlsx_with_a_far_corner_cell_is_refused_not_allocated() {
    let bytes = xlsx(&[(0, 0, "工号"), (1_048_575, 16_383, "x")]);
    assert!(bytes.len() < 8_000, "{}", bytes.len());
    let e = roster_error("far.xlsx", bytes);
    assert!(e.contains("far.xlsx"), "{e}");
    assert!(e.contains("\"花名册\""), "{e}");
    assert!(e.contains("XFD1048576"), "{e}");
    // columns alone (a sheet has at most 1,048,576 rows, under the 2,000,000 bound)
    let e = roster_error("cols.xlsx", xlsx(&[(0, 0, "工号"), (0, 200, "x")]));
    assert!(e.contains("200 columns"), "{e}");
    // 200 columns by 10 rows is a sheet like any other (its header is wrong, not its size)
    let e = roster_error("ok.xlsx", xlsx(&[(0, 0, "工号"), (9, 199, "x")]));
    assert!(!e.contains("columns, which"), "{e}");
}

#[test]
fn a_non_text_json_cell_is_quoted_short() {
    let big = format!("[{}]", vec!["1"; 50_000].join(","));
    let json = format!(r#"[{{"id": {big}, "unit": "U"}}]"#);
    let e = roster_error("r.json", json.into_bytes());
    assert!(e.contains("is not text"), "{e}");
    assert!(e.len() < 400, "{} bytes: {}", e.len(), &e[..400]);
}

#[test]
fn request_fields_are_bounded_and_errors_short() {
    let long = "名".repeat(30_000); // 90,000 bytes
    let req = serde_json::json!({"kind": "monthly", "period": "2026-11", "workers": [
        {"id": "W1", "name": long, "unit": "U", "position": "community_worker", "hired_on": "2020-01-01"}
    ]});
    let e = payrules::run_json(req.to_string().as_bytes(), None)
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(e.contains("workers[0].name: 90000 bytes"), "{e}");
    assert!(e.len() < 500, "{}", e.len());
    // serde's own message echoes the value: only its start is quoted
    let req = serde_json::json!({"kind": "x".repeat(100_000), "period": "2026-11", "workers": []});
    let e = payrules::run_json(req.to_string().as_bytes(), None)
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(e.contains("bytes in all"), "{e}");
    assert!(e.contains("at line 1"), "{e}");
    assert!(e.len() < 500, "{}", e.len());
}

#[test]
fn a_request_over_1_gib_is_refused_before_it_is_read() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len((1 << 30) + 1).unwrap(); // sparse: no disk used
    let o = Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(["run", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("big.json") && e.contains("larger than 1 GiB"),
        "{e}"
    );
}

#[test]
fn whatif_request_fields_are_bounded_too() {
    let req = serde_json::json!({"kind": "whatif", "period": "2026-11",
        "reform": include_str!("../examples/reforms/monthly-bonus-plus-100.toml"),
        "workers": [{"id": "W1", "unit": "u".repeat(70_000), "position": "community_worker", "hired_on": "2020-01-01"}]
    });
    let e = payrules::run_json(req.to_string().as_bytes(), None)
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(e.contains("workers[0].unit: 70000 bytes"), "{e}");
    assert!(e.len() < 500, "{}", e.len());
}

/// Adversarial shapes stay linear (issue 12, part 4): one worker with
/// 50,000 assessments, and 50,000 scored workers in one quota pool. A
/// quadratic loop here would take minutes; this test pins the outcome, not
/// the time.
#[test]
fn one_worker_with_many_assessments_and_one_huge_pool() {
    use serde_json::json;
    let n = 50_000;
    let worker = |i: usize| {
        json!({"id": format!("W{i:06}"), "unit": "U", "position": "community_worker",
               "hired_on": "2020-01-01"})
    };
    let assessments: Vec<_> = (0..n)
        .map(|_| json!({"worker_id": "W000000", "period": "2026-11", "grade": "good"}))
        .collect();
    let req = json!({"kind": "monthly", "period": "2026-11", "workers": [worker(0)],
                     "assessments": assessments});
    let resp = payrules::run_json(req.to_string().as_bytes(), None).unwrap();
    let v: serde_json::Value = serde_json::from_str(&resp.json).unwrap();
    // every assessment after the first is an error naming the worker, and a
    // worker assessed twice is not paid until the assessments are mended
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), n - 1);
    assert!(errors.iter().all(|e| e["worker_id"] == "W000000"));
    assert_eq!(v["payslips"].as_array().unwrap().len(), 0);

    let workers: Vec<_> = (0..n).map(worker).collect();
    let scores: Vec<_> = (0..n)
        .map(|i| {
            json!({"worker_id": format!("W{i:06}"), "period": "2026-11",
                        "score": format!("{}", i % 100)})
        })
        .collect();
    let req = json!({"kind": "monthly", "period": "2026-11", "workers": workers,
                     "assessments": scores});
    let resp = payrules::run_json(req.to_string().as_bytes(), None).unwrap();
    let v: serde_json::Value = serde_json::from_str(&resp.json).unwrap();
    let pool = &v["quota"][0];
    assert_eq!(pool["graded"], n);
    // 20% excellent, 60% good of 50,000, and never more than that
    assert_eq!(pool["excellent"]["allowed"], 10_000);
    assert_eq!(pool["good"]["allowed"], 30_000);
    let used = |g: &str| pool[g]["used"].as_u64().unwrap();
    assert!(
        used("excellent") <= 10_000 && used("excellent") > 0,
        "{pool}"
    );
    assert!(used("good") <= 30_000 && used("good") > 0, "{pool}");
    assert_eq!(v["payslips"].as_array().unwrap().len(), n);
}

#[test]
fn tax_and_ytd_fields_are_bounded_too() {
    let long = "9".repeat(70_000);
    let worker = serde_json::json!({"id": "W1", "unit": "U", "position": "community_worker",
                                    "hired_on": "2020-01-01"});
    for (list, record, field) in [
        (
            "tax",
            serde_json::json!({"worker_id": "W1", "contribution_base": long}),
            "contribution_base",
        ),
        (
            "ytd",
            serde_json::json!({"worker_id": "W1", "year": "2026", "income": long}),
            "income",
        ),
    ] {
        let req = serde_json::json!({"kind": "monthly", "period": "2026-11",
                                     "workers": [worker.clone()], list: [record]});
        let e = payrules::run_json(req.to_string().as_bytes(), None)
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(
            e.contains(&format!("{list}[0].{field}: 70000 bytes")),
            "{e}"
        );
        assert!(e.len() < 500, "{}", e.len());
        // the same through the run document's own parser
        let e = payrules::Request::from_json(req.to_string().as_bytes()).unwrap_err();
        assert!(e.to_string().contains(&format!("{list}[0].{field}")), "{e}");
    }
}

/// A change's fields are bounded on every path: a run request, and the
/// book's `correct` command (whose corrected lists are checked before the
/// book is touched).
#[test]
fn change_fields_are_bounded_in_runs_and_book_corrections() {
    let long = "社".repeat(30_000); // 90,000 bytes
    let worker = serde_json::json!({"id": "W1", "unit": "U", "position": "community_worker",
                                    "hired_on": "2020-01-01"});
    let change = serde_json::json!({"worker_id": "W1", "on": "2026-11-16", "unit": long});
    let req = serde_json::json!({"kind": "monthly", "period": "2026-11",
                                 "workers": [worker], "changes": [change.clone()]});
    let e = payrules::run_json(req.to_string().as_bytes(), None).expect_err("refused");
    assert!(
        e.to_string().contains("changes[0].unit: 90000 bytes"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut book = payrules::book::Book::init(&dir.path().join("b.db"), None).unwrap();
    let cmd = serde_json::json!({"op": "correct", "period": "2026-09", "reason": "late",
                                 "changes": [change]});
    let e = payrules::book::run_command(&mut book, cmd.to_string().as_bytes())
        .map(|_| ())
        .expect_err("refused");
    assert!(
        e.to_string().contains("changes[0].unit: 90000 bytes"),
        "{e}"
    );
    assert!(e.to_string().len() < 500, "{e}");
}
