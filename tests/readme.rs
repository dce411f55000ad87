//! The README's examples run: its request gives exactly its response, and the
//! policy it shows is the built-in one.

use payrules::policy::BUILTIN_TOML;
use payrules::run_json;

/// The fenced block after `<!-- readme-test: NAME -->`.
fn block(readme: &str, name: &str) -> String {
    let marker = format!("<!-- readme-test: {name} -->");
    let after = &readme[readme
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker}"))
        + marker.len()..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("\n```").unwrap()].to_string()
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn worked_example_response_is_exact() {
    let r = readme();
    let got = run_json(block(&r, "request").as_bytes(), None).unwrap();
    assert!(got.complete);
    assert_eq!(got.json, block(&r, "response"));
}

#[test]
fn readme_shows_the_builtin_policy() {
    assert_eq!(block(&readme(), "builtin-policy"), BUILTIN_TOML.trim());
}
