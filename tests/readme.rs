//! The documented examples run: the worked example's request (docs/json.md)
//! gives exactly its response, the policy docs/policy.md shows is the built-in
//! one, and the README links only to documents that exist.

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

fn doc(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn worked_example_response_is_exact() {
    let r = doc("docs/json.md");
    let got = run_json(block(&r, "request").as_bytes(), None).unwrap();
    assert!(got.complete);
    assert_eq!(got.json, block(&r, "response"));
}

#[test]
fn readme_shows_the_builtin_policy() {
    assert_eq!(
        block(&doc("docs/policy.md"), "builtin-policy"),
        BUILTIN_TOML.trim()
    );
}

#[test]
fn readme_is_short_and_its_links_exist() {
    let r = doc("README.md");
    assert!(
        r.lines().count() <= 250,
        "README has {} lines",
        r.lines().count()
    );
    let mut links = 0;
    for part in r.split("](").skip(1) {
        let target = &part[..part.find(')').unwrap()];
        if target.starts_with("docs/") {
            links += 1;
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(target)
                    .is_file(),
                "README links to missing {target}"
            );
        }
    }
    assert!(links >= 9, "README links {links} documents");
    assert!(r.contains("cargo install --path ."));
    assert!(r.contains("1.88"));
}
