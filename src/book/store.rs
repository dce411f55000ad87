//! Every SQL statement of the book, and nothing else: the schema and its
//! migrations, and typed reads and writes of months, payslip rows,
//! year-to-date states, corrections and policies. A server database
//! (PostgreSQL, for offices sharing one book) would be another
//! implementation of the methods of [`Store`]; the rest of the book never
//! sees SQL.
//!
//! Amounts are integer fen (`i64`) in the database, never floats. Every
//! write happens inside a transaction opened with [`Store::write`], which
//! takes SQLite's write lock at once (`BEGIN IMMEDIATE`), so that a
//! second writer waits (up to the busy timeout) or fails clearly, and a
//! process killed mid-write leaves the book as it was.
//!
//! The schema declares no foreign keys: SQLite checked them row by row at
//! 50–100 µs an insert (a 100,000-worker month took 5–11 s instead of
//! 0.2 s); the references (a payslip's month, a correction's revision) are
//! written by the methods here only, inside one transaction.

use super::BookError;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::Path;
use std::time::Duration;

/// The schema version this payrules writes. A book with a higher
/// `user_version` was written by a newer payrules and is refused.
pub const SCHEMA_VERSION: i64 = 2;

/// Migrations: `MIGRATIONS[i]` takes a book from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE policies (
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL
    );
    CREATE TABLE months (
        period TEXT PRIMARY KEY,            -- YYYY-MM, or YYYY for an annual bonus
        kind TEXT NOT NULL CHECK (kind IN ('monthly', 'annual')),
        status TEXT NOT NULL CHECK (status IN ('draft', 'closed')),
        policy_id INTEGER NOT NULL,
        policy_version TEXT NOT NULL,
        inputs BLOB NOT NULL,               -- the request as given, deflated JSON
        errors INTEGER NOT NULL,            -- input errors of the run
        workers INTEGER NOT NULL,
        computed_at TEXT NOT NULL,
        seq INTEGER UNIQUE,                 -- order closed (1, 2, …)
        digest TEXT,                        -- SHA-256, chained to the previous closed month's
        closed_at TEXT
    ) WITHOUT ROWID;
    CREATE TABLE slips (
        period TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        unit TEXT NOT NULL,
        lines TEXT NOT NULL,                -- short code:fen, space separated
        ytd TEXT,                           -- the state after this period
        PRIMARY KEY (period, worker_id)
    ) WITHOUT ROWID;
    CREATE TABLE ytd (
        year INTEGER NOT NULL,
        worker_id TEXT NOT NULL,
        through TEXT NOT NULL,              -- the last period included
        state TEXT NOT NULL,
        imported INTEGER NOT NULL,
        PRIMARY KEY (year, worker_id)
    ) WITHOUT ROWID;
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL,
        policy_id INTEGER NOT NULL,
        inputs BLOB NOT NULL,
        reason TEXT NOT NULL,
        made_at TEXT NOT NULL
    );
    CREATE TABLE adjustments (
        id INTEGER PRIMARY KEY,
        revision INTEGER NOT NULL,
        corrected TEXT NOT NULL,            -- the period corrected
        worker_id TEXT NOT NULL,
        code TEXT NOT NULL,
        old INTEGER NOT NULL,
        new INTEGER NOT NULL,
        reason TEXT NOT NULL,
        paid_in TEXT                        -- the month paying it; NULL while pending
    );
    CREATE INDEX adjustments_by_worker ON adjustments(worker_id);
    ",
    // 1 → 2: what each month paid for each honoured deed, so that a higher
    // honour for the same deed later pays only the difference.
    "
    CREATE TABLE honours_paid (
        worker_id TEXT NOT NULL,
        deed TEXT NOT NULL,
        period TEXT NOT NULL,
        level TEXT NOT NULL,
        amount INTEGER NOT NULL,           -- fen paid by that month for the deed
        PRIMARY KEY (worker_id, deed, period)
    ) WITHOUT ROWID;
    ",
];

