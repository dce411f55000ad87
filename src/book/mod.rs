//! The payroll book: a year of months in one SQLite file (feature `book`).
//!
//! A payroll office runs months in a row. The book keeps, per month, the
//! inputs as given, the policy text and version used, every payslip line
//! (integer fen), each worker's year-to-date tax state after the month, the
//! month's status and the corrections made to it, so that:
//!
//! - [`Book::pay`] computes a month's gross **and net** taking each
//!   worker's year-to-date state from the book (nothing carried by hand),
//!   pays pending corrections, and stores the month as a draft (paying it
//!   again replaces the draft);
//! - [`Book::close`] freezes a month: its payslips are chained by SHA-256
//!   to the previous closed month's ([`Book::verify`] finds any change made
//!   outside payrules), and its states become the next month's starting
//!   point. Months close in order; a closed month never changes;
//! - [`Book::correct`] recomputes a closed month with corrected inputs (or
//!   [`Book::correct_policy`] every closed month since a date under a policy
//!   version adopted later) and records the differences, which the next
//!   [`Book::pay`] pays as `arrears` / `recovery` lines;
//! - [`Book::annual`] pays the annual bonus on the book's real year figures.
//!
//! The engine stays pure: a month is an ordinary run request, completed
//! from the book (year-to-date states, pending corrections) and run; the
//! book only stores. Every SQL statement is in `store`; every change is one
//! transaction.
//!
//! Each operation has its module: `pay` (a month or the annual bonus paid,
//! over `complete`, which completes its request from the book), `correct`,
//! `views` (history, report, verify) and `command` (the JSON commands);
//! `codec` encodes what `store` keeps. Opening, closing and the year-to-date
//! imports stay here.

mod codec;
mod command;
mod complete;
mod correct;
mod pay;
mod store;
mod views;

pub use command::{Reply, run_command};
pub use correct::Replace;
pub use pay::Paid;
pub use store::SCHEMA_VERSION;
pub use views::{History, HistoryRow, ReportRow, Verified};

use crate::contract::correction::adjustments_of;
use crate::period::YearMonth;
use crate::policy::{BUILTIN_TOML, PolicySet};
use crate::rules::correction::{Adjustment, AdjustmentRecord};
use crate::run::{self, Kind, Request, RequestError, Run};
use std::path::Path;
use store::{MonthRow, SlipRow, Store};

/// Why a book operation was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// `book init` on an existing file.
    #[error("{0} already exists; a new book needs a new file")]
    Exists(String),
    /// No book at the path.
    #[error("no book at {0}; create one with `payrules book init {0}`")]
    Missing(String),
    /// The file is not a payrules book.
    #[error("{0} is not a payrules book")]
    NotABook(String),
    /// Written by a newer payrules.
    #[error(
        "this book was written by a newer payrules (schema {found}); this payrules reads schema {supported} and older: upgrade payrules to open it"
    )]
    Newer {
        /// The book's schema.
        found: i64,
        /// The newest this payrules reads.
        supported: i64,
    },
    /// Another payrules is writing the book.
    #[error("the book is busy: another payrules is writing it; try again when it has finished")]
    Busy,
    /// The file is damaged.
    #[error("the book is damaged: {0}")]
    Corrupt(String),
    /// Any other database failure.
    #[error("book database: {0}")]
    Sql(String),
    /// The month is closed.
    #[error("{0} is closed: a closed month never changes; correct it with `payrules correct`")]
    Closed(String),
    /// The month was never paid.
    #[error("{0} has not been paid; pay it first")]
    NotPaid(String),
    /// Out of order.
    #[error("{period}: {message}")]
    Order {
        /// The month refused.
        period: String,
        /// What is expected instead.
        message: String,
    },
    /// The month's run has input errors.
    #[error("{period}: {count} input error(s); correct the inputs and pay again: {first}")]
    InputErrors {
        /// The month.
        period: String,
        /// How many.
        count: usize,
        /// The first few.
        first: String,
        /// All of them, each with the record it came from (for a face to
        /// place in its files).
        errors: Vec<crate::run::InputError>,
    },
    /// The request could not be run.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// A bad argument.
    #[error("{0}")]
    Invalid(String),
    /// A JSON command ([`run_command`]) that cannot be read.
    #[error("book command: {0}")]
    Command(String),
}

