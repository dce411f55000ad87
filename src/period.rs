//! Periods and days: `YearMonth`, `Year`, strict date parsing, and the
//! proration fractions a partial month is paid by.
//!
//! ```
//! use payrules::period::{YearMonth, parse_date};
//! let nov: YearMonth = "2026-11".parse().unwrap();
//! assert_eq!(nov.days(), 30);
//! assert_eq!(nov.first_day(), parse_date("2026-11-01").unwrap());
//! assert!("2026-13".parse::<YearMonth>().is_err());
//! assert!(parse_date("2026-02-30").is_err());
//! ```

use chrono::{Datelike, NaiveDate, Weekday};
use std::fmt;
use std::str::FromStr;

/// Why a period or date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not `YYYY-MM`.
    #[error("{0:?} is not a month; write YYYY-MM, such as \"2026-11\"")]
    Month(String),
    /// Not `YYYY`.
    #[error("{0:?} is not a year; write YYYY, such as \"2026\"")]
    Year(String),
    /// Not a real calendar date.
    #[error("{0:?} is not a date; write YYYY-MM-DD, such as \"2026-11-03\", for a day that exists")]
    Date(String),
}

/// A date of years 1 to 9999 (the years payrules knows, as [`Year`]);
/// `None` for year 0 or a day that does not exist.
pub fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    (1..=9999)
        .contains(&year)
        .then(|| NaiveDate::from_ymd_opt(year, month, day))
        .flatten()
}

/// Parses `YYYY-MM-DD` strictly: four-digit year from 0001, two-digit month
/// and day, and a day that exists in that month (2026-02-30 and 0000-01-01
/// are refused).
pub fn parse_date(text: &str) -> Result<NaiveDate, PeriodError> {
    let err = || PeriodError::Date(text.to_string());
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err());
    }
    let num = |s: &str| -> Option<u32> {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(&text[0..4]), num(&text[5..7]), num(&text[8..10]));
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => ymd(y as i32, m, d).ok_or_else(err),
        _ => Err(err()),
    }
}

/// A calendar month, the period of a monthly run.
///
/// Its first and last days are computed once, when it is made, because every
/// payslip of a run asks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
    first: NaiveDate,
    last: NaiveDate,
}

impl YearMonth {
    /// The month, if `month` is 1..=12 and the year is 1..=9999.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        if !(1..=9999).contains(&year) {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let last = NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()?;
        Some(Self {
            year,
            month,
            first,
            last,
        })
    }
    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }
    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }
    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        self.first
    }
    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.last
    }
    /// Number of calendar days in the month.
    pub fn days(self) -> u32 {
        self.last_day().day()
    }
    /// The month of a date.
    pub fn of(date: NaiveDate) -> Self {
        // Invariant: a date's own year and month always make a valid month
        // (chrono dates stay within years 1..=9999 in every caller here; a
        // date outside falls back to its own day as both ends).
        Self::new(date.year(), date.month()).unwrap_or(Self {
            year: date.year(),
            month: date.month(),
            first: date,
            last: date,
        })
    }
    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        date.year() == self.year && date.month() == self.month
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError::Month(s.to_string());
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return Err(err());
        }
        let y: i32 = s[..4].parse().map_err(|_| err())?;
        let m: u32 = s[5..].parse().map_err(|_| err())?;
        Self::new(y, m).ok_or_else(err)
    }
}

/// A calendar year, the period of an annual run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(i32);

impl Year {
    /// The year, if 1..=9999.
    pub fn new(year: i32) -> Option<Self> {
        (1..=9999).contains(&year).then_some(Self(year))
    }
    /// The year as a number.
    pub fn get(self) -> i32 {
        self.0
    }
    /// January 1st.
    pub fn first_day(self) -> NaiveDate {
        // Invariant: year range checked in `new`.
        NaiveDate::from_ymd_opt(self.0, 1, 1).expect("valid year")
    }
    /// December 31st.
    pub fn last_day(self) -> NaiveDate {
        // Invariant: year range checked in `new`.
        NaiveDate::from_ymd_opt(self.0, 12, 31).expect("valid year")
    }
    /// The twelve months of the year.
    pub fn months(self) -> impl Iterator<Item = YearMonth> {
        let y = self.0;
        (1..=12).filter_map(move |m| YearMonth::new(y, m))
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

impl FromStr for Year {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError::Year(s.to_string());
        if s.len() != 4 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        s.parse().ok().and_then(Self::new).ok_or_else(err)
    }
}

/// The days of `[from, to]` (inclusive) that fall in `month`, as
/// `(first, last)`, or `None` when the span misses the month.
pub fn overlap(
    month: YearMonth,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let first = from.max(month.first_day());
    let last = to.map_or(month.last_day(), |t| t.min(month.last_day()));
    (first <= last).then_some((first, last))
}

/// Calendar days in `[first, last]`, inclusive.
pub fn calendar_days(first: NaiveDate, last: NaiveDate) -> u32 {
    if last < first {
        0
    } else {
        // Both dates lie in one month in every caller, so this fits.
        (last - first).num_days() as u32 + 1
    }
}

/// Weekdays (Monday to Friday) in `[first, last]`, inclusive.
///
/// Used by the 21.75-paid-days basis. Public holidays are not known to
/// payrules and count as weekdays.
pub fn weekdays(first: NaiveDate, last: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = first;
    while d <= last {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn months_and_days() {
        let feb: YearMonth = "2028-02".parse().unwrap();
        assert_eq!(feb.days(), 29);
        assert_eq!("2026-02".parse::<YearMonth>().unwrap().days(), 28);
        assert_eq!(
            "2026-12".parse::<YearMonth>().unwrap().last_day(),
            date("2026-12-31")
        );
        for bad in [
            "2026-1",
            "2026-00",
            "2026-13",
            "26-11",
            "2026/11",
            "2026-11-01",
            "abcd-ef",
        ] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad}");
        }
        assert_eq!(
            "2026-11".parse::<YearMonth>().unwrap().to_string(),
            "2026-11"
        );
        assert!("0000".parse::<Year>().is_err());
        assert!("20261".parse::<Year>().is_err());
        assert_eq!("2026".parse::<Year>().unwrap().months().count(), 12);
    }

    #[test]
    fn strict_dates() {
        assert!(parse_date("2026-02-29").is_err());
        assert!(parse_date("2028-02-29").is_ok());
        assert!(parse_date("2026-2-3").is_err());
        assert!(parse_date("2026-11-31").is_err());
        assert!(parse_date("２０２６-11-01").is_err());
    }

    #[test]
    fn overlap_and_counts() {
        let nov: YearMonth = "2026-11".parse().unwrap();
        let (a, b) = overlap(nov, date("2026-11-16"), None).unwrap();
        assert_eq!(calendar_days(a, b), 15);
        // 2026-11-16 is a Monday; 16..30 has 11 weekdays.
        assert_eq!(weekdays(a, b), 11);
        assert!(overlap(nov, date("2026-12-01"), None).is_none());
        assert!(overlap(nov, date("2026-01-01"), Some(date("2026-10-31"))).is_none());
        let (a, b) = overlap(nov, date("2020-01-01"), Some(date("2026-11-10"))).unwrap();
        assert_eq!(calendar_days(a, b), 10);
        assert_eq!(weekdays(nov.first_day(), nov.last_day()), 21);
    }
}
