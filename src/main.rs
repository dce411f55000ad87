//! The `payrules` command line: parses the arguments and runs them
//! ([`payrules::app`] holds every workflow).

use clap::Parser;
use payrules::app::{Cli, Console, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(run(cli, &mut Console::std()))
}
