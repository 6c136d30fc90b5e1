//! Helpers shared by the workspace-level integration tests.

use std::path::{Path, PathBuf};

pub use proofs_check::Execution;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.toml` file in `fixtures/<kind>`, sorted by name.
pub fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = root().join("fixtures").join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    paths
}

/// The path of a fixture relative to the workspace root, as reports print it.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Runs `proofs-check` in-process. Cargo runs integration tests from the
/// package root, which is the workspace root here, so fixture paths relative
/// to it work and reports print them without the machine-specific prefix.
pub fn run(args: &[&str]) -> Execution {
    proofs_check::execute(std::iter::once("proofs-check").chain(args.iter().copied()))
}

/// Fixture file stem, used to name snapshots.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}
