//! Reading a request for one run: the worker records, the grades (given,
//! or by quota from scores), the honours and the tax inputs, each problem an
//! input error naming the worker, into a [`Prepared`] run.

use super::*;
use crate::money::parse_non_negative_amount;
use crate::period::parse_date;
use crate::policy::{Missing, Policy, PoolDay, SameDeed, max_amount};
use crate::rules::correction::{self, Adjustment, AdjustmentRecord};
use crate::rules::payslip::{self, GradeNote, LineCode, Segment};
use crate::rules::quota::{self, Candidate, PoolReport};
use crate::rules::tax::{self, TaxPeriod};
use crate::worker::{Grade, Honour, HonourLevel, Title};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;

/// An assessment as read: its index, grade and score.
pub(super) type Given = (usize, Option<Grade>, Option<Decimal>);

/// A worker's grade for the period, once decided.
#[derive(Clone, Copy)]
pub(super) enum Decided {
    Grade(Grade, GradeNote),
    Bad,
}

pub(super) struct Runner<'a, 'w, 'p> {
    policy: &'p Policy,
    req: &'a Request,
    /// The assessments that may concern the run, when known; else all.
    among: Option<&'a [usize]>,
    /// The period as written in the request.
    period: String,
    first: NaiveDate,
    last: NaiveDate,
    errors: Vec<InputError>,
    warnings: Vec<Warning>,
    /// Validated employed workers with their record index, sorted by id.
    workers: Vec<(Cow<'w, Worker>, usize)>,
    /// Per validated worker: whether any input naming it had an error, so it is not paid.
    bad: Vec<bool>,
    /// Ids of the worker records not validated (invalid, not employed or
    /// doubled), sorted, for look-ups of ids in the roster.
    others: Vec<String>,
    /// Where the last look-up by id landed, to make in-order look-ups O(1).
    hint: usize,
    /// Quota pools of the graded workers.
    quota: Vec<PoolReport>,
}

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    pub(super) fn new(
        policy: &'p Policy,
        req: &'a Request,
        records: Records<'a, 'w>,
        among: Option<&'a [usize]>,
        period: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Self {
        let mut r = Runner {
            policy,
            req,
            among,
            period: period.to_string(),
            first,
            last,
            errors: Vec::new(),
            warnings: Vec::new(),
            workers: Vec::new(),
            bad: Vec::new(),
            others: Vec::new(),
            hint: 0,
            quota: Vec::new(),
        };
        r.read_workers(records);
        r
    }

    fn error(
        &mut self,
        worker_id: Option<&str>,
        field: &str,
        message: String,
        source: (List, usize),
    ) {
        if let Some(Ok(i)) =
            worker_id.map(|w| self.workers.binary_search_by(|(x, _)| x.id.as_str().cmp(w)))
        {
            self.bad[i] = true;
        }
        self.errors.push(InputError {
            worker_id: worker_id.map(str::to_string),
            field: field.to_string(),
            message,
            source: Some(source),
            related: Vec::new(),
        });
    }

    /// Whether any worker record has this id (validated or not).
    fn known(&self, id: &str) -> bool {
        self.workers
            .binary_search_by(|(w, _)| w.id.as_str().cmp(id))
            .is_ok()
            || self.others.binary_search_by(|o| o.as_str().cmp(id)).is_ok()
    }

    /// Validates the worker records: each is read once, in input order
    /// (owned records give their strings to the worker and are released as
    /// they are read), then ids are checked for blanks and duplicates.
    fn read_workers(&mut self, records: Records<'a, 'w>) {
        let (policy, first, last) = (self.policy, self.first, self.last);
        let n = records.len();
        let mut paid: Vec<(Cow<'w, Worker>, usize)> = Vec::with_capacity(n);
        // Records not paid: id, index, and the errors found (None: not employed).
        let mut rest: Vec<(String, usize, Option<Vec<InputError>>)> = Vec::new();
        let mut take = |read: Read, i: usize| match read {
            Read::Paid(w) => paid.push((Cow::Owned(w), i)),
            Read::Absent(id) => rest.push((id, i, None)),
            Read::Invalid(id, errors) => rest.push((id, i, Some(errors))),
        };
        match records {
            Records::Borrowed(list) => {
                for (i, rec) in list.iter().enumerate() {
                    take(read_record(policy, first, last, Rec::Borrowed(rec), i), i);
                }
            }
            Records::Cached(cache) => {
                for (i, entry) in cache.entries.iter().enumerate() {
                    let id = || self.req.workers[i].id.clone();
                    match entry {
                        Checked::NoId => rest.push((id(), i, None)),
                        Checked::Invalid(errors) => rest.push((id(), i, Some(errors.clone()))),
                        Checked::Dated {
                            hired,
                            left,
                            worker,
                        } => {
                            let employed = *hired <= last && left.is_none_or(|l| l >= first);
                            match worker {
                                Ok(w) if employed => paid.push((Cow::Borrowed(w), i)),
                                Err(errors) if employed => {
                                    rest.push((id(), i, Some(errors.clone())))
                                }
                                _ => rest.push((id(), i, None)),
                            }
                        }
                    }
                }
            }
            Records::Owned(mut list) => {
                while let Some(rec) = list.pop() {
                    let i = list.len();
                    take(read_record(policy, first, last, Rec::Owned(rec), i), i);
                    // Give back the room of the records read, 64k records
                    // (12 MB) at a time: shrinking a large allocation is a
                    // remap, not a copy.
                    if list.capacity() - list.len() >= 1 << 16 {
                        list.shrink_to_fit();
                    }
                }
            }
        }
        let by_id = |a: &(Cow<Worker>, usize), b: &(Cow<Worker>, usize)| {
            a.0.id.cmp(&b.0.id).then(a.1.cmp(&b.1))
        };
        if !paid.is_sorted_by(|a, b| by_id(a, b).is_le()) {
            paid.sort_unstable_by(by_id);
        }
        rest.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        // Groups of records sharing an id that need more than keeping the
        // worker: (paid range, rest range).
        let mut groups: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
        let (mut a, mut b) = (0, 0);
        loop {
            let id = match (paid.get(a), rest.get(b)) {
                (Some(x), Some(y)) => x.0.id.as_str().min(y.0.as_str()),
                (Some(x), None) => x.0.id.as_str(),
                (None, Some(y)) => y.0.as_str(),
                (None, None) => break,
            };
            let a_end = a + paid[a..].iter().take_while(|x| x.0.id == id).count();
            let b_end = b + rest[b..].iter().take_while(|y| y.0 == id).count();
            if a_end - a + b_end - b > 1 || b_end > b {
                groups.push((a..a_end, b..b_end));
            }
            (a, b) = (a_end, b_end);
        }
        let mut keep = vec![true; paid.len()];
        for (pr, rr) in groups {
            let mut indices: Vec<usize> = paid[pr.clone()].iter().map(|x| x.1).collect();
            indices.extend(rest[rr.clone()].iter().map(|y| y.1));
            keep[pr.clone()].fill(false);
            let id = match (
                paid.get(pr.start).filter(|_| !pr.is_empty()),
                rest.get(rr.start),
            ) {
                (Some(x), _) => x.0.id.clone(),
                (None, Some(y)) => y.0.clone(),
                (None, None) => continue,
            };
            if id.trim().is_empty() {
                for &j in &indices {
                    self.errors.push(InputError {
                        worker_id: None,
                        field: "id".into(),
                        message: "empty worker id; every worker needs an id (工号)".into(),
                        source: Some((List::Workers, j)),
                        related: Vec::new(),
                    });
                }
            } else if indices.len() > 1 {
                indices.sort_unstable();
                self.errors.push(InputError {
                    worker_id: Some(id.clone()),
                    field: "id".into(),
                    message: format!(
                        "duplicate worker id, given {} times; ids must be unique",
                        indices.len()
                    ),
                    source: Some((List::Workers, indices[0])),
                    related: indices[1..].iter().map(|&j| (List::Workers, j)).collect(),
                });
            } else if let Some(errors) = rest[rr.start].2.take() {
                self.errors.extend(errors);
            }
            self.others.push(id);
        }
        let mut k = 0;
        paid.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        self.others.extend(rest.into_iter().map(|y| y.0));
        self.others.sort_unstable();
        self.others.dedup();
        self.workers = paid;
        self.bad = vec![false; self.workers.len()];
    }

    /// The worker index for an id among validated workers, or an error
    /// recorded when the id is not in the roster at all.
    fn find(&mut self, id: &str, src: (List, usize)) -> Option<usize> {
        // Inputs are often in roster order: try the next worker first.
        let next = self.hint + 1;
        if self.workers.get(next).is_some_and(|(w, _)| w.id == id) {
            self.hint = next;
            return Some(next);
        }
        match self
            .workers
            .binary_search_by(|(w, _)| w.id.as_str().cmp(id))
        {
            Ok(i) => {
                self.hint = i;
                Some(i)
            }
            Err(_) => {
                if !self.known(id) {
                    let msg = format!("no worker {id:?} in the roster");
                    self.error(Some(id), "worker_id", msg, src);
                }
                None
            }
        }
    }

    /// Decides every validated worker's grade for the period from the
    /// assessments whose period matches `period_matches`.
    fn grades(
        &mut self,
        is_period: impl Fn(&str) -> Result<bool, String>,
        period: &str,
    ) -> Vec<Decided> {
        let req = self.req;
        let n = self.workers.len();
        let mut given: Vec<Option<Given>> = vec![None; n];
        let mut decided = vec![Decided::Bad; n];
        // Workers with an assessment for the period, valid or not.
        let mut assessed = vec![false; n];
        let mut scored: Vec<(usize, Decimal, Option<Grade>, usize)> = Vec::new();
        let among = self.among;
        let count = among.map_or(req.assessments.len(), <[usize]>::len);
        for k in 0..count {
            let ai = among.map_or(k, |a| a[k]);
            let a = &req.assessments[ai];
            let src = (List::Assessments, ai);
            match is_period(&a.period) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(msg) => {
                    self.error(Some(&a.worker_id), "period", msg, src);
                    continue;
                }
            }
            let Some(wi) = self.find(&a.worker_id, src) else {
                continue;
            };
            assessed[wi] = true;
            if given[wi].is_some() {
                self.error(
                    Some(&a.worker_id),
                    "period",
                    format!("assessed more than once for {period}; keep one assessment per worker and period"),
                    src,
                );
                continue;
            }
            let grade = match a.grade.as_deref().map(str::parse::<Grade>) {
                None => None,
                Some(Ok(g)) => Some(g),
                Some(Err(e)) => {
                    self.error(Some(&a.worker_id), "grade", e.to_string(), src);
                    continue;
                }
            };
            let score = match a
                .score
                .as_deref()
                .map(|s| quota::parse_score(&self.policy.quota, s))
            {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => {
                    self.error(Some(&a.worker_id), "score", e, src);
                    continue;
                }
            };
            if grade.is_none() && score.is_none() {
                self.error(
                    Some(&a.worker_id),
                    "grade",
                    "no grade and no score; give one".into(),
                    src,
                );
                continue;
            }
            given[wi] = Some((ai, grade, score));
        }
        for wi in 0..n {
            let (w, wsrc) = &self.workers[wi];
            let wsrc = *wsrc;
            let on_probation = payslip::probation_ungraded(self.policy, w, self.last).is_some();
            decided[wi] = match given[wi] {
                _ if on_probation => match given[wi] {
                    Some((ai, g, s)) if g != Some(Grade::Ungraded) || s.is_some() => {
                        let id = w.id.clone();
                        self.error(
                            Some(&id),
                            "grade",
                            format!(
                                "on probation until {} and policy {} does not grade probationers (probation.graded = false); remove the assessment or mark it ungraded",
                                w.probation_until.map(|d| d.to_string()).unwrap_or_default(),
                                self.policy.cite()
                            ),
                            (List::Assessments, ai),
                        );
                        Decided::Bad
                    }
                    // Invariant: on_probation implies probation_until is set.
                    _ => Decided::Grade(
                        Grade::Ungraded,
                        GradeNote::Probation(w.probation_until.unwrap_or(self.last)),
                    ),
                },
                Some((_, Some(g), None)) => Decided::Grade(g, GradeNote::Given),
                Some((ai, grade, Some(score))) => {
                    scored.push((wi, score, grade, ai));
                    Decided::Bad // decided below by quota
                }
                Some((_, None, None)) => Decided::Bad,
                // An invalid assessment was already reported.
                None if assessed[wi] => Decided::Bad,
                None => match self.policy.missing_assessment {
                    Missing::Ungraded => Decided::Grade(Grade::Ungraded, GradeNote::Missing),
                    Missing::Error => {
                        let id = w.id.clone();
                        self.error(
                            Some(&id),
                            "assessment",
                            format!(
                                "no assessment for {period}; give a grade or a score (or set assessment.missing = \"ungraded\" in the policy)"
                            ),
                            wsrc_or(wsrc),
                        );
                        Decided::Bad
                    }
                },
            };
        }
        self.apply_quota(&mut decided, &scored, &given);
        decided
    }

    /// Grades the scored workers by quota, checks every pool's grades against
    /// the caps, and records the pool reports.
    fn apply_quota(
        &mut self,
        decided: &mut [Decided],
        scored: &[(usize, Decimal, Option<Grade>, usize)],
        given: &[Option<Given>],
    ) {
        let rule = &self.policy.quota;
        let cands: Vec<Candidate> = scored
            .iter()
            .map(|&(wi, score, _, _)| {
                let w = &self.workers[wi].0;
                Candidate {
                    id: &w.id,
                    pool: &w.unit,
                    score,
                    hired_on: w.hired_on,
                }
            })
            .collect();
        let (assigned, pools) = quota::assign(rule, &cands);
        drop(cands);
        let mut notes = Vec::with_capacity(scored.len());
        for (&(wi, score, given, ai), a) in scored.iter().zip(&assigned) {
            match given {
                Some(g) if g != a.grade => {
                    let id = self.workers[wi].0.id.clone();
                    let msg = format!(
                        "grade {g} disagrees with score {score}, which ranks {} of {} in pool {} and earns {}; give one or make them agree",
                        a.rank, a.of, pools[a.pool as usize].pool, a.grade
                    );
                    self.error(Some(&id), "grade", msg, (List::Assessments, ai));
                }
                _ => {
                    decided[wi] = Decided::Grade(a.grade, a.note());
                    notes.push(wi);
                }
            }
        }
        let rule = &self.policy.quota;
        let bad = &self.bad;
        let graded = self
            .workers
            .iter()
            .zip(decided.iter())
            .enumerate()
            .filter_map(|(wi, ((w, _), d))| match d {
                Decided::Grade(g, _) if !bad[wi] => Some((w.unit.as_str(), *g)),
                _ => None,
            });
        let reports = quota::check(rule, graded);
        // Point the quota notes at the pools of the final report: both lists
        // are sorted by pool name, so each assigned pool is looked up once.
        let report_of: Vec<u32> = pools
            .iter()
            .map(|p| {
                reports
                    .binary_search_by(|r| r.pool.as_str().cmp(&p.pool))
                    .unwrap_or(0) as u32
            })
            .collect();
        for wi in notes {
            if let Decided::Grade(
                g,
                GradeNote::Quota {
                    rank,
                    of,
                    pool,
                    slots,
                },
            ) = decided[wi]
            {
                let pool = report_of[pool as usize];
                decided[wi] = Decided::Grade(
                    g,
                    GradeNote::Quota {
                        rank,
                        of,
                        pool,
                        slots,
                    },
                );
            }
        }
        let over = self.over_cap(decided, given, &reports);
        for (r, grade, used, allowed, workers) in over {
            // Name at most this many workers in the message; every one's
            // assessment is still listed as a related record.
            const NAMED: usize = 20;
            let mut names: Vec<&str> = workers
                .iter()
                .take(NAMED)
                .map(|&(wi, _)| self.workers[wi].0.id.as_str())
                .collect();
            let more = workers.len().saturating_sub(NAMED);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            names.sort_unstable();
            let cap = match grade {
                Grade::Excellent => rule.excellent,
                _ => rule.good,
            } * Decimal::ONE_HUNDRED;
            let message = format!(
                "pool {}: {used} {grade} grades for {} graded workers, {allowed} allowed (cap {}%) by policy {} §quota.{grade}; {} over the cap: {}{more} (the lowest ranked {grade} by score, then hire date, then id)",
                reports[r].pool,
                reports[r].graded,
                cap.normalize(),
                self.policy.cite(),
                used - allowed,
                names.join(", "),
            );
            let related = workers
                .iter()
                .filter_map(|&(_, ai)| ai.map(|ai| (List::Assessments, ai)))
                .collect();
            self.errors.push(InputError {
                worker_id: None,
                field: "grade".into(),
                message,
                source: None,
                related,
            });
        }
        self.quota = reports;
    }

    /// For each pool and grade over its cap, `(report index, grade, used,
    /// allowed, the workers over)`: the holders of the grade ranked as the
    /// quota rule ranks (higher score first, workers without a score after
    /// those with one, then earlier hire date, then id), and the last
    /// `used - allowed` of them, each with its assessment's index. One pass
    /// over the workers whatever the number of pools over.
    #[allow(clippy::type_complexity)]
    fn over_cap(
        &self,
        decided: &[Decided],
        given: &[Option<Given>],
        reports: &[quota::PoolReport],
    ) -> Vec<(usize, Grade, u32, u32, Vec<(usize, Option<usize>)>)> {
        let mut wanted: HashMap<(&str, Grade), usize> = HashMap::new();
        let mut out = Vec::new();
        for (ri, r) in reports.iter().enumerate() {
            for (grade, used, allowed) in r.violations() {
                wanted.insert((r.pool.as_str(), grade), out.len());
                out.push((ri, grade, used, allowed, Vec::new()));
            }
        }
        if out.is_empty() {
            return out;
        }
        let rule = &self.policy.quota;
        for (wi, d) in decided.iter().enumerate() {
            if let Decided::Grade(g, _) = d
                && !self.bad[wi]
            {
                let pool = quota::pool_of(rule, &self.workers[wi].0.unit);
                if let Some(&k) = wanted.get(&(pool, *g)) {
                    out[k].4.push((wi, given[wi].map(|(ai, _, _)| ai)));
                }
            }
        }
        for (_, _, used, allowed, holders) in &mut out {
            let score = |wi: usize| given[wi].and_then(|(_, _, s)| s);
            holders.sort_by(|&(a, _), &(b, _)| {
                let (wa, wb) = (&self.workers[a].0, &self.workers[b].0);
                // Some(score) before None, higher score first.
                score(b)
                    .cmp(&score(a))
                    .then(wa.hired_on.cmp(&wb.hired_on))
                    .then(wa.id.cmp(&wb.id))
            });
            let keep = (*allowed as usize).min(holders.len());
            holders.drain(..keep);
            debug_assert_eq!(holders.len(), (*used - *allowed) as usize);
        }
        out
    }

    /// Validated honours paid in `month` (none for annual runs), per worker,
    /// with the honours of earlier months for the same deeds (what was
    /// already paid for them, under `same_deed = "highest_only"`).
    fn honours(&mut self, month: Option<YearMonth>) -> Vec<Vec<Honour>> {
        let req = self.req;
        let mut out: Vec<Vec<Honour>> = vec![Vec::new(); self.workers.len()];
        // Honours of earlier months, with their worker index.
        let mut before: Vec<(usize, Honour)> = Vec::new();
        let highest_only = self.policy.honours.same_deed == SameDeed::HighestOnly;
        for (hi, h) in req.honours.iter().enumerate() {
            let src = (List::Honours, hi);
            let id = h.worker_id.as_str();
            let level: Result<HonourLevel, _> = h.level.parse();
            let date = parse_date(&h.awarded_on);
            let paid = h.paid.as_deref().map(|t| {
                parse_non_negative_amount(t)
                    .map_err(|e| e.to_string())
                    .and_then(|d| {
                        if d > max_amount() {
                            Err(format!(
                                "{t} is above the largest amount accepted ({})",
                                max_amount()
                            ))
                        } else {
                            Ok(d)
                        }
                    })
            });
            let (level, date, paid) = match (level, date, paid.transpose()) {
                (Ok(l), Ok(d), Ok(p)) => (l, d, p),
                (l, d, p) => {
                    if let Err(e) = l {
                        self.error(Some(id), "level", e.to_string(), src);
                    }
                    if let Err(e) = d {
                        self.error(Some(id), "awarded_on", e.to_string(), src);
                    }
                    if let Err(e) = p {
                        self.error(Some(id), "paid", e, src);
                    }
                    continue;
                }
            };
            let deed = h.deed.clone().filter(|d| !d.trim().is_empty());
            let Some(m) = month.filter(|m| date <= m.last_day()) else {
                // Later honours are paid by the run of their month; still an
                // error when the worker is unknown.
                if !self.known(id) {
                    let msg = format!("no worker {id:?} in the roster");
                    self.error(Some(id), "worker_id", msg, src);
                }
                continue;
            };
            if m.contains(date) {
                if paid.is_some() {
                    let msg = format!(
                        "paid is what an earlier month's run paid for an honour; this one, awarded {date}, is paid by this {m} run: leave paid out"
                    );
                    self.error(Some(id), "paid", msg, src);
                    continue;
                }
                let Some(wi) = self.find(id, src) else {
                    continue;
                };
                out[wi].push(Honour {
                    worker_id: id.to_string(),
                    level,
                    awarded_on: date,
                    deed,
                    paid: None,
                });
                continue;
            }
            // An earlier month's honour: already paid. It matters only for a
            // deed honoured again this month, under highest_only.
            if !self.known(id) {
                let msg = format!("no worker {id:?} in the roster");
                self.error(Some(id), "worker_id", msg, src);
                continue;
            }
            if !highest_only || deed.is_none() {
                continue;
            }
            if let Ok(wi) = self
                .workers
                .binary_search_by(|(w, _)| w.id.as_str().cmp(id))
            {
                before.push((
                    wi,
                    Honour {
                        worker_id: id.to_string(),
                        level,
                        awarded_on: date,
                        deed,
                        paid,
                    },
                ));
            }
        }
        if !before.is_empty() {
            let deeds: std::collections::HashSet<(usize, &str)> = out
                .iter()
                .enumerate()
                .flat_map(|(wi, hs)| {
                    hs.iter()
                        .filter_map(move |h| Some((wi, h.deed.as_deref()?)))
                })
                .collect();
            let keep: Vec<(usize, Honour)> = before
                .into_iter()
                .filter(|(wi, h)| h.deed.as_deref().is_some_and(|d| deeds.contains(&(*wi, d))))
                .collect();
            for (wi, h) in keep {
                out[wi].push(h);
            }
        }
        // Input order must not matter: each worker's honours in date, level, deed order.
        for hs in &mut out {
            hs.sort_by(|a, b| {
                (a.awarded_on, a.level, &a.deed, a.paid).cmp(&(
                    b.awarded_on,
                    b.level,
                    &b.deed,
                    b.paid,
                ))
            });
        }
        out
    }

    /// Hands over everything the payslips need, keeping nothing of the request.
    fn prepared(
        mut self,
        at: TaxPeriod,
        decided: Vec<Decided>,
        honours: Vec<Vec<Honour>>,
        inputs: tax::Inputs,
        adjustments: Vec<Vec<Adjustment>>,
    ) -> Prepared<'w, 'p> {
        self.errors.sort();
        self.errors.dedup();
        Prepared {
            policy: self.policy,
            period: self.period.clone(),
            at,
            workers: self.workers,
            bad: self.bad,
            errors: self.errors,
            warnings: self.warnings,
            quota: self.quota,
            decided,
            honours,
            inputs,
            adjustments,
            segments: Vec::new(),
        }
    }

    /// Reads the request's `changes` and applies them to the validated
    /// workers: the position and title in force at the period's end (and,
    /// for a monthly run, the segments of a month they change in), the unit
    /// on `pool_day`, and the end of pay the day before a move to a
    /// position outside the scheme (a worker who so left before the period
    /// is not paid). Each problem is an error naming the worker and field;
    /// the worker is then not paid. Returns the segments per worker (empty
    /// when no worker's position or title changes within the month).
    fn changes(&mut self, pool_day: NaiveDate, split: bool) -> Vec<(usize, Vec<Segment>)> {
        let req = self.req;
        if req.changes.is_empty() {
            return Vec::new();
        }
        let policy = self.policy;
        let mut read: Vec<(usize, NaiveDate, Change, usize)> = Vec::new();
        // In worker-id order (HR files usually are), each worker is sought
        // from the last one found: a few nearby comparisons instead of a
        // binary search over the whole roster.
        let mut order: Vec<usize> = (0..req.changes.len()).collect();
        if !req.changes.is_sorted_by(|a, b| a.worker_id <= b.worker_id) {
            order.sort_by(|&a, &b| req.changes[a].worker_id.cmp(&req.changes[b].worker_id));
        }
        let mut at = 0;
        for ci in order {
            let c = &req.changes[ci];
            let src = (List::Changes, ci);
            let id = c.worker_id.as_str();
            let before = self.errors.len();
            let found = seek(&self.workers, at, id);
            at = found.unwrap_or_else(|i| i);
            let wi = match found {
                Ok(i) => Some(i),
                Err(_) => {
                    if !self.known(id) {
                        let msg = format!("no worker {id:?} in the roster");
                        self.error(Some(id), "worker_id", msg, src);
                    }
                    None
                }
            };
            let on = parse_date(&c.on)
                .map_err(|e| self.error(Some(id), "on", e.to_string(), src))
                .ok();
            // Position, title, unit: no allocation per record.
            let mut fields: [Option<Change>; 3] = [None, None, None];
            if let Some(p) = &c.position {
                match (policy.position_index(p), policy.outside_index(p)) {
                    (Some(i), _) => fields[0] = Some(Change::Position(i as u16)),
                    (None, Some(i)) => fields[0] = Some(Change::Outside(i)),
                    (None, None) => {
                        let outside: Vec<&str> = policy
                            .outside_scheme
                            .iter()
                            .map(|o| o.code.as_str())
                            .collect();
                        let msg = format!(
                            "unknown position {:?}; policy {} has: {}{}",
                            crate::limits::quote(p),
                            policy.cite(),
                            policy.position_codes(),
                            if outside.is_empty() {
                                String::new()
                            } else {
                                format!("; outside the scheme: {}", outside.join(", "))
                            }
                        );
                        self.error(Some(id), "position", msg, src);
                    }
                }
            }
            if let Some(t) = &c.title {
                match t.parse::<Title>() {
                    Ok(t) => fields[1] = Some(Change::Title(t)),
                    Err(e) => self.error(Some(id), "title", e.to_string(), src),
                }
            }
            if let Some(u) = &c.unit {
                match u.trim() {
                    "" => self.error(
                        Some(id),
                        "unit",
                        "empty; give the new community or unit, or leave unit out".into(),
                        src,
                    ),
                    u => fields[2] = Some(Change::Unit(u.to_string())),
                }
            }
            if c.position.is_none() && c.title.is_none() && c.unit.is_none() {
                let msg = "nothing changes; give a position, a title or a unit".into();
                self.error(Some(id), "changes", msg, src);
            }
            if self.errors.len() > before {
                continue;
            }
            if let (Some(wi), Some(on)) = (wi, on) {
                read.extend(fields.into_iter().flatten().map(|f| (wi, on, f, ci)));
            }
        }
        read.sort_by_key(|a| (a.0, a.1, a.2.field(), a.3));
        let (first, last) = (self.first, self.last);
        let n = self.workers.len();
        let mut out: Vec<(usize, Vec<Segment>)> = Vec::new();
        let mut gone: Vec<usize> = Vec::new();
        for group in read.chunk_by(|a, b| a.0 == b.0) {
            let wi = group[0].0;
            let w = &self.workers[wi].0;
            let hired = w.hired_on;
            let mut end = w.left_on;
            let mut problems: Vec<(&str, String, usize)> = Vec::new();
            for pair in group.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if a.1 == b.1 && a.2.field() == b.2.field() {
                    let f = b.2.field_name();
                    let msg = format!(
                        "two changes of {f} on {}, in changes[{}] and changes[{}]; keep one",
                        b.1, a.3, b.3
                    );
                    problems.push((f, msg, b.3));
                }
            }
            let mut outside: Option<(usize, NaiveDate)> = None;
            for (_, on, f, ci) in group {
                let field = f.field_name();
                if *on < hired {
                    let msg = format!("change on {on} is before hiring on {hired}");
                    problems.push((field, msg, *ci));
                } else if let Some(l) = end.filter(|l| on > l) {
                    let why = match outside {
                        Some((o, d)) => format!(
                            "after leaving this payroll on {l} (to {}, outside the scheme, from {d})",
                            policy.outside_scheme[o].code
                        ),
                        None => format!("after leaving on {l}"),
                    };
                    problems.push((field, format!("change on {on} is {why}"), *ci));
                } else if let Change::Outside(o) = f {
                    outside = Some((*o, *on));
                    end = on.pred_opt();
                }
            }
            if !problems.is_empty() {
                let id = self.workers[wi].0.id.clone();
                for (field, msg, ci) in problems {
                    self.error(Some(&id), field, msg, (List::Changes, ci));
                }
                continue;
            }
            // Invariant: the worker's position was resolved against this
            // policy version when its record was read.
            let mut position = policy.position_index(&w.position).unwrap_or(0) as u16;
            let mut title = w.title;
            let mut unit: Option<&str> = None;
            let mut segs: Vec<Segment> = Vec::new();
            for (_, on, f, _) in group {
                let on = *on;
                if on > last {
                    continue;
                }
                match f {
                    Change::Unit(u) if on <= pool_day => unit = Some(u),
                    Change::Position(_) | Change::Title(_) if on > first && split => {
                        if segs.is_empty() {
                            segs.push(Segment {
                                from: first,
                                position,
                                title,
                            });
                        }
                        // Invariant: segs is not empty.
                        let prev = *segs.last().expect("a segment");
                        if prev.from != on {
                            segs.push(Segment { from: on, ..prev });
                        }
                        let s = segs.last_mut().expect("a segment");
                        match f {
                            Change::Position(p) => s.position = *p,
                            Change::Title(t) => s.title = *t,
                            _ => {}
                        }
                    }
                    Change::Position(p) => position = *p,
                    Change::Title(t) => title = *t,
                    _ => {}
                }
            }
            if let Some(s) = segs.last() {
                (position, title) = (s.position, s.title);
            }
            let code = &policy.positions[position as usize].code;
            let w = &self.workers[wi].0;
            let changed = w.position != *code
                || w.title != title
                || unit.is_some_and(|u| u != w.unit)
                || end != w.left_on;
            if changed {
                let w = self.workers[wi].0.to_mut();
                w.position.clone_from(code);
                w.title = title;
                if let Some(u) = unit {
                    w.unit = u.to_string();
                }
                w.left_on = end;
            }
            if end.is_some_and(|e| e < first) {
                gone.push(wi);
                continue;
            }
            if segs.len() > 1 {
                out.push((wi, segs));
            }
        }
        if !gone.is_empty() {
            // Left this payroll before the period: not paid, still known.
            let mut keep = vec![true; n];
            for &wi in &gone {
                keep[wi] = false;
                self.others.push(self.workers[wi].0.id.clone());
            }
            self.others.sort_unstable();
            let mut k = 0;
            self.workers.retain(|_| {
                k += 1;
                keep[k - 1]
            });
            let mut k = 0;
            self.bad.retain(|_| {
                k += 1;
                keep[k - 1]
            });
            // Worker indices after the removal.
            let mut removed_before = vec![0usize; n];
            let mut r = 0;
            for (wi, k) in keep.iter().enumerate() {
                removed_before[wi] = r;
                r += usize::from(!k);
            }
            for (wi, _) in &mut out {
                *wi -= removed_before[*wi];
            }
            self.hint = 0;
        }
        out
    }

    pub(super) fn monthly(mut self, month: YearMonth) -> Prepared<'w, 'p> {
        let pool_day = match self.policy.quota.pool_day {
            PoolDay::LastDay => month.last_day(),
            PoolDay::FirstDay => month.first_day(),
        };
        let segments = self.changes(pool_day, true);
        let period = month.to_string();
        let decided = self.grades(|p| assessment_period_is(p, &period), &period);
        let honours = self.honours(Some(month));
        let at = TaxPeriod::Month(month);
        let inputs = self.tax_inputs(at);
        let adjustments = self.adjustments(Some(month));
        let mut prepared = self.prepared(at, decided, honours, inputs, adjustments);
        prepared.segments = segments;
        prepared
    }

    pub(super) fn annual(mut self, year: Year) -> Prepared<'w, 'p> {
        // The annual bonus goes with the unit at the year's end.
        self.changes(year.last_day(), false);
        let period = year.to_string();
        let decided = self.grades(|p| assessment_period_is(p, &period), &period);
        let honours = self.honours(None);
        let at = TaxPeriod::Year(year);
        let inputs = self.tax_inputs(at);
        let adjustments = self.adjustments(None);
        self.prepared(at, decided, honours, inputs, adjustments)
    }

    /// Reads the request's `adjustments` (corrections of past periods paid
    /// by a monthly run); each problem is an error naming the worker, who is
    /// then not paid. Empty when the request has none.
    fn adjustments(&mut self, month: Option<YearMonth>) -> Vec<Vec<Adjustment>> {
        let req = self.req;
        if req.adjustments.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Vec<Adjustment>> = vec![Vec::new(); self.workers.len()];
        for (i, r) in req.adjustments.iter().enumerate() {
            let src = (List::Adjustments, i);
            let id = r.worker_id.as_str();
            let Some(month) = month else {
                self.error(
                    Some(id),
                    "adjustments",
                    "corrections are paid by monthly runs; move this adjustment to a monthly request".into(),
                    src,
                );
                continue;
            };
            match read_adjustment(r, month) {
                Err((field, msg)) => self.error(Some(id), &field, msg, src),
                Ok(a) => match self.find(id, src) {
                    Some(wi) => out[wi].push(a),
                    None if self.known(id) => self.error(
                        Some(id),
                        "adjustments",
                        format!(
                            "worker {id} is not paid in {month} (not employed, or refused for another error); pay the correction in a month the worker is paid"
                        ),
                        src,
                    ),
                    None => {} // unknown worker: reported by `find`
                },
            }
        }
        for a in &mut out {
            a.sort();
        }
        out
    }

    /// Reads the request's `tax` and `ytd` lists; problems become errors
    /// naming the worker, who is then not paid.
    fn tax_inputs(&mut self, period: TaxPeriod) -> tax::Inputs {
        let req = self.req;
        let (inputs, problems) = {
            let workers = &self.workers;
            let others = &self.others;
            let errors = &self.errors;
            tax::Inputs::read(
                self.policy,
                period,
                &req.tax,
                &req.ytd,
                workers.len(),
                |id| match workers.binary_search_by(|(w, _)| w.id.as_str().cmp(id)) {
                    Ok(i) => tax::Found::Worker(i),
                    Err(_) if others.binary_search_by(|o| o.as_str().cmp(id)).is_err() => {
                        tax::Found::Unknown
                    }
                    // In the roster but not validated: refused for an error, or not employed.
                    Err(_) if errors.iter().any(|e| e.worker_id.as_deref() == Some(id)) => {
                        tax::Found::Refused
                    }
                    Err(_) => tax::Found::NotEmployed,
                },
            )
        };
        for p in problems {
            let list = match p.source.0 {
                tax::Source::Tax => List::Tax,
                tax::Source::Ytd => List::Ytd,
            };
            self.error(Some(&p.worker_id), &p.field, p.message, (list, p.source.1));
        }
        if let TaxPeriod::Month(month) = period {
            self.check_states(month, &inputs);
        }
        inputs
    }

    /// Checks a monthly run's year-to-date states against the roster: a
    /// state with months missing before the run is an error unless the
    /// worker was hired after its `through`; a worker with tax inputs, no
    /// state and employed in an earlier month of the year is warned about
    /// (the state is taken as the start of the year).
    fn check_states(&mut self, month: YearMonth, inputs: &tax::Inputs) {
        let req = self.req;
        let prev = YearMonth::of(month.first_day() - chrono::Days::new(1));
        let mut given: HashMap<&str, usize> = HashMap::with_capacity(req.ytd.len());
        for (i, r) in req.ytd.iter().enumerate() {
            given.entry(r.worker_id.as_str()).or_insert(i);
        }
        for (wi, input) in inputs.workers.iter().enumerate() {
            let Some(input) = input else {
                continue;
            };
            if self.bad[wi] {
                continue;
            }
            let w = &self.workers[wi].0;
            match given.get(w.id.as_str()) {
                Some(&i) => {
                    let Some(t) = input.ytd.through else {
                        continue;
                    };
                    if t >= prev || w.hired_on > t.last_day() {
                        continue;
                    }
                    let next = YearMonth::of(t.last_day() + chrono::Days::new(1));
                    let missing = if next == prev {
                        format!("{prev} is missing")
                    } else {
                        format!("{next} to {prev} are missing")
                    };
                    let msg = format!(
                        "this state runs through {t} but this run is {month}: {missing}; run {next} with this state and pass its state on (hired {}, before the gap)",
                        w.hired_on
                    );
                    let id = w.id.clone();
                    self.error(Some(&id), "ytd.through", msg, (List::Ytd, i));
                }
                None if month.month() != 1 && w.hired_on < month.first_day() => {
                    self.warnings.push(Warning {
                        worker_id: w.id.clone(),
                        field: "ytd".into(),
                        message: format!(
                            "no year-to-date state although employed before {month} (hired {}): taken as the start of {}; pass the state out of the {prev} run",
                            w.hired_on,
                            month.year()
                        ),
                    });
                }
                None => {}
            }
        }
    }
}

