//! The `payrules` command line: parses the arguments and runs them
//! ([`payrules::app`] holds every workflow).

use clap::Parser;
use payrules::app::{Cli, Console, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fixed_mmap_threshold();
    let cli = Cli::parse();
    ExitCode::from(run(cli, &mut Console::std()))
}

/// Keeps glibc's malloc from holding on to memory a run has freed.
///
/// glibc maps each block of 128 KiB or more on its own and unmaps it when
/// it is freed; but on freeing one of up to 32 MiB it raises that threshold
/// to the block's size, after which blocks below it come from its heap,
/// which it rarely gives back. A run of a million workers frees such
/// blocks between its steps (a file's buffer, the grades read), so the
/// lists that grow after them (the payroll's rows) then leave some 20 MB
/// behind in the heap. Setting the threshold, here to its default, turns
/// the raising off (`mallopt(3)`, `M_MMAP_THRESHOLD`). Measured in
/// docs/performance.md.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fixed_mmap_threshold() {
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    /// `M_MMAP_THRESHOLD` of glibc's `<malloc.h>`.
    const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
    // SAFETY: mallopt sets one of malloc's parameters and touches no memory
    // of ours; it is called before any other thread exists. A failure
    // (0) leaves malloc as it was, which is only less thrifty.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    }
}
