//! The rules: what each part of a payslip pays under a policy version.
//!
//! One layer, modules ordered bottom to top (each imports only those above
//! it in this list):
//! - [`slip`]: lines, line codes and payslips, the shape every rule writes;
//! - [`award`]: which honours a month pays (same-deed rule);
//! - [`quota`]: grades from scores under the caps, and checks of given grades;
//! - [`correction`]: differences between what a past period paid and a
//!   recomputation, paid later as arrears or recovered;
//! - [`tax`]: contributions, cumulative withholding, the annual-bonus choice;
//! - [`explain`]: rule citations and explanation texts, rendered on demand;
//! - [`payslip`]: fixed pay, bonuses and honours for one worker and period.

pub mod award;
pub mod correction;
pub mod explain;
pub mod payslip;
pub mod quota;
pub mod slip;
pub mod tax;
