//! Changes of position, title or unit applied to the roster: what is in
//! force at the period's end, the segments of a month a change splits, the
//! unit on the quota's pool day, and the end of pay on a move outside the
//! scheme; each problem an input error naming the worker and field.

use super::*;
use crate::period::parse_date;
use crate::worker::Title;

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    /// Reads the request's `changes` and applies them to the validated
    /// workers: the position and title in force at the period's end (and,
    /// for a monthly run, the segments of a month they change in), the unit
    /// on `pool_day`, and the end of pay the day before a move to a
    /// position outside the scheme (a worker who so left before the period
    /// is not paid). Each problem is an error naming the worker and field;
    /// the worker is then not paid. Returns the segments per worker (empty
    /// when no worker's position or title changes within the month).
    pub(super) fn changes(
        &mut self,
        pool_day: NaiveDate,
        split: bool,
    ) -> Vec<(usize, Vec<Segment>)> {
        let req = self.req;
        if req.changes.is_empty() {
            return Vec::new();
        }
        let policy = self.policy;
        let mut read: Vec<(usize, NaiveDate, Change, usize)> =
            Vec::with_capacity(req.changes.len());
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
                    u => fields[2] = Some(Change::Unit(u)),
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
        // Usually in order already (changes listed by worker, one each).
        let key = |a: &(usize, NaiveDate, Change, usize)| (a.0, a.1, a.2.field(), a.3);
        if !read.is_sorted_by_key(key) {
            read.sort_by_key(key);
        }
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
                w.position = CompactString::from(code.as_str());
                w.title = title;
                if let Some(u) = unit {
                    w.unit = CompactString::from(u);
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

/// One field of a change record, as read (a unit borrowed from the record).
enum Change<'a> {
    /// A position paid here: its index in the policy version.
    Position(u16),
    /// A position outside the scheme: its index in `outside_scheme`.
    Outside(usize),
    Title(Title),
    Unit(&'a str),
}

impl Change<'_> {
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
