//! The run's roster: every worker record read once, under the policy
//! version in force, into the workers employed in the period, sorted by id;
//! blank and doubled ids, and records refused for their own errors, become
//! input errors, and every id not paid is kept for look-ups.

use super::*;
#[cfg(feature = "files")]
use super::super::packed::Packed;

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    /// Validates the worker records: each is read once, in input order
    /// (owned records give their strings to the worker and are released as
    /// they are read), then ids are checked for blanks and duplicates.
    pub(super) fn read_workers(&mut self, records: Records<'a, 'w>) {
        let (policy, first, last) = (self.policy, self.first, self.last);
        let n = records.len();
        let mut paid: Vec<(Cow<'w, Worker>, usize)> = Vec::with_capacity(n);
        // Records not paid: id, index, and the errors found (None: not employed).
        let mut rest: Vec<(CompactString, usize, Option<Vec<InputError>>)> = Vec::new();
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
            #[cfg(feature = "files")]
            Records::Packed(list) => {
                // In order, each 65,536 records given back once read; a
                // large list in two halves at once, the second on a thread
                // of its own, its workers taken after the first's.
                let mut parts = list.into_segments();
                let later = if parts.len() >= 4 {
                    parts.split_off(parts.len() / 2)
                } else {
                    Vec::new()
                };
                let start = parts.iter().map(Packed::len).sum::<usize>();
                let read_later = || {
                    let mut i = start;
                    let mut out = Vec::with_capacity(later.len());
                    for part in later {
                        let reads: Vec<(Read, usize)> = part
                            .into_records()
                            .map(|rec| {
                                i += 1;
                                (read_record(policy, first, last, Rec::Owned(rec), i - 1), i - 1)
                            })
                            .collect();
                        out.push(reads);
                    }
                    out
                };
                std::thread::scope(|s| {
                    let later = s.spawn(read_later);
                    for (i, rec) in parts.into_iter().flat_map(Packed::into_records).enumerate() {
                        take(read_record(policy, first, last, Rec::Owned(rec), i), i);
                    }
                    let later = later
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    for reads in later {
                        for (read, i) in reads {
                            take(read, i);
                        }
                    }
                });
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
                    worker_id: Some(id.to_string()),
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
}
