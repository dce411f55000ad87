//! Completing a period's request from the book, so that nothing is carried
//! by hand: each worker's year-to-date state, default tax settings for
//! workers without any (the book pays net), and, for a month, the pending
//! corrections of workers employed in it and what earlier months already
//! paid for the deeds honoured again.

use super::*;
use crate::period::parse_date;
use crate::rules::tax::TaxRecord;
use std::collections::HashSet;

/// Completes a month's request from the book: the year-to-date states of
/// its workers, default tax settings for workers without any (the book pays
/// net), and, for a monthly run, the pending corrections of workers
/// employed in the month. Returns the request and the ids of the
/// corrections added, by worker.
pub(super) fn complete(
    tx: &store::Tx,
    mut req: Request,
    set: &PolicySet,
    year: i32,
    month: Option<YearMonth>,
) -> Result<(Request, Vec<(String, i64)>), BookError> {
    let roster: HashSet<&str> = req.workers.iter().map(|w| w.id.as_str()).collect();
    let mut ytd = Vec::new();
    // The book's months are consecutive: a state from its own months is
    // complete up to the month before this one even when the worker was not
    // paid in the last months (not employed, or left out and paid later as
    // arrears), so its `through` is the previous month. Imported figures keep
    // theirs: a gap after them is the importer's to explain.
    let previous = month.and_then(|m| {
        (m.month() > 1)
            .then(|| YearMonth::new(m.year(), m.month() - 1))
            .flatten()
    });
    for (w, _through, state, imported) in tx.ytd(year)? {
        if roster.contains(w.as_str()) {
            let mut r = codec::ytd_record(&w, &state)?;
            if let (Some(p), false) = (previous, imported) {
                r.through = Some(p.to_string());
            }
            ytd.push(r);
        }
    }
    let with_tax = set.versions.iter().any(|v| v.tax.is_some());
    let mut tax: Vec<TaxRecord> = Vec::new();
    if with_tax {
        let given: HashSet<&str> = req.tax.iter().map(|t| t.worker_id.as_str()).collect();
        let mut seen = HashSet::new();
        for w in &req.workers {
            if !given.contains(w.id.as_str()) && seen.insert(w.id.as_str()) {
                tax.push(TaxRecord {
                    worker_id: w.id.to_string(),
                    ..TaxRecord::default()
                });
            }
        }
    }
    let mut ids = Vec::new();
    let mut adjustments = Vec::new();
    if let Some(month) = month {
        let employed: HashSet<&str> = req
            .workers
            .iter()
            .filter(|w| {
                let hired = parse_date(&w.hired_on);
                let left = w
                    .left_on
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(parse_date);
                match (hired, left) {
                    (Ok(h), None) => h <= month.last_day(),
                    (Ok(h), Some(Ok(l))) => h <= month.last_day() && l >= month.first_day(),
                    // Unreadable dates: the run reports them.
                    _ => true,
                }
            })
            .map(|w| w.id.as_str())
            .collect();
        for a in tx.payable(&month.to_string())? {
            if employed.contains(a.worker_id.as_str()) {
                ids.push((a.worker_id.clone(), a.id));
                adjustments.push(AdjustmentRecord {
                    worker_id: a.worker_id.clone(),
                    period: a.corrected.clone(),
                    code: a.code.clone(),
                    old: crate::money::Amount(codec::yuan(a.old)).to_string(),
                    new: crate::money::Amount(codec::yuan(a.new)).to_string(),
                    reason: a.reason.clone(),
                });
            }
        }
    }
    req.tax.extend(tax);
    req.ytd = ytd;
    req.adjustments = adjustments;
    if month.is_some() {
        earlier_honours(tx, &mut req)?;
    }
    Ok((req, ids))
}

/// Adds to a monthly request, for each honour of the month with a deed
/// already honoured in an earlier month of the book, one earlier honour
/// carrying what was paid for that deed so far (so a higher honour pays
/// only the difference).
pub(super) fn earlier_honours(tx: &store::Tx, req: &mut Request) -> Result<(), BookError> {
    use crate::worker::{HonourLevel, HonourRecord};
    let mut seen = HashSet::new();
    let mut add = Vec::new();
    for h in &req.honours {
        let Some(deed) = h.deed.as_deref().filter(|d| !d.trim().is_empty()) else {
            continue;
        };
        if !seen.insert((h.worker_id.clone(), deed.to_string())) {
            continue;
        }
        let before = tx.honours_before(&h.worker_id, deed, &req.period)?;
        let Some((first, _, _)) = before.first() else {
            continue;
        };
        let mut level: Option<HonourLevel> = None;
        let mut fen = 0;
        for (_, l, f) in &before {
            let l: HonourLevel = l
                .parse()
                .map_err(|_| BookError::Corrupt(format!("honour level {l:?}")))?;
            level = Some(level.map_or(l, |x| x.max(l)));
            fen += f;
        }
        let Some(level) = level else { continue };
        add.push(HonourRecord {
            worker_id: h.worker_id.clone(),
            level: level.code().to_string(),
            awarded_on: format!("{first}-01"),
            deed: Some(deed.to_string()),
            paid: Some(crate::money::Amount(codec::yuan(fen)).to_string()),
        });
    }
    req.honours.extend(add);
    Ok(())
}
