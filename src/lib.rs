//! # payrules
//!
//! A rules engine for the pay of full-time community workers: monthly pay
//! components, monthly and annual performance bonuses, grade quotas and
//! honour awards, computed exactly to the fen under an effective-dated policy
//! and explained line by line.
//!
//! The library is the one place anything is computed; the CLI ([`app`]), the
//! C ABI ([`ffi`]), the payroll book ([`book`]), the HR files and the Python
//! and Java packages are thin faces over it. Imports run one way, down these
//! layers (`docs/architecture.md` has the module map; `tests/layers.rs`
//! checks it):
//!
//! - faces: `app` (the CLI's workflows), `hrfile` (HR files in, sheets out),
//!   `book` (months stored, closed and corrected), `ffi` (the C ABI);
//! - `contract`: one request document of any kind (`monthly`, `annual`,
//!   `whatif`, `grades`, `codes`, `correction`), read once, run, written once;
//! - `whatif`: reforms as policy overlays, base and reform compared;
//! - `run`: the engine — validation, grading, payslips, totals;
//! - `rules`: lines and payslips, honours, quotas, tax, explanations;
//! - `policy`: versions as data, checked on load, and the built-in district policy;
//! - foundations: `money` (exact amounts, one rounding rule), `period`
//!   (months, days, proration), `worker` (the code table and input records),
//!   `limits` (bounds on every input).
//!
//! Only the faces are public modules. What a Rust caller needs is
//! re-exported here:
//!
//! - the JSON contract: [`run_json`] (bytes in, a response document out),
//!   or [`Document::parse`] and [`Document::run`] for the typed
//!   [`Outcome`];
//! - a pay run: [`Request`] ([`Request::from_json`]), [`run`] and
//!   [`run_with`] (a borrowed or owned request, [`Input`]; payslips kept or
//!   handed over one at a time, [`Payslips`]) giving a [`Run`] of
//!   [`Payslip`]s of [`Line`]s;
//! - policy: [`PolicySet`] (built only by [`PolicySet::from_toml`] and
//!   [`PolicySet::builtin`], so every version has passed its checks; read
//!   through accessors) and its [`Policy`] versions;
//! - what-if: [`Reform`], [`Whatif`]; corrections: [`CorrectionRequest`],
//!   [`Correction`];
//! - errors: [`RequestError`], [`InputError`], [`PolicyError`], [`ReformError`];
//! - the records and values inside those types: [`types`].
//!
//! ```
//! let resp = payrules::run_json(br#"{"kind":"annual","period":"2026",
//!   "workers":[{"id":"W1","unit":"U","position":"community_worker","hired_on":"2026-04-01"}],
//!   "assessments":[{"worker_id":"W1","period":"2026","grade":"good"}]}"#, None).unwrap();
//! let v: serde_json::Value = serde_json::from_str(&resp.json).unwrap();
//! // 1800.00 × 9/12 months served
//! assert_eq!(v["payslips"][0]["gross"], "1350.00");
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

/// Declares an engine module: `pub(crate)`, or public but hidden from the
/// docs under the `internals` feature, which only the crate's own tests and
/// benches turn on (a dev-dependency on itself in Cargo.toml). Nothing
/// reached that way is part of the API; the types a caller needs are
/// re-exported below.
macro_rules! internal {
    ($(#[$m:meta])* mod $name:ident;) => {
        $(#[$m])*
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        $(#[$m])*
        #[cfg(not(feature = "internals"))]
        pub(crate) mod $name;
    };
}

#[cfg(feature = "cli")]
pub mod app;
#[cfg(feature = "book")]
pub mod book;
#[allow(unsafe_code)]
pub mod ffi;

internal!(
    mod contract;
);
// The HR files and the example district serve the CLI: built without it
// (feature `files` alone), they are compiled but nothing calls them.
internal!(
    #[cfg(feature = "files")]
    #[cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]
    mod example;
);
internal!(
    #[cfg(feature = "files")]
    #[cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]
    mod hrfile;
);
internal!(
    mod limits;
);
internal!(
    mod money;
);
internal!(
    mod period;
);
internal!(
    mod policy;
);
internal!(
    mod rules;
);
internal!(
    mod run;
);
// Synthetic populations for the benches and property tests only.
internal!(
    #[cfg(any(test, feature = "internals"))]
    mod synth;
);
internal!(
    mod whatif;
);
internal!(
    mod worker;
);

pub use contract::run_json;
pub use contract::{CodesRequest, Correction, CorrectionRequest, Document, Outcome};
pub use money::Amount;
pub use policy::{Policy, PolicyError, PolicySet, ReformError};
pub use rules::slip::{Line, LineCode, Payslip};
pub use run::{Input, InputError, Kind, Payslips, Request, RequestError, Response, Run};
pub use run::{run, run_with};
pub use whatif::{Reform, Whatif, WhatifRequest};

pub mod types {
    //! The records a [`Request`](crate::Request) holds and the values a
    //! [`Run`](crate::Run) and a [`Payslip`](crate::Payslip) carry, for Rust
    //! callers that build requests or read results field by field. Callers
    //! of the JSON contract ([`run_json`](crate::run_json)) need none of them.
    //!
    //! The text of the records a run holds a million of (workers and
    //! assessments) is a [`CompactString`]: up to 24 bytes (an id, a name, a
    //! date, a Chinese unit of eight characters) are kept inline, with no
    //! allocation; build one with `.into()` from a `&str` or `String`.
    pub use crate::policy::{
        Basis, BonusTable, Honours, MonthsServed, Pool, Position, Proration, QuotaRule,
    };
    pub use crate::rules::correction::{Adjustment, AdjustmentRecord};
    pub use crate::rules::quota::PoolReport;
    pub use crate::rules::slip::{GradeNote, Segment, Share, Why};
    pub use crate::rules::tax::{RunTax, TaxRecord, TaxRules, TaxSlip, YtdRecord};
    pub use crate::run::{ByWorker, List, Totals, Warning};
    pub use crate::worker::{
        AssessmentRecord, ChangeRecord, Grade, Honour, HonourLevel, HonourRecord, Title, Worker,
        WorkerRecord,
    };
    pub use compact_str::CompactString;
}

#[cfg(feature = "internals")]
#[doc(hidden)]
pub use rules::{award, correction, payslip, quota, tax};
