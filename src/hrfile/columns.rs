//! The columns HR files carry: for each list (roster, tax inputs,
//! assessments, changes, honours, scores, grades), the fields it may have,
//! which are required, how their cells are read, and the header names
//! accepted for each, in English codes or Chinese; and the matching of a
//! header to its column, with the hints an unknown header gets (the closest
//! known name, whether it looks like money).

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text, trimmed.
    Text,
    /// A date: `2026-11-03`, `2026/11/3`, `2026年11月3日` or an Excel date cell.
    Date,
    /// A period: `2026-11`, `2026/11`, `2026年11月`, `2026`.
    Period,
    /// A rate: a fraction such as `0.12`, or a percentage such as `12%`
    /// (read as `0.12`, exactly).
    Rate,
}

/// A column HR files may carry, and the header names accepted for it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field (also accepted as a header, in any case).
    pub field: &'static str,
    /// Other accepted header names.
    pub names: &'static [&'static str],
    /// Whether the column must be present.
    pub required: bool,
    /// How cells are read.
    pub kind: CellKind,
}

const fn col(
    field: &'static str,
    names: &'static [&'static str],
    required: bool,
    kind: CellKind,
) -> Column {
    Column {
        field,
        names,
        required,
        kind,
    }
}

use CellKind::{Date, Period, Rate, Text};

const WORKER_ID: &[&str] = &["工号", "员工编号", "人员编号", "编号", "id"];
const NAME: &[&str] = &["姓名"];
const PERIOD: &[&str] = &["考核期间", "期间", "考核周期", "考核月份"];
const GRADE: &[&str] = &["等次", "考核等次", "考核结果"];
const SCORE: &[&str] = &["分数", "得分", "考核分数"];
const UNIT: &[&str] = &[
    "社区/单位",
    "社区",
    "单位",
    "所在社区",
    "所在单位",
    "community",
];

const CONTRIBUTION_BASE: &[&str] = &["缴费基数", "社保缴费基数", "社保基数"];
const HOUSING_FUND_RATE: &[&str] = &[
    "公积金比例",
    "住房公积金比例",
    "公积金缴存比例",
    "住房公积金缴存比例",
];
const ADDITIONAL_DEDUCTIONS: &[&str] = &["专项附加扣除", "专项附加扣除合计"];
const OTHER_DEDUCTIONS: &[&str] = &["其他扣除", "其他扣除合计"];
const PAID_ON: &[&str] = &["发放日期", "奖金发放日期"];

/// The tax fields a roster or a tax file may carry (the request's `tax`
/// record without `worker_id`), in the order of [`TAX`] after `worker_id`.
pub const TAX_FIELDS: [&str; 5] = [
    "contribution_base",
    "housing_fund_rate",
    "additional_deductions",
    "other_deductions",
    "paid_on",
];

/// Roster columns: the worker, then (optional) the tax columns of [`TAX`].
pub const ROSTER: &[Column] = &[
    col(
        "id",
        &["工号", "员工编号", "人员编号", "编号", "worker_id"],
        true,
        Text,
    ),
    col("name", NAME, false, Text),
    col("unit", UNIT, true, Text),
    col("position", &["岗位", "职务"], true, Text),
    col("title", &["职称"], false, Text),
    col(
        "hired_on",
        &["入职日期", "入职时间", "hire_date"],
        true,
        Date,
    ),
    col("left_on", &["离职日期", "离职时间"], false, Date),
    col(
        "probation_until",
        &["试用期至", "试用期满", "试用期截止"],
        false,
        Date,
    ),
    col("contribution_base", CONTRIBUTION_BASE, false, Text),
    col("housing_fund_rate", HOUSING_FUND_RATE, false, Rate),
    col("additional_deductions", ADDITIONAL_DEDUCTIONS, false, Text),
    col("other_deductions", OTHER_DEDUCTIONS, false, Text),
    col("paid_on", PAID_ON, false, Date),
    col(
        "bank",
        &["开户行", "开户银行", "开户行名称", "银行"],
        false,
        Text,
    ),
    col(
        "account",
        &["银行账号", "银行卡号", "账号", "卡号", "工资卡号"],
        false,
        Text,
    ),
];

/// The index in [`ROSTER`] of its bank column (then the account column),
/// read by [`read_roster_bank`](super::read_roster_bank) beside the engine's records.
pub(super) const ROSTER_BANK: usize = 13;

/// The index in [`ROSTER`] of its first tax column.
pub(super) const ROSTER_TAX: usize = 8;

