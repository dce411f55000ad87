//! Reform overlays: `Reform::from_toml`, and for every reform it accepts,
//! `apply` to the built-in policy. Checks: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrules::{PolicySet, Reform};
use std::sync::OnceLock;

static BASE: OnceLock<PolicySet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = BASE.get_or_init(PolicySet::builtin);
    if let Ok(reform) = Reform::from_toml(text) {
        let _ = reform.apply(base);
    }
});
