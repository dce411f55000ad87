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
                explain: true,
            };
            for (i, &(h, l, p, graded)) in rows.iter().enumerate() {
                let id = format!("W{i:02}");
                req.workers.push(WorkerRecord {
                    id: id.clone().into(),
                    name: format!("工{i}").into(),
                    unit: "东湖社区".into(),
                    position: POSITION[p].into(),
                    title: String::new().into(),
                    hired_on: HIRED[h].into(),
                    left_on: LEFT[l].map(Into::into),
                    probation_until: None,
                });
                if graded {
                    req.assessments.push(AssessmentRecord {
                        worker_id: id.into(),
                        period: "2026-11".into(),
                        grade: Some("合格".into()),
                        score: None,
                    });
                }
            }
            let (np, problems) = not_paid(&req, &req.workers, &req.assessments, &Origins::default());
            let run = payrules::run::run(&req, None).unwrap();
            let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for s in &run.payslips {
                seen.entry(run.workers[s.worker].id.to_string()).or_default().push("paid");
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

/// Three employed workers with bank columns (one account written in groups
/// of four).
const BANK_ROSTER: &str = "工号,姓名,社区,岗位,职称,入职日期,开户行,银行账号
B01,甲,东湖社区,社区工作者,,2015-03-01,中国工商银行南京鼓楼支行,6222 0210 0112 3456 789
B02,乙,东湖社区,社区工作者,,2015-03-01,南京银行鼓楼支行,6214830000000002
B03,丙,西湖社区,社区工作者,,2015-03-01,中国建设银行南京湖南路支行,6217000000000000003
";

#[test]
fn bank_file_has_a_row_per_paid_worker_and_a_total() {
    let d = dir("bank");
    let roster = write(&d, "roster.csv", BANK_ROSTER);
    let assess = write(&d, "a.csv", &assessments(&["B01", "B02", "B03"]));
    let out = d.join("pay.csv");
    let bank = d.join("bank.csv");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--output",
        out.to_str().unwrap(),
        "--bank-file",
        bank.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let bytes = std::fs::read(&bank).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "工号,姓名,开户行,银行账号,实发金额");
    // Without tax inputs the amount is the gross: the payroll's gross column.
    let pay = std::fs::read_to_string(&out).unwrap();
    let mut r = csv::Reader::from_reader(pay.trim_start_matches('\u{feff}').as_bytes());
    let g = r
        .headers()
        .unwrap()
        .iter()
        .position(|c| c == "应发合计")
        .unwrap();
    let gross: Vec<String> = r
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r[0].starts_with('B'))
        .map(|r| r[g].to_string())
        .collect();
    assert_eq!(gross.len(), 3);
    assert_eq!(
        lines[1],
        format!(
            "B01,甲,中国工商银行南京鼓楼支行,6222021001123456789,{}",
            gross[0]
        )
    );
    assert_eq!(
        lines[2],
        format!("B02,乙,南京银行鼓楼支行,6214830000000002,{}", gross[1])
    );
    assert_eq!(
        lines[3],
        format!(
            "B03,丙,中国建设银行南京湖南路支行,6217000000000000003,{}",
            gross[2]
        )
    );
    let total: rust_decimal::Decimal = gross
        .iter()
        .map(|g| g.parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(lines[4], format!("合计,3 人,,,{total:.2}"));
    assert_eq!(lines.len(), 5);

    // --no-bom: the same file without the mark.
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--output",
        out.to_str().unwrap(),
        "--bank-file",
        bank.to_str().unwrap(),
        "--no-bom",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(std::fs::read(&bank).unwrap(), bytes[3..]);
    assert!(!std::fs::read(&out).unwrap().starts_with(b"\xEF\xBB\xBF"));

    // XLSX by the extension: the account is text, all its digits.
    use calamine::{Data, Reader, Xlsx};
    let bx = d.join("bank.xlsx");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--bank-file",
        bx.to_str().unwrap(),
        "-q",
        "--format",
        "csv",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: Xlsx<_> = calamine::open_workbook(&bx).unwrap();
    let sheet = wb.worksheet_range("代发 Bank").unwrap();
    assert_eq!(
        sheet.get((1, 3)),
        Some(&Data::String("6222021001123456789".into()))
    );
    assert_eq!(sheet.get((4, 1)), Some(&Data::String("3 人".into())));
    assert_eq!(
        sheet.get((4, 4)),
        Some(&Data::Float(total.to_string().parse::<f64>().unwrap()))
    );
}

