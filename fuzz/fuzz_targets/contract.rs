//! The JSON request contract: `contract::parse` then `run_document` (any
//! kind: monthly, annual, grades, codes, whatif), and `run_json`.
//!
//! Checks: no panic; `run_json` agrees with parse + run_document + to_json
//! (same success or failure, same response bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrules::contract;

fuzz_target!(|data: &[u8]| {
    let via_document = contract::parse(data)
        .and_then(|doc| contract::run_document(doc, None))
        .map(|out| (out.to_json(), out.complete()));
    let via_json = payrules::run_json(data, None).map(|r| (r.json, r.complete));
    match (&via_document, &via_json) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "run_json differs from parse + run_document"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!(
            "run_json and parse + run_document disagree: {:?} vs {:?}",
            via_document.as_ref().err(),
            via_json.as_ref().err()
        ),
    }
});
