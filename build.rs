//! Link the episearch binary at a fixed address on Linux (not position-independent): as a PIE
//! this binary carries about 38,000 relocations that the loader applies at every start, a
//! third of the time a one-shot `episearch --version` took (BENCHMARKS.md).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
