//! Cells as HR writes them, normalised before the engine reads them:
//! dates (`2026/11/3`, `2026年11月3日`, Excel serial numbers), periods
//! (`2026年11月`) and rates (`12%`). A cell that is not recognised is kept
//! as written, so the engine's error shows what HR wrote.

use compact_str::{CompactString, ToCompactString, format_compact};

pub(crate) use crate::worker::trim;

/// Normalises a date cell to `YYYY-MM-DD` when it is a real date written
/// `2026-11-03`, `2026/11/3`, `2026.11.3` or `2026年11月3日`, or an Excel
/// date serial number (see [`excel_serial_date`]); otherwise the text is
/// kept as given, so the engine's error shows what HR wrote.
pub fn normalize_date(text: &str) -> CompactString {
    let t = trim(text);
    let b = t.as_bytes();
    if b.is_empty() {
        return CompactString::default();
    }
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        // Already YYYY-MM-DD (the common case): the engine checks the day.
        return CompactString::from(t);
    }
    if let Some(date) = excel_serial_date(t) {
        return date.format("%Y-%m-%d").to_compact_string();
    }
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    if let [y, m, d] = parts[..] {
        let ok = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
        };
        if y.len() == 4
            && ok(y, 4)
            && ok(m, 2)
            && ok(d, 2)
            && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
            && let Some(date) = crate::period::ymd(y, m, d)
        {
            return date.format("%Y-%m-%d").to_compact_string();
        }
    }
    CompactString::from(t)
}

/// The date of an Excel date serial number, as a date cell holds it when
/// its column is formatted as a number (`46342` is 2026-11-16), or as
/// "save as CSV" writes such a cell.
///
/// Only five-digit whole numbers are taken, 10000 (1927-05-18) to 99999
/// (2173-10-14): a four-digit number in a date column is more likely a year
/// typed alone, and is left for the engine to refuse. Excel counts days
/// from 1899-12-31 as day 1 but also counts 1900-02-29, a day that never
/// was (its 1900 leap-year quirk, kept from Lotus 1-2-3); every serial from
/// 61 on is therefore the number of days after 1899-12-30.
#[must_use]
pub fn excel_serial_date(text: &str) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    if t.len() != 5 || !t.bytes().all(|b| b.is_ascii_digit()) || t.starts_with('0') {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    crate::period::ymd(1899, 12, 30)?.checked_add_signed(chrono::TimeDelta::try_days(n)?)
}

/// Normalises a period cell: `2026/11`, `2026年11月`, `2026.11` → `2026-11`;
/// `2026年` → `2026`; anything else is kept for the engine to judge.
pub fn normalize_period(text: &str) -> CompactString {
    let b = text.as_bytes();
    if b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!((b[5], b[6]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
    {
        // Already YYYY-MM (the common case).
        return CompactString::from(text);
    }
    let t = trim(text).trim_end_matches(['月', '年', '度']);
    let parts: Vec<&str> = t.split(['-', '/', '.', '年']).collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts[..] {
        [y] if y.len() == 4 && digits(y) => CompactString::from(y),
        [y, m] if y.len() == 4 && digits(y) && digits(m) && m.len() <= 2 => {
            match m.parse::<u32>() {
                Ok(m) if (1..=12).contains(&m) => format_compact!("{y}-{m:02}"),
                _ => CompactString::from(text.trim()),
            }
        }
        _ => CompactString::from(text.trim()),
    }
}

/// Normalises a rate cell: `12%` (or `12％`) → `0.12`, exactly (the digits
/// moved two places, never through a float); anything else is kept for the
/// engine to judge, so its error shows what HR wrote.
pub fn normalize_rate(text: &str) -> CompactString {
    let t = text.trim();
    let Some(num) = t.strip_suffix(['%', '％']).map(str::trim_end) else {
        return CompactString::from(t);
    };
    match crate::money::parse_decimal(num, crate::money::RATE_DP - 2) {
        Ok(d) => {
            let mut d = d / rust_decimal::Decimal::ONE_HUNDRED;
            d = d.normalize();
            d.to_compact_string()
        }
        Err(_) => CompactString::from(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods_normalise() {
        assert_eq!(normalize_date("2026/11/3"), "2026-11-03");
        assert_eq!(normalize_date(" 2026-11-03 "), "2026-11-03");
        assert_eq!(normalize_date("2026年11月3日"), "2026-11-03");
        assert_eq!(normalize_date("2026/02/30"), "2026/02/30");
        assert_eq!(normalize_date("26/11/3"), "26/11/3");
        // Excel serials: 46342 is 2026-11-16 (worked: 2026-01-01 is serial
        // 46023, and 11-16 is day 320 of the year, 46023 + 319 = 46342);
        // 45351 is 2024-02-29 (a real leap day, after the 1900 quirk).
        assert_eq!(normalize_date("46342"), "2026-11-16");
        assert_eq!(normalize_date("46023"), "2026-01-01");
        assert_eq!(normalize_date("45351"), "2024-02-29");
        assert_eq!(normalize_date("46342.0"), "2026-11-16");
        assert_eq!(normalize_date("10000"), "1927-05-18");
        // A year alone, a six-digit number or a fraction stays for the
        // engine to refuse with what HR wrote.
        assert_eq!(normalize_date("2026"), "2026");
        assert_eq!(normalize_date("463420"), "463420");
        assert_eq!(normalize_date("46342.5"), "46342.5");
        assert_eq!(normalize_period("2026/11"), "2026-11");
        assert_eq!(normalize_period("2026年11月"), "2026-11");
        assert_eq!(normalize_period("2026年度"), "2026");
        assert_eq!(normalize_period("2026-13"), "2026-13");
    }

    #[test]
    fn rates_as_percentages_are_exact() {
        assert_eq!(normalize_rate("12%"), "0.12");
        assert_eq!(normalize_rate(" 7.5 ％ "), "0.075");
        assert_eq!(normalize_rate("0.12"), "0.12");
        assert_eq!(normalize_rate("12.34567%"), "12.34567%"); // too precise: the engine says so
        assert_eq!(normalize_rate("x%"), "x%");
    }
}
