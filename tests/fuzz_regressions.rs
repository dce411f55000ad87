//! Inputs the fuzz targets (fuzz/) once crashed on, fed through the same
//! public API; each must give an answer or a file problem, never a panic.
//! The bytes are in fuzz/regressions/<target>/; the first byte of an hrfile
//! input is the target's selector (see fuzz/fuzz_targets/hrfile.rs).
#![cfg(feature = "files")]

use payrules::hrfile::{Encoding, ReadOptions, read_roster};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn regression(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/fuzz/regressions/hrfile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads an hrfile regression the way the fuzz target does (roster reader);
/// the problems it reports, joined, or `None` when it read the file.
fn read_as_fuzzed(name: &str) -> Option<String> {
    let data = regression(name);
    let (&sel, body) = data.split_first().expect("selector byte");
    let file = ["hr.csv", "hr.xlsx", "hr.json", "hr"][usize::from(sel & 3)];
    assert_eq!((sel >> 2) & 7, 0, "these regressions use the roster reader");
    let opts = match (sel >> 5) & 3 {
        0 => ReadOptions::default(),
        1 => ReadOptions {
            encoding: Encoding::Utf8,
            sheet: None,
            ..ReadOptions::default()
        },
        2 => ReadOptions {
            encoding: Encoding::Gbk,
            sheet: None,
            ..ReadOptions::default()
        },
        _ => ReadOptions {
            encoding: Encoding::Auto,
            sheet: Some("Sheet1".into()),
            ..ReadOptions::default()
        },
    };
    let out = catch_unwind(AssertUnwindSafe(|| {
        read_roster(file, body.to_vec(), &opts, None)
    }));
    let out =
        out.unwrap_or_else(|_| panic!("read_roster panicked on fuzz/regressions/hrfile/{name}"));
    out.err().map(|ps| {
        ps.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// A worksheet cell `<c r="AAAAAAAAA2">`: calamine 0.38 computes the column
/// with unchecked u32 arithmetic (26^9 > u32::MAX), which panics with
/// overflow checks on (debug and test builds) and wraps in release.
#[test]
fn xlsx_cell_reference_with_nine_letters() {
    let e = read_as_fuzzed("xlsx-nine-letter-cell-ref.bin").expect("refused");
    assert!(e.starts_with("hr.xlsx"), "{e}");
    assert!(e.contains("not a readable XLSX workbook"), "{e}");
}

/// The fuzzer's own input for the same fault (a mutated roster workbook,
/// format sniffed from the bytes, sheet `Sheet1`).
#[test]
fn xlsx_cell_reference_fuzzed() {
    let e = read_as_fuzzed("xlsx-long-cell-ref-fuzzed.bin").expect("refused");
    assert!(e.starts_with("hr: not a readable XLSX workbook"), "{e}");
}