#[test]
fn a_bad_or_missing_account_writes_nothing() {
    let d = dir("bank-bad");
    let bad = BANK_ROSTER
        .replace("6214830000000002", "6214-8300")
        .replace(
            "中国建设银行南京湖南路支行,6217000000000000003",
            "中国建设银行南京湖南路支行,",
        );
    let roster = write(&d, "roster.csv", &bad);
    let assess = write(&d, "a.csv", &assessments(&["B01", "B02", "B03"]));
    let out = d.join("pay.xlsx");
    let bank = d.join("bank.csv");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--output",
        out.to_str().unwrap(),
        "--bank-file",
        bank.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(&format!(
            "{roster}:3:8: worker B02: account: bank account \"6214-8300\" is not 10 to 30 digits"
        )),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains(&format!(
            "{roster}:4:8: worker B03: account: no bank account"
        )),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("no output written"), "{}", o.stderr);
    assert!(!out.exists() && !bank.exists());

    // A roster without the columns: each paid worker is named.
    let roster = write(&d, "plain.csv", ROSTER);
    let assess = write(&d, "a2.csv", &assessments(&["W01", "W02"]));
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--output",
        out.to_str().unwrap(),
        "--bank-file",
        bank.to_str().unwrap(),
        "--allow-partial",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "worker W01: account: no bank account: the roster has no 银行账号 account column"
        ),
        "{}",
        o.stderr
    );
    assert!(!out.exists() && !bank.exists());
}

#[test]
fn the_example_has_bank_accounts() {
    let d = dir("bank-example");
    let bank = d.join("bank.csv");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--example",
        "--bank-file",
        bank.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(&bank).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let payslips = csv::Reader::from_reader(
        String::from_utf8(o.stdout)
            .unwrap()
            .trim_start_matches('\u{feff}')
            .as_bytes(),
    )
    .records()
    // The second header row (the codes) and the totals row are not payslips.
    .filter(|r| {
        !matches!(&r.as_ref().unwrap()[0], "worker_id")
            && !r.as_ref().unwrap()[0].starts_with("合计")
    })
    .count();
    // Every payslip has something to transfer: header, rows, total.
    assert_eq!(lines.len(), payslips + 2);
    assert_eq!(
        lines.last().unwrap().split(',').nth(1),
        Some(format!("{payslips} 人").as_str())
    );
    for l in &lines[1..lines.len() - 1] {
        let acct = l.split(',').nth(3).unwrap();
        assert!(acct.len() == 19 && acct.starts_with("6222"), "{l}");
    }
}

