//! A request built from files ([`Loaded`]): the sheets read joined into
//! one engine request, the origin of every record kept beside it, and the
//! tax records of the roster and of a tax file merged, a worker given twice
//! an error naming both lines.

use super::FileProblem;
use super::bank;
use super::origin::{Origin, Origins};
use super::sheet::Sheet;
use crate::rules::tax::TaxRecord;
use crate::run::Request;
use crate::run::packed::Packed;
use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};

/// A request built from files, with the origin of every record.
///
/// The roster and the assessments, the lists a large district has a
/// million rows of, stay packed ([`Packed`]) beside the request, whose own
/// `workers` and `assessments` are empty: [`crate::run::run_packed`] takes
/// them as they are, and [`Loaded::unpacked`] moves them into the request
/// for the callers that read it record by record.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The request for the engine, but for its workers and assessments.
    pub request: Request,
    /// The roster's records, in file order.
    pub roster: Packed<WorkerRecord>,
    /// The assessments' records, in file order.
    pub assessments: Packed<AssessmentRecord>,
    /// Origins of workers, assessments, honours and tax records.
    pub origins: Origins,
    /// Row problems and warnings from reading.
    pub problems: Vec<FileProblem>,
    /// The roster's bank details (for `--bank-file`).
    pub bank: bank::Accounts,
}

impl Loaded {
    /// Builds a request from sheets read.
    pub fn new(
        kind: crate::run::Kind,
        period: String,
        roster: Sheet<Packed<WorkerRecord>>,
        assessments: Option<Sheet<Packed<AssessmentRecord>>>,
        honours: Option<Sheet<Vec<HonourRecord>>>,
    ) -> Loaded {
        let mut problems = roster.problems;
        let mut origins = Origins {
            workers: Some(roster.origin),
            ..Origins::default()
        };
        let assessments = assessments.map_or_else(Packed::default, |s| {
            problems.extend(s.problems);
            origins.assessments = Some(s.origin);
            s.records
        });
        let honours = honours.map_or_else(Vec::new, |s| {
            problems.extend(s.problems);
            origins.honours = Some(s.origin);
            s.records
        });
        Loaded {
            request: Request {
                kind,
                period,
                policy: None,
                workers: Vec::new(),
                assessments: Vec::new(),
                honours,
                tax: Vec::new(),
                ytd: Vec::new(),
                adjustments: Vec::new(),
                changes: Vec::new(),
                explain: true,
            },
            roster: roster.records,
            assessments,
            origins,
            problems,
            bank: bank::Accounts::default(),
        }
    }

    /// The request with its roster and assessments in it.
    #[must_use]
    pub fn unpacked(mut self) -> Loaded {
        if self.roster.is_empty() && self.assessments.is_empty() {
            return self;
        }
        let mut workers = self.roster.to_vec();
        let mut assessments = self.assessments.to_vec();
        // A request given whole (the example district) keeps its own.
        workers.append(&mut self.request.workers);
        assessments.append(&mut self.request.assessments);
        self.request.workers = workers;
        self.request.assessments = assessments;
        self.roster = Packed::default();
        self.assessments = Packed::default();
        self
    }

    /// Adds the tax records of the roster's tax columns and of a tax file.
    ///
    /// Without a tax file every roster row gives a tax record (empty cells
    /// are defaults), so every worker gets net-pay lines. With one, a roster
    /// row gives a record only when one of its tax cells is filled. A worker
    /// given again (in both, or twice in the tax file) is an error naming
    /// both file:lines; only the first record goes to the engine, and the
    /// error keeps the worker from being paid.
    pub fn add_tax(&mut self, roster: Option<Sheet<Vec<TaxRecord>>>, file: Option<Sheet<Vec<TaxRecord>>>) {
        let has_file = file.is_some();
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        for (part, skip_blank) in [(roster, has_file), (file, false)] {
            let Some(s) = part else { continue };
            self.problems.extend(s.problems);
            let o = s.origin;
            let mut kept = Origin {
                file: o.file.clone(),
                lines: Default::default(),
                columns: o.columns.clone(),
            };
            let id_col = o.columns.get("worker_id").or_else(|| o.columns.get("id"));
            for (i, t) in s.records.into_iter().enumerate() {
                if skip_blank && blank(&t) {
                    continue;
                }
                let line = o.line(i);
                let here = match line {
                    Some(l) => format!("{}:{l}", o.file),
                    None => o.file.clone(),
                };
                if !t.worker_id.is_empty() {
                    if let Some(first) = seen.get(&t.worker_id) {
                        self.problems.push(FileProblem {
                            file: o.file.clone(),
                            line,
                            column: id_col.cloned(),
                            worker_id: Some(t.worker_id.clone()),
                            field: Some("tax".into()),
                            message: format!(
                                "tax inputs given again (also {first}); give each worker's tax inputs once, in the roster's tax columns or in the tax file"
                            ),
                            warning: false,
                        });
                        continue;
                    }
                    seen.insert(t.worker_id.clone(), here);
                }
                if let Some(l) = o.lines.get(i) {
                    kept.lines.push(l);
                }
                self.request.tax.push(t);
            }
            if !kept.lines.is_empty() {
                self.origins.tax.push(kept);
            }
        }
    }

}

/// Whether a tax record gives nothing but the worker (every field default).
fn blank(t: &TaxRecord) -> bool {
    t.contribution_base.is_none()
        && t.housing_fund_rate.is_none()
        && t.additional_deductions.is_none()
        && t.other_deductions.is_none()
        && t.paid_on.is_none()
}
