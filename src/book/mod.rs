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

mod codec;
mod command;
mod correct;
mod store;
mod views;

pub use command::{Reply, run_command};
pub use correct::Replace;
pub use store::SCHEMA_VERSION;
pub use views::{History, HistoryRow, ReportRow, Verified};

use crate::contract::correction::adjustments_of;
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{BUILTIN_TOML, PolicySet};
use crate::rules::correction::{Adjustment, AdjustmentRecord};
use crate::rules::tax::TaxRecord;
use crate::run::{self, Kind, Request, RequestError, Run};
use std::collections::{BTreeSet, HashSet};
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

/// A month paid into the book.
#[derive(Debug)]
pub struct Paid {
    /// The run (payslips with their net-pay lines, errors, warnings).
    pub run: Run,
    /// Corrections of past periods it pays.
    pub adjustments: usize,
    /// Whether it replaced an earlier draft.
    pub replaced: bool,
    /// Whether it was stored: a run with input errors is not (the errors
    /// are in `run.errors`; correct the inputs and pay again).
    pub stored: bool,
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

    /// Pays a month: `req` holds the month's roster, assessments, honours
    /// and tax settings (kind `monthly`); the book adds each worker's
    /// year-to-date state and the pending corrections, runs it, and stores
    /// it as the month's draft.
    pub fn pay(&mut self, req: Request) -> Result<Paid, BookError> {
        if req.kind != Kind::Monthly {
            return Err(BookError::Invalid(
                "pay takes a monthly request; use annual for the bonus".into(),
            ));
        }
        let month = month_of(&req.period)?;
        let period = month.to_string();
        self.store.write(|tx| {
            let existing = tx.month(&period)?;
            if existing.as_ref().is_some_and(|m| m.status == "closed") {
                return Err(BookError::Closed(period.clone()));
            }
            if let Some(last) = last_closed_month(tx)? {
                let expected = next_month(last);
                if month != expected {
                    let message = if month < expected {
                        format!("{last} is already closed; months after it are paid in order")
                    } else {
                        format!(
                            "the book's last closed month is {last}; pay and close {expected} first (months are paid in order, without gaps)"
                        )
                    };
                    return Err(BookError::Order {
                        period: period.clone(),
                        message,
                    });
                }
            } else if let Some(other) = tx
                .months()?
                .into_iter()
                .find(|m| m.kind == "monthly" && m.period != period)
            {
                return Err(BookError::Order {
                    period: period.clone(),
                    message: format!(
                        "{} is a draft; close it before paying another month",
                        other.period
                    ),
                });
            }
            let policy_id = current_policy(tx)?;
            let (text, _) = tx.policy(policy_id)?;
            let set = PolicySet::from_toml(&text).map_err(RequestError::from)?;
            let inputs = stored_inputs(&req)?;
            let (req, ids) = complete(tx, req, &set, month.year(), Some(month))?;
            let run = run::run_owned(req, Some(&set))?;
            if !run.errors.is_empty() {
                return Ok(Paid {
                    run,
                    adjustments: 0,
                    replaced: false,
                    stored: false,
                });
            }
            let rows = tx.payable(&period)?;
            let paid_ids = paid_adjustments(tx, &run, &ids, &rows)?;
            let n = paid_ids.len();
            put_month(tx, &run, "monthly", policy_id, &inputs)?;
            tx.set_paid_in(&period, &paid_ids)?;
            Ok(Paid {
                run,
                adjustments: n,
                replaced: existing.is_some(),
                stored: true,
            })
        })
    }

