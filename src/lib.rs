//! # payrules
//!
//! A rules engine for the pay of full-time community workers: monthly pay
//! components, monthly and annual performance bonuses, grade quotas and
//! honour awards, computed exactly to the fen under an effective-dated policy
//! and explained line by line.
//!
//! The library is the one place anything is computed; the CLI ([`app`]), the
//! C ABI ([`ffi`]), the HR files ([`hrfile`]) and the Python package are thin
//! faces over it. Imports run one way, down these layers (`docs/architecture.md`
//! has the module map; `tests/layers.rs` checks it):
//!
//! - faces: [`app`] (the CLI's workflows, feature `cli`), [`hrfile`] (HR files
//!   in, sheets out, feature `files`), [`example`], [`synth`], [`ffi`];
//! - [`contract`]: one request document of any kind (`monthly`, `annual`,
//!   `whatif`, `grades`, `codes`), read once, run, written once;
//! - [`whatif`]: reforms as policy overlays, base and reform compared;
//! - [`run`]: the engine — validation, grading, payslips, totals;
//! - [`rules`]: lines and payslips, honours, quotas, tax, explanations;
//! - [`policy`]: versions as data, checked on load, and the built-in district policy;
//! - foundations: [`money`] (exact amounts, one rounding rule), [`period`]
//!   (months, days, proration), [`worker`] (the code table and input records),
//!   [`limits`] (bounds on every input).
//!
//! The types most callers need are re-exported here: [`run_json`] and
//! [`Document`] for the JSON contract, [`PolicySet`], [`Request`], [`Run`],
//! [`Payslip`] and their errors.
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

#[cfg(feature = "cli")]
pub mod app;
#[cfg(feature = "book")]
pub mod book;
pub mod contract;
#[cfg(feature = "files")]
pub mod example;
#[allow(unsafe_code)]
pub mod ffi;
#[cfg(feature = "files")]
pub mod hrfile;
pub mod limits;
pub mod money;
pub mod period;
pub mod policy;
pub mod rules;
pub mod run;
pub mod synth;
pub mod whatif;
pub mod worker;

pub use contract::{Document, Outcome, run_document, run_json};
pub use money::Amount;
pub use policy::{Policy, PolicyError, PolicySet};
pub use rules::slip::{Line, LineCode, Payslip};
pub use rules::{award, correction, payslip, quota, tax};
pub use run::{InputError, Kind, Request, RequestError, Response, Run};
pub use whatif::{Reform, Whatif};
