//! The JSON request contract: `Document::parse` then `Document::run` (any
//! kind: monthly, annual, grades, codes, whatif), and `run_json`.
//!
//! Checks: no panic; `run_json` agrees with parse + run + to_json
//! (same success or failure, same response bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrules::Document;

fuzz_target!(|data: &[u8]| {
    let via_document = Document::parse(data)
        .and_then(|doc| doc.run(None))
        .map(|out| (out.to_json(), out.complete()));
    let via_json = payrules::run_json(data, None).map(|r| (r.json, r.complete));
    match (&via_document, &via_json) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "run_json differs from parse + run"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!(
            "run_json and parse + run disagree: {:?} vs {:?}",
            via_document.as_ref().err(),
            via_json.as_ref().err()
        ),
    }
});
