//! Tests that read the shared evaluation data (`../shared/data`, beside the repository) run
//! only where it is present; elsewhere they are ignored with the reason, and reported skipped.

fn main() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rerun-if-changed={}", data.display());
    if data.is_dir() {
        println!("cargo::rustc-cfg=shared_data");
    }
}
