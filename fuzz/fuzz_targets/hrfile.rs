//! The HR file readers (CSV, XLSX, JSON), through the library's public API.
//!
//! The first byte chooses how the rest is read:
//! - bits 0-1: the file name, hence the format: `hr.csv`, `hr.xlsx`,
//!   `hr.json`, or `hr` (format sniffed from the bytes);
//! - bits 2-4 (mod 5): the reader: roster, assessments, honours, scores, grades;
//! - bits 5-6: the options: encoding auto, utf-8, gbk, or auto with an XLSX
//!   sheet named `Sheet1`.
//!
//! A roster that reads is then run (monthly, built-in policy) and each engine
//! error is located in the file (`Loaded::locate`). Checks: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrules::hrfile::{self, Encoding, Loaded, ReadOptions, grading};
use payrules::{Kind, run};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let file = ["hr.csv", "hr.xlsx", "hr.json", "hr"][usize::from(sel & 3)];
    let opts = match (sel >> 5) & 3 {
        0 => ReadOptions::default(),
        1 => ReadOptions { encoding: Encoding::Utf8, sheet: None, ..ReadOptions::default() },
        2 => ReadOptions { encoding: Encoding::Gbk, sheet: None, ..ReadOptions::default() },
        _ => ReadOptions { encoding: Encoding::Auto, sheet: Some("Sheet1".into()), ..ReadOptions::default() },
    };
    let bytes = body.to_vec();
    match ((sel >> 2) & 7) % 5 {
        0 => {
            if let Ok(roster) = hrfile::read_roster(file, bytes, &opts, None) {
                let loaded = Loaded::new(Kind::Monthly, "2026-11".into(), roster, None, None);
                if let Ok(r) = run::run(&loaded.request, None) {
                    for e in &r.errors {
                        let _ = hrfile::locate(&loaded.origins, e);
                    }
                }
            }
        }
        1 => drop(hrfile::read_assessments(file, bytes, &opts, None)),
        2 => drop(hrfile::read_honours(file, bytes, &opts, None)),
        3 => drop(grading::read_scores(file, bytes, &opts, None)),
        _ => drop(grading::read_grades(file, bytes, &opts, None)),
    }
});
