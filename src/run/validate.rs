//! Worker records checked on their own: dates, title and position under a
//! policy version, and whether the worker is employed in a run's period;
//! a roster checked once for the runs of many periods.

use super::*;
use crate::period::parse_date;
use crate::policy::Policy;
use crate::worker::{AssessmentRecord, WorkerRecord};
use chrono::NaiveDate;

/// The worker records of a run: borrowed from the request, or owned, when
/// their strings move into the validated workers.
pub(super) enum Records<'r, 'w> {
    Borrowed(&'r [WorkerRecord]),
    Owned(Vec<WorkerRecord>),
    /// Packed beside the request ([`super::packed`]), unpacked as read.
    #[cfg(feature = "files")]
    Packed(super::packed::Packed<WorkerRecord>),
    /// Checked once for many runs under one policy version; the runs
    /// borrow its workers.
    Cached(&'w Roster),
}

impl<'r, 'w> Records<'r, 'w> {
    /// A roster checked under another policy version is not used: the
    /// request's records are read instead.
    pub(super) fn for_version(self, req: &'r Request, policy: &Policy) -> Records<'r, 'w> {
        match self {
            // A roster of another version, or of other records, is not used.
            Records::Cached(r)
                if r.version != policy.version || r.entries.len() != req.workers.len() =>
            {
                Records::Borrowed(&req.workers)
            }
            other => other,
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Records::Borrowed(l) => l.len(),
            Records::Owned(l) => l.len(),
            #[cfg(feature = "files")]
            Records::Packed(l) => l.len(),
            Records::Cached(c) => c.entries.len(),
        }
    }
}

/// The assessments of a run: the request's own, or packed beside it
/// ([`super::packed`]) and owned by the run, which drops them once it has
/// read them (before deciding the grades, a run's largest moment).
pub(super) enum Assessments<'r> {
    Borrowed(&'r Vec<AssessmentRecord>),
    #[cfg(feature = "files")]
    Packed(super::packed::Packed<AssessmentRecord>),
}

/// No assessments (what a run holds once it has read its own).
pub(super) static NO_ASSESSMENTS: Vec<AssessmentRecord> = Vec::new();

impl Assessments<'_> {
    /// The list, read by index.
    pub(super) fn list(&self) -> &dyn super::packed::RecordList<AssessmentRecord> {
        match self {
            Assessments::Borrowed(l) => *l,
            #[cfg(feature = "files")]
            Assessments::Packed(l) => l,
        }
    }
}

/// A request's worker records checked once under one policy version, for
/// the runs of many periods (a what-if year): each run then only sees who
/// is employed in its period and borrows the workers instead of copying them.
pub(crate) struct Roster {
    /// The policy version the records were checked under.
    version: String,
    pub(super) entries: Vec<Checked>,
}

impl Roster {
    /// The policy version it was checked under.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    pub(crate) fn new(policy: &Policy, records: &[WorkerRecord]) -> Roster {
        let mut entries = Vec::with_capacity(records.len());
        for (i, rec) in records.iter().enumerate() {
            entries.push(check_record(policy, Rec::Borrowed(rec), i).0);
        }
        Roster {
            version: policy.version.clone(),
            entries,
        }
    }
}

/// One worker record, borrowed or owned.
pub(super) enum Rec<'r> {
    Borrowed(&'r WorkerRecord),
    Owned(WorkerRecord),
}

impl Rec<'_> {
    fn get(&self) -> &WorkerRecord {
        match self {
            Rec::Borrowed(r) => r,
            Rec::Owned(r) => r,
        }
    }
    /// The id, name and unit, moved out of an owned record.
    fn into_strings(self) -> (CompactString, CompactString, CompactString) {
        match self {
            Rec::Borrowed(r) => (r.id.clone(), r.name.clone(), r.unit.clone()),
            Rec::Owned(r) => (r.id, r.name, r.unit),
        }
    }
}

/// What became of one worker record.
pub(super) enum Read {
    /// Valid, and employed in the period.
    Paid(Worker),
    /// Not employed in the period (its title and position are not checked);
    /// or no id, which the id check reports.
    Absent(CompactString),
    /// Invalid: its id and the errors found.
    Invalid(CompactString, Vec<InputError>),
}