#[test]
fn pay_into_a_book_writes_the_bank_file_too() {
    let d = dir("bank-book");
    let book = d.join("book.db");
    let o = run(&["book", "init", book.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let roster = write(&d, "roster.csv", BANK_ROSTER);
    let assess = write(&d, "a.csv", &assessments(&["B01", "B02", "B03"]));
    let bank = d.join("bank.csv");
    let o = run(&[
        "pay",
        "--book",
        book.to_str().unwrap(),
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--bank-file",
        bank.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(&bank).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.lines().last().unwrap().starts_with("合计,3 人,,,"));
    // A bad account: refused before anything is stored.
    let bad = write(
        &d,
        "bad.csv",
        &BANK_ROSTER.replace("6214830000000002", "12"),
    );
    let o = run(&[
        "pay",
        "--book",
        book.to_str().unwrap(),
        "--period",
        "2026-12",
        "--roster",
        &bad,
        "--assessments",
        &assess,
        "--bank-file",
        bank.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("worker B02: account:"), "{}", o.stderr);
    assert!(o.stderr.contains("nothing stored"), "{}", o.stderr);
}

#[test]
fn the_payslips_sheet_is_header_row_blank_per_worker() {
    use calamine::{Data, Reader, Xlsx};
    let d = dir("payslips");
    let two: String = ROSTER.lines().take(3).map(|l| format!("{l}\n")).collect();
    let roster = write(&d, "roster.csv", &two);
    let assess = write(&d, "a.csv", &assessments(&["W01", "W02"]));
    let tax = write(
        &d,
        "tax.csv",
        "工号,缴费基数,公积金比例\nW01,5000,12%\nW02,6000,5%\n",
    );
    let out = d.join("pay.xlsx");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--tax",
        &tax,
        "--output",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let pay = wb.worksheet_range("工资表 Payroll").unwrap();
    let slips = wb.worksheet_range("工资条 Payslips").unwrap();
    let width = pay.width();
    let text = |v: Option<&Data>| v.map(|d| d.to_string()).unwrap_or_default();
    let header: Vec<String> = (0..width).map(|c| text(pay.get((0, c)))).collect();
    assert_eq!(header[0], "工号\nworker_id");
    assert!(
        header.contains(&"应发合计\ngross".to_string()),
        "{header:?}"
    );
    assert!(
        header.iter().any(|h| h.ends_with(
            "
income_tax"
        )),
        "{header:?}"
    );
    assert!(header.iter().any(|h| h.ends_with("\nnet")), "{header:?}");
    assert!(
        header.iter().any(|h| h.ends_with("\npension")),
        "{header:?}"
    );
    // Slip k: header at 3k, the worker's row at 3k+1 (the payroll's row
    // k+1, cell for cell), blank at 3k+2.
    let paid = pay.height() - 2; // header and totals
    assert_eq!(paid, 2);
    for k in 0..paid {
        let r = 3 * k;
        let h: Vec<String> = (0..width).map(|c| text(slips.get((r, c)))).collect();
        assert_eq!(h, header, "slip {k}");
        for c in 0..width {
            assert_eq!(
                slips.get((r + 1, c)),
                pay.get((k + 1, c)),
                "slip {k} column {c}"
            );
        }
        for c in 0..width {
            assert!(
                matches!(slips.get((r + 2, c)), None | Some(Data::Empty)),
                "slip {k}: the row after is blank"
            );
        }
    }
    assert_eq!(text(slips.get((1, 0))), "W01");
    assert_eq!(text(slips.get((4, 0))), "W02");
    assert_eq!(text(slips.get((4, 1))), "乙");
    // W01's net on the slip is a number with two decimals' worth.
    let net_col = header.iter().position(|h| h.ends_with("\nnet")).unwrap();
    assert!(matches!(slips.get((1, net_col)), Some(Data::Float(x)) if *x > 0.0));
}

#[test]
fn the_finance_summary_sums_per_unit_and_for_the_district() {
    use calamine::{Data, Reader, Xlsx};
    let d = dir("finance");
    // W01, W02 in 东湖社区, W04 in 西湖社区; W04 without tax inputs (gross only).
    let roster: String = ROSTER
        .lines()
        .enumerate()
        .filter(|(i, _)| [0, 1, 2, 4].contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let roster = write(&d, "roster.csv", &roster);
    let assess = write(&d, "a.csv", &assessments(&["W01", "W02", "W04"]));
    let tax = write(
        &d,
        "tax.csv",
        "工号,缴费基数,公积金比例\nW01,5000,12%\nW02,6000,5%\n",
    );
    let out = d.join("pay.xlsx");
    let base = [
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
        "--tax",
        &tax,
        "-q",
    ];
    let o = run(&[&base[..], &["--output", out.to_str().unwrap()]].concat());
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let pay = wb.worksheet_range("工资表 Payroll").unwrap();
    let fin = wb.worksheet_range("财务汇总 Finance").unwrap();
    let text = |v: Option<&Data>| v.map(|d| d.to_string()).unwrap_or_default();
    let num = |v: Option<&Data>| match v {
        Some(Data::Float(x)) => *x,
        other => panic!("not a number: {other:?}"),
    };
    assert_eq!(text(fin.get((0, 1))), "全区合计\ndistrict");
    assert_eq!(text(fin.get((0, 2))), "东湖社区");
    assert_eq!(text(fin.get((0, 3))), "西湖社区");
    assert_eq!(num(fin.get((1, 1))), 3.0);
    assert_eq!((num(fin.get((1, 2))), num(fin.get((1, 3)))), (2.0, 1.0));
    // Each item's district total is the payroll's totals row for that
    // column (3 paid rows: the totals are row 4), and its units add up.
    let heads: Vec<String> = (0..pay.width()).map(|c| text(pay.get((0, c)))).collect();
    let labels: Vec<String> = (2..fin.height()).map(|r| text(fin.get((r, 0)))).collect();
    for want in [
        "补发 arrears",
        "补扣 recovery",
        "应发合计 gross",
        "个人所得税 income_tax",
        "实发 net",
    ] {
        assert!(labels.iter().any(|l| l == want), "{want}: {labels:?}");
    }
    for (i, label) in labels.iter().enumerate() {
        let r = 2 + i;
        let district = num(fin.get((r, 1)));
        assert!(
            (district - num(fin.get((r, 2))) - num(fin.get((r, 3)))).abs() < 0.005,
            "{label}"
        );
        let code = label.rsplit(' ').next().unwrap();
        match heads.iter().position(|h| h.ends_with(&format!("\n{code}"))) {
            Some(c) => assert_eq!(district, num(pay.get((4, c))), "{label}"),
            None => assert_eq!(district, 0.0, "{label}: no payroll column, so none paid"),
        }
    }
    // 西湖社区's only worker has no tax inputs: no net, no tax.
    let net = 2 + labels.iter().position(|l| l == "实发 net").unwrap();
    assert_eq!(num(fin.get((net, 3))), 0.0);
    assert!(num(fin.get((net, 2))) > 0.0);

    // --format summary: the same sums on the terminal.
    let o = run(&[&base[..], &["--format", "summary"]].concat());
    assert_eq!(o.code, 0, "{}", o.stderr);
    let t = String::from_utf8(o.stdout).unwrap();
    let last = t.lines().last().unwrap();
    assert!(last.starts_with("合计 district"), "{t}");
    let cells: Vec<&str> = last.split_whitespace().collect();
    assert_eq!(cells[2], "3");
    let gross_i = labels.iter().position(|l| l == "应发合计 gross").unwrap();
    assert_eq!(
        cells[3 + gross_i],
        format!("{:.2}", num(fin.get((2 + gross_i, 1))))
    );
    assert_eq!(t.lines().count(), 3 + 2 + 2); // two header lines, rule, 2 units, rule, total
}

#[test]
fn a_quota_overrun_names_the_workers_and_their_rows() {
    // 东湖社区 has W01, W02, W03 (W09 left): 3 graded, 0 excellent allowed
    // (20% of 3, rounded down). W01 and W03 are given 优秀; both are over,
    // and their assessment rows are named.
    let d = dir("quota-names");
    let roster = write(&d, "roster.csv", ROSTER);
    let assess = write(
        &d,
        "assessments.csv",
        "工号,考核期间,等次\nW01,2026-11,优秀\nW02,2026-11,合格\nW03,2026-11,优秀\nW04,2026-11,合格\nW05,2026-11,合格\nW06,2026-11,合格\nW07,2026-11,合格\n",
    );
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &assess,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("over the cap"))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    assert!(
        line.contains(
            "grade: pool 东湖社区: 2 excellent grades for 3 graded workers, 0 allowed (cap 20%) by policy gulou 2018 §quota.excellent; 2 over the cap: W01, W03 (the lowest ranked excellent by score, then hire date, then id) (see"
        ),
        "{line}"
    );
    assert!(
        line.ends_with("/assessments.csv:4)") && line.contains("/assessments.csv:2, "),
        "{line}"
    );
}

#[test]
fn period_arguments_take_the_forms_hr_files_take() {
    // --period 2026/11 and 2026年11月 are the month 2026-11, as in a file.
    let d = dir("period-forms");
    let roster = write(&d, "roster.csv", ROSTER);
    let assess = write(
        &d,
        "a.csv",
        &assessments(&["W01", "W02", "W03", "W04", "W05", "W06", "W07"]),
    );
    let mut outs = Vec::new();
    for p in ["2026-11", "2026/11", "2026年11月"] {
        let out = run(&[
            "monthly",
            "--period",
            p,
            "--roster",
            &roster,
            "--assessments",
            &assess,
            "--format",
            "json",
            "-q",
        ]);
        assert_eq!(out.code, 0, "{p}: {}", out.stderr);
        outs.push(out.stdout);
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
    let bad = run(&[
        "monthly",
        "--period",
        "2026/13",
        "--roster",
        &roster,
        "--assessments",
        &assess,
    ]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("\"2026/13\" is not a month"),
        "{}",
        bad.stderr
    );
}

#[test]
fn xlsx_dates_stored_as_serial_numbers_are_dates() {
    // A roster whose 入职日期 column holds numbers, as Excel stores a date
    // cell formatted as a number: 42064 is 2015-03-01, 46357 is 2026-12-01
    // (hired after the period: listed as not paid, not an error).
    use rust_xlsxwriter::Workbook;
    let d = dir("serial-dates");
    let path = d.join("roster.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["工号", "姓名", "社区", "岗位", "入职日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, serial)) in [("W01", 42064.0), ("W02", 42064.0), ("W08", 46357.0)]
        .iter()
        .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, "甲").unwrap();
        ws.write_string(r, 2, "东湖社区").unwrap();
        ws.write_string(r, 3, "社区工作者").unwrap();
        ws.write_number(r, 4, *serial).unwrap();
    }
    wb.save(&path).unwrap();
    let assess = write(&d, "a.csv", &assessments(&["W01", "W02"]));
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        path.to_str().unwrap(),
        "--assessments",
        &assess,
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["payslips"].as_array().unwrap().len(), 2);
    assert_eq!(v["not_paid"][0]["worker_id"], "W08");
    assert_eq!(v["not_paid"][0]["reason"], "hired_after_period");
    assert_eq!(v["not_paid"][0]["line"], 4);
    assert!(
        v["not_paid"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-12-01"),
        "{}",
        v["not_paid"]
    );
}

#[test]
fn allow_partial_puts_an_errors_sheet_in_the_workbook_and_says_incomplete() {
    use calamine::{Reader, Xlsx, open_workbook};
    // W03's position is a typo: with --allow-partial the six others are
    // paid, and the workbook says what was left out and where.
    let d = dir("partial-xlsx");
    let roster = write(
        &d,
        "roster.csv",
        &ROSTER.replace("W03,丙,东湖社区,社区工作者", "W03,丙,东湖社区,社区工做者"),
    );
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
        "--allow-partial",
        "-q",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "工资表 Payroll");
    assert_eq!(names[1], "错误 Errors", "{names:?}");
    let rows: Vec<Vec<String>> = wb
        .worksheet_range("错误 Errors")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], "位置\nfile:line");
    assert!(rows[1][0].ends_with("roster.csv:4"), "{:?}", rows[1]);
    assert_eq!(rows[1][1], "4");
    assert_eq!(rows[1][2], "W03");
    assert_eq!(rows[1][3], "position");
    assert!(rows[1][4].contains("社区工做者"), "{:?}", rows[1]);
    // The payroll pays the six others, W03 not among them.
    let pay = wb.worksheet_range("工资表 Payroll").unwrap();
    let ids: Vec<String> = pay.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(
        ids,
        ["W01", "W02", "W04", "W05", "W06", "W07", "合计 Total"]
    );
    // The About sheet's first row says the workbook is incomplete.
    let about = wb.worksheet_range("说明 About").unwrap();
    let first: Vec<String> = about
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first[0], "状态 status");
    assert!(
        first[1].starts_with("不完整 INCOMPLETE: 1 个错误"),
        "{first:?}"
    );
    // A clean run says complete and has no errors sheet.
    let clean = write(&d, "roster-ok.csv", ROSTER);
    let xlsx2 = d.join("pay2.xlsx");
    let out = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &clean,
        "--assessments",
        &ass,
        "--output",
        xlsx2.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut wb: Xlsx<_> = open_workbook(&xlsx2).unwrap();
    assert!(!wb.sheet_names().iter().any(|n| n == "错误 Errors"));
    let about = wb.worksheet_range("说明 About").unwrap();
    assert_eq!(about.get((0, 1)).unwrap().to_string(), "完整 complete");
}

