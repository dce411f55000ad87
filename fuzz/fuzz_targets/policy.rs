//! Policy TOML: `PolicySet::from_toml`, and for every policy it accepts, the
//! round trip `from_toml(to_toml(p)) == p` (panics if the written TOML is
//! refused or reads back as a different policy).
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrules::PolicySet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(set) = PolicySet::from_toml(text) else {
        return;
    };
    let written = set.to_toml();
    match PolicySet::from_toml(&written) {
        Ok(back) => assert_eq!(back, set, "to_toml round trip changed the policy:\n{written}"),
        Err(e) => panic!("to_toml wrote a policy from_toml refuses: {e}\n{written}"),
    }
});
