//! The book session in docs/book.md runs: every line of its `sh` block, with
//! `bash -e` in an empty directory and the built `payrules` first on PATH.

use std::process::Command;

#[test]
fn the_book_session_in_the_docs_runs() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/book.md")).unwrap();
    let marker = "<!-- docs-test: book-session -->";
    let after = &doc[doc.find(marker).expect("marker") + marker.len()..];
    let body = &after[after.find("```sh\n").expect("sh block") + 6..];
    let script = &body[..body.find("\n```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_payrules"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", script])
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "stdout:\n{o}\nstderr:\n{e}");
    // What the session shows: the correction, paid in November, in GL0002's history.
    assert!(
        o.contains("GL0002,2026-09,monthly_bonus,arrears,200.00"),
        "{o}"
    );
    assert!(e.contains("2026-09 is closed"), "{e}");
    assert!(
        o.contains("4 closed period(s), each as it was closed"),
        "{o}"
    );
    let report = std::fs::read_to_string(dir.path().join("report-2026.csv")).unwrap();
    assert!(
        report.starts_with("period,status,unit,workers,"),
        "{report}"
    );
    assert!(report.contains("2026-11,closed,"), "{report}");
}
