//! The house's layering: every module imports only from layers below it
//! (`../shared/DESIGN.md`), and the lean build carries no CLI or
//! spreadsheet crate.
//!
//! A `crate::a::b` path anywhere in a module's source (doc text included,
//! unit-test modules excluded) counts as an import, read the way
//! `shared/tools/layers.py` reads it: modules are named by their two
//! outermost path segments (`rules::tax`, `run`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Each module's rank: a module may import only modules of a lower rank.
/// Modules of one layer that must not import each other get distinct ranks
/// only where one of them does import the other.
const RANKS: &[(&str, u32)] = &[
    // foundations
    ("money", 0),
    ("period", 1),
    ("worker", 2),
    ("limits", 3), // bounds on every input path
    // policy: versions as data, checked on load; tax tables
    ("policy", 10),
    // rules, ordered
    ("rules::slip", 20),
    ("rules::award", 21),
    ("rules::quota", 21),
    ("rules::correction", 21),
    ("rules::tax", 22),
    ("rules::explain", 23),
    ("rules::payslip", 24),
    ("rules", 25), // rules/mod.rs only declares the rules
    // engine
    ("run", 30),
    // what-if
    ("whatif", 40),
    // the JSON contract (any document kind)
    ("contract", 50),
    // faces
    ("ffi", 60),
    ("ffi::amounts", 60),
    ("ffi::batch", 60),
    ("ffi::decimal", 60),
    ("ffi::json", 60),
    ("ffi::policy", 60),
    ("hrfile", 60),
    ("synth", 60),
    ("example", 61),
    // the payroll book: months stored, chained and corrected (over the contract)
    ("book", 65),
    // the book's C face (feature `book`), over the book
    ("ffi::book", 66),
    ("app", 70),
];

fn module_of(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] || parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    Some(parts.iter().take(2).cloned().collect::<Vec<_>>().join("::"))
}

fn rank(module: &str) -> Option<u32> {
    // `rules::tax` or, for a one-level module with submodules, `whatif`.
    let top = module.split("::").next().unwrap_or(module);
    RANKS
        .iter()
        .find(|(m, _)| *m == module)
        .or_else(|| {
            // A layer ranked as a whole (`whatif`) covers its submodules; one
            // ranked by submodule (`rules::tax`) must name each.
            let by_submodule = RANKS
                .iter()
                .any(|(m, _)| m.starts_with(&format!("{top}::")));
            RANKS.iter().find(|(m, _)| *m == top && !by_submodule)
        })
        .map(|&(_, r)| r)
}

fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules a source text refers to through `crate::` paths.
fn references(src: &str, known: &BTreeMap<String, u32>) -> Vec<String> {
    let src = match src.find("#[cfg(test)]\nmod tests") {
        Some(i) => &src[..i],
        None => src,
    };
    let mut out = Vec::new();
    for (i, _) in src.match_indices("crate::") {
        let rest = &src[i + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == ':')
            .collect();
        let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let two = segs.iter().take(2).copied().collect::<Vec<_>>().join("::");
        let one = segs.first().copied().unwrap_or("").to_string();
        if known.contains_key(&two) {
            out.push(two);
        } else if known.contains_key(&one) {
            out.push(one);
        }
    }
    out
}

