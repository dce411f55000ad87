//! ABI stability: `include/payrules.abi` lists every item of the C ABI as
//! the header declares it — each exported function's prototype, each struct
//! and opaque type, each constant's value (status codes, enum values, the
//! ABI version). This test parses `include/payrules.h` and fails when a
//! listed item changed or disappeared: that breaks every compiled client, so
//! it needs a new `PAYRULES_ABI_VERSION`, a new major version (the SONAME)
//! and a deliberate edit of the list.
//!
//! New items are fine for the ABI but must be listed too: the test then fails
//! printing the lines to add, and `PAYRULES_BLESS=1 cargo test --test abi`
//! appends them (it never rewrites a listed line).

use std::collections::BTreeMap;
use std::path::Path;

/// Constants that follow the library's version, not the ABI.
const NOT_ABI: &[&str] = &[
    "PAYRULES_VERSION_MAJOR",
    "PAYRULES_VERSION_MINOR",
    "PAYRULES_VERSION_PATCH",
];

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..]
                    .find("*/")
                    .map_or(rest.len(), |e| b + 2 + e + 2);
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = &rest[l..];
                rest = rest.find('\n').map_or("", |e| &rest[e..]);
            }
            (None, None) => {
                out.push_str(rest);
                return out;
            }
            (Some(_), None) => unreachable!(),
        }
    }
}

fn normalise(statement: &str) -> String {
    let s = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
}

/// The header's items: key (`fn NAME`, `type NAME`, `const NAME`) → the
/// normalised declaration.
fn header_items(header: &str) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    let mut code = String::new();
    let mut in_cplusplus = false;
    for line in strip_comments(header).lines() {
        let t = line.trim();
        if t.starts_with("#ifdef __cplusplus") {
            in_cplusplus = true;
            continue;
        }
        if in_cplusplus {
            in_cplusplus = !t.starts_with("#endif");
            continue;
        }
        if let Some(def) = t.strip_prefix("#define ") {
            let mut parts = def.split_whitespace();
            let (Some(name), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            if value.parse::<i64>().is_ok() && !NOT_ABI.contains(&name) {
                items.insert(format!("const {name}"), format!("#define {name} {value}"));
            }
            continue;
        }
        if t.starts_with('#') {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in code.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ';' if depth == 0 => {
                let stmt = normalise(&code[start..i]);
                start = i + 1;
                if stmt.is_empty() {
                    continue;
                }
                let key = if let Some(paren) = stmt.find('(') {
                    let name = stmt[..paren].rsplit([' ', '*']).next().unwrap_or("");
                    format!("fn {name}")
                } else if let Some(rest) = stmt.strip_prefix("typedef struct ") {
                    let name = rest.split_whitespace().next().unwrap_or("");
                    format!("type {name}")
                } else {
                    panic!("include/payrules.h: a declaration this test does not know: {stmt}");
                };
                assert!(
                    items.insert(key.clone(), format!("{stmt};")).is_none(),
                    "{key} declared twice"
                );
            }
            _ => {}
        }
    }
    items
}

/// `include/payrules.abi`: one declaration a line; `#` starts a comment line.
fn listed_items(list: &str) -> Vec<(String, String)> {
    list.lines()
        .map(str::trim)
        .filter(|l| (!l.is_empty() && !l.starts_with('#')) || l.starts_with("#define "))
        .map(|l| {
            let decl = l.to_string();
            let items = header_items(&decl);
            assert_eq!(
                items.len(),
                1,
                "include/payrules.abi: not one declaration: {l}"
            );
            let (key, norm) = items.into_iter().next().unwrap();
            assert_eq!(norm, decl, "include/payrules.abi: not normalised: {l}");
            (key, decl)
        })
        .collect()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn abi_is_stable() {
    let header = std::fs::read_to_string(root().join("include/payrules.h")).expect("payrules.h");
    let list_path = root().join("include/payrules.abi");
    let list = std::fs::read_to_string(&list_path).expect("include/payrules.abi");
    let now = header_items(&header);
    let listed = listed_items(&list);

    let mut broken = Vec::new();
    for (key, decl) in &listed {
        match now.get(key) {
            None => broken.push(format!("  removed: {decl}")),
            Some(d) if d != decl => broken.push(format!("  changed: {decl}\n       now: {d}")),
            Some(_) => {}
        }
    }
    assert!(
        broken.is_empty(),
        "the C ABI changed incompatibly (include/payrules.h against include/payrules.abi):\n{}\n\
         Existing functions, types and constant values never change. If this break is intended, \
         bump PAYRULES_ABI_VERSION and the major version (the SONAME) and edit include/payrules.abi.",
        broken.join("\n")
    );

    let known: std::collections::BTreeSet<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
    let new: Vec<&String> = now
        .iter()
        .filter(|(k, _)| !known.contains(k.as_str()))
        .map(|(_, d)| d)
        .collect();
    if new.is_empty() {
        return;
    }
    if std::env::var_os("PAYRULES_BLESS").is_some_and(|v| v == "1") {
        let mut text = list;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        for d in &new {
            text.push_str(d);
            text.push('\n');
        }
        std::fs::write(&list_path, text).expect("write include/payrules.abi");
        return;
    }
    panic!(
        "new C ABI items (fine: adding is compatible) are not yet listed in include/payrules.abi; \
         add these lines (or run `PAYRULES_BLESS=1 cargo test --test abi`):\n{}",
        new.iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn parser_sees_every_kind_of_item() {
    let h = "/* c */\n#define PAYRULES_OK 0 // ok\n#define PAYRULES_VERSION_MAJOR 0\n\
             typedef struct a a;\ntypedef struct b {\n    int64_t m; // x\n    uint32_t s;\n} b;\n\
             #ifdef __cplusplus\nextern \"C\" {\n#endif\nconst char *payrules_version(void);\n\
             uint32_t payrules_f(const struct b *p,\n                   size_t n);\n";
    let items = header_items(h);
    let got: Vec<(&str, &str)> = items
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("const PAYRULES_OK", "#define PAYRULES_OK 0"),
            (
                "fn payrules_f",
                "uint32_t payrules_f(const struct b *p, size_t n);"
            ),
            ("fn payrules_version", "const char *payrules_version(void);"),
            ("type a", "typedef struct a a;"),
            ("type b", "typedef struct b { int64_t m; uint32_t s; } b;"),
        ]
    );
}
