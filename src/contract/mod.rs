//! The JSON contract: one request document, read once, run, and written as
//! one response document. `payrules run`, C `payrules_run_json` and Python
//! `payrules.run` all come through here, so they cannot drift apart.
//!
//! A document is tagged by its `kind`:
//!
//! | `kind` | document | response |
//! |---|---|---|
//! | `monthly`, `annual` | [`Request`] | a run ([`Run`]) |
//! | `whatif` | [`WhatifRequest`] | a comparison ([`Whatif`]) |
//! | `grades` | [`Request`] (`YYYY-MM` or `YYYY`) | each worker's grade and the quota pools ([`grades`]) |
//! | `codes` | [`CodesRequest`] | grades, titles, honour levels and positions ([`codes`]) |
//! | `correction` | [`CorrectionRequest`] | the adjustments that pay a past period's difference ([`correction`]) |
//!
//! [`Document::parse`] reads the document in one pass when `kind` is its first key (as
//! in every document payrules writes and every example in the docs). When
//! `kind` comes later, the document is scanned once for it first and then
//! read; the result is the same either way.
//!

pub mod codes;
pub mod correction;
pub mod grades;

use crate::limits;
use crate::policy::PolicySet;
use crate::run::Kind;
use crate::run::{self, Request, RequestError, Response, Run};
use crate::whatif::{self, Whatif, WhatifRequest};
pub use codes::CodesRequest;
pub use correction::{Correction, CorrectionRequest};
use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::fmt;

/// A request document of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// `monthly` or `annual`: a pay run.
    Run(Request),
    /// `whatif`: a base policy and a reform compared.
    Whatif(WhatifRequest),
    /// `grades`: the grade of each worker (a run read for its grades).
    Grades(Request),
    /// `codes`: the code table and the policy's positions.
    Codes(CodesRequest),
    /// `correction`: a past period recomputed and compared with what it paid.
    Correction(Box<CorrectionRequest>),
}

/// What running a [`Document`] gives.
#[derive(Debug)]
pub enum Outcome {
    /// A pay run.
    Run(Box<Run>),
    /// A what-if comparison.
    Whatif(Box<Whatif>),
    /// The grades of a run.
    Grades(Box<Run>),
    /// The code table document.
    Codes(String),
    /// A correction's adjustments.
    Correction(Box<Correction>),
}

impl Outcome {
    /// The response document.
    #[must_use]
    pub fn to_json(&self) -> String {
        match self {
            Outcome::Run(r) => r.to_json(),
            Outcome::Whatif(w) => w.to_json(),
            Outcome::Grades(r) => grades::grades_json(r),
            Outcome::Codes(json) => json.clone(),
            Outcome::Correction(c) => c.to_json(),
        }
    }

    /// The input errors of a run (of `monthly`, `annual` and `grades`
    /// documents); `None` for the other kinds, whose responses list their own.
    #[must_use]
    pub fn input_errors(&self) -> Option<&[run::InputError]> {
        match self {
            Outcome::Run(r) | Outcome::Grades(r) => Some(&r.errors),
            Outcome::Correction(c) => Some(&c.run.errors),
            Outcome::Whatif(_) | Outcome::Codes(_) => None,
        }
    }

    /// `complete` in the response: no input was left out.
    #[must_use]
    pub fn complete(&self) -> bool {
        match self {
            Outcome::Run(r) => r.complete(),
            Outcome::Whatif(w) => w.complete(),
            Outcome::Grades(r) => r.complete(),
            Outcome::Codes(_) => true,
            Outcome::Correction(c) => c.complete(),
        }
    }
}