#[test]
fn gbk_output_for_older_systems_and_a_character_gbk_lacks_writes_nothing() {
    let d = dir("gbk");
    let roster = write(&d, "roster.csv", BANK_ROSTER);
    let assess = write(&d, "a.csv", &assessments(&["B01", "B02", "B03"]));
    let args = |pay: &Path, bank: &Path, roster: &str, extra: &[&str]| {
        let mut v: Vec<String> = [
            "monthly",
            "--period",
            "2026-11",
            "--roster",
            roster,
            "--assessments",
            &assess,
            "--output",
            pay.to_str().unwrap(),
            "--bank-file",
            bank.to_str().unwrap(),
            "-q",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let (pay8, bank8) = (d.join("pay8.csv"), d.join("bank8.csv"));
    let a = args(&pay8, &bank8, &roster, &[]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.code, 0, "{}", o.stderr);
    let (payg, bankg) = (d.join("payg.csv"), d.join("bankg.csv"));
    let a = args(&payg, &bankg, &roster, &["--output-encoding", "gbk"]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The GBK files, decoded, are the UTF-8 ones without the mark; 工号 is
    // B9A4 BAC5 in GBK.
    for (u, g) in [(&pay8, &payg), (&bank8, &bankg)] {
        let utf8 = std::fs::read(u).unwrap();
        let gbk = std::fs::read(g).unwrap();
        assert!(gbk.starts_with(b"\xb9\xa4\xba\xc5"), "{g:?}");
        let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&gbk);
        assert!(!had_errors);
        assert_eq!(text.as_bytes(), &utf8[3..], "{g:?}");
    }
    // 𠮷 (U+20BB7, a name character outside GBK) in B02's name: an error
    // naming the line and the worker, and neither file written.
    let odd = write(
        &d,
        "odd.csv",
        &BANK_ROSTER.replace("B02,乙", "B02,\u{20BB7}乙"),
    );
    let (payx, bankx) = (d.join("payx.csv"), d.join("bankx.csv"));
    let a = args(&payx, &bankx, &odd, &["--output-encoding", "gbk"]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("(B02): the character '\u{20BB7}' (U+20BB7) has no GBK form"),
        "{}",
        o.stderr
    );
    assert!(!payx.exists() && !bankx.exists());
}

#[test]
fn a_change_for_a_worker_not_employed_is_a_warning_and_strict_refuses_it() {
    // W08 is hired after the period: a title change for W08 dated in
    // November changes no pay, and is said so; W01's change applies.
    let d = dir("change-absent");
    let roster = write(&d, "roster.csv", ROSTER);
    let ass = write(
        &d,
        "ass.csv",
        &assessments(&["W01", "W02", "W03", "W04", "W05", "W06", "W07"]),
    );
    let changes = write(
        &d,
        "changes.csv",
        "工号,生效日期,职称\nW01,2026-11-16,social_worker\nW08,2026-11-20,social_worker\n",
    );
    let args = [
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &ass,
        "--changes",
        &changes,
        "--format",
        "csv",
        "-q",
    ];
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("changes.csv:3:1: warning: worker W08: on: a change on 2026-11-20 of a worker not employed in 2026-11 (see the roster); it changes no pay"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("worker W01: on:"), "{}", out.stderr);
    let mut strict = args.to_vec();
    strict.push("--strict");
    let out = run(&strict);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_title_approved_late_is_corrected_from_a_changes_file_and_paid_as_arrears() {
    // W01's title certificate, approved from 2026-09-16, reaches HR in
    // November: `correct --changes` on the closed September, then
    // November pays the difference as arrears.
    let d = dir("correct-changes");
    let book = d.join("b.book");
    let book = book.to_str().unwrap();
    let roster = write(&d, "roster.csv", ROSTER);
    let ass = |m: &str| {
        let mut s = String::from("工号,考核期间,等次\n");
        for id in ["W01", "W02", "W03", "W04", "W05", "W06", "W07"] {
            s.push_str(&format!("{id},2026-{m},合格\n"));
        }
        // W09 leaves on 2026-09-30: graded in September only.
        if m == "09" {
            s.push_str("W09,2026-09,合格\n");
        }
        write(&d, &format!("a{m}.csv"), &s)
    };
    assert_eq!(run(&["book", "init", book]).code, 0);
    for m in ["09", "10"] {
        let a = ass(m);
        let period = format!("2026-{m}");
        let o = run(&[
            "pay",
            "--book",
            book,
            "--period",
            &period,
            "--roster",
            &roster,
            "--assessments",
            &a,
            "-q",
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(run(&["close", "--book", book, "--period", &period]).code, 0);
    }
    let changes = write(
        &d,
        "changes.csv",
        "工号,生效日期,职称\nW01,2026-09-16,social_worker\n",
    );
    let o = run(&[
        "correct",
        "--book",
        book,
        "--period",
        "2026-09",
        "--changes",
        &changes,
        "--reason",
        "title approved late",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let a = ass("11");
    let o = run(&[
        "pay",
        "--book",
        book,
        "--period",
        "2026-11",
        "--roster",
        &roster,
        "--assessments",
        &a,
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w01 = v["payslips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["worker_id"] == "W01")
        .unwrap();
    let arrears: Vec<&serde_json::Value> = w01["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["code"] == "arrears")
        .collect();
    assert_eq!(arrears.len(), 1, "{w01}");
    // The social_worker allowance for 16-30 September, as the engine
    // prorates it (15 of 30 days on the calendar basis, or the policy's).
    let explain = arrears[0]["explain"].as_str().unwrap();
    assert!(
        explain.contains("2026-09") && explain.contains("title_allowance"),
        "{explain}"
    );
    assert!(explain.contains("title approved late"), "{explain}");
    let amount: rust_decimal::Decimal = arrears[0]["amount"].as_str().unwrap().parse().unwrap();
    assert!(amount > rust_decimal::Decimal::ZERO, "{amount}");
    // A row problem of a corrected file (a cell over 64 KiB, read as
    // empty) is an error at its file:line, and nothing is recorded.
    let long = "x".repeat(70_000);
    let bad = write(
        &d,
        "bad.csv",
        &format!("工号,生效日期,职称\nW02,2026-09-20,{long}\n"),
    );
    let o = run(&[
        "correct",
        "--book",
        book,
        "--period",
        "2026-10",
        "--changes",
        &bad,
        "--reason",
        "x",
    ]);
    assert_ne!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("bad.csv:2"), "{}", o.stderr);
    // The engine's error on a corrected record (a day that does not exist)
    // is placed in its file too, not as changes[1].
    let bad_day = write(
        &d,
        "bad_day.csv",
        "工号,生效日期,职称\nW01,2026-09-16,social_worker\nW02,2026-09-31,social_worker\n",
    );
    let o = run(&[
        "correct",
        "--book",
        book,
        "--period",
        "2026-09",
        "--changes",
        &bad_day,
        "--reason",
        "x",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("bad_day.csv:3"), "{}", o.stderr);
    assert!(
        o.stderr.contains("W02") && o.stderr.contains("on"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("changes[1]"), "{}", o.stderr);
    assert!(o.stderr.contains("nothing recorded"), "{}", o.stderr);
}
