//! Net pay from HR files (issue 14 item 4): tax inputs as roster columns or
//! in a `--tax FILE`, located errors, and the payroll sheets' deduction and
//! net columns with their totals.

use payrules::app::{Console, run_args};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

fn run(args: &[&str]) -> (u8, String, String) {
    let mut con = Console::buffered();
    let code = run_args(
        std::iter::once("payrules").chain(args.iter().copied()),
        &mut con,
    );
    (code, con.stdout_text(), con.stderr_text())
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("payrules-net-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = d.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

const ASSESS: &str = "工号,考核期间,等次\nW001,2026-11,合格\nW002,2026-11,良好\n";
const HONOURS: &str = "工号,荣誉级别,授予日期\nW002,市级,2026-11-05\n";

/// The payroll CSV's worker rows as maps from the English code of each
/// header to the cell. The CLI's CSV starts with a byte-order mark, has
/// a row of Chinese headers above the row of codes (`工号` above
/// `worker_id`: keyed `worker_id`) and ends with the totals row
/// (`合计 total`, see [`totals`]), left out here.
fn rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    all_rows(csv)
        .into_iter()
        .filter(|r| r["worker_id"] != "合计 total")
        .collect()
}

/// The totals row of the payroll CSV.
fn totals(csv: &str) -> std::collections::BTreeMap<String, String> {
    let last = all_rows(csv).pop().unwrap();
    assert_eq!(last["worker_id"], "合计 total");
    last
}

fn all_rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let zh: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert!(zh.iter().all(|h| !h.is_ascii()), "{zh:?}");
    let mut records = r.records();
    let head: Vec<String> = records
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(head[0], "worker_id");
    assert_eq!(head.len(), zh.len());
    records
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn month(d: &Path, roster: &str, extra: &[&str]) -> (u8, String, String) {
    let a = write(d, "assess.csv", ASSESS);
    let h = write(d, "honours.csv", HONOURS);
    let mut args = vec![
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        roster,
        "--assessments",
        &a,
        "--honours",
        &h,
        "-q",
    ];
    if !extra.contains(&"--format") {
        args.extend_from_slice(&["--format", "csv"]);
    }
    args.extend_from_slice(extra);
    run(&args)
}

/// A GBK roster with tax columns under Chinese headers (aliases), one
/// worker's tax cells empty: both workers get net pay.
#[test]
fn roster_tax_columns_in_chinese_gbk() {
    let d = dir("roster");
    let text = "工号,姓名,社区,岗位,职称,入职日期,社保缴费基数,住房公积金比例,专项附加扣除,其他扣除\n\
W001,林晓,温泉社区,社区工作者,社会工作师,2020/3/1,,,,\n\
W002,陈敏,温泉社区,社区书记,助理社会工作师,2016-02-01,6000,12%,1000,200\n";
    let (gbk, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let r = write(&d, "花名册.csv", &gbk);
    let (code, out, err) = month(&d, &r, &[]);
    assert_eq!(code, 0, "{err}");
    let got = rows(&out);
    let cell = |w: usize, c: &str| got[w][c].as_str();
    // W001: 2200 + 600 + 300 + 400 (social worker) + 900 (pass) = 4400 gross.
    // No tax cells: the base is the gross 4400 (inside 4000–24000), the
    // housing fund the default 12%: pension 352.00, medical 88.00,
    // unemployment 22.00, housing fund 528.00 = 990.00; taxable
    // 4400 − 5000 − 990 < 0: no tax; net 4400 − 990 = 3410.00.
    assert_eq!(
        [
            "gross",
            "pension",
            "medical",
            "unemployment",
            "housing_fund",
            "income_tax",
            "net"
        ]
        .map(|c| cell(0, c)),
        [
            "4400.00", "352.00", "88.00", "22.00", "528.00", "0.00", "3410.00"
        ]
    );
    // W002: 2600 + 600 + 600 + 200 + 1100 (good) + 3000 (municipal honour,
    // taxable) = 8100 gross. Base 6000: pension 480.00, medical 120.00,
    // unemployment 30.00, housing fund 12% 720.00 = 1350.00; taxable
    // 8100 − 5000 − 1350 − 1000 − 200 = 550.00, × 3% = 16.50; net
    // 8100 − 1350 − 16.50 = 6733.50.
    assert_eq!(
        [
            "gross",
            "pension",
            "medical",
            "unemployment",
            "housing_fund",
            "income_tax",
            "net"
        ]
        .map(|c| cell(1, c)),
        [
            "8100.00", "480.00", "120.00", "30.00", "720.00", "16.50", "6733.50"
        ]
    );

    // The table's totals row: each column's sum.
    let (code, table, err) = month(&d, &r, &["--format", "table"]);
    assert_eq!(code, 0, "{err}");
    let total: Vec<&str> = table.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(
        total,
        [
            "合计", "total", "2", "workers", "4800.00", "1200.00", "900.00", "600.00", "2000.00",
            "3000.00", "12500.00", "832.00", "208.00", "52.00", "1248.00", "16.50", "10143.50"
        ],
        "{table}"
    );
}

/// A separate tax file with English headers (UTF-8 with BOM), and the same
/// as JSON: only the workers in it get net pay.
#[test]
fn separate_tax_file_in_english() {
    let d = dir("file");
    let r = write(
        &d,
        "roster.csv",
        "worker_id,name,unit,position,title,hire_date\n\
W001,林晓,温泉社区,community_worker,social_worker,2020-03-01\n\
W002,陈敏,温泉社区,community_secretary,assistant_social_worker,2016-02-01\n",
    );
    let t = write(
        &d,
        "tax.csv",
        "\u{feff}worker_id,contribution_base,housing_fund_rate,additional_deductions,other_deductions\n\
W002,6000.00,0.12,1000,200\n",
    );
    let (code, out, err) = month(&d, &r, &["--tax", &t]);
    assert_eq!(code, 0, "{err}");
    let got = rows(&out);
    assert_eq!(got[0]["gross"], "4400.00");
    assert_eq!(got[0]["net"], "", "W001 has no tax inputs: gross only");
    assert_eq!(got[1]["income_tax"], "16.50");
    assert_eq!(got[1]["net"], "6733.50");

    let j = write(
        &d,
        "tax.json",
        r#"[{"worker_id": "W002", "contribution_base": 6000, "housing_fund_rate": "12%",
             "additional_deductions": "1000", "other_deductions": 200}]"#,
    );
    let (code, json_out, err) = month(&d, &r, &["--tax", &j]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_out, out);
}