/// A run whose inputs are read and validated: everything the payslips need,
/// owning no part of the request.
pub(super) struct Prepared<'w, 'p> {
    pub(super) policy: &'p Policy,
    pub(super) period: String,
    pub(super) at: TaxPeriod,
    /// Validated employed workers, sorted by id, with their record indices.
    pub(super) workers: Vec<(Cow<'w, Worker>, usize)>,
    pub(super) bad: Vec<bool>,
    pub(super) errors: Vec<InputError>,
    pub(super) warnings: Vec<Warning>,
    pub(super) quota: Vec<PoolReport>,
    pub(super) decided: Vec<Decided>,
    pub(super) honours: Vec<Vec<Honour>>,
    pub(super) inputs: tax::Inputs,
    /// Per validated worker: corrections paid this month (empty when none).
    pub(super) adjustments: Vec<Vec<Adjustment>>,
    /// The segments of a month of the validated workers whose position or
    /// title changes in it, by worker index, ascending.
    pub(super) segments: Vec<(usize, Vec<Segment>)>,
}

/// The index of the worker with `id` among workers sorted by id (`Err`:
/// where it would be), sought forward from `from` in growing steps when
/// the id is not before the worker there, else by binary search.
fn seek(workers: &[(Cow<'_, Worker>, usize)], from: usize, id: &str) -> Result<usize, usize> {
    let key = |i: usize| workers[i].0.id.as_str();
    if from >= workers.len() || key(from) > id {
        return workers.binary_search_by(|(w, _)| w.id.as_str().cmp(id));
    }
    // Nearby first, one worker after another: the records lie in order in
    // memory, so a short walk reads ahead where a jump would wait on memory.
    for i in from..(from + 32).min(workers.len()) {
        match key(i).cmp(id) {
            std::cmp::Ordering::Less => continue,
            std::cmp::Ordering::Equal => return Ok(i),
            std::cmp::Ordering::Greater => return Err(i),
        }
    }
    let mut lo = from;
    let mut step = 1;
    while lo + step < workers.len() && key(lo + step) <= id {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(workers.len());
    workers[lo..hi]
        .binary_search_by(|(w, _)| w.id.as_str().cmp(id))
        .map(|i| lo + i)
        .map_err(|i| lo + i)
}

/// One field of a change record, as read.
enum Change {
    /// A position paid here: its index in the policy version.
    Position(u16),
    /// A position outside the scheme: its index in `outside_scheme`.
    Outside(usize),
    Title(Title),
    Unit(String),
}

impl Change {
    /// Changes of one field on one day clash.
    fn field(&self) -> u8 {
        match self {
            Change::Position(_) | Change::Outside(_) => 0,
            Change::Title(_) => 1,
            Change::Unit(_) => 2,
        }
    }
    fn field_name(&self) -> &'static str {
        ["position", "title", "unit"][self.field() as usize]
    }
}

/// Whether an assessment's `period` is the run's (`run_period`, written
/// canonically as `YYYY-MM` or `YYYY`). Another valid month or year is not an
/// error (a file may hold a whole year of assessments); anything else is.
/// The common cases are decided by comparing text, without making dates.
pub(super) fn assessment_period_is(p: &str, run_period: &str) -> Result<bool, String> {
    if p == run_period {
        return Ok(true);
    }
    let b = p.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let other_month = b.len() == 7
        && b[4] == b'-'
        && digits(0..4)
        && &p[..4] != "0000"
        && digits(5..7)
        && (b"01"..=b"12").contains(&&[b[5], b[6]]);
    let other_year = b.len() == 4 && digits(0..4) && p != "0000";
    if other_month || other_year {
        return Ok(false);
    }
    // Not canonical: a month or year spelt another way is an error too.
    match (p.parse::<YearMonth>(), p.parse::<Year>()) {
        (Err(e), Err(_)) => Err(e.to_string()),
        _ => Err(format!("{p:?} is not written as YYYY-MM or YYYY")),
    }
}

/// Reads one adjustment record of a monthly run for `month`.
fn read_adjustment(r: &AdjustmentRecord, month: YearMonth) -> Result<Adjustment, (String, String)> {
    let err = |f: &str, m: String| (format!("adjustments.{f}"), m);
    let before = match (r.period.parse::<YearMonth>(), r.period.parse::<Year>()) {
        (Ok(m), _) => m < month,
        (_, Ok(y)) => y.get() <= month.year(),
        (Err(e), Err(_)) => return Err(err("period", e.to_string())),
    };
    if !before {
        return Err(err(
            "period",
            format!(
                "{} is not before {month}; a correction pays a past period",
                r.period
            ),
        ));
    }
    let code = LineCode::from_code(&r.code)
        .filter(|c| correction::corrected(*c))
        .ok_or_else(|| {
            let codes: Vec<&str> = LineCode::ALL
                .iter()
                .filter(|c| correction::corrected(**c))
                .map(|c| c.code())
                .collect();
            err(
                "code",
                format!(
                    "{:?} is not an earning line a correction can pay; expected one of {}",
                    crate::limits::quote(&r.code),
                    codes.join(", ")
                ),
            )
        })?;
    let amount = |f: &str, t: &str| -> Result<Decimal, (String, String)> {
        let d = crate::money::parse_amount(t).map_err(|e| err(f, e.to_string()))?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(err(f, format!("{t} is negative; a line pays zero or more")));
        }
        if d > crate::policy::max_amount() {
            return Err(err(
                f,
                format!(
                    "{t} is above the largest amount accepted ({})",
                    crate::policy::max_amount()
                ),
            ));
        }
        Ok(d)
    };
    let old = amount("old", &r.old)?;
    let new = amount("new", &r.new)?;
    if old == new {
        return Err(err(
            "new",
            format!(
                "old and new are both {}; there is nothing to pay",
                crate::money::Amount(old)
            ),
        ));
    }
    if r.reason.trim().is_empty() {
        return Err(err(
            "reason",
            "empty; say why the period was corrected (an auditor reads it on the payslip)".into(),
        ));
    }
    Ok(Adjustment {
        worker_id: r.worker_id.clone(),
        period: r.period.clone(),
        code,
        old,
        new,
        reason: r.reason.clone(),
    })
}

fn wsrc_or(i: usize) -> (List, usize) {
    (List::Workers, i)
}
