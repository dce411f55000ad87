//! How the book writes what it stores: payslip lines as stable two-letter
//! codes with integer fen, year-to-date states as decimal text, a month's
//! inputs as deflated JSON (read back through a bound), and the SHA-256
//! digests that chain closed months.

use super::BookError;
use crate::money::Amount;
use crate::rules::slip::LineCode;
use crate::rules::tax::{Count, Ytd, YtdRecord};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// The stable short code of each line code in stored payslips. Never
/// renumbered: a book written today is read by every later payrules.
const SHORT: [(LineCode, &str); 15] = [
    (LineCode::BasePay, "bp"),
    (LineCode::LivingAllowance, "la"),
    (LineCode::PostAllowance, "pa"),
    (LineCode::TitleAllowance, "ta"),
    (LineCode::MonthlyBonus, "mb"),
    (LineCode::AnnualBonus, "ab"),
    (LineCode::HonourAward, "ha"),
    (LineCode::Arrears, "ar"),
    (LineCode::Recovery, "rc"),
    (LineCode::Pension, "pe"),
    (LineCode::Medical, "me"),
    (LineCode::Unemployment, "un"),
    (LineCode::HousingFund, "hf"),
    (LineCode::IncomeTax, "it"),
    (LineCode::Net, "ne"),
];

fn short(code: LineCode) -> &'static str {
    // Invariant: SHORT lists every code in `LineCode` order (a unit test checks).
    SHORT[code as usize].1
}

fn from_short(s: &str) -> Option<LineCode> {
    SHORT.iter().find(|(_, x)| *x == s).map(|(c, _)| *c)
}

/// An amount in whole fen (amounts are already rounded to the fen).
pub fn fen(d: Decimal) -> i64 {
    let mut x = d.round_dp(2);
    x.rescale(2);
    // Invariant: amounts are below 10^13 yuan, far inside i64 fen.
    x.mantissa() as i64
}

/// Whole fen as an amount.
pub fn yuan(f: i64) -> Decimal {
    Decimal::new(f, 2)
}

/// A payslip's lines as stored: `bp:220000 la:60000 …`, in payslip order.
pub fn encode_lines(lines: impl Iterator<Item = (LineCode, Decimal)>) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(96);
    for (c, a) in lines {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(short(c));
        out.push(':');
        let _ = write!(out, "{}", fen(a));
    }
    out
}

/// Stored lines read back; an unreadable entry is a corrupt book.
pub fn decode_lines(text: &str) -> Result<Vec<(LineCode, Decimal)>, BookError> {
    text.split(' ')
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (c, f) = item
                .split_once(':')
                .ok_or_else(|| BookError::Corrupt(format!("payslip line {item:?}")))?;
            let code =
                from_short(c).ok_or_else(|| BookError::Corrupt(format!("line code {c:?}")))?;
            let f: i64 = f
                .parse()
                .map_err(|_| BookError::Corrupt(format!("amount {f:?}")))?;
            Ok((code, yuan(f)))
        })
        .collect()
}

/// A year-to-date state as stored: `year months income exempt
/// contributions additional other withheld separate_bonus separate_tax
/// unwithheld through`, amounts in whole fen, `through` `YYYY-MM` or `-`.
pub fn encode_ytd(y: &Ytd) -> String {
    let a = fen;
    format!(
        "{} {} {} {} {} {} {} {} {} {} {} {}",
        y.year,
        y.months,
        a(y.income),
        a(y.exempt_income),
        a(y.contributions),
        a(y.additional_deductions),
        a(y.other_deductions),
        a(y.tax_withheld),
        a(y.separate_bonus),
        a(y.separate_bonus_tax),
        a(y.tax_unwithheld),
        y.through.map_or("-".to_string(), |m| m.to_string())
    )
}

/// A stored state as the request's `ytd` record of `worker_id`.
pub fn ytd_record(worker_id: &str, state: &str) -> Result<YtdRecord, BookError> {
    let f: Vec<&str> = state.split(' ').collect();
    if f.len() < 12 {
        return Err(BookError::Corrupt(format!(
            "year-to-date state of {worker_id}: {state:?}"
        )));
    }
    let mut amounts = [Decimal::ZERO; 9];
    for (i, a) in amounts.iter_mut().enumerate() {
        *a = yuan(f[i + 2].parse().map_err(|_| {
            BookError::Corrupt(format!("year-to-date state of {worker_id}: {state:?}"))
        })?);
    }
    let s = |i: usize| Some(Amount(amounts[i - 2]).to_string());
    let through = (f[11] != "-").then(|| f[11].to_string());
    Ok(YtdRecord {
        worker_id: worker_id.to_string(),
        year: Count(f[0].to_string()),
        months: Count(f[1].to_string()),
        income: s(2),
        exempt_income: s(3),
        contributions: s(4),
        additional_deductions: s(5),
        other_deductions: s(6),
        tax_withheld: s(7),
        separate_bonus: s(8),
        separate_bonus_tax: s(9),
        tax_unwithheld: (!amounts[8].is_zero()).then(|| s(10)).flatten(),
        through,
    })
}