/// A month as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// `monthly` or `annual`.
    pub kind: String,
    /// `draft` or `closed`.
    pub status: String,
    /// The policy's row id.
    pub policy_id: i64,
    /// The version used.
    pub policy_version: String,
    /// Input errors of the run.
    pub errors: i64,
    /// Workers paid.
    pub workers: i64,
    /// Close order.
    pub seq: Option<i64>,
    /// Chained digest (closed months).
    pub digest: Option<String>,
    /// When computed.
    pub computed_at: String,
    /// When closed.
    pub closed_at: Option<String>,
}

/// One payslip as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipRow {
    /// Whose.
    pub worker_id: String,
    /// The period.
    pub period: String,
    /// The unit.
    pub unit: String,
    /// `code:fen` pairs, space separated.
    pub lines: String,
    /// The year-to-date state after the period, if it has net pay.
    pub ytd: Option<String>,
}

/// A correction as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRow {
    /// Row id.
    pub id: i64,
    /// The period corrected.
    pub corrected: String,
    /// Whose.
    pub worker_id: String,
    /// The line code corrected.
    pub code: String,
    /// Fen paid before.
    pub old: i64,
    /// Fen due.
    pub new: i64,
    /// Why.
    pub reason: String,
    /// The month paying it, or `None` while pending.
    pub paid_in: Option<String>,
}

/// The book's database.
pub struct Store {
    conn: Connection,
}

fn sql(e: rusqlite::Error) -> BookError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            BookError::Busy
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            BookError::Corrupt(e.to_string())
        }
        e => BookError::Sql(e.to_string()),
    }
}

impl From<rusqlite::Error> for BookError {
    fn from(e: rusqlite::Error) -> Self {
        sql(e)
    }
}

impl Store {
    /// Creates a new book file; refuses an existing one.
    pub fn create(path: &Path) -> Result<Store, BookError> {
        if path.exists() {
            return Err(BookError::Exists(path.display().to_string()));
        }
        // The book holds pay: readable by its owner only (as payroll sheets are).
        {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            o.open(path)
                .map_err(|e| BookError::Sql(format!("cannot create {}: {e}", path.display())))?;
        }
        let conn = Connection::open(path)?;
        let mut s = Store { conn };
        s.configure()?;
        s.migrate()?;
        Ok(s)
    }

