//! Deciding each worker's grade for the period: from the assessments that
//! concern the run (given, or by quota from scores), from probation, or
//! from the policy's rule for a missing assessment; then every pool's
//! grades checked against the quota caps, each pool over a cap one error
//! naming the workers over it.

use super::*;
use crate::policy::Missing;
use crate::rules::payslip;
use crate::rules::quota::{self, Candidate};
use std::collections::HashMap;

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    /// Decides every validated worker's grade for the period from the
    /// assessments whose period matches `period_matches`.
    pub(super) fn grades(
        &mut self,
        is_period: impl Fn(&str) -> Result<bool, String>,
        period: &str,
    ) -> Decisions {
        let n = self.workers.len();
        let mut given: Vec<Option<Given>> = vec![None; n];
        let mut scores: Vec<Decimal> = Vec::new();
        let mut decided = Decisions::new(n);
        // Workers with an assessment for the period, valid or not.
        let mut assessed = vec![false; n];
        let mut scored: Vec<(usize, Decimal, Option<Grade>, usize)> = Vec::new();
        let among = self.among;
        // Read once: an owned list is dropped when read.
        let owned = std::mem::replace(
            &mut self.assessments,
            Assessments::Borrowed(&NO_ASSESSMENTS),
        );
        let list = owned.list();
        let count = among.map_or(list.count(), <[usize]>::len);
        for k in 0..count {
            let ai = among.map_or(k, |a| a[k]);
            let Some(a) = list.at(ai) else { continue };
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
            let score = match score {
                Some(s) => {
                    scores.push(s);
                    // Invariant: fewer than 2^32 assessments (a request or
                    // file is at most 1 GiB).
                    (scores.len() - 1) as u32
                }
                None => NO_SCORE,
            };
            given[wi] = Some(Given {
                // Invariant: as above.
                ai: ai as u32,
                score,
                grade,
            });
        }
        // (Only a packed list has anything to drop.)
        #[cfg_attr(not(feature = "files"), allow(clippy::drop_non_drop))]
        drop(owned);
        for wi in 0..n {
            let (w, wsrc) = &self.workers[wi];
            let wsrc = *wsrc;
            let on_probation = payslip::probation_ungraded(self.policy, w, self.last).is_some();
            let d = match given[wi] {
                _ if on_probation => match given[wi] {
                    Some(g) if g.grade != Some(Grade::Ungraded) || g.score != NO_SCORE => {
                        let id = w.id.clone();
                        self.error(
                            Some(&id),
                            "grade",
                            format!(
                                "on probation until {} and policy {} does not grade probationers (probation.graded = false); remove the assessment or mark it ungraded",
                                w.probation_until.map(|d| d.to_string()).unwrap_or_default(),
                                self.policy.cite()
                            ),
                            (List::Assessments, g.ai as usize),
                        );
                        Decided::Bad
                    }
                    // Invariant: on_probation implies probation_until is set.
                    _ => Decided::Grade(
                        Grade::Ungraded,
                        GradeNote::Probation(w.probation_until.unwrap_or(self.last)),
                    ),
                },
                Some(Given {
                    grade: Some(g),
                    score: NO_SCORE,
                    ..
                }) => Decided::Grade(g, GradeNote::Given),
                Some(Given { score: NO_SCORE, .. }) => Decided::Bad,
                Some(g) => {
                    let score = scores[g.score as usize];
                    scored.push((wi, score, g.grade, g.ai as usize));
                    Decided::Bad // decided below by quota
                }
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
            decided.set(wi, d);
        }
        self.apply_quota(&mut decided, &scored, &given, &scores);
        decided
    }

    /// Grades the scored workers by quota, checks every pool's grades against
    /// the caps, and records the pool reports.
    fn apply_quota(
        &mut self,
        decided: &mut Decisions,
        scored: &[(usize, Decimal, Option<Grade>, usize)],
        given: &[Option<Given>],
        scores: &[Decimal],
    ) {
        let rule = &self.policy.quota;
        // One candidate per scored, validated worker: id, unit and hire date
        // as the run checked them (after changes). `payrules grade` builds
        // its candidates from a scores file instead (hrfile's grading), so
        // the two share `quota::assign` and the `Candidate` shape, not a
        // builder.
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
                    decided.set(wi, Decided::Grade(a.grade, a.note()));
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
                Decided::Grade(g, _) if !bad[wi] => Some((w.unit.as_str(), g)),
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
            ) = decided.get(wi)
            {
                let pool = report_of[pool as usize];
                decided.set(
                    wi,
                    Decided::Grade(
                        g,
                        GradeNote::Quota {
                            rank,
                            of,
                            pool,
                            slots,
                        },
                    ),
                );
            }
        }
        let over = self.over_cap(decided, given, scores, &reports);
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
        decided: &Decisions,
        given: &[Option<Given>],
        scores: &[Decimal],
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
                if let Some(&k) = wanted.get(&(pool, g)) {
                    out[k].4.push((wi, given[wi].map(|g| g.ai as usize)));
                }
            }
        }
        for (_, _, used, allowed, holders) in &mut out {
            let score = |wi: usize| {
                given[wi]
                    .filter(|g| g.score != NO_SCORE)
                    .map(|g| scores[g.score as usize])
            };
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
}

fn wsrc_or(i: usize) -> (List, usize) {
    (List::Workers, i)
}
