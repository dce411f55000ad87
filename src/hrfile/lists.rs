//! The request's lists read from HR files, each into its engine records:
//! the roster (with, beside it, the records of its tax columns and its bank
//! details), tax inputs, assessments, honours and changes.

use super::bank;
use super::columns::{
    ASSESSMENTS, CHANGES, HONOURS, ROSTER, ROSTER_BANK, ROSTER_TAX, TAX, TAX_FIELDS, accepted,
};
use super::sheet::{RowView, Rows, Sheet, read_sheet};
use crate::run::packed::Packed;
use super::table::Input;
use super::{FileProblem, Progress, ReadOptions};
use crate::rules::tax::TaxRecord;
use crate::worker::{AssessmentRecord, ChangeRecord, HonourRecord, WorkerRecord};

/// Reads a roster (its tax columns, if any, are left to
/// [`read_roster_tax`]).
pub fn read_roster(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<WorkerRecord>>, Vec<FileProblem>> {
    read_roster_tax(file, input, opts, progress).map(|(roster, _)| roster)
}

/// A roster, packed (a run's roster of a million rows held at about half
/// the room of its records), the tax records of its tax columns, and its
/// bank details (开户行 `bank`, 银行账号 `account`) by worker id — empty
/// when the roster has neither column.
pub fn read_roster_bank(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<(PackedRosterTax, bank::Accounts), Vec<FileProblem>> {
    let mut cells: Vec<(String, String, String)> = Vec::new();
    let (roster, tax) = read_roster_inner(file, input, opts, progress, &mut |r| {
        if r.has(ROSTER_BANK) || r.has(ROSTER_BANK + 1) {
            cells.push((r.get(0), r.get(ROSTER_BANK), r.get(ROSTER_BANK + 1)));
        }
    })?;
    let mut accounts = bank::Accounts {
        file: file.to_string(),
        column: roster.origin.columns.get("account").cloned(),
        by_worker: Default::default(),
    };
    for (i, (id, bank, account)) in cells.into_iter().enumerate() {
        accounts
            .by_worker
            .entry(id)
            .or_insert_with(|| bank::Account {
                bank,
                account,
                line: roster.origin.line(i),
            });
    }
    Ok(((roster, tax), accounts))
}

/// A roster and the tax records of its tax columns, if it has any.
pub type RosterTax = (Sheet<Vec<WorkerRecord>>, Option<Sheet<Vec<TaxRecord>>>);

/// [`RosterTax`] with the roster packed.
pub type PackedRosterTax = (Sheet<Packed<WorkerRecord>>, Option<Sheet<Vec<TaxRecord>>>);

/// Reads a roster and its tax columns: when the roster has any of the
/// columns of [`TAX_FIELDS`], one tax record per roster row (an empty cell
/// is absent: the default), its origin the roster's lines and columns.
pub fn read_roster_tax(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<RosterTax, Vec<FileProblem>> {
    read_roster_inner(file, input, opts, progress, &mut |_| {})
}

#[allow(clippy::type_complexity)]
fn read_roster_inner<L: Rows<WorkerRecord>>(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
    side: &mut dyn FnMut(&RowView),
) -> Result<(Sheet<L>, Option<Sheet<Vec<TaxRecord>>>), Vec<FileProblem>> {
    // Kept aside row by row, and only when the roster has tax columns, so a
    // roster without them costs nothing more.
    let mut tax = Vec::new();
    let roster = read_sheet(file, input, opts, ROSTER, "roster", progress, |r| {
        if (ROSTER_TAX..ROSTER_BANK).any(|k| r.has(k)) {
            tax.push(tax_record(r, 0, ROSTER_TAX));
        }
        side(r);
        WorkerRecord {
            id: r.cell(0),
            name: r.cell(1),
            unit: r.cell(2),
            position: r.cell(3),
            title: r.cell(4),
            hired_on: r.cell(5),
            left_on: r.cell_opt(6),
            probation_until: r.cell_opt(7),
        }
    })?;
    let tax = (!tax.is_empty()).then(|| Sheet {
        records: tax,
        origin: roster.origin.clone(),
        problems: Vec::new(),
    });
    Ok((roster, tax))
}

/// A tax record from a row: the worker id in column `id`, the fields of
/// [`TAX_FIELDS`] from column `first` on.
fn tax_record(r: &RowView, id: usize, first: usize) -> TaxRecord {
    TaxRecord {
        worker_id: r.get(id),
        contribution_base: r.opt(first),
        housing_fund_rate: r.opt(first + 1),
        additional_deductions: r.opt(first + 2),
        other_deductions: r.opt(first + 3),
        paid_on: r.opt(first + 4),
    }
}

/// Reads tax inputs (`--tax FILE`): one row per worker.
pub fn read_tax(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<TaxRecord>>, Vec<FileProblem>> {
    let sheet = read_sheet(file, input, opts, TAX, "tax", progress, |r| {
        tax_record(r, 0, 1)
    })?;
    if !TAX_FIELDS
        .iter()
        .any(|f| sheet.origin.columns.contains_key(f))
    {
        return Err(vec![FileProblem {
            file: file.to_string(),
            line: None,
            column: None,
            worker_id: None,
            field: Some("tax".into()),
            message: format!(
                "no tax column; name at least one of {}",
                TAX[1..6]
                    .iter()
                    .map(accepted)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            warning: false,
        }]);
    }
    Ok(sheet)
}

/// Reads assessments.
pub fn read_assessments(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<AssessmentRecord>>, Vec<FileProblem>> {
    read_assessments_into(file, input, opts, progress)
}

/// Reads assessments into a packed list (a run's assessments of a million
/// rows held at about a third of the room of their records).
pub fn read_assessments_packed(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Packed<AssessmentRecord>>, Vec<FileProblem>> {
    read_assessments_into(file, input, opts, progress)
}

fn read_assessments_into<L: Rows<AssessmentRecord>>(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<L>, Vec<FileProblem>> {
    let sheet = read_sheet(
        file,
        input,
        opts,
        ASSESSMENTS,
        "assessment",
        progress,
        |r| AssessmentRecord {
            worker_id: r.cell(0),
            period: r.cell(1),
            grade: r.cell_opt(2),
            score: r.cell_opt(3),
        },
    )?;
    if !sheet.origin.columns.contains_key("grade") && !sheet.origin.columns.contains_key("score") {
        return Err(vec![FileProblem {
            file: file.to_string(),
            line: None,
            column: None,
            worker_id: None,
            field: Some("grade".into()),
            message: format!(
                "missing column grade or score; name it {} or {}",
                accepted(&ASSESSMENTS[2]),
                accepted(&ASSESSMENTS[3])
            ),
            warning: false,
        }]);
    }
    Ok(sheet)
}

/// Reads honours.
pub fn read_honours(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<HonourRecord>>, Vec<FileProblem>> {
    read_sheet(file, input, opts, HONOURS, "honour", progress, |r| {
        HonourRecord {
            worker_id: r.get(0),
            level: r.get(1),
            awarded_on: r.get(2),
            deed: r.opt(3),
            paid: None,
        }
    })
}

/// Reads changes of position, title or unit ([`CHANGES`]); an empty cell
/// means that field does not change.
pub fn read_changes(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<Vec<ChangeRecord>>, Vec<FileProblem>> {
    read_sheet(file, input, opts, CHANGES, "change", progress, |r| {
        ChangeRecord {
            worker_id: r.get(0),
            on: r.get(1),
            position: r.opt(2),
            title: r.opt(3),
            unit: r.opt(4),
        }
    })
}