/// Errors name file:line:column, the worker and the field: a bad rate, a
/// bad amount, an unknown worker, a worker given twice.
#[test]
fn tax_errors_name_file_line_and_column() {
    let d = dir("errors");
    let r = write(
        &d,
        "r.csv",
        "工号,社区,岗位,职称,入职日期,公积金比例\n\
W001,温泉社区,社区工作者,社会工作师,2020-03-01,0.1\n\
W002,温泉社区,社区书记,,2016-02-01,\n",
    );
    let t = write(
        &d,
        "t.csv",
        "工号,缴费基数,公积金比例\nW002,6000,15%\nW999,5000,\nW003,\"4,200\",\nW001,5000,\n",
    );
    let roster3 = format!(
        "{}W003,温泉社区,社区工作者,,2019-01-01,\n",
        std::fs::read_to_string(&r).unwrap()
    );
    let r = write(&d, "r.csv", roster3);
    let (code, out, err) = month(&d, &r, &["--tax", &t]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "", "no output with errors");
    for want in [
        format!(
            "{t}:2:3: worker W002: tax.housing_fund_rate: 0.15 is outside the housing-fund range 0.05–0.12"
        ),
        format!("{t}:3:1: worker W999: worker_id: no worker \"W999\" in the roster"),
        format!("{t}:4:2: worker W003: tax.contribution_base: \"4,200\" is not a plain decimal"),
        format!(
            "{t}:5:1: worker W001: tax: tax inputs given again (also {r}:2); give each worker's tax inputs once"
        ),
    ] {
        assert!(err.contains(&want), "want {want}\nin:\n{err}");
    }

    // --allow-partial pays only the workers without a problem.
    let out_path = d.join("pay.csv");
    let (code, _, err) = month(
        &d,
        &r,
        &[
            "--tax",
            &t,
            "--allow-partial",
            "--output",
            out_path.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    let paid = rows(&std::fs::read_to_string(&out_path).unwrap());
    assert!(paid.is_empty(), "{paid:?}");
    let errors = std::fs::read_to_string(d.join("pay.errors.csv")).unwrap();
    assert!(
        errors.contains(&format!("{t},3,1,W999,worker_id,")),
        "{errors}"
    );
}

/// The example district's November: net pay, a hand-checked worker with
/// income tax, and totals that are the sums of the lines.
#[test]
fn example_month_shows_net_and_totals_add_up() {
    let (code, out, err) = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--example",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    let got = rows(&out);
    // GL0073, career secretary, municipal honour in November; tax inputs
    // (tax.csv) GL0073,黄霞辉,5500.00,5%,1000,:
    //   gross = 3000 + 600 + 800 + 0 + 900 (pass) + 3000 (honour) = 8300.00;
    //   base 5500 (3000 + 600 + 800 + 0 + a good grade's 1100):
    //   pension 8% 440.00, medical 2% 110.00, unemployment 0.5% 27.50,
    //   housing fund 5% 275.00 → contributions 852.50;
    //   taxable = 8300 − 0 exempt (municipal is taxable) − 5000 − 852.50
    //   − 1000 additional = 1447.50; × 3% = 43.425 → 43.43 (half away
    //   from zero); net = 8300 − 852.50 − 43.43 = 7404.07.
    let w = got.iter().find(|r| r["worker_id"] == "GL0073").unwrap();
    let cells: Vec<&str> = [
        "honour_award",
        "gross",
        "pension",
        "medical",
        "unemployment",
        "housing_fund",
        "income_tax",
        "net",
    ]
    .iter()
    .map(|c| w[*c].as_str())
    .collect();
    assert_eq!(
        cells,
        [
            "3000.00", "8300.00", "440.00", "110.00", "27.50", "275.00", "43.43", "7404.07"
        ]
    );
    // Each row: net = gross − the five deductions, where there is net.
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let deductions = [
        "pension",
        "medical",
        "unemployment",
        "housing_fund",
        "income_tax",
    ];
    let with_net: Vec<_> = got.iter().filter(|r| !r["net"].is_empty()).collect();
    assert_eq!(with_net.len(), 651);
    for r in &with_net {
        let ded: Decimal = deductions.iter().map(|c| d(&r[*c])).sum();
        assert_eq!(d(&r["gross"]) - ded, d(&r["net"]), "{}", r["worker_id"]);
    }
    // The JSON totals are the sums of the CSV's columns.
    let (code, json, err) = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--example",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    for c in deductions.iter().chain(&["net", "base_pay"]) {
        let sum: Decimal = got
            .iter()
            .filter(|r| !r[*c].is_empty())
            .map(|r| d(&r[*c]))
            .sum();
        assert_eq!(
            d(doc["totals"]["by_code"][*c].as_str().unwrap()),
            sum,
            "{c}"
        );
        // … and the CSV's own totals row says the same.
        assert_eq!(d(&totals(&out)[*c]), sum, "{c}");
    }
    assert_eq!(totals(&out)["name"], format!("{} 人 workers", got.len()));
    let gross: Decimal = got.iter().map(|r| d(&r["gross"])).sum();
    assert_eq!(d(doc["totals"]["gross"].as_str().unwrap()), gross);
}

/// Annual runs take `--tax` too (paid_on from 发放日期), with a warning that
/// no year-to-date figures are read; a paid_on in a monthly run is located.
#[test]
fn annual_takes_tax_with_paid_on() {
    let d = dir("annual");
    let r = write(
        &d,
        "r.csv",
        "工号,社区,岗位,入职日期,发放日期\nW001,温泉社区,社区工作者,2020-03-01,2027/1/20\n",
    );
    let a = write(&d, "a.csv", "工号,考核期间,等次\nW001,2026,合格\n");
    let (code, out, err) = run(&[
        "annual",
        "--year",
        "2026",
        "--roster",
        &r,
        "--assessments",
        &a,
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: annual run with tax inputs but no year-to-date figures"));
    let got = rows(&out);
    // Pass: 1200. With no year-to-date figures (no wages, no months of basic
    // deduction) both methods tax 1200 × 3% = 36.00: what the warning says.
    assert_eq!(
        [
            got[0]["annual_bonus"].as_str(),
            &got[0]["income_tax"],
            &got[0]["net"]
        ],
        ["1200.00", "36.00", "1164.00"]
    );

    let a = write(&d, "m.csv", "工号,考核期间,等次\nW001,2026-11,合格\n");
    let (code, _, err) = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--roster",
        &r,
        "--assessments",
        &a,
        "-q",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{r}:2:5: worker W001: tax.paid_on: paid_on is for annual runs"
        )),
        "{err}"
    );
}
