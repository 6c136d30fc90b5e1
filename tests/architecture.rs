//! The dependency rules between the crates, read from `cargo metadata`.
//!
//! The exact and the floating-point engines are independent
//! implementations, so their agreement is evidence: the exact engine never
//! reaches faer, and the float engine never uses num-bigint or num-rational
//! itself. Its only path to them is the shared parameter-set crate, which
//! stores inputs as exact rationals.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

struct Graph {
    names: HashMap<String, String>,
    edges: HashMap<String, Vec<String>>,
}

fn metadata() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|error| panic!("cannot run cargo metadata: {error}"));
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("invalid metadata: {error}"));

    let mut names = HashMap::new();
    for package in json["packages"].as_array().unwrap_or(&Vec::new()) {
        names.insert(
            package["id"].as_str().unwrap_or_default().to_string(),
            package["name"].as_str().unwrap_or_default().to_string(),
        );
    }
    let mut edges = HashMap::new();
    for node in json["resolve"]["nodes"].as_array().unwrap_or(&Vec::new()) {
        let id = node["id"].as_str().unwrap_or_default().to_string();
        // Only normal (non-dev, non-build) dependencies reach a library's users.
        let deps = node["deps"]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .filter(|dep| {
                dep["dep_kinds"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|kind| kind["kind"].is_null()))
            })
            .map(|dep| dep["pkg"].as_str().unwrap_or_default().to_string())
            .collect();
        edges.insert(id, deps);
    }
    Graph { names, edges }
}

impl Graph {
    fn id(&self, name: &str) -> String {
        self.names
            .iter()
            .find(|(_, package)| package.as_str() == name)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("package {name} not in the workspace metadata"))
    }

    fn direct(&self, name: &str) -> BTreeSet<String> {
        self.edges[&self.id(name)]
            .iter()
            .map(|id| self.names[id].clone())
            .collect()
    }

    /// Every package reachable from `name`, skipping the subtrees of `except`.
    fn reachable(&self, name: &str, except: &[&str]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![self.id(name)];
        while let Some(id) = stack.pop() {
            for dep in &self.edges[&id] {
                let dep_name = &self.names[dep];
                if except.contains(&dep_name.as_str()) {
                    continue;
                }
                if seen.insert(dep_name.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }
}

#[test]
fn exact_never_reaches_faer() {
    let graph = metadata();
    let reached = graph.reachable("headrisk-exact", &[]);
    for forbidden in ["faer", "headrisk-float", "headrisk-simulate"] {
        assert!(
            !reached.contains(forbidden),
            "headrisk-exact depends on {forbidden}"
        );
    }
}

#[test]
fn float_uses_no_bignum_itself() {
    let graph = metadata();
    let direct = graph.direct("headrisk-float");
    for forbidden in ["num-bigint", "num-rational", "headrisk-exact"] {
        assert!(
            !direct.contains(forbidden),
            "headrisk-float depends directly on {forbidden}"
        );
    }
    let reached = graph.reachable("headrisk-float", &["headrisk-model"]);
    assert!(
        !reached.contains("num-bigint"),
        "headrisk-float reaches num-bigint other than through headrisk-model"
    );
}

#[test]
fn engines_share_only_the_model() {
    let graph = metadata();
    for engine in ["headrisk-exact", "headrisk-float", "headrisk-simulate"] {
        let direct = graph.direct(engine);
        let workspace: Vec<&String> = direct
            .iter()
            .filter(|name| name.starts_with("headrisk-"))
            .collect();
        assert_eq!(
            workspace,
            vec!["headrisk-model"],
            "{engine} depends on {workspace:?}"
        );
    }
}
