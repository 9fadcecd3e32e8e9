//! The `pounce` executable: everything is in the library; this only hands over
//! the command line and turns the outcome into the process exit code.

fn main() {
    env_logger::Builder::from_env(env_logger::Env::new().filter("POUNCE_LOG")).init();
    let code = pounce::ampl::cli::run(std::env::args_os().collect());
    std::process::exit(code);
}