    /// Pays the annual bonus of `req.period` (a year) on the book's year
    /// figures: the year's December must be closed, so that the choice
    /// between separate and merged taxation is made on the whole year.
    pub fn annual(&mut self, req: Request) -> Result<Paid, BookError> {
        if req.kind != Kind::Annual {
            return Err(BookError::Invalid("annual takes an annual request".into()));
        }
        let year: Year = req
            .period
            .parse()
            .map_err(|e| BookError::Invalid(format!("year: {e}")))?;
        let period = year.to_string();
        self.store.write(|tx| {
            let existing = tx.month(&period)?;
            if existing.as_ref().is_some_and(|m| m.status == "closed") {
                return Err(BookError::Closed(period.clone()));
            }
            let december = format!("{year}-12");
            if tx.month(&december)?.is_none_or(|m| m.status != "closed") {
                return Err(BookError::Order {
                    period: period.clone(),
                    message: format!(
                        "close {december} first: the annual bonus's tax is chosen on the whole year's figures"
                    ),
                });
            }
            let policy_id = current_policy(tx)?;
            let (text, _) = tx.policy(policy_id)?;
            let set = PolicySet::from_toml(&text).map_err(RequestError::from)?;
            let inputs = stored_inputs(&req)?;
            let (req, _) = complete(tx, req, &set, year.get(), None)?;
            let run = run::run_owned(req, Some(&set))?;
            let stored = run.errors.is_empty();
            if stored {
                put_month(tx, &run, "annual", policy_id, &inputs)?;
            }
            Ok(Paid {
                run,
                adjustments: 0,
                replaced: stored && existing.is_some(),
                stored,
            })
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

/// The request as given, for storage: without a policy (the book's policy
/// is stored by reference) and deflated.
fn stored_inputs(req: &Request) -> Result<Vec<u8>, BookError> {
    if req.policy.is_some() || !req.ytd.is_empty() || !req.adjustments.is_empty() {
        return Err(BookError::Invalid(
            "a month paid into the book takes no policy, ytd or adjustments: the book supplies them".into(),
        ));
    }
    // Kept: the assessments and honours of the period itself (a file of the
    // whole year's assessments is read twelve times; each month keeps its own).
    // An honour is kept unless its date reads as one outside the period.
    let in_period = |d: &str| match (parse_date(d), req.kind) {
        (Ok(d), Kind::Monthly) => YearMonth::of(d).to_string() == req.period,
        (Ok(d), Kind::Annual) => chrono::Datelike::year(&d).to_string() == req.period,
        (Err(_), _) => true,
    };
    /// The stored form: the fields of a request, borrowed.
    #[derive(serde::Serialize)]
    struct Stored<'a> {
        kind: Kind,
        period: &'a str,
        workers: &'a [crate::worker::WorkerRecord],
        assessments: Vec<&'a crate::worker::AssessmentRecord>,
        honours: Vec<&'a crate::worker::HonourRecord>,
        tax: &'a [TaxRecord],
        /// Changes of position, title or unit, whatever their date (one
        /// may take effect before the period and still count in it).
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        changes: &'a [crate::worker::ChangeRecord],
    }
    let stored = Stored {
        kind: req.kind,
        period: &req.period,
        workers: &req.workers,
        assessments: req
            .assessments
            .iter()
            .filter(|a| a.period == req.period)
            .collect(),
        honours: req
            .honours
            .iter()
            .filter(|h| in_period(&h.awarded_on))
            .collect(),
        tax: &req.tax,
        changes: &req.changes,
    };
    // Invariant: a request holds only strings and sequences.
    let json = serde_json::to_vec(&stored).expect("request serialises");
    Ok(codec::deflate(&json))
}

/// Completes a month's request from the book: the year-to-date states of
/// its workers, default tax settings for workers without any (the book pays
/// net), and, for a monthly run, the pending corrections of workers
/// employed in the month. Returns the request and the ids of the
/// corrections added, by worker.
fn complete(
    tx: &store::Tx,
    mut req: Request,
    set: &PolicySet,
    year: i32,
    month: Option<YearMonth>,
) -> Result<(Request, Vec<(String, i64)>), BookError> {
    let roster: HashSet<&str> = req.workers.iter().map(|w| w.id.as_str()).collect();
    let mut ytd = Vec::new();
    // The book's months are consecutive: a state from its own months is
    // complete up to the month before this one even when the worker was not
    // paid in the last months (not employed, or left out and paid later as
    // arrears), so its `through` is the previous month. Imported figures keep
    // theirs: a gap after them is the importer's to explain.
    let previous = month.and_then(|m| {
        (m.month() > 1)
            .then(|| YearMonth::new(m.year(), m.month() - 1))
            .flatten()
    });
    for (w, _through, state, imported) in tx.ytd(year)? {
        if roster.contains(w.as_str()) {
            let mut r = codec::ytd_record(&w, &state)?;
            if let (Some(p), false) = (previous, imported) {
                r.through = Some(p.to_string());
            }
            ytd.push(r);
        }
    }
    let with_tax = set.versions.iter().any(|v| v.tax.is_some());
    let mut tax: Vec<TaxRecord> = Vec::new();
    if with_tax {
        let given: HashSet<&str> = req.tax.iter().map(|t| t.worker_id.as_str()).collect();
        let mut seen = HashSet::new();
        for w in &req.workers {
            if !given.contains(w.id.as_str()) && seen.insert(w.id.as_str()) {
                tax.push(TaxRecord {
                    worker_id: w.id.clone(),
                    ..TaxRecord::default()
                });
            }
        }
    }
    let mut ids = Vec::new();
    let mut adjustments = Vec::new();
    if let Some(month) = month {
        let employed: HashSet<&str> = req
            .workers
            .iter()
            .filter(|w| {
                let hired = parse_date(&w.hired_on);
                let left = w
                    .left_on
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(parse_date);
                match (hired, left) {
                    (Ok(h), None) => h <= month.last_day(),
                    (Ok(h), Some(Ok(l))) => h <= month.last_day() && l >= month.first_day(),
                    // Unreadable dates: the run reports them.
                    _ => true,
                }
            })
            .map(|w| w.id.as_str())
            .collect();
        for a in tx.payable(&month.to_string())? {
            if employed.contains(a.worker_id.as_str()) {
                ids.push((a.worker_id.clone(), a.id));
                adjustments.push(AdjustmentRecord {
                    worker_id: a.worker_id.clone(),
                    period: a.corrected.clone(),
                    code: a.code.clone(),
                    old: crate::money::Amount(codec::yuan(a.old)).to_string(),
                    new: crate::money::Amount(codec::yuan(a.new)).to_string(),
                    reason: a.reason.clone(),
                });
            }
        }
    }
    req.tax.extend(tax);
    req.ytd = ytd;
    req.adjustments = adjustments;
    if month.is_some() {
        earlier_honours(tx, &mut req)?;
    }
    Ok((req, ids))
}

/// The ids of the corrections a run paid: those of workers with a payslip.
/// A recovery the pay allowed only in part is split in the book first: the
/// row keeps the part recovered (and is paid), a new pending row holds the
/// rest.
fn paid_adjustments(
    tx: &store::Tx,
    run: &Run,
    ids: &[(String, i64)],
    rows: &[store::AdjustmentRow],
) -> Result<Vec<i64>, BookError> {
    let paid: BTreeSet<&str> = run
        .payslips
        .iter()
        .map(|p| run.workers[p.worker].id.as_str())
        .collect();
    let mut used = BTreeSet::new();
    let mut unpaid = BTreeSet::new();
    for d in &run.deferred {
        // The row it came from: same worker, period, code, reason and `new`,
        // recovering more than what is left.
        let row = rows.iter().find(|r| {
            !used.contains(&r.id)
                && ids.iter().any(|(_, id)| *id == r.id)
                && r.worker_id == d.worker_id
                && r.corrected == d.period
                && r.code == d.code.code()
                && r.reason == d.reason
                && r.new == codec::fen(d.new)
                && r.old >= codec::fen(d.old)
        });
        let Some(row) = row else {
            return Err(BookError::Corrupt(format!(
                "a deferred recovery of worker {} matches no correction",
                d.worker_id
            )));
        };
        used.insert(row.id);
        if row.old == codec::fen(d.old) {
            // Nothing recovered this month: it stays pending, whole.
            unpaid.insert(row.id);
        } else {
            tx.split_adjustment(row.id, codec::fen(d.old))?;
        }
    }
    Ok(ids
        .iter()
        .filter(|(w, id)| paid.contains(w.as_str()) && !unpaid.contains(id))
        .map(|(_, id)| *id)
        .collect())
}

/// Stores a run as its period's draft.
fn put_month(
    tx: &store::Tx,
    run: &Run,
    kind: &str,
    policy_id: i64,
    inputs: &[u8],
) -> Result<(), BookError> {
    let mut slips = Vec::with_capacity(run.payslips.len());
    for p in &run.payslips {
        let w = &run.workers[p.worker];
        let ytd = run
            .tax
            .slips
            .get(p.worker)
            .and_then(Option::as_ref)
            .map(|t| codec::encode_ytd(t.ytd_out()));
        slips.push(SlipRow {
            worker_id: w.id.clone(),
            period: run.period.clone(),
            unit: w.unit.clone(),
            lines: codec::encode_lines(p.lines.iter().map(|l| (l.code, l.amount))),
            ytd,
        });
    }
    let m = MonthRow {
        period: run.period.clone(),
        kind: kind.to_string(),
        status: "draft".into(),
        policy_id,
        policy_version: run.policy.version.clone(),
        errors: run.errors.len() as i64,
        workers: run.payslips.len() as i64,
        seq: None,
        digest: None,
        computed_at: now(),
        closed_at: None,
    };
    tx.put_draft(&m, inputs, &slips)?;
    if kind == "monthly" {
        tx.put_honours(&run.period, &honours_paid(run))?;
    }
    Ok(())
}

/// What a monthly run paid per worker and honoured deed: `(worker, deed,
/// highest level code, fen)`.
fn honours_paid(run: &Run) -> Vec<(String, String, String, i64)> {
    use crate::rules::slip::Why;
    use crate::worker::HonourLevel;
    let mut by: std::collections::BTreeMap<(String, String), (HonourLevel, i64)> =
        Default::default();
    for p in &run.payslips {
        for l in &p.lines {
            let Why::Honour { index, level, .. } = l.why else {
                continue;
            };
            let Some(deed) = run.honours[p.worker]
                .get(index as usize)
                .and_then(|h| h.deed.clone())
            else {
                continue;
            };
            let e = by
                .entry((run.workers[p.worker].id.clone(), deed))
                .or_insert((level, 0));
            e.0 = e.0.max(level);
            e.1 += codec::fen(l.amount);
        }
    }
    by.into_iter()
        .map(|((w, d), (level, fen))| (w, d, level.code().to_string(), fen))
        .collect()
}

/// Adds to a monthly request, for each honour of the month with a deed
/// already honoured in an earlier month of the book, one earlier honour
/// carrying what was paid for that deed so far (so a higher honour pays
/// only the difference).
fn earlier_honours(tx: &store::Tx, req: &mut Request) -> Result<(), BookError> {
    use crate::worker::{HonourLevel, HonourRecord};
    let mut seen = HashSet::new();
    let mut add = Vec::new();
    for h in &req.honours {
        let Some(deed) = h.deed.as_deref().filter(|d| !d.trim().is_empty()) else {
            continue;
        };
        if !seen.insert((h.worker_id.clone(), deed.to_string())) {
            continue;
        }
        let before = tx.honours_before(&h.worker_id, deed, &req.period)?;
        let Some((first, _, _)) = before.first() else {
            continue;
        };
        let mut level: Option<HonourLevel> = None;
        let mut fen = 0;
        for (_, l, f) in &before {
            let l: HonourLevel = l
                .parse()
                .map_err(|_| BookError::Corrupt(format!("honour level {l:?}")))?;
            level = Some(level.map_or(l, |x| x.max(l)));
            fen += f;
        }
        let Some(level) = level else { continue };
        add.push(HonourRecord {
            worker_id: h.worker_id.clone(),
            level: level.code().to_string(),
            awarded_on: format!("{first}-01"),
            deed: Some(deed.to_string()),
            paid: Some(crate::money::Amount(codec::yuan(fen)).to_string()),
        });
    }
    req.honours.extend(add);
    Ok(())
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
