//! Records kept packed: the text of a list's records end to end, with the
//! end of each field beside it, for the lists a run from files holds a
//! million of (the roster and the assessments).
//!
//! A [`WorkerRecord`] is 192 bytes whatever its text (eight inline
//! strings), and an [`AssessmentRecord`] 96; a roster row of the district
//! in `../shared/bench` has about 60 bytes of text. [`Packed`] keeps that
//! text and four bytes a field: about 95 bytes a roster row and 33 an
//! assessment, so that the files of a large district are not held at
//! twice their size while the run reads them. A record is unpacked (its
//! fields copied into inline strings, no allocation for short ones) when
//! the run reads it; [`Packed::into_records`] hands them over in order and
//! gives back the room of each 65,536 read, so that the roster shrinks as
//! the validated workers grow.
//!
//! ```ignore
//! let mut list = Packed::default();
//! list.push(&record)?;
//! assert_eq!(list.get(0), Some(record));
//! ```

use crate::worker::{AssessmentRecord, WorkerRecord};
use compact_str::CompactString;
use std::borrow::Cow;

/// A record that [`Packed`] can hold: a fixed number of text fields, each
/// present or not.
pub trait Pack: Sized {
    /// The number of fields.
    const FIELDS: usize;
    /// Field `k` (`None`: absent, or `k` past the last field).
    fn field(&self, k: usize) -> Option<&str>;
    /// The record of the fields `get(0)`, `get(1)`…
    fn unpack<'t>(get: impl Fn(usize) -> Option<&'t str>) -> Self;
}

/// The fields of a [`WorkerRecord`], by number.
pub mod roster {
    /// `id`.
    pub const ID: usize = 0;
    /// `name`.
    pub const NAME: usize = 1;
    /// `unit`.
    pub const UNIT: usize = 2;
    /// `hired_on`.
    pub const HIRED_ON: usize = 5;
    /// `left_on`.
    pub const LEFT_ON: usize = 6;
}

/// The fields of an [`AssessmentRecord`], by number.
pub mod assessment {
    /// `worker_id`.
    pub const WORKER_ID: usize = 0;
    /// `period`.
    pub const PERIOD: usize = 1;
}

impl Pack for WorkerRecord {
    const FIELDS: usize = 8;
    fn field(&self, k: usize) -> Option<&str> {
        match k {
            0 => Some(&self.id),
            1 => Some(&self.name),
            2 => Some(&self.unit),
            3 => Some(&self.position),
            4 => Some(&self.title),
            5 => Some(&self.hired_on),
            6 => self.left_on.as_deref(),
            7 => self.probation_until.as_deref(),
            _ => None,
        }
    }
    fn unpack<'t>(get: impl Fn(usize) -> Option<&'t str>) -> Self {
        let text = |k| CompactString::from(get(k).unwrap_or_default());
        WorkerRecord {
            id: text(0),
            name: text(1),
            unit: text(2),
            position: text(3),
            title: text(4),
            hired_on: text(5),
            left_on: get(6).map(CompactString::from),
            probation_until: get(7).map(CompactString::from),
        }
    }
}

impl Pack for AssessmentRecord {
    const FIELDS: usize = 4;
    fn field(&self, k: usize) -> Option<&str> {
        match k {
            0 => Some(&self.worker_id),
            1 => Some(&self.period),
            2 => self.grade.as_deref(),
            3 => self.score.as_deref(),
            _ => None,
        }
    }
    fn unpack<'t>(get: impl Fn(usize) -> Option<&'t str>) -> Self {
        AssessmentRecord {
            worker_id: get(0).unwrap_or_default().into(),
            period: get(1).unwrap_or_default().into(),
            grade: get(2).map(CompactString::from),
            score: get(3).map(CompactString::from),
        }
    }
}

/// The mark of an absent field in a segment's `ends`.
const ABSENT: u32 = 1 << 31;

/// The most text one segment of a [`Packed`] list holds: 2 GiB less one
/// byte (its 65,536 records would need fields of 4 KiB on average, where
/// a cell holds at most 64 KiB).
pub const MAX_TEXT: usize = (ABSENT - 1) as usize;

/// Records a segment holds: 65,536.
const SEGMENT: usize = 1 << 16;

/// Records of type `T`, their text kept end to end, in segments of 65,536
/// records, each with the end of every field, so that a list read in
/// order can be given back a segment at a time ([`Packed::into_records`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed<T> {
    segments: Vec<Segment>,
    len: usize,
    kind: std::marker::PhantomData<T>,
}

/// The text of up to [`SEGMENT`] records and, per record and field, where
/// its text ends, with [`ABSENT`] set when the field is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Segment {
    text: String,
    ends: Vec<u32>,
}