/// A month closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The period.
    pub period: String,
    /// Its place in the chain (1 = first closed).
    pub seq: i64,
    /// Its digest.
    pub digest: String,
    /// Workers paid.
    pub workers: i64,
}

/// A month as the book lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthInfo {
    /// `YYYY-MM`, or `YYYY` for an annual bonus.
    pub period: String,
    /// `monthly` or `annual`.
    pub kind: String,
    /// `draft` or `closed`.
    pub status: String,
    /// Workers paid.
    pub workers: i64,
    /// The policy version used.
    pub policy_version: String,
    /// When closed.
    pub closed_at: Option<String>,
}

/// A payroll book.
pub struct Book {
    store: Store,
}

fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn next_month(m: YearMonth) -> YearMonth {
    if m.month() == 12 {
        YearMonth::new(m.year() + 1, 1)
    } else {
        YearMonth::new(m.year(), m.month() + 1)
    }
    // Invariant: the year stays inside 1..9999 for any month a book holds.
    .unwrap_or(m)
}

fn month_of(period: &str) -> Result<YearMonth, BookError> {
    period
        .parse::<YearMonth>()
        .map_err(|e| BookError::Invalid(format!("period: {e}")))
}

fn errors_text(run: &Run) -> String {
    run.errors
        .iter()
        .take(3)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Book {
    /// Creates a book at `path` with a policy (TOML text; the built-in when
    /// `None`). Refuses an existing file.
    pub fn init(path: &Path, policy: Option<&str>) -> Result<Book, BookError> {
        let text = policy.unwrap_or(BUILTIN_TOML);
        PolicySet::from_toml(text).map_err(RequestError::from)?;
        let mut store = Store::create(path)?;
        store.write(|tx| {
            let id = tx.policy_id(&codec::sha256(&[text.as_bytes()]), text)?;
            tx.set_meta("policy", &id.to_string())?;
            tx.set_meta(
                "created_by",
                concat!("payrules ", env!("CARGO_PKG_VERSION")),
            )?;
            tx.set_meta("created_at", &now())
        })?;
        Ok(Book { store })
    }

    /// Opens a book; refuses a file that is not a book or was written by a
    /// newer payrules.
    pub fn open(path: &Path) -> Result<Book, BookError> {
        Ok(Book {
            store: Store::open(path)?,
        })
    }

    /// The policy text new months are paid under.
    pub fn policy_text(&mut self) -> Result<String, BookError> {
        self.store.read(|tx| {
            let id = current_policy(tx)?;
            Ok(tx.policy(id)?.0)
        })
    }

    /// Closes a paid month (or a paid annual bonus, period `YYYY`): it never
    /// changes again, its digest joins the chain, and its year-to-date
    /// states become the next month's.
    pub fn close(&mut self, period: &str) -> Result<Closed, BookError> {
        let period = period.to_string();
        self.store.write(|tx| {
            let Some(m) = tx.month(&period)? else {
                return Err(BookError::NotPaid(period.clone()));
            };
            if m.status == "closed" {
                return Err(BookError::Closed(period.clone()));
            }
            if m.errors > 0 {
                return Err(BookError::Order {
                    period: period.clone(),
                    message: format!(
                        "the draft has {} input error(s); correct the inputs and pay it again before closing",
                        m.errors
                    ),
                });
            }
            if m.kind == "monthly" {
                let month = month_of(&period)?;
                if let Some(last) = last_closed_month(tx)?
                    && next_month(last) != month
                {
                    return Err(BookError::Order {
                        period: period.clone(),
                        message: format!(
                            "the last closed month is {last}; close {} first (months close in order)",
                            next_month(last)
                        ),
                    });
                }
            }
            let closed = tx.closed()?;
            let seq = closed.last().and_then(|c| c.seq).unwrap_or(0) + 1;
            let prev = closed
                .last()
                .and_then(|c| c.digest.clone())
                .unwrap_or_default();
            let slips = tx.slips(&period)?;
            let digest = views::digest(tx, &m, &prev, &slips)?;
            for s in &slips {
                if let Some(state) = &s.ytd
                    && let Some(year) = codec::ytd_year(state)
                {
                    tx.put_ytd(year, &s.worker_id, &period, state, false)?;
                }
            }
            tx.close(&period, seq, &digest, &now())?;
            Ok(Closed {
                period: period.clone(),
                seq,
                digest,
                workers: m.workers,
            })
        })
    }

    /// Imports year-to-date figures (for the book's first month, or for
    /// workers who joined mid-year from another employer). Refused for a
    /// worker whose year already has a state from a closed month.
    pub fn import_ytd(
        &mut self,
        records: &[crate::rules::tax::YtdRecord],
        through: &str,
    ) -> Result<usize, BookError> {
        let month = month_of(through)?;
        self.store.write(|tx| {
            let mut n = 0;
            for r in records {
                let year: i32 = r.year.0.parse().map_err(|_| {
                    BookError::Invalid(format!(
                        "worker {}: year {:?} is not a year",
                        r.worker_id, r.year.0
                    ))
                })?;
                if year != month.year() {
                    return Err(BookError::Invalid(format!(
                        "worker {}: figures of {year} imported through {month}; give figures of {}",
                        r.worker_id,
                        month.year()
                    )));
                }
                let have = tx.ytd(year)?;
                if have
                    .iter()
                    .any(|(w, _, _, imported)| w == &r.worker_id && !imported)
                {
                    return Err(BookError::Invalid(format!(
                        "worker {}: the book already holds {year}'s figures from closed months; import only for workers new to the book",
                        r.worker_id
                    )));
                }
                let mut y = crate::rules::tax::read_state(r, year, month.month() as u8)
                    .map_err(|m| BookError::Invalid(format!("worker {}: {m}", r.worker_id)))?;
                match y.through {
                    Some(t) if t > month => {
                        return Err(BookError::Invalid(format!(
                            "worker {}: figures through {t} imported as through {month}; give figures up to {month}",
                            r.worker_id
                        )));
                    }
                    Some(_) => {}
                    None => y.through = Some(month),
                }
                tx.put_ytd(year, &r.worker_id, through, &codec::encode_ytd(&y), true)?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Each worker's year-to-date state of a tax year after the last closed
    /// period (or as imported), sorted by worker: what the next month starts from.
    pub fn states(&mut self, year: i32) -> Result<Vec<crate::rules::tax::YtdRecord>, BookError> {
        self.store.read(|tx| {
            tx.ytd(year)?
                .iter()
                .map(|(w, _, state, _)| codec::ytd_record(w, state))
                .collect()
        })
    }

    /// The months in the book, in period order.
    pub fn months(&mut self) -> Result<Vec<MonthInfo>, BookError> {
        self.store.read(|tx| {
            Ok(tx
                .months()?
                .into_iter()
                .map(|m| MonthInfo {
                    period: m.period,
                    kind: m.kind,
                    status: m.status,
                    workers: m.workers,
                    policy_version: m.policy_version,
                    closed_at: m.closed_at,
                })
                .collect())
        })
    }
}

fn current_policy(tx: &store::Tx) -> Result<i64, BookError> {
    tx.meta("policy")?
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| BookError::Corrupt("no current policy".into()))
}

fn last_closed_month(tx: &store::Tx) -> Result<Option<YearMonth>, BookError> {
    Ok(tx
        .closed()?
        .iter()
        .filter(|m| m.kind == "monthly")
        .filter_map(|m| m.period.parse::<YearMonth>().ok())
        .max())
}

/// Corrections in their document form.
pub fn records(adjustments: &[Adjustment]) -> Vec<AdjustmentRecord> {
    adjustments.iter().map(Adjustment::to_record).collect()
}

/// Used by `correct`: the differences of a recomputed period.
fn differences(
    run: &Run,
    paid: &crate::rules::correction::Earned,
    reason: &str,
) -> Vec<Adjustment> {
    adjustments_of(run, paid, reason)
}