#[test]
fn modules_import_only_downward() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    let mut modules: BTreeMap<String, u32> = BTreeMap::new();
    let mut unranked = Vec::new();
    for f in &files {
        let Some(m) = module_of(f.strip_prefix(&root).unwrap()) else {
            continue;
        };
        match rank(&m) {
            Some(r) => {
                modules.insert(m, r);
            }
            None => unranked.push(m),
        }
    }
    assert!(
        unranked.is_empty(),
        "modules with no layer: {unranked:?}; add each to RANKS in tests/layers.rs (and the module map in docs/architecture.md)"
    );
    let mut upward = Vec::new();
    for f in &files {
        let Some(m) = module_of(f.strip_prefix(&root).unwrap()) else {
            continue;
        };
        let r = modules[&m];
        let src = std::fs::read_to_string(f).unwrap();
        for t in references(&src, &modules) {
            let same =
                t == m || t.starts_with(&format!("{m}::")) || m.starts_with(&format!("{t}::"));
            if !same && modules[&t] >= r {
                upward.push(format!(
                    "{} ({m}, rank {r}) imports {t} (rank {})",
                    f.strip_prefix(&root).unwrap().display(),
                    modules[&t]
                ));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "imports that do not go downward:\n  {}",
        upward.join("\n  ")
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    let known: BTreeMap<String, u32> = RANKS.iter().map(|&(m, r)| (m.to_string(), r)).collect();
    let refs = references(
        "use crate::rules::payslip::Line;\n/// see [`crate::whatif`]\n#[cfg(test)]\nmod tests { use crate::app; }",
        &known,
    );
    assert_eq!(refs, ["rules::payslip", "whatif"]);
    assert_eq!(
        module_of(Path::new("rules/tax/withholding.rs")).as_deref(),
        Some("rules::tax")
    );
    assert_eq!(
        module_of(Path::new("whatif/mod.rs")).as_deref(),
        Some("whatif")
    );
    assert_eq!(rank("whatif::compare"), Some(40));
    assert!(rank("rules::tax").unwrap() < rank("rules::payslip").unwrap());
    assert_eq!(
        rank("rules::new_rule"),
        None,
        "a new rule module must be placed"
    );
}

fn tree(args: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .args(args)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

const HEAVY: &[&str] = &[
    "clap",
    "calamine",
    "rust_xlsxwriter",
    "csv",
    "indicatif",
    "encoding_rs",
    "tempfile",
    "rusqlite",
];

#[test]
fn the_lean_build_has_no_cli_or_spreadsheet_crates() {
    let lean = tree(&["--no-default-features"]);
    let found: Vec<&&str> = HEAVY
        .iter()
        .filter(|h| lean.iter().any(|n| n == **h))
        .collect();
    assert!(found.is_empty(), "the lean build's tree holds {found:?}");
    assert!(lean.iter().any(|n| n == "rust_decimal"), "{lean:?}");
    // The lean build with the book (the C and Python builds): SQLite and
    // the digest crates, still no CLI or spreadsheet crate.
    let lean_book = tree(&["--no-default-features", "--features", "book"]);
    let found: Vec<&&str> = HEAVY
        .iter()
        .filter(|h| **h != "rusqlite" && lean_book.iter().any(|n| n == **h))
        .collect();
    assert!(
        found.is_empty(),
        "the lean book build's tree holds {found:?}"
    );
    for needed in ["rusqlite", "sha2", "flate2"] {
        assert!(
            lean_book.iter().any(|n| n == needed),
            "{needed}: {lean_book:?}"
        );
    }
    // The check can fail: the default build does carry the CLI crates.
    let full = tree(&[]);
    assert!(full.iter().any(|n| n == "clap") && full.iter().any(|n| n == "calamine"));
}

/// The public surface stays narrow: the crate root declares only the faces
/// as public modules (the rest are `internal!`, `pub(crate)` outside the
/// crate's own tests), and a policy version has no public field through
/// which its checks could be bypassed.
#[test]
fn only_faces_are_public_and_policies_have_no_public_fields() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
    let public: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches([';', ' ', '{']))
        .collect();
    assert_eq!(public, ["app", "book", "ffi", "types"], "{lib}");
    let policy = std::fs::read_to_string(root.join("policy/mod.rs")).unwrap();
    for name in ["pub struct Policy {", "pub struct PolicySet {"] {
        let at = policy
            .find(name)
            .unwrap_or_else(|| panic!("{name} not found"));
        let body = &policy[at..at + policy[at..].find("\n}").unwrap()];
        let open: Vec<&str> = body
            .lines()
            .skip(1)
            .filter(|l| l.trim_start().starts_with("pub ") && l.contains(':'))
            .collect();
        assert!(open.is_empty(), "{name} has public fields: {open:?}");
    }
}
