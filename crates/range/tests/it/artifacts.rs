use std::process::Command;

use vigil_range::artifacts::{artifact, artifact_names, range_dir, source_hash};

#[test]
fn artifacts_match_the_contract_sources() {
    let hash = source_hash(&range_dir()).expect("sources readable");
    for name in artifact_names() {
        let artifact = artifact(name).expect("artifact parses");
        assert_eq!(
            artifact.source_hash, hash,
            "range/artifacts/{name}.json is stale: run `node range/build.mjs`"
        );
        assert!(
            artifact.compiler.starts_with("0.8.28+"),
            "{name} compiled with {}",
            artifact.compiler
        );
        assert!(!artifact.bytecode.is_empty() && !artifact.deployed_bytecode.is_empty());
    }
}

#[test]
fn solc_reproduces_the_committed_artifacts() {
    let dir = range_dir();
    let solc = dir.join("../node_modules/solc/package.json");
    assert!(
        solc.is_file(),
        "node_modules/solc is missing: run `npm ci` at the repository root ({} not found)",
        solc.display()
    );
    let output = Command::new("node")
        .arg(dir.join("build.mjs"))
        .arg("--check")
        .output()
        .expect("node runs (install Node.js and run `npm ci` at the repository root)");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
