//! The CLI on HR files: `monthly`, `annual`, `example`, `grade`,
//! `check-grades`, with the bad inputs of issue 6 each a clear error.
//!
//! The workflows run in-process through `payrules::app::run_args` (what the
//! binary calls); `the_binary_is_the_same_face` checks the binary itself.

use payrules::app::{Console, run_args};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one command gave: its exit code and what it printed.
struct Output {
    status: Status,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

struct Status(u8);

impl Status {
    fn code(&self) -> Option<i32> {
        Some(i32::from(self.0))
    }
}

fn run(args: &[&str]) -> Output {
    let mut con = Console::buffered();
    let code = run_args(
        std::iter::once("payrules").chain(args.iter().copied()),
        &mut con,
    );
    Output {
        status: Status(code),
        stdout: con.stdout_bytes().to_vec(),
        stderr: con.stderr_text().into_bytes(),
    }
}

#[test]
fn the_binary_is_the_same_face() {
    let args = [
        "monthly",
        "--period",
        "2026-11",
        "--example",
        "--format",
        "csv",
        "-q",
    ];
    let bin = Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(args)
        .output()
        .expect("payrules runs");
    let lib = run(&args);
    assert_eq!(bin.status.code(), lib.status.code());
    assert_eq!(bin.stdout, lib.stdout);
    assert!(
        bin.stdout.len() > 1000,
        "{}",
        String::from_utf8_lossy(&bin.stdout)
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(["monthly", "--period", "2026-13", "--example"])
        .output()
        .expect("payrules runs");
    let lib = run(&["monthly", "--period", "2026-13", "--example"]);
    assert_eq!(bad.status.code(), lib.status.code());
    assert_ne!(bad.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&bad.stderr), stderr(&lib));
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("payrules-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = d.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

const ROSTER: &str = "工号,姓名,社区,岗位,职称,入职日期,离职日期,试用期至\n\
W001,林晓,温泉社区,社区工作者,社会工作师,2020/3/1,,\n\
W002,陈敏,温泉社区,社区书记,助理社会工作师,2016-02-01,,\n\
W003,黄伟,温泉社区,社区工作者,,2026/11/16,,\n";
const ASSESS: &str =
    "工号,考核期间,等次\nW001,2026-11,合格\nW002,2026/11,良好\nW003,2026-11,优秀\n";

#[test]
fn monthly_from_chinese_csv_pays_to_the_fen() {
    let d = dir("basic");
    let r = write(&d, "roster.csv", ROSTER);
    let a = write(&d, "assess.csv", ASSESS);
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
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // three graded in one pool: 0 excellent slots, so W003's excellent breaks the cap
    assert!(
        stderr(&o).contains("pool 温泉社区: 1 excellent grades for 3 graded workers, 0 allowed"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
    let a = write(
        &d,
        "assess.csv",
        ASSESS.replace("W003,2026-11,优秀", "W003,2026-11,合格"),
    );
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
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // For Excel by default: a byte-order mark, Chinese headers above the
    // codes, a totals row.
    assert_eq!(
        stdout(&o),
        "\u{feff}工号,姓名,社区/单位,基础报酬,生活补贴,岗位补贴,职称补贴,月度绩效奖金,应发合计\n\
         worker_id,name,unit,base_pay,living_allowance,post_allowance,title_allowance,monthly_bonus,gross\n\
         W001,林晓,温泉社区,2200.00,600.00,300.00,400.00,900.00,4400.00\n\
         W002,陈敏,温泉社区,2600.00,600.00,600.00,200.00,1100.00,5100.00\n\
         W003,黄伟,温泉社区,1100.00,300.00,150.00,0.00,450.00,2000.00\n\
         合计 total,3 人 workers,,5900.00,1500.00,1050.00,600.00,2450.00,11500.00\n"
    );
    // For other systems: codes only, no mark, no totals.
    let plain = |extra: &[&str]| {
        let mut args = vec![
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
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    assert_eq!(
        plain(&["--headers", "en", "--no-bom", "--no-totals"]),
        "worker_id,name,unit,base_pay,living_allowance,post_allowance,title_allowance,monthly_bonus,gross\n\
         W001,林晓,温泉社区,2200.00,600.00,300.00,400.00,900.00,4400.00\n\
         W002,陈敏,温泉社区,2600.00,600.00,600.00,200.00,1100.00,5100.00\n\
         W003,黄伟,温泉社区,1100.00,300.00,150.00,0.00,450.00,2000.00\n"
    );
    let zh = plain(&["--headers", "zh", "--no-bom"]);
    assert!(
        zh.starts_with(
            "工号,姓名,社区/单位,基础报酬,生活补贴,岗位补贴,职称补贴,月度绩效奖金,应发合计\n"
        ),
        "{zh}"
    );
    assert!(
        zh.ends_with("\n合计,3 人,,5900.00,1500.00,1050.00,600.00,2450.00,11500.00\n"),
        "{zh}"
    );
    let bad = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--headers",
        "fr",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("expected zh, en or both"),
        "{}",
        stderr(&bad)
    );
    let e = stderr(&o);
    assert!(e.contains("3 workers paid, gross 11500.00"), "{e}");
    assert!(e.contains("温泉社区") && e.contains("11500.00"), "{e}");
}

#[test]
fn gbk_csv_is_detected_and_forced() {
    let d = dir("gbk");
    let (bytes, _, bad) = encoding_rs::GBK.encode(ROSTER);
    assert!(!bad);
    let r = write(&d, "roster.csv", &bytes);
    let a = write(&d, "a.csv", ASSESS.replace("优秀", "合格"));
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
    assert!(stdout(&o).contains("W001,林晓,温泉社区,2200.00"));
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("roster.csv:1: bytes that are not UTF-8"),
        "{}",
        stderr(&o)
    );
}

fn first_error(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    stderr(&o)
}

#[test]
fn bad_files_are_clear_errors() {
    let d = dir("bad");
    let m = |r: &str| first_error(&["monthly", "--period", "2026-11", "--roster", r]);
    let e = m(&write(&d, "empty.csv", ""));
    assert!(e.contains("empty.csv: the file is empty"), "{e}");
    let e = m(&write(&d, "head.csv", "工号,社区,岗位,入职日期\r\n"));
    assert!(
        e.contains("head.csv:1: a header row but no roster rows"),
        "{e}"
    );
    let e = m(&write(
        &d,
        "miss.csv",
        "工号,岗位,入职日期\nW1,社区工作者,2020-01-01\n",
    ));
    assert!(
        e.contains("miss.csv:1: unit: missing required column unit; name it unit or 社区/单位"),
        "{e}"
    );
    // duplicate ids, an impossible date, CRLF and a quoted newline: lines stay right
    let e = m(&write(
        &d,
        "dup.csv",
        "工号,姓名,社区,岗位,入职日期\r\nW1,\"林\r\n晓\",U,社区工作者,2020-01-01\r\nW1,陈,U,社区工作者,2020-01-01\r\nW2,黄,U,社区工作者,2026-02-30\r\n",
    ));
    assert!(
        e.contains("dup.csv:2:1: worker W1: id: duplicate worker id, given 2 times; ids must be unique (also ")
            && e.contains("dup.csv:4)"),
        "{e}"
    );
    assert!(
        e.contains("dup.csv:5:5: worker W2: hired_on: \"2026-02-30\" is not a date"),
        "{e}"
    );
    let mut mixed = "工号,姓名,社区,岗位,入职日期\nW1,林晓,U,社区工作者,2020-01-01\n"
        .as_bytes()
        .to_vec();
    mixed.extend_from_slice(
        &encoding_rs::GBK
            .encode("W2,陈敏,U,社区工作者,2020-01-01\n")
            .0,
    );
    let e = m(&write(&d, "mixed.csv", mixed));
    assert!(
        e.contains("mixed.csv:3: the file mixes encodings: line 1 is UTF-8 but line 3 is not"),
        "{e}"
    );
    let big = format!(
        "工号,姓名,社区,岗位,入职日期\nW1,{},U,社区工作者,2020-01-01\n",
        "x".repeat(10 << 20)
    );
    let e = m(&write(&d, "big.csv", big));
    assert!(
        e.contains("big.csv:2:2: worker W1: name: cell of 10485760 bytes; at most 65536"),
        "{e}"
    );
}

#[test]
fn unknown_column_ignored_knowingly_is_a_warning_and_json_input_works() {
    let d = dir("warn");
    let r = write(
        &d,
        "r.csv",
        "\u{feff}id,name,unit,position,hired_on,备注\nW1,Lin,U,community_worker,2020-01-01,hi\n",
    );
    let a = write(
        &d,
        "a.json",
        r#"[{"worker_id": "W1", "period": "2026-11", "grade": "pass"}]"#,
    );
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
        "--format",
        "json",
        "-q",
    ]);
    // Issue 16: an unknown column is an error unless ignored knowingly.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "r.csv:1:6: unknown column \"备注\"; rename it, or pass --ignore-column \"备注\""
        ),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
        "--format",
        "json",
        "--ignore-column",
        "备注",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("r.csv:1:6: warning: column \"备注\" ignored as --ignore-column asks"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["payslips"][0]["gross"], "4000.00");
    // JSON roster: ids as numbers keep their text; errors name the object's line
    let r = write(
        &d,
        "r.json",
        "{\"workers\": [\n {\"id\": 7, \"unit\": \"U\", \"position\": \"community_worker\", \"hired_on\": \"2020-01-01\"},\n {\"id\": 8, \"unit\": \"U\", \"position\": \"chef\", \"hired_on\": \"2020-01-01\"}\n]}\n",
    );
    let a = write(
        &d,
        "a2.json",
        r#"[{"worker_id": "7", "period": "2026-11", "grade": "pass"}, {"worker_id": "8", "period": "2026-11", "grade": "pass"}]"#,
    );
    let e = first_error(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
    ]);
    assert!(
        e.contains("r.json:3:position: worker 8: position: unknown position \"chef\""),
        "{e}"
    );
}

fn xlsx_roster(merged_header: bool, title_row: bool) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new().set_num_format("yyyy/m/d");
    let top = if title_row { 1 } else { 0 };
    if title_row {
        ws.merge_range(0, 0, 0, 4, "鼓楼区社区工作者花名册", &Format::new())
            .unwrap();
    }
    if merged_header {
        ws.merge_range(top, 0, top, 1, "工号", &Format::new())
            .unwrap();
    } else {
        ws.write_string(top, 0, "工号").unwrap();
        ws.write_string(top, 1, "姓名").unwrap();
    }
    for (c, h) in ["社区", "岗位", "入职日期"].iter().enumerate() {
        ws.write_string(top, c as u16 + 2, *h).unwrap();
    }
    ws.write_number(top + 1, 0, 1001.0).unwrap();
    ws.write_string(top + 1, 1, "林晓").unwrap();
    ws.write_string(top + 1, 2, "温泉社区").unwrap();
    ws.write_string(top + 1, 3, "社区工作者").unwrap();
    let date = ExcelDateTime::from_ymd(2026, 11, 16).unwrap();
    ws.write_datetime_with_format(top + 1, 4, &date, &f)
        .unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_inputs_date_cells_title_rows_and_merged_headers() {
    let d = dir("xlsx");
    let r = write(&d, "r.xlsx", xlsx_roster(false, true));
    let a = write(&d, "a.csv", "工号,考核期间,等次\n1001,2026-11,合格\n");
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
    // hired 2026-11-16 from an Excel date cell: 15 of 30 days
    assert_eq!(
        stdout(&o).lines().nth(2),
        Some("1001,林晓,温泉社区,1100.00,300.00,150.00,0.00,450.00,2000.00")
    );
    let r = write(&d, "m.xlsx", xlsx_roster(true, false));
    let e = first_error(&["monthly", "--period", "2026-11", "--roster", &r]);
    assert!(
        e.contains("m.xlsx:1:A: merged header cells A1:B1 (\"工号\")"),
        "{e}"
    );
    let e = first_error(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--sheet",
        "花名册",
    ]);
    assert!(
        e.contains("no sheet \"花名册\"; the workbook has: Sheet1"),
        "{e}"
    );
}

