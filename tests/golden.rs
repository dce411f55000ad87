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
