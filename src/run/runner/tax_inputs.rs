//! The run's tax inputs: the request's `tax` and `ytd` lists read by
//! [`crate::rules::tax`] against the roster, and a monthly run's
//! year-to-date states checked for months missing before it.

use super::*;
use std::collections::HashMap;

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    /// Reads the request's `tax` and `ytd` lists; problems become errors
    /// naming the worker, who is then not paid.
    pub(super) fn tax_inputs(&mut self, period: TaxPeriod) -> tax::Inputs {
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
                        worker_id: w.id.to_string(),
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