impl Document {
    /// Reads a request document of any kind, in one pass when `kind` comes
    /// first, with every field bounded.
    ///
    /// ```
    /// use payrules::Document;
    /// let doc = Document::parse(br#"{"kind":"whatif","period":"2026-11","reform":"","workers":[]}"#).unwrap();
    /// assert!(matches!(doc, Document::Whatif(_)));
    /// let doc = Document::parse(br#"{"period":"2026","kind":"annual"}"#).unwrap();
    /// assert!(matches!(doc, Document::Run(_)));
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Document, RequestError> {
        run::refuse_empty(bytes)?;
        limits::check_request_size(bytes).map_err(RequestError::Json)?;
        let doc = parse_unchecked(bytes)?;
        match &doc {
            Document::Run(r) | Document::Grades(r) => run::check_fields(r)?,
            Document::Whatif(w) => {
                limits::check_fields(&w.period, &w.workers, &w.assessments, &w.honours)
                    .map_err(RequestError::Json)?;
            }
            Document::Codes(_) => {}
            Document::Correction(c) => {
                run::check_fields(&c.request)?;
                limits::check_field("request", 0, "reason", &c.reason).map_err(RequestError::Json)?;
                for (i, p) in c.paid.iter().enumerate() {
                    limits::check_field("paid", i, "worker_id", &p.worker_id)
                        .map_err(RequestError::Json)?;
                    for l in &p.lines {
                        limits::check_field("paid", i, "lines.code", &l.code)
                            .map_err(RequestError::Json)?;
                    }
                }
            }
        }
        Ok(doc)
    }

    /// Runs the document under `policy`: the one place that chooses
    /// between a run, a what-if, the code table and a correction. `policy`
    /// is used when the document carries no `policy` text; with neither,
    /// the built-in policy is used.
    pub fn run(self, policy: Option<&PolicySet>) -> Result<Outcome, RequestError> {
        match self {
            Document::Run(req) => {
                let explain = req.explain;
                run::run(req, policy).map(|r| Outcome::Run(Box::new(run::Run { explain, ..r })))
            }
            Document::Grades(req) => run::run(req, policy).map(|r| Outcome::Grades(Box::new(r))),
            Document::Codes(req) => {
                let set = PolicySet::chosen(req.policy.as_deref(), policy)?;
                Ok(Outcome::Codes(codes::codes_json(&set)))
            }
            Document::Whatif(req) => whatif::whatif(req, policy).map(|w| Outcome::Whatif(Box::new(w))),
            Document::Correction(req) => {
                correction::correct(*req, policy).map(|c| Outcome::Correction(Box::new(c)))
            }
        }
    }
}

/// [`Document::parse`] without the size and field bounds.
fn parse_unchecked(bytes: &[u8]) -> Result<Document, RequestError> {
    let json = |e: serde_json::Error| RequestError::Json(limits::json_error(&e));
    match serde_json::from_slice::<Tagged>(bytes).map_err(json)? {
        Tagged::Done(doc) => Ok(doc),
        Tagged::KindLater => {
            // `kind` is not the first key: find it, then read the document as its kind.
            let peek: Peek = serde_json::from_slice(bytes).map_err(json)?;
            match peek.kind.as_deref() {
                Some("whatif") => serde_json::from_slice(bytes).map(Document::Whatif),
                Some("codes") => serde_json::from_slice(bytes).map(Document::Codes),
                Some("correction") => {
                    serde_json::from_slice(bytes).map(|c| Document::Correction(Box::new(c)))
                }
                Some("grades") => {
                    let mut v: serde_json::Value = serde_json::from_slice(bytes).map_err(json)?;
                    v["kind"] = "monthly".into();
                    serde_json::from_value(v).map(grading)
                }
                _ => serde_json::from_slice(bytes).map(Document::Run),
            }
            .map_err(json)
        }
    }
}

/// Reads a JSON request of any kind, runs it and writes the JSON response.
///
/// ```
/// let resp = payrules::run_json(br#"{"kind":"annual","period":"2026",
///   "workers":[{"id":"W1","unit":"U","position":"community_worker","hired_on":"2026-04-01"}],
///   "assessments":[{"worker_id":"W1","period":"2026","grade":"good"}]}"#, None).unwrap();
/// let v: serde_json::Value = serde_json::from_str(&resp.json).unwrap();
/// // 1800.00 × 9/12 months served
/// assert_eq!(v["payslips"][0]["gross"], "1350.00");
/// ```
pub fn run_json(request: &[u8], policy: Option<&PolicySet>) -> Result<Response, RequestError> {
    let out = Document::parse(request)?.run(policy)?;
    Ok(Response {
        json: out.to_json(),
        complete: out.complete(),
    })
}