impl Segment {
    /// Field `k` of the record whose fields begin at `at` in `ends`.
    fn field(&self, at: usize) -> Option<&str> {
        let end = *self.ends.get(at)?;
        if end & ABSENT != 0 {
            return None;
        }
        let start = match at.checked_sub(1) {
            Some(p) => (self.ends[p] & !ABSENT) as usize,
            None => 0,
        };
        self.text.get(start..end as usize)
    }
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Packed {
            segments: Vec::new(),
            len: 0,
            kind: std::marker::PhantomData,
        }
    }
}

/// A record whose text is too long for one segment: [`MAX_TEXT`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl<T: Pack> Packed<T> {
    /// The number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a record at the end; `Err` (and nothing added) when its text
    /// would take its segment past [`MAX_TEXT`] bytes.
    pub fn push(&mut self, rec: &T) -> Result<(), Full> {
        if self.len.is_multiple_of(SEGMENT) {
            // A full segment gives back the room it grew beyond its text.
            if let Some(last) = self.segments.last_mut() {
                last.text.shrink_to_fit();
                last.ends.shrink_to_fit();
            }
            self.segments.push(Segment::default());
        }
        let Some(seg) = self.segments.last_mut() else {
            return Err(Full);
        };
        let (text_len, ends_len) = (seg.text.len(), seg.ends.len());
        for k in 0..T::FIELDS {
            let end = match rec.field(k) {
                Some(f) if seg.text.len() + f.len() <= MAX_TEXT => {
                    seg.text.push_str(f);
                    seg.text.len() as u32
                }
                Some(_) => {
                    seg.text.truncate(text_len);
                    seg.ends.truncate(ends_len);
                    if seg.ends.is_empty() {
                        self.segments.pop();
                    }
                    return Err(Full);
                }
                None => seg.text.len() as u32 | ABSENT,
            };
            seg.ends.push(end);
        }
        self.len += 1;
        Ok(())
    }

    /// Field `k` of record `i`, if the record exists and has it.
    #[must_use]
    pub fn field(&self, i: usize, k: usize) -> Option<&str> {
        if k >= T::FIELDS || i >= self.len {
            return None;
        }
        self.segments[i / SEGMENT].field((i % SEGMENT) * T::FIELDS + k)
    }

    /// Record `i`, unpacked.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<T> {
        (i < self.len()).then(|| T::unpack(|k| self.field(i, k)))
    }

    /// Every record, unpacked, in order, the room of each segment given
    /// back once its records are out.
    pub fn into_records(self) -> impl Iterator<Item = T> {
        self.segments.into_iter().flat_map(|seg| {
            let n = seg.ends.len() / T::FIELDS;
            (0..n).map(move |r| T::unpack(|k| seg.field(r * T::FIELDS + k)))
        })
    }

    /// The list cut into lists of one segment (65,536 records) each, in
    /// order, to be read apart.
    pub fn into_segments(self) -> Vec<Packed<T>> {
        let mut left = self.len;
        self.segments
            .into_iter()
            .map(|seg| {
                let len = left.min(SEGMENT);
                left -= len;
                Packed {
                    segments: vec![seg],
                    len,
                    kind: std::marker::PhantomData,
                }
            })
            .collect()
    }

    /// The records of `list`, packed; `Err` for a record too long.
    pub fn from_vec(list: Vec<T>) -> Result<Packed<T>, Full> {
        let mut out = Packed::default();
        for rec in &list {
            out.push(rec)?;
        }
        Ok(out)
    }

    /// Every record, unpacked, in order.
    #[must_use]
    pub fn to_vec(&self) -> Vec<T> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }
}

/// A list of records read by index: a slice, or a [`Packed`] list.
pub trait RecordList<T: Clone> {
    /// The number of records.
    fn count(&self) -> usize;
    /// Record `i` (borrowed from a slice, unpacked from a packed list).
    fn at(&self, i: usize) -> Option<Cow<'_, T>>;
    /// Field `k` of record `i`, without unpacking the record.
    fn text(&self, i: usize, k: usize) -> Option<&str>;
}

impl<T: Pack + Clone> RecordList<T> for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
    fn at(&self, i: usize) -> Option<Cow<'_, T>> {
        self.get(i).map(Cow::Borrowed)
    }
    fn text(&self, i: usize, k: usize) -> Option<&str> {
        self.get(i)?.field(k)
    }
}

