//! The `anbaa` binary: the command line in `anbaa::cli`.

fn main() -> std::process::ExitCode {
    anbaa::cli::main()
}