/// A `grades` document: a run of the period's kind (`YYYY` is a year).
fn grading(mut req: Request) -> Document {
    req.kind = if req.period.contains('-') {
        Kind::Monthly
    } else {
        Kind::Annual
    };
    Document::Grades(req)
}

/// The first pass: the document when `kind` is its first key.
// Built once per request and unwrapped at once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Tagged {
    Done(Document),
    KindLater,
}

/// The second pass for documents whose `kind` is not first.
#[derive(Deserialize)]
struct Peek {
    kind: Option<String>,
}

impl<'de> Deserialize<'de> for Tagged {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TaggedVisitor)
    }
}

struct TaggedVisitor;

impl<'de> Visitor<'de> for TaggedVisitor {
    type Value = Tagged;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object with kind, period and workers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tagged, A::Error> {
        let Some(key) = map.next_key::<Cow<'de, str>>()? else {
            // An empty object: the run document's own error names what is missing.
            return Request::deserialize(MapAccessDeserializer::new(map))
                .map(|r| Tagged::Done(Document::Run(r)));
        };
        if key != "kind" {
            // Drain the rest so the caller can scan for `kind`.
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Tagged::KindLater);
        }
        let kind: Cow<'de, str> = map.next_value()?;
        let replayed = if kind == "grades" {
            Cow::Borrowed("monthly")
        } else {
            kind.clone()
        };
        let rest = Replay {
            kind: Some(replayed),
            map,
        };
        if kind == "whatif" {
            WhatifRequest::deserialize(MapAccessDeserializer::new(rest))
                .map(|w| Tagged::Done(Document::Whatif(w)))
        } else if kind == "codes" {
            CodesRequest::deserialize(MapAccessDeserializer::new(rest))
                .map(|c| Tagged::Done(Document::Codes(c)))
        } else if kind == "correction" {
            CorrectionRequest::deserialize(MapAccessDeserializer::new(rest))
                .map(|c| Tagged::Done(Document::Correction(Box::new(c))))
        } else if kind == "grades" {
            Request::deserialize(MapAccessDeserializer::new(rest)).map(|r| Tagged::Done(grading(r)))
        } else {
            // `monthly`, `annual`, or anything else: the run document says
            // which kinds it expects.
            Request::deserialize(MapAccessDeserializer::new(rest))
                .map(|r| Tagged::Done(Document::Run(r)))
        }
    }
}

/// A map whose first entry (`kind`) was already read: it is handed out
/// again first, then the rest of the map.
struct Replay<'de, A> {
    kind: Option<Cow<'de, str>>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if self.kind.is_some() {
            return seed.deserialize(StrDeserializer::new("kind")).map(Some);
        }
        self.map.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.kind.take() {
            Some(kind) => seed.deserialize(StrDeserializer::<A::Error>::new(&kind)),
            None => self.map.next_value_seed(seed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/monthly-example.request.json"
        ))
        .unwrap()
    }

    #[test]
    fn kind_first_or_later_reads_the_same_document() {
        let bytes = example();
        let first = Document::parse(&bytes).unwrap();
        let mut v: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).unwrap();
        let kind = v.remove("kind").unwrap();
        v.insert("kind".into(), kind); // now last
        let later = Document::parse(serde_json::Value::Object(v).to_string().as_bytes()).unwrap();
        assert_eq!(first, later);
        let Document::Run(req) = first else {
            panic!("a monthly document reads as a run")
        };
        assert_eq!(req.period, "2026-11");
        assert_eq!(req.workers.len(), 15);
    }

    #[test]
    fn errors_name_the_kinds_expected() {
        let e = Document::parse(br#"{"kind":"weekly","period":"2026-11"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant `weekly`"), "{e}");
        let e = Document::parse(br#"{"kind":"whatif","period":"2026-11"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `reform`"), "{e}");
        let e = Document::parse(b"  ").unwrap_err();
        assert!(e.to_string().contains("the request is empty"), "{e}");
        let e = Document::parse(br#"{"kind":"monthly","period":"2026-11","extra":1}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `extra`"), "{e}");
    }
}
