//! The honours a run pays: those awarded in its month, per worker, with
//! the honours of earlier months for the same deeds (what was already paid
//! for them, under `same_deed = "highest_only"`); each bad record an input
//! error naming the worker.

use super::*;
use crate::money::parse_non_negative_amount;
use crate::period::parse_date;
use crate::policy::{SameDeed, max_amount};
use crate::worker::HonourLevel;

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    /// Validated honours paid in `month` (none for annual runs), per worker,
    /// with the honours of earlier months for the same deeds (what was
    /// already paid for them, under `same_deed = "highest_only"`).
    pub(super) fn honours(&mut self, month: Option<YearMonth>) -> ByWorker<Honour> {
        let req = self.req;
        // Honours paid this month, with their worker index.
        let mut out: Vec<(usize, Honour)> = Vec::new();
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
            let honour = |deed, paid| Honour {
                worker_id: id.to_string(),
                level,
                awarded_on: date,
                deed,
                paid,
            };
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
                out.push((wi, honour(deed, None)));
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
                before.push((wi, honour(deed, paid)));
            }
        }
        if !before.is_empty() {
            let deeds: std::collections::HashSet<(usize, &str)> = out
                .iter()
                .filter_map(|(wi, h)| Some((*wi, h.deed.as_deref()?)))
                .collect();
            let keep: Vec<(usize, Honour)> = before
                .into_iter()
                .filter(|(wi, h)| h.deed.as_deref().is_some_and(|d| deeds.contains(&(*wi, d))))
                .collect();
            out.extend(keep);
        }
        // Input order must not matter: each worker's honours in date, level, deed order.
        out.sort_by(|(wa, a), (wb, b)| {
            (wa, a.awarded_on, a.level, &a.deed, a.paid).cmp(&(
                wb,
                b.awarded_on,
                b.level,
                &b.deed,
                b.paid,
            ))
        });
        ByWorker::from_pairs(out)
    }
}
