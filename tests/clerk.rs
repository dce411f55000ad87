//! The clerk's month (issue 16): nobody dropped silently, files Excel opens
//! right, the bank file and the 工资条.

use payrules::app::{Console, run_args};
use std::path::{Path, PathBuf};

struct Out {
    code: u8,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let mut con = Console::buffered();
    let code = run_args(
        std::iter::once("payrules").chain(args.iter().copied()),
        &mut con,
    );
    Out {
        code,
        stdout: con.stdout_bytes().to_vec(),
        stderr: con.stderr_text(),
    }
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("payrules-clerk-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, text: &str) -> String {
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Nine roster rows: seven employed in 2026-11, one hired after it, one who
/// left before it.
const ROSTER: &str = "工号,姓名,社区,岗位,职称,入职日期,离职日期
W01,甲,东湖社区,社区工作者,,2015-03-01,
W02,乙,东湖社区,社区工作者,,2015-03-01,
W03,丙,东湖社区,社区工作者,,2015-03-01,
W04,丁,西湖社区,社区工作者,,2015-03-01,
W05,戊,西湖社区,社区工作者,,2015-03-01,
W06,己,西湖社区,社区工作者,,2015-03-01,
W07,庚,西湖社区,社区工作者,,2015-03-01,
W08,辛,西湖社区,社区工作者,,2026-12-01,
W09,壬,东湖社区,社区工作者,,2015-03-01,2026-09-30
";

fn assessments(ids: &[&str]) -> String {
    let mut s = String::from("工号,考核期间,等次\n");
    for id in ids {
        s.push_str(&format!("{id},2026-11,合格\n"));
    }
    s
}

#[test]
fn a_row_hired_after_the_period_is_listed_not_dropped() {
    let d = dir("hired-after");
    let roster = write(&d, "roster.csv", ROSTER);
    let ass = write(
        &d,
        "ass.csv",
        &assessments(&["W01", "W02", "W03", "W04", "W05", "W06", "W07"]),
    );
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &ass,
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "roster.csv:9: worker W08: not paid: hired 2026-12-01, after the period 2026-11"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "roster.csv:10: worker W09: not paid: left 2026-09-30, before the period 2026-11"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("7 workers paid"), "{}", out.stderr);
    assert!(
        out.stderr.contains("2 roster row(s) not paid"),
        "{}",
        out.stderr
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let np = v["not_paid"].as_array().unwrap();
    assert_eq!(np.len(), 2);
    assert_eq!(np[0]["worker_id"], "W08");
    assert_eq!(np[0]["reason"], "hired_after_period");
    assert_eq!(np[0]["line"], 9);
    assert_eq!(np[1]["worker_id"], "W09");
    assert_eq!(np[1]["reason"], "left_before_period");
    assert_eq!(v["payslips"].as_array().unwrap().len(), 7);
}

#[test]
fn a_hire_date_typo_2062_is_an_error_not_a_drop() {
    let d = dir("typo");
    let roster = write(
        &d,
        "roster.csv",
        &ROSTER.replace("2026-12-01", "2062-12-01"),
    );
    let ass = write(
        &d,
        "ass.csv",
        &assessments(&["W01", "W02", "W03", "W04", "W05", "W06", "W07"]),
    );
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &ass,
        "-q",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("roster.csv:9:6: worker W08: hired_on: hire date 2062-12-01 is more than a year after the period 2026-11"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_grade_for_a_worker_not_employed_is_a_warning_and_strict_refuses_it() {
    let d = dir("grade-absent");
    let roster = write(&d, "roster.csv", ROSTER);
    let ass = write(
        &d,
        "ass.csv",
        &assessments(&["W01", "W02", "W03", "W04", "W05", "W06", "W07", "W08"]),
    );
    let args = [
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &ass,
        "--format",
        "csv",
        "-q",
    ];
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("ass.csv:9:1: warning: worker W08: grade: an assessment for 2026-11 of a worker not employed in it"), "{}", out.stderr);
    let mut strict = args.to_vec();
    strict.push("--strict");
    let out = run(&strict);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("(an error under --strict)"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_not_paid_sheet_is_in_the_workbook() {
    use calamine::{Reader, Xlsx, open_workbook};
    let d = dir("np-sheet");
    let roster = write(&d, "roster.csv", ROSTER);
    let ass = write(
        &d,
        "ass.csv",
        &assessments(&["W01", "W02", "W03", "W04", "W05", "W06", "W07"]),
    );
    let xlsx = d.join("pay.xlsx");
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &ass,
        "--output",
        xlsx.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range("未发放 Not paid").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], "W08");
    assert_eq!(rows[1][3], "hired_after_period");
    assert!(rows[1][5].ends_with("roster.csv:9"), "{:?}", rows[1]);
    assert_eq!(rows[2][0], "W09");
}

mod accounting {
    use payrules::hrfile::Origins;
    use payrules::hrfile::accounted::not_paid;
    use payrules::run::{Kind, Request};
    use payrules::worker::{AssessmentRecord, WorkerRecord};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const HIRED: [&str; 6] = [
        "2015-03-01",
        "2026-11-15",
        "2026-12-01",
        "2062-12-01",
        "2026-13-01",
        "",
    ];
    const LEFT: [Option<&str>; 4] = [None, Some("2026-09-30"), Some("2026-11-10"), Some("bad")];
    const POSITION: [&str; 2] = ["社区工作者", "bogus"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every roster row is paid, listed as not paid, or has an error:
        /// exactly one of the three.
        #[test]
        fn paid_not_paid_and_errors_cover_every_row_once(
            rows in proptest::collection::vec((0..6usize, 0..4usize, 0..2usize, any::<bool>()), 1..25)
        ) {
            let mut req = Request {
                kind: Kind::Monthly,
                period: "2026-11".into(),
                policy: None,
                workers: Vec::new(),
                assessments: Vec::new(),
                honours: Vec::new(),
                tax: Vec::new(),
                ytd: Vec::new(),
                adjustments: Vec::new(),
                changes: Vec::new(),
            };
            for (i, &(h, l, p, graded)) in rows.iter().enumerate() {
                let id = format!("W{i:02}");
                req.workers.push(WorkerRecord {
                    id: id.clone(),
                    name: format!("工{i}"),
                    unit: "东湖社区".into(),
                    position: POSITION[p].into(),
                    title: String::new(),
                    hired_on: HIRED[h].into(),
                    left_on: LEFT[l].map(str::to_string),
                    probation_until: None,
                });
                if graded {
                    req.assessments.push(AssessmentRecord {
                        worker_id: id,
                        period: "2026-11".into(),
                        grade: Some("合格".into()),
                        score: None,
                    });
                }
            }
            let (np, problems) = not_paid(&req, &Origins::default());
            let run = payrules::run::run(&req, None).unwrap();
            let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for s in &run.payslips {
                seen.entry(run.workers[s.worker].id.clone()).or_default().push("paid");
            }
            for n in &np {
                seen.entry(n.worker_id.clone()).or_default().push("not_paid");
            }
            let mut errors: std::collections::BTreeSet<String> = run
                .errors
                .iter()
                .filter_map(|e| e.worker_id.clone())
                .collect();
            errors.extend(problems.iter().filter(|p| !p.warning).filter_map(|p| p.worker_id.clone()));
            for id in errors {
                seen.entry(id).or_default().push("error");
            }
            for (i, _) in rows.iter().enumerate() {
                let id = format!("W{i:02}");
                let got = seen.get(&id).cloned().unwrap_or_default();
                prop_assert_eq!(got.len(), 1, "row {} ({:?}) is {:?}", id, req.workers[i], got);
            }
        }
    }
}

#[test]
fn an_unknown_money_column_is_an_error_naming_the_closest_header() {
    let d = dir("money-col");
    let roster = write(
        &d,
        "roster.csv",
        "工号,姓名,社区,岗位,入职日起,扣款\nW01,甲,东湖社区,社区工作者,2015-03-01,\"1,300.00\"\n",
    );
    let out = run(&["monthly", "--period", "2026-11", "--roster", &roster, "-q"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // A typo'd header names the one meant.
    assert!(
        out.stderr
            .contains("roster.csv:1:5: unknown column \"入职日起\" (did you mean \"入职日期\"?)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("roster.csv:1:6: unknown column \"扣款\"; it looks like money, and no amount of it is paid or deducted; rename it, or pass --ignore-column \"扣款\""),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
    // Ignored knowingly: a warning that still says it is money.
    let roster = write(
        &d,
        "roster2.csv",
        "工号,姓名,社区,岗位,入职日期,扣款\nW01,甲,东湖社区,社区工作者,2015-03-01,\"1,300.00\"\n",
    );
    let ass = write(&d, "ass.csv", &assessments(&["W01"]));
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &ass,
        "--ignore-column",
        "扣款",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "warning: column \"扣款\" ignored as --ignore-column asks; it looks like money"
        ),
        "{}",
        out.stderr
    );
}
