//! Golden cases: every `tests/golden/NAME.request.json` run through
//! `run_json` must give exactly `NAME.response.json`, byte for byte. The C
//! and Python tests run the same files, so the faces cannot drift apart.
//!
//! After an intended change, rewrite the expected files with
//! `PAYRULES_BLESS=1 cargo test --test golden` and review the diff.

use payrules::run_json;
use std::path::Path;

#[test]
fn golden_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("PAYRULES_BLESS").is_some();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".request.json").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 4, "golden cases missing: {names:?}");
    let mut failed = vec![];
    for name in &names {
        let req = std::fs::read(dir.join(format!("{name}.request.json"))).unwrap();
        let got = run_json(&req, None).unwrap().json + "\n";
        let path = dir.join(format!("{name}.response.json"));
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            let first = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            failed.push(format!(
                "{name}: differs from line {} — got {:?}, want {:?}",
                first + 1,
                got.lines().nth(first),
                want.lines().nth(first)
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "golden mismatches (PAYRULES_BLESS=1 to rewrite):\n{}",
        failed.join("\n")
    );
}

/// `"explain": false` in any golden request gives its golden response with
/// each payslip line reduced to `code` and `amount`: the same amounts,
/// totals, errors and states, no `rule` or `explain` text.
#[test]
fn explain_false_is_the_golden_response_without_the_texts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut checked = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".request.json") else {
            continue;
        };
        let mut req: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
        if !matches!(req["kind"].as_str(), Some("monthly" | "annual")) {
            continue;
        }
        req["explain"] = false.into();
        let got: serde_json::Value = serde_json::from_str(
            &run_json(&serde_json::to_vec(&req).unwrap(), None)
                .unwrap()
                .json,
        )
        .unwrap();
        let mut want: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{stem}.response.json"))).unwrap(),
        )
        .unwrap();
        let mut lines = 0;
        for slip in want["payslips"].as_array_mut().unwrap() {
            for line in slip["lines"].as_array_mut().unwrap() {
                let l = line.as_object_mut().unwrap();
                assert!(l.remove("rule").is_some() && l.remove("explain").is_some());
                lines += 1;
            }
        }
        assert_eq!(got, want, "{stem}");
        checked += usize::from(lines > 0);
    }
    assert!(checked >= 2, "fewer than two golden cases with lines");
}
