//! The `codes` document: the one table of codes every face reads — grades,
//! titles and honour levels with their stable numbers (the C ABI's
//! `PAYRULES_*` values), English codes, Chinese names and accepted aliases,
//! and the positions of each version of the policy in use.
//!
//! Request: `{"kind": "codes"}` (optionally with `"policy"` TOML text).
//! Python builds its enums' Chinese spellings and its default position
//! from this document instead of copying tables or scanning policy text.

use crate::policy::PolicySet;
use crate::worker::{Grade, HonourLevel, Title};
use serde::Deserialize;
use serde_json::{Value, json};

/// A `codes` request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodesRequest {
    /// Always `codes`.
    pub kind: String,
    /// A policy as TOML text; absent means the caller's, or the built-in.
    #[serde(default)]
    pub policy: Option<String>,
}

macro_rules! table {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|c| {
                json!({
                    "number": c.number(),
                    "code": c.code(),
                    "zh": c.zh(),
                    "aliases": c.aliases(),
                })
            })
            .collect::<Vec<Value>>()
    };
}

/// The codes document for a policy set.
#[must_use]
pub fn codes_json(set: &PolicySet) -> String {
    let versions: Vec<Value> = set
        .versions
        .iter()
        .map(|v| {
            json!({
                "version": v.version,
                "effective_from": v.effective_from.to_string(),
                "positions": v.positions.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "kind": "codes",
        "policy": set.id,
        "grade": table!(Grade),
        "title": table!(Title),
        "honour_level": table!(HonourLevel),
        "versions": versions,
    });
    // Invariant: a Value of strings, numbers and arrays always serialises.
    serde_json::to_string_pretty(&doc).expect("codes serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_code_with_its_number_and_spellings() {
        let v: Value = serde_json::from_str(&codes_json(&PolicySet::builtin())).unwrap();
        assert_eq!(v["grade"][4]["code"], "excellent");
        assert_eq!(v["grade"][4]["number"], 4);
        assert_eq!(v["grade"][4]["zh"], "优秀");
        assert_eq!(v["grade"][0]["aliases"], json!(["未定等次"]));
        assert_eq!(v["title"][0]["aliases"], json!(["", "社区工作者"]));
        assert_eq!(v["honour_level"].as_array().unwrap().len(), 3);
        let first = &v["versions"][0];
        let positions: Vec<&str> = first["positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert!(positions.contains(&"community_worker"), "{positions:?}");
        assert!(positions.contains(&"community_secretary"), "{positions:?}");
        // Every spelling listed parses back to its code.
        for (kind, t) in [
            ("grade", "grade"),
            ("title", "title"),
            ("honour_level", "level"),
        ] {
            for c in v[kind].as_array().unwrap() {
                for s in std::iter::once(&c["zh"]).chain(c["aliases"].as_array().unwrap()) {
                    let s = s.as_str().unwrap();
                    let back = match t {
                        "grade" => s.parse::<Grade>().map(|x| x.code()),
                        "title" => s.parse::<Title>().map(|x| x.code()),
                        _ => s.parse::<HonourLevel>().map(|x| x.code()),
                    };
                    assert_eq!(back.unwrap(), c["code"].as_str().unwrap(), "{s:?}");
                }
            }
        }
    }
}