/// The tax year of a stored state.
pub fn ytd_year(state: &str) -> Option<i32> {
    state.split(' ').next()?.parse().ok()
}

/// Tax withheld on wages in a stored state (the eighth field).
pub fn ytd_withheld(state: &str) -> Option<Decimal> {
    state.split(' ').nth(7)?.parse().ok().map(yuan)
}

/// JSON deflated for storage.
pub fn deflate(json: &[u8]) -> Vec<u8> {
    // The fast level: a 100,000-worker month's inputs deflate in a third of
    // the time of the default level, a few per cent larger.
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Invariant: writing to a Vec cannot fail.
    e.write_all(json).expect("deflate into memory");
    e.finish().expect("deflate into memory")
}

/// Stored inputs inflated, at most `limits::MAX_REQUEST` bytes (a corrupt or
/// hostile book cannot exhaust memory).
pub fn inflate(blob: &[u8]) -> Result<Vec<u8>, BookError> {
    let max = crate::limits::MAX_REQUEST as u64;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(blob)
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| BookError::Corrupt(format!("stored inputs: {e}")))?;
    if out.len() as u64 > max {
        return Err(BookError::Corrupt(
            "stored inputs inflate beyond the request bound".into(),
        ));
    }
    Ok(out)
}

/// SHA-256 as lower-case hex.
pub fn sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An incremental SHA-256 of a month's stored content.
pub struct Digester(Sha256);

impl Digester {
    /// Starts from the previous closed month's digest ("" for the first).
    pub fn new(prev: &str) -> Digester {
        let mut h = Sha256::new();
        h.update(b"payrules book v1\n");
        h.update(prev.as_bytes());
        h.update(b"\n");
        Digester(h)
    }
    /// Adds fields, tab separated, ending a record.
    pub fn record(&mut self, fields: &[&str]) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.0.update(b"\t");
            }
            self.0.update(f.as_bytes());
        }
        self.0.update(b"\n");
    }
    /// The digest as hex.
    pub fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_code_has_one_stable_short_code() {
        for (i, c) in LineCode::ALL.into_iter().enumerate() {
            assert_eq!(SHORT[i].0, c);
            let s = short(c);
            assert_eq!(from_short(s), Some(c), "{c:?}");
        }
        let mut all: Vec<&str> = SHORT.iter().map(|(_, s)| *s).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), LineCode::ALL.len());
    }

    #[test]
    fn lines_and_states_round_trip_exactly() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let lines = vec![
            (LineCode::BasePay, d("2200.00")),
            (LineCode::Recovery, d("-200.05")),
            (LineCode::Net, d("0.01")),
        ];
        let text = encode_lines(lines.iter().copied());
        assert_eq!(text, "bp:220000 rc:-20005 ne:1");
        assert_eq!(decode_lines(&text).unwrap(), lines);
        assert!(decode_lines("zz:1").is_err());
        let mut y = Ytd::start(2026);
        y.months = 3;
        y.income = d("90000.00");
        y.tax_withheld = d("3030.00");
        let s = encode_ytd(&y);
        assert_eq!(s, "2026 3 9000000 0 0 0 0 303000 0 0 0 -");
        y.through = Some("2026-03".parse().unwrap());
        y.tax_unwithheld = d("10.00");
        let s = encode_ytd(&y);
        assert_eq!(s, "2026 3 9000000 0 0 0 0 303000 0 0 1000 2026-03");
        let r = ytd_record("W1", &s).unwrap();
        assert_eq!(r.through.as_deref(), Some("2026-03"));
        assert_eq!(r.tax_unwithheld.as_deref(), Some("10.00"));
        let r = ytd_record("W1", &s).unwrap();
        assert_eq!(r.tax_withheld.as_deref(), Some("3030.00"));
        assert_eq!(ytd_year(&s), Some(2026));
        assert_eq!(ytd_withheld(&s), Some(d("3030.00")));
    }

    #[test]
    fn inputs_inflate_within_the_bound() {
        let json = br#"{"kind":"monthly","period":"2026-11"}"#;
        assert_eq!(inflate(&deflate(json)).unwrap(), json);
        assert!(inflate(b"not deflate data at all").is_err());
    }
}