/// Tax inputs (`--tax FILE`): one row per worker, the request's `tax` list.
/// Every tax column is optional; an empty cell means the default.
pub const TAX: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("contribution_base", CONTRIBUTION_BASE, false, Text),
    col("housing_fund_rate", HOUSING_FUND_RATE, false, Rate),
    col("additional_deductions", ADDITIONAL_DEDUCTIONS, false, Text),
    col("other_deductions", OTHER_DEDUCTIONS, false, Text),
    col("paid_on", PAID_ON, false, Date),
    col("name", NAME, false, Text),
    col("unit", UNIT, false, Text),
];

/// Assessment columns (a grade, a score, or both).
pub const ASSESSMENTS: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("period", PERIOD, true, Period),
    col("grade", GRADE, false, Text),
    col("score", SCORE, false, Text),
    col("name", NAME, false, Text),
    col("unit", UNIT, false, Text),
];

/// Change columns (`--changes FILE`): a worker's new position, title or
/// unit from a day; the request's `changes` list.
pub const CHANGES: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("on", &["生效日期", "变动日期", "起始日期"], true, Date),
    col("position", &["岗位", "职务"], false, Text),
    col("title", &["职称"], false, Text),
    col("unit", UNIT, false, Text),
    col("name", NAME, false, Text),
];

/// Honour columns.
pub const HONOURS: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("level", &["荣誉级别", "级别"], true, Text),
    col(
        "awarded_on",
        &["授予日期", "获奖日期", "表彰日期"],
        true,
        Date,
    ),
    col("deed", &["事迹", "荣誉事迹", "荣誉称号"], false, Text),
    col("name", NAME, false, Text),
    col("unit", UNIT, false, Text),
];

/// Scores for `payrules grade`.
pub const SCORES: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("unit", UNIT, false, Text),
    col("score", SCORE, true, Text),
    col("period", PERIOD, false, Period),
    col("name", NAME, false, Text),
];

/// Grades for `payrules check-grades` (the output of `grade` reads back).
pub const GRADES: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("unit", UNIT, false, Text),
    col("grade", GRADE, true, Text),
    col("period", PERIOD, false, Period),
    col("name", NAME, false, Text),
    col("score", SCORE, false, Text),
    col("rank", &["排名", "名次"], false, Text),
];

fn norm_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
}

/// The column a header names, if any.
pub fn column_for(cols: &[Column], header: &str) -> Option<usize> {
    let h = norm_header(header);
    if h.is_empty() {
        return None;
    }
    cols.iter()
        .position(|c| c.field == h || c.names.iter().any(|n| n.to_ascii_lowercase() == h))
}

pub(super) fn accepted(c: &Column) -> String {
    let mut v = vec![c.field.to_string()];
    v.extend(c.names.iter().map(|s| s.to_string()));
    v.join(" or ")
}

pub(super) fn known_columns(cols: &[Column]) -> String {
    cols.iter()
        .map(|c| match c.names.first() {
            Some(zh) => format!("{} ({zh})", c.field),
            None => c.field.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a header names an amount of money (a deduction, an allowance…),
/// which must never be ignored without the clerk knowing.
pub(super) fn looks_like_money(h: &str) -> bool {
    const WORDS: [&str; 12] = [
        "扣",
        "款",
        "金额",
        "工资",
        "补贴",
        "津贴",
        "奖",
        "费",
        "元",
        "amount",
        "deduction",
        "pay",
    ];
    let l = h.to_lowercase();
    WORDS.iter().any(|w| l.contains(w))
}

/// The known header closest to `h` by edit distance (in characters), if
/// any is within half its length.
pub(super) fn closest(cols: &[Column], h: &str) -> Option<String> {
    fn dist(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let h = h.trim().to_lowercase();
    cols.iter()
        .flat_map(|c| std::iter::once(c.field).chain(c.names.iter().copied()))
        .map(|n| (dist(&h, &n.to_lowercase()), n))
        .filter(|(d, n)| *d * 2 <= h.chars().count().max(n.chars().count()))
        .min()
        .map(|(_, n)| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_either_language() {
        assert_eq!(column_for(ROSTER, "工号"), Some(0));
        assert_eq!(column_for(ROSTER, " ID "), Some(0));
        assert_eq!(column_for(ROSTER, "社区/单位"), Some(2));
        assert_eq!(column_for(ROSTER, "\u{feff}入职日期"), Some(5));
        assert_eq!(column_for(ROSTER, "备注"), None);
        assert_eq!(column_for(ROSTER, "社保缴费基数"), Some(ROSTER_TAX));
        assert_eq!(column_for(TAX, "住房公积金比例"), Some(2));
        assert_eq!(column_for(TAX, "Other_Deductions"), Some(4));
        assert_eq!(column_for(TAX, "发放日期"), Some(5));
    }
}