impl<T: Pack + Clone> RecordList<T> for Packed<T> {
    fn count(&self) -> usize {
        self.len()
    }
    fn at(&self, i: usize) -> Option<Cow<'_, T>> {
        self.get(i).map(Cow::Owned)
    }
    fn text(&self, i: usize, k: usize) -> Option<&str> {
        self.field(i, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn worker(id: &str, left: Option<&str>) -> WorkerRecord {
        WorkerRecord {
            id: id.into(),
            name: "林小梅".into(),
            unit: "温泉街道第一社区居民委员会".into(),
            position: "社区专职工作者".into(),
            title: String::new().into(),
            hired_on: "2020-03-01".into(),
            left_on: left.map(Into::into),
            probation_until: None,
        }
    }

    #[test]
    fn records_come_back_as_pushed() {
        let mut list: Packed<WorkerRecord> = Packed::default();
        let a = worker("W001", None);
        let b = worker("", Some(""));
        let c = worker("W003", Some("2026-11-15"));
        for r in [&a, &b, &c] {
            list.push(r).unwrap();
        }
        assert_eq!(list.len(), 3);
        assert_eq!(list.get(1), Some(b.clone()));
        // An empty field and an absent one stay apart.
        assert_eq!(list.field(1, 6), Some(""));
        assert_eq!(list.field(0, 6), None);
        assert_eq!(list.field(2, 6), Some("2026-11-15"));
        assert_eq!(list.field(2, 8), None);
        assert_eq!(list.get(3), None);
        assert_eq!(list.to_vec(), vec![a.clone(), b.clone(), c.clone()]);
        assert_eq!(list.into_records().collect::<Vec<_>>(), vec![a, b, c]);
    }

    #[test]
    fn a_list_past_its_text_bound_refuses_the_record_whole() {
        let mut list: Packed<AssessmentRecord> = Packed::default();
        let ok = AssessmentRecord {
            worker_id: "W001".into(),
            period: "2026-11".into(),
            grade: Some("优秀".into()),
            score: None,
        };
        list.push(&ok).unwrap();
        // Pretend the segment is nearly full: the next record does not fit.
        let text = |l: &Packed<AssessmentRecord>| l.segments[0].text.len();
        list.segments[0].text.push_str(&"x".repeat(16));
        let base = text(&list);
        let big = "y".repeat(MAX_TEXT - base + 1);
        let too_big = AssessmentRecord {
            worker_id: "W002".into(),
            period: big.into(),
            grade: None,
            score: None,
        };
        assert_eq!(list.push(&too_big), Err(Full));
        assert_eq!(list.len(), 1);
        assert_eq!(text(&list), base);
        assert_eq!(list.get(0), Some(ok));
    }

    #[test]
    fn records_across_segments_come_back_in_order() {
        let n = 3 * SEGMENT + 5;
        let rec = |i: usize| AssessmentRecord {
            worker_id: format!("W{i}").into(),
            period: "2026-11".into(),
            grade: i.is_multiple_of(3).then(|| "优秀".into()),
            score: None,
        };
        let mut list = Packed::default();
        for i in 0..n {
            list.push(&rec(i)).unwrap();
        }
        assert_eq!(list.len(), n);
        assert_eq!(list.segments.len(), 4);
        for i in [0, SEGMENT - 1, SEGMENT, 2 * SEGMENT + 1, n - 1] {
            assert_eq!(list.get(i), Some(rec(i)), "{i}");
        }
        assert_eq!(list.get(n), None);
        let parts = list.clone().into_segments();
        let lens: Vec<usize> = parts.iter().map(Packed::len).collect();
        assert_eq!(lens, vec![SEGMENT, SEGMENT, SEGMENT, 5]);
        let again: Vec<_> = parts.into_iter().flat_map(Packed::into_records).collect();
        assert!(again.iter().enumerate().all(|(i, r)| *r == rec(i)));
        assert!(list.into_records().enumerate().all(|(i, r)| r == rec(i)));
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "[a-z0-9 ]{0,30}", "[社区工作者优秀]{0,12}"]
    }

    fn opt() -> impl Strategy<Value = Option<String>> {
        prop::option::of(text())
    }

    proptest! {
        /// Any list of records, pushed then read, copied or handed out,
        /// gives back the same records.
        #[test]
        fn packing_keeps_every_record(recs in prop::collection::vec(
            (text(), text(), opt(), opt()), 0..40)
        ) {
            let recs: Vec<AssessmentRecord> = recs
                .into_iter()
                .map(|(w, p, g, s)| AssessmentRecord {
                    worker_id: w.into(),
                    period: p.into(),
                    grade: g.map(Into::into),
                    score: s.map(Into::into),
                })
                .collect();
            let list = Packed::from_vec(recs.clone()).unwrap();
            prop_assert_eq!(list.len(), recs.len());
            for (i, r) in recs.iter().enumerate() {
                let got = list.at(i); prop_assert_eq!(got.as_deref(), Some(r));
            }
            prop_assert_eq!(&list.to_vec(), &recs);
            prop_assert_eq!(list.into_records().collect::<Vec<_>>(), recs);
        }
    }
}
