//! # payrules
//!
//! A rules engine for the pay of full-time community workers: monthly pay
//! components, monthly and annual performance bonuses, grade quotas and
//! honour awards, computed exactly to the fen under an effective-dated policy
//! and explained line by line.
//!
//! The library is the one place anything is computed; the CLI, the C ABI
//! ([`ffi`]) and the Python package are thin layers over it.
//!
//! - [`money`]: exact amounts and the one rounding rule (half away from zero to the fen);
//! - [`period`]: months, years, days and proration;
//! - [`worker`]: workers, titles, grades, honours, with English or Chinese codes;
//! - [`policy`]: the rules as TOML data, validated, with the built-in district policy;
//! - [`quota`]: grades from scores under the caps, and checks of given grades;
//! - [`payslip`]: lines and their computation; [`award`]: honour payouts;
//! - [`run`]: a whole run and its JSON documents;
//! - [`reform`]: reforms as data and what-if runs comparing base and reform;
//! - [`hrfile`]: HR files (CSV, XLSX, JSON) in, payroll sheets out; [`example`]: the example district;
//! - [`tax`]: gross to net: contributions, cumulative income-tax withholding, the annual-bonus choice.
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

pub use contract::run_json;
pub use rules::{award, payslip, quota, tax};