/// What a worker record is, whatever the period: no id; invalid whatever
/// the period (bad dates); or dated, with the worker it makes under the
/// policy or the errors it has if the worker is employed in the period.
pub(super) enum Checked {
    NoId,
    Invalid(Vec<InputError>),
    Dated {
        hired: NaiveDate,
        left: Option<NaiveDate>,
        worker: Result<Worker, Vec<InputError>>,
    },
}

/// Validates worker record `i` under `policy`, leaving out only the period
/// (see [`Checked`]); returns the record's id, name and unit too unless they
/// went into the worker.
fn check_record(
    policy: &Policy,
    rec: Rec,
    i: usize,
) -> (Checked, Option<(CompactString, CompactString, CompactString)>) {
    let r = rec.get();
    if crate::worker::trim(&r.id).is_empty() {
        return (Checked::NoId, Some(rec.into_strings()));
    }
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(InputError {
            worker_id: Some(r.id.to_string()),
            field: field.to_string(),
            message,
            source: Some((List::Workers, i)),
            related: Vec::new(),
        })
    };
    let mut date = |field: &str, text: &str| match parse_date(text) {
        Ok(d) => Some(d),
        Err(e) => {
            error(field, e.to_string());
            None
        }
    };
    let hired = date("hired_on", &r.hired_on);
    let left = match &r.left_on {
        Some(t) if !t.is_empty() => date("left_on", t).map(Some),
        _ => Some(None),
    };
    let probation = match &r.probation_until {
        Some(t) if !t.is_empty() => date("probation_until", t).map(Some),
        _ => Some(None),
    };
    let (Some(hired), Some(left), Some(probation_until)) = (hired, left, probation) else {
        return (Checked::Invalid(errors), Some(rec.into_strings()));
    };
    if let Some(l) = left.filter(|l| *l < hired) {
        error("left_on", format!("left_on {l} is before hired_on {hired}"));
        return (Checked::Invalid(errors), Some(rec.into_strings()));
    }
    let title = match r.title.parse() {
        Ok(t) => Some(t),
        Err(e) => {
            error("title", format!("{e}"));
            None
        }
    };
    let position = match policy.position_index(&r.position) {
        Some(p) => Some(CompactString::from(policy.positions[p].code.as_str())),
        None => {
            let msg = format!(
                "unknown position {:?}; policy {} has: {}",
                r.position,
                policy.cite(),
                policy.position_codes()
            );
            error("position", msg);
            None
        }
    };
    let (Some(title), Some(position)) = (title, position) else {
        let worker = Err(errors);
        return (
            Checked::Dated {
                hired,
                left,
                worker,
            },
            Some(rec.into_strings()),
        );
    };
    let (id, name, unit) = rec.into_strings();
    let worker = Ok(Worker {
        id,
        name,
        unit,
        position,
        title,
        hired_on: hired,
        left_on: left,
        probation_until,
    });
    (
        Checked::Dated {
            hired,
            left,
            worker,
        },
        None,
    )
}

/// Validates worker record `i` for a period `[first, last]` under `policy`.
pub(super) fn read_record(
    policy: &Policy,
    first: NaiveDate,
    last: NaiveDate,
    rec: Rec,
    i: usize,
) -> Read {
    let (checked, strings) = check_record(policy, rec, i);
    let id = || strings.map(|s| s.0).unwrap_or_default();
    match checked {
        Checked::NoId => Read::Absent(id()),
        Checked::Invalid(errors) => Read::Invalid(id(), errors),
        Checked::Dated {
            hired,
            left,
            worker,
        } => {
            let employed = hired <= last && left.is_none_or(|l| l >= first);
            match worker {
                Ok(w) if employed => Read::Paid(w),
                Ok(w) => Read::Absent(w.id),
                Err(_) if !employed => Read::Absent(id()),
                Err(errors) => Read::Invalid(id(), errors),
            }
        }
    }
}