    /// Opens an existing book, migrating an older schema; refuses a book
    /// written by a newer payrules.
    pub fn open(path: &Path) -> Result<Store, BookError> {
        if !path.is_file() {
            return Err(BookError::Missing(path.display().to_string()));
        }
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut s = Store { conn };
        s.configure()?;
        let v = s.version()?;
        if v > SCHEMA_VERSION {
            return Err(BookError::Newer {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        if v == 0 && !s.has_meta()? {
            return Err(BookError::NotABook(path.display().to_string()));
        }
        s.migrate()?;
        Ok(s)
    }

    fn configure(&mut self) -> Result<(), BookError> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // WAL: readers do not block the writer; FULL: a committed month
        // survives a power cut.
        self.conn
            .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;")?;
        Ok(())
    }

    fn version(&self) -> Result<i64, BookError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn has_meta(&self) -> Result<bool, BookError> {
        Ok(self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?)
    }

    fn migrate(&mut self) -> Result<(), BookError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let v: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(v.max(0) as usize) {
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` in one write transaction: committed when `f` returns `Ok`,
    /// rolled back otherwise (and when the process dies before the commit).
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&Tx) -> Result<T, BookError>,
    ) -> Result<T, BookError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a consistent snapshot (a read transaction).
    pub fn read<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T, BookError>) -> Result<T, BookError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx(&tx))?;
        tx.commit()?;
        Ok(out)
    }
}

/// A transaction on the book; every statement is a method here.
pub struct Tx<'c>(&'c Transaction<'c>);

fn month_row(r: &rusqlite::Row) -> rusqlite::Result<MonthRow> {
    Ok(MonthRow {
        period: r.get(0)?,
        kind: r.get(1)?,
        status: r.get(2)?,
        policy_id: r.get(3)?,
        policy_version: r.get(4)?,
        errors: r.get(5)?,
        workers: r.get(6)?,
        seq: r.get(7)?,
        digest: r.get(8)?,
        computed_at: r.get(9)?,
        closed_at: r.get(10)?,
    })
}

const MONTH_COLUMNS: &str = "period, kind, status, policy_id, policy_version, errors, workers, seq, digest, computed_at, closed_at";

fn adjustment_row(r: &rusqlite::Row) -> rusqlite::Result<AdjustmentRow> {
    Ok(AdjustmentRow {
        id: r.get(0)?,
        corrected: r.get(1)?,
        worker_id: r.get(2)?,
        code: r.get(3)?,
        old: r.get(4)?,
        new: r.get(5)?,
        reason: r.get(6)?,
        paid_in: r.get(7)?,
    })
}

const ADJUSTMENT_COLUMNS: &str = "id, corrected, worker_id, code, old, new, reason, paid_in";

impl Tx<'_> {
    /// A meta value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, BookError> {
        Ok(self
            .0
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a meta value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), BookError> {
        self.0.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The id of a policy text, stored once by digest.
    pub fn policy_id(&self, digest: &str, text: &str) -> Result<i64, BookError> {
        self.0.execute(
            "INSERT INTO policies (digest, text) VALUES (?1, ?2) ON CONFLICT (digest) DO NOTHING",
            params![digest, text],
        )?;
        Ok(self
            .0
            .query_row("SELECT id FROM policies WHERE digest = ?1", [digest], |r| {
                r.get(0)
            })?)
    }

    /// A policy's text and digest.
    pub fn policy(&self, id: i64) -> Result<(String, String), BookError> {
        Ok(self.0.query_row(
            "SELECT text, digest FROM policies WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// A month, if stored.
    pub fn month(&self, period: &str) -> Result<Option<MonthRow>, BookError> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {MONTH_COLUMNS} FROM months WHERE period = ?1"),
                [period],
                month_row,
            )
            .optional()?)
    }

    /// Every month, in period order.
    pub fn months(&self) -> Result<Vec<MonthRow>, BookError> {
        let mut st = self.0.prepare(&format!(
            "SELECT {MONTH_COLUMNS} FROM months ORDER BY period"
        ))?;
        let rows = st.query_map([], month_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The closed months in the order they were closed.
    pub fn closed(&self) -> Result<Vec<MonthRow>, BookError> {
        let mut st = self.0.prepare(&format!(
            "SELECT {MONTH_COLUMNS} FROM months WHERE status = 'closed' ORDER BY seq"
        ))?;
        let rows = st.query_map([], month_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A month's stored inputs (deflated JSON).
    pub fn inputs(&self, period: &str) -> Result<Vec<u8>, BookError> {
        Ok(self.0.query_row(
            "SELECT inputs FROM months WHERE period = ?1",
            [period],
            |r| r.get(0),
        )?)
    }

    /// Replaces a draft (or stores a new month) with its payslip rows.
    #[allow(clippy::too_many_arguments)]
    pub fn put_draft(
        &self,
        m: &MonthRow,
        inputs: &[u8],
        slips: &[SlipRow],
    ) -> Result<(), BookError> {
        self.0
            .execute("DELETE FROM slips WHERE period = ?1", [&m.period])?;
        self.0.execute(
            "INSERT INTO months (period, kind, status, policy_id, policy_version, inputs, errors, workers, computed_at)
             VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (period) DO UPDATE SET kind = excluded.kind, policy_id = excluded.policy_id,
               policy_version = excluded.policy_version, inputs = excluded.inputs,
               errors = excluded.errors, workers = excluded.workers, computed_at = excluded.computed_at
             WHERE status = 'draft'",
            params![
                m.period,
                m.kind,
                m.policy_id,
                m.policy_version,
                inputs,
                m.errors,
                m.workers,
                m.computed_at
            ],
        )?;
        let mut st = self.0.prepare_cached(
            "INSERT INTO slips (worker_id, period, unit, lines, ytd) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for s in slips {
            st.execute(params![s.worker_id, s.period, s.unit, s.lines, s.ytd])?;
        }
        Ok(())
    }

    /// A period's payslip rows, by worker id.
    pub fn slips(&self, period: &str) -> Result<Vec<SlipRow>, BookError> {
        let mut st = self.0.prepare_cached(
            "SELECT worker_id, period, unit, lines, ytd FROM slips WHERE period = ?1 ORDER BY worker_id",
        )?;
        let rows = st.query_map([period], |r| {
            Ok(SlipRow {
                worker_id: r.get(0)?,
                period: r.get(1)?,
                unit: r.get(2)?,
                lines: r.get(3)?,
                ytd: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One worker's payslip rows, by period: one key look-up per period
    /// (payslips are keyed by period, then worker).
    pub fn worker_slips(&self, worker_id: &str) -> Result<Vec<SlipRow>, BookError> {
        let mut periods = self
            .0
            .prepare_cached("SELECT period FROM months ORDER BY period")?;
        let periods: Vec<String> = periods
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut st = self.0.prepare_cached(
            "SELECT worker_id, period, unit, lines, ytd FROM slips WHERE period = ?1 AND worker_id = ?2",
        )?;
        let mut out = Vec::new();
        for p in &periods {
            let row = st
                .query_row(params![p, worker_id], |r| {
                    Ok(SlipRow {
                        worker_id: r.get(0)?,
                        period: r.get(1)?,
                        unit: r.get(2)?,
                        lines: r.get(3)?,
                        ytd: r.get(4)?,
                    })
                })
                .optional()?;
            out.extend(row);
        }
        Ok(out)
    }

    /// Closes a draft: its place in the chain and its digest.
    pub fn close(&self, period: &str, seq: i64, digest: &str, at: &str) -> Result<(), BookError> {
        let n = self.0.execute(
            "UPDATE months SET status = 'closed', seq = ?2, digest = ?3, closed_at = ?4
             WHERE period = ?1 AND status = 'draft'",
            params![period, seq, digest, at],
        )?;
        if n != 1 {
            return Err(BookError::Sql(format!("{period}: no draft to close")));
        }
        Ok(())
    }

    /// Year-to-date states of a tax year: `(worker, through, state, imported)`.
    pub fn ytd(&self, year: i32) -> Result<Vec<(String, String, String, bool)>, BookError> {
        let mut st = self.0.prepare_cached(
            "SELECT worker_id, through, state, imported FROM ytd WHERE year = ?1 ORDER BY worker_id",
        )?;
        let rows = st.query_map([year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets a worker's year-to-date state.
    pub fn put_ytd(
        &self,
        year: i32,
        worker_id: &str,
        through: &str,
        state: &str,
        imported: bool,
    ) -> Result<(), BookError> {
        let mut st = self.0.prepare_cached(
            "INSERT INTO ytd (year, worker_id, through, state, imported) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (year, worker_id) DO UPDATE SET through = excluded.through,
               state = excluded.state, imported = excluded.imported",
        )?;
        st.execute(params![year, worker_id, through, state, imported])?;
        Ok(())
    }

    /// Stores a corrected month's inputs; returns the revision id.
    pub fn put_revision(
        &self,
        period: &str,
        policy_id: i64,
        inputs: &[u8],
        reason: &str,
        at: &str,
    ) -> Result<i64, BookError> {
        self.0.execute(
            "INSERT INTO revisions (period, policy_id, inputs, reason, made_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![period, policy_id, inputs, reason, at],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    /// The latest corrected inputs of a month: `(policy_id, inputs)`.
    pub fn latest_revision(&self, period: &str) -> Result<Option<(i64, Vec<u8>)>, BookError> {
        Ok(self
            .0
            .query_row(
                "SELECT policy_id, inputs FROM revisions WHERE period = ?1 ORDER BY id DESC LIMIT 1",
                [period],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Records a correction's difference, pending.
    pub fn put_adjustment(&self, revision: i64, a: &AdjustmentRow) -> Result<(), BookError> {
        let mut st = self.0.prepare_cached(
            "INSERT INTO adjustments (revision, corrected, worker_id, code, old, new, reason, paid_in)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
        )?;
        st.execute(params![
            revision,
            a.corrected,
            a.worker_id,
            a.code,
            a.old,
            a.new,
            a.reason
        ])?;
        Ok(())
    }

    /// The corrections of a period (paid or pending), in the order made.
    pub fn adjustments_of(&self, corrected: &str) -> Result<Vec<AdjustmentRow>, BookError> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {ADJUSTMENT_COLUMNS} FROM adjustments WHERE corrected = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([corrected], adjustment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Corrections not paid by a closed month: pending, or in `month`'s draft.
    pub fn payable(&self, month: &str) -> Result<Vec<AdjustmentRow>, BookError> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {ADJUSTMENT_COLUMNS} FROM adjustments WHERE paid_in IS NULL OR paid_in = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([month], adjustment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The corrections a month pays (or a draft would pay).
    pub fn paid_in(&self, month: &str) -> Result<Vec<AdjustmentRow>, BookError> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {ADJUSTMENT_COLUMNS} FROM adjustments WHERE paid_in = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([month], adjustment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A worker's corrections.
    pub fn worker_adjustments(&self, worker_id: &str) -> Result<Vec<AdjustmentRow>, BookError> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {ADJUSTMENT_COLUMNS} FROM adjustments WHERE worker_id = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([worker_id], adjustment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces what a period paid per honoured deed:
    /// `(worker, deed, level code, fen)`, one row per worker and deed.
    pub fn put_honours(
        &self,
        period: &str,
        rows: &[(String, String, String, i64)],
    ) -> Result<(), BookError> {
        self.0
            .execute("DELETE FROM honours_paid WHERE period = ?1", [period])?;
        let mut st = self.0.prepare_cached(
            "INSERT INTO honours_paid (worker_id, deed, period, level, amount) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (w, d, level, fen) in rows {
            st.execute(params![w, d, period, level, fen])?;
        }
        Ok(())
    }

    /// What periods before `period` paid for a worker's deed: `(period, level
    /// code, fen)` in period order.
    pub fn honours_before(
        &self,
        worker_id: &str,
        deed: &str,
        period: &str,
    ) -> Result<Vec<(String, String, i64)>, BookError> {
        let mut st = self.0.prepare_cached(
            "SELECT period, level, amount FROM honours_paid
             WHERE worker_id = ?1 AND deed = ?2 AND period < ?3 ORDER BY period",
        )?;
        let rows = st.query_map(params![worker_id, deed, period], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Splits a correction at `split` fen: the row keeps `old → split` and a
    /// new pending row holds `split → new` (a recovery the pay did not allow
    /// in full). Returns the new row's id.
    pub fn split_adjustment(&self, id: i64, split: i64) -> Result<i64, BookError> {
        self.0.execute(
            "INSERT INTO adjustments (revision, corrected, worker_id, code, old, new, reason, paid_in)
             SELECT revision, corrected, worker_id, code, ?2, new, reason, NULL FROM adjustments WHERE id = ?1",
            params![id, split],
        )?;
        let new_id = self.0.last_insert_rowid();
        self.0.execute(
            "UPDATE adjustments SET new = ?2 WHERE id = ?1",
            params![id, split],
        )?;
        Ok(new_id)
    }

    /// Marks which corrections a draft pays: those in `ids` are paid in
    /// `month`; others it held before become pending again.
    pub fn set_paid_in(&self, month: &str, ids: &[i64]) -> Result<(), BookError> {
        self.0.execute(
            "UPDATE adjustments SET paid_in = NULL WHERE paid_in = ?1",
            [month],
        )?;
        let mut st = self
            .0
            .prepare_cached("UPDATE adjustments SET paid_in = ?1 WHERE id = ?2")?;
        for id in ids {
            st.execute(params![month, id])?;
        }
        Ok(())
    }
}