#[test]
fn allow_partial_writes_valid_payslips_and_errors_beside() {
    let d = dir("partial");
    let r = write(&d, "r.csv", ROSTER.replace("2016-02-01", "2016-02-31"));
    let a = write(&d, "a.csv", ASSESS.replace("优秀", "合格"));
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
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists(), "no output without --allow-partial");
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
    let pay = std::fs::read_to_string(&out).unwrap();
    // two header rows, the two valid payslips, totals of those two only
    assert_eq!(pay.lines().count(), 5, "{pay}");
    assert!(!pay.contains("W002"));
    assert!(
        pay.lines()
            .last()
            .unwrap()
            .starts_with("合计 total,2 人 workers,"),
        "{pay}"
    );
    let errs = std::fs::read_to_string(d.join("pay.errors.csv")).unwrap();
    // With a byte-order mark, as the payroll CSV, so Excel shows the Chinese.
    assert!(errs.starts_with("\u{feff}file,line,column,"), "{errs}");
    assert!(errs.contains("r.csv,3,6,W002,hired_on,"), "{errs}");
}

#[test]
fn example_district_runs_the_same_from_memory_csv_and_xlsx() {
    let d = dir("example");
    let o = run(&["example", "--out", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ex = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--example",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(ex.status.code(), Some(0), "{}", stderr(&ex));
    let f = |n: &str| d.join(n).to_str().unwrap().to_string();
    for ext in ["csv", "xlsx"] {
        let o = run(&[
            "monthly",
            "--period",
            "2026-11",
            "--roster",
            &f(&format!("roster.{ext}")),
            "--assessments",
            &f(&format!("assessments.{ext}")),
            "--honours",
            &f(&format!("honours.{ext}")),
            "--tax",
            &f(&format!("tax.{ext}")),
            "--format",
            "csv",
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{ext}: {}", stderr(&o));
        assert_eq!(o.stdout, ex.stdout, "{ext}");
    }
    let text = stdout(&ex);
    let roster = std::fs::read_to_string(d.join("roster.csv")).unwrap();
    let n = roster.lines().count() - 1;
    assert!((650..=760).contains(&n), "{n}");
    assert_eq!(roster.matches(",社会工作师,").count(), 52);
    assert_eq!(roster.matches(",助理社会工作师,").count(), 97);
    // The national and provincial honours for one deed: only 10000 is paid.
    // Then net pay (tax.csv: GL0001,郭敏峰,5500.00,8%,3000,): on the base
    // 5500 pension 8% 440.00, medical 2% 110.00, unemployment 0.5% 27.50,
    // housing fund 8% 440.00 (1017.50 in all); the national award is exempt,
    // so taxable = 15300 − 10000 − 5000 − 1017.50 − 3000 < 0: no tax; net
    // 15300 − 1017.50 = 14282.50.
    assert_eq!(
        text.lines().take(3).collect::<Vec<_>>(),
        [
            "\u{feff}工号,姓名,社区/单位,基础报酬,生活补贴,岗位补贴,职称补贴,月度绩效奖金,评优评先奖励,应发合计,养老保险,医疗保险,失业保险,住房公积金,个人所得税,实发",
            "worker_id,name,unit,base_pay,living_allowance,post_allowance,title_allowance,monthly_bonus,honour_award,gross,pension,medical,unemployment,housing_fund,income_tax,net",
            "GL0001,郭敏峰,东湖社区,3000.00,600.00,800.00,0.00,900.00,10000.00,15300.00,440.00,110.00,27.50,440.00,0.00,14282.50",
        ]
    );
    let tax = std::fs::read_to_string(d.join("tax.csv")).unwrap();
    assert!(tax.starts_with("\u{feff}工号,姓名,缴费基数,公积金比例,专项附加扣除,其他扣除\n"));
    assert!(tax.contains("\nGL0001,郭敏峰,5500.00,8%,3000,\n"), "{tax}");
    let annual = run(&[
        "annual",
        "--year",
        "2026",
        "--example",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(annual.status.code(), Some(0), "{}", stderr(&annual));
    // --example gives its tax inputs to monthly runs only: gross, as before.
    assert!(
        stdout(&annual).starts_with("\u{feff}工号,姓名,社区/单位,年度绩效奖金,应发合计\nworker_id,name,unit,annual_bonus,gross\n"),
        "{}",
        stdout(&annual)
    );
}

#[test]
fn xlsx_output_is_deterministic_with_numbers_and_subtotals() {
    use calamine::{Data, Reader, Xlsx};
    let d = dir("xlsxout");
    let p1 = d.join("a.xlsx");
    let p2 = d.join("b.xlsx");
    for p in [&p1, &p2] {
        let o = run(&[
            "monthly",
            "--period",
            "2026-11",
            "--example",
            "--output",
            p.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let bytes = std::fs::read(&p1).unwrap();
    assert_eq!(bytes, std::fs::read(&p2).unwrap(), "byte-identical");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "工资表 Payroll",
            "工资条 Payslips",
            "财务汇总 Finance",
            "按单位 By unit",
            "名额 Quota",
            "未发放 Not paid",
            "说明 About"
        ]
    );
    let r = wb.worksheet_range("工资表 Payroll").unwrap();
    assert_eq!(r.get((0, 0)), Some(&Data::String("工号\nworker_id".into())));
    assert_eq!(
        r.get((0, 3)),
        Some(&Data::String("基础报酬\nbase_pay".into()))
    );
    assert_eq!(r.get((1, 0)), Some(&Data::String("GL0001".into())));
    let last = r.height() - 1;
    assert_eq!(r.get((last, 0)), Some(&Data::String("合计 Total".into())));
    // Gross after the earnings, then the deductions and net.
    assert_eq!(r.get((0, 9)), Some(&Data::String("应发合计\ngross".into())));
    assert_eq!(r.get((1, 9)), Some(&Data::Float(15300.0)));
    let net_col = r.width() - 1;
    assert_eq!(r.get((0, net_col)), Some(&Data::String("实发\nnet".into())));
    assert_eq!(r.get((1, net_col)), Some(&Data::Float(14282.5)));
    // The totals row is the sum of every money column, to the fen.
    let fen = |row: usize, c: usize| match r.get((row, c)) {
        Some(Data::Float(x)) => (x * 100.0).round() as i64,
        _ => 0,
    };
    for c in 3..r.width() {
        let sum: i64 = (1..last).map(|row| fen(row, c)).sum();
        assert_eq!(fen(last, c), sum, "column {c}");
    }
    let units = wb.worksheet_range("按单位 By unit").unwrap();
    assert_eq!(units.height(), 69 + 2);
}

#[test]
fn table_aligns_chinese_text() {
    use unicode_width::UnicodeWidthStr;
    let o = run(&["monthly", "--period", "2026-11", "--example", "-q"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let widths: Vec<usize> = text.lines().map(|l| l.width()).collect();
    assert!(widths.len() > 600);
    // Every line is as wide as the header, but for the rows of workers
    // without tax inputs (hired or leaving in 2026), whose empty deduction
    // and net cells are the line's trailing blanks, cut.
    let short: Vec<&str> = text.lines().filter(|l| l.width() != widths[0]).collect();
    assert_eq!(short.len(), 18, "ragged table: {short:?}");
    assert!(short.iter().all(|l| l.width() < widths[0]));
    assert!(text.lines().next().unwrap().starts_with("工号"));
    let en = text.lines().nth(1).unwrap();
    assert!(
        en.split_whitespace().skip(8).eq([
            "honour_award",
            "gross",
            "pension",
            "medical",
            "unemployment",
            "housing_fund",
            "income_tax",
            "net"
        ]),
        "{en}"
    );
}

#[test]
fn grade_and_check_grades() {
    let d = dir("grade");
    let r = write(
        &d,
        "r.csv",
        "工号,社区,岗位,入职日期\nA,U,社区工作者,2020-01-01\nB,U,社区工作者,2019-01-01\nC,U,社区工作者,2021-01-01\nD,U,社区工作者,2021-01-01\nE,U,社区工作者,2021-01-01\n",
    );
    let s = write(&d, "s.csv", "工号,分数\nA,90\nB,90\nC,80\nD,70\nE,50\n");
    let o = run(&[
        "grade", "--period", "2026-11", "--scores", &s, "--roster", &r,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // B ties A on 90 but was hired earlier: seniority gives B the one excellent place
    assert_eq!(
        stdout(&o),
        "worker_id,unit,score,rank,grade\nB,U,90,1,excellent\nA,U,90,2,good\nC,U,80,3,good\nD,U,70,4,good\nE,U,50,5,fail\n"
    );
    assert!(stderr(&o).contains("U  5  1/1  3/3"), "{}", stderr(&o));
    // without a roster: ties fall to the worker id, and a note says so
    let s2 = write(
        &d,
        "s2.csv",
        "worker_id,unit,score\nA,U,90\nB,U,90\nC,U,80\nD,U,70\nE,U,50\n",
    );
    let o = run(&[
        "grade", "--period", "2026-11", "--scores", &s2, "--format", "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("ties fall") || stderr(&o).contains("ordered by worker id"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["grades"][0]["worker_id"], "A");
    assert_eq!(v["grades"][0]["grade"], "excellent");
    assert_eq!(v["pools"][0]["good"]["allowed"], 3);
    // bad scores, twice scored, unknown pool
    let s3 = write(
        &d,
        "s3.csv",
        "工号,社区,分数\nA,U,NaN\nB,U,-1\nC,U,100.5\nD,U,70\nD,U,71\nE,X,60\n",
    );
    let e = first_error(&[
        "grade", "--period", "2026-11", "--scores", &s3, "--roster", &r,
    ]);
    assert!(
        e.contains("s3.csv:2:3: worker A: score: score \"NaN\" is not a plain decimal"),
        "{e}"
    );
    assert!(
        e.contains("s3.csv:3:3: worker B: score: score -1 is negative"),
        "{e}"
    );
    assert!(
        e.contains("s3.csv:4:3: worker C: score: score 100.5 is above the policy's max_score 100"),
        "{e}"
    );
    assert!(
        e.contains("s3.csv:6:1: worker D: worker_id: worker listed twice for 2026-11 (also ")
            && e.contains("s3.csv:5); keep one row"),
        "{e}"
    );
    assert!(
        e.contains("s3.csv:7:2: worker E: unit: pool \"X\" is not a unit of the roster"),
        "{e}"
    );
    // check-grades: the output of grade reads back and passes; too many excellent fails
    let g = write(
        &d,
        "g.csv",
        stdout(&run(&[
            "grade", "--period", "2026-11", "--scores", &s, "--roster", &r,
        ])),
    );
    let o = run(&[
        "check-grades",
        "--period",
        "2026-11",
        "--grades",
        &g,
        "--roster",
        &r,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let g2 = write(
        &d,
        "g2.csv",
        "工号,等次\nA,优秀\nB,优秀\nC,良好\nD,良好\nE,良好\n",
    );
    let e = first_error(&[
        "check-grades",
        "--period",
        "2026-11",
        "--grades",
        &g2,
        "--roster",
        &r,
    ]);
    assert!(
        e.contains("pool U: 2 excellent grades for 5 graded workers, 1 allowed"),
        "{e}"
    );
}

/// `whatif` takes the same inputs as `monthly` (HR files or the example) and
/// writes a workbook; file errors are located to their line.
#[test]
fn whatif_from_hr_files_and_as_a_workbook() {
    use calamine::{Data, Reader, Xlsx};
    let d = dir("whatif");
    let o = run(&["example", "--out", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let f = |n: &str| d.join(n).to_str().unwrap().to_string();
    let reform = "examples/reforms/monthly-bonus-plus-100.toml";
    let base = ["whatif", "--reform", reform, "--period", "2026-11"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {}", stderr(&o));
        o
    };
    let example = with(&["--example", "--format", "json"]);
    let (roster, assessments, honours) = (f("roster.csv"), f("assessments.csv"), f("honours.csv"));
    let files = with(&[
        "--roster",
        &roster,
        "--assessments",
        &assessments,
        "--honours",
        &honours,
        "--format",
        "json",
    ]);
    assert_eq!(stdout(&files), stdout(&example));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&example)).unwrap();
    // Only the monthly bonus changes (by up to 100 a worker: part months are prorated).
    assert_eq!(
        doc["by_code"]["monthly_bonus"]["delta"],
        doc["total"]["delta"]
    );
    let gain = doc["counts"]["gain"].as_u64().unwrap() as f64;
    let delta: f64 = doc["total"]["delta"].as_str().unwrap().parse().unwrap();
    assert!(
        delta > 90.0 * gain && delta <= 100.0 * gain,
        "{delta} for {gain}"
    );

    let book = d.join("whatif.xlsx");
    with(&[
        "--example",
        "--output",
        book.to_str().unwrap(),
        "--format",
        "xlsx",
    ]);
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(std::fs::read(&book).unwrap())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "汇总 Summary",
            "按人员 Workers",
            "按单位 By unit",
            "按项目 By code",
            "等次变化 Grade changes"
        ]
    );
    let ws = wb.worksheet_range("按人员 Workers").unwrap();
    assert_eq!(ws.height() - 1, doc["workers"].as_array().unwrap().len());
    assert_eq!(
        ws.get((0, 7)),
        Some(&Data::String("差额\ngross delta".into()))
    );
    let first = &doc["workers"][0];
    assert_eq!(
        ws.get((1, 0)),
        Some(&Data::String(first["worker_id"].as_str().unwrap().into()))
    );
    let delta: f64 = first["gross"]["delta"].as_str().unwrap().parse().unwrap();
    assert_eq!(ws.get((1, 7)), Some(&Data::Float(delta)));
    let summary = wb.worksheet_range("汇总 Summary").unwrap();
    let total: f64 = doc["total"]["delta"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        summary.get((2, 0)),
        Some(&Data::String("合计 total".into()))
    );
    assert_eq!(summary.get((2, 9)), Some(&Data::Float(total)));

    // A bad title in the roster: the run goes on, the error names file:line.
    let text = std::fs::read_to_string(&roster).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let cols: Vec<&str> = lines[0].split(',').collect();
    let title = cols.iter().position(|c| *c == "职称").unwrap();
    let mut row: Vec<String> = lines[2].split(',').map(str::to_string).collect();
    row[title] = "博士".into();
    lines[2] = row.join(",");
    let bad = write(&d, "bad-roster.csv", lines.join("\n") + "\n");
    let mut args = base.to_vec();
    args.extend_from_slice(&[
        "--roster",
        &bad,
        "--assessments",
        &assessments,
        "--format",
        "csv",
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{bad}:3")), "{}", stderr(&o));
}
