//! Issue 10: the modules of `core/src` form layers, so a newcomer can read them bottom up.
//! A module is a file or directory directly under `core/src` (`lib.rs`, the crate root, only
//! re-exports); an edge is any `crate::<module>` path in its code, `use` or not. A file's unit
//! tests (`#[cfg(test)] mod …` to the end of the file, or a whole `tests.rs` declared with
//! `#[cfg(test)] mod tests;`) may use any module: a test of a low layer may compile a whole spec. Any cycle between modules fails, naming the modules around it.
//! The checker is tested on fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the modules its code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The modules a file's text names through `crate::`, and the root items it names instead of
/// a module (those hide an edge, so they are reported too).
fn references(text: &str, modules: &BTreeSet<String>) -> (BTreeSet<String>, BTreeSet<String>) {
    let without_tests = text.split("#[cfg(test)]\nmod ").next().unwrap_or(text);
    let code: String = without_tests
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let heads = if let Some(group) = rest.strip_prefix('{') {
            top_level_items(group)
        } else {
            vec![rest]
        };
        for head in heads {
            let name: String = head
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                named.insert(name);
            }
        }
    }
    named.into_iter().partition(|name| modules.contains(name))
}

/// The items of a `{a, b::{c, d}, e}` group, each from its start, up to the closing brace.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = vec![group];
    let mut depth = 0;
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => items.push(&group[at + 1..]),
            _ => {}
        }
    }
    items
}

/// The graph of a crate given as (path relative to `src`, text) pairs.
fn graph(files: &[(String, String)]) -> Result<Graph, Vec<String>> {
    let module_of = |path: &str| -> String {
        let first = path.split('/').next().unwrap_or(path);
        first.strip_suffix(".rs").unwrap_or(first).to_string()
    };
    let modules: BTreeSet<String> = files
        .iter()
        .map(|(path, _)| module_of(path))
        .filter(|m| m != "lib")
        .collect();
    let mut graph = Graph::new();
    let mut problems = Vec::new();
    for (path, text) in files {
        let module = module_of(path);
        if module == "lib" {
            continue;
        }
        let (named, root_items) = references(text, &modules);
        for item in root_items {
            problems.push(format!(
                "{path}: `crate::{item}` names a root item; name it through its module"
            ));
        }
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(named.into_iter().filter(|m| *m != module));
    }
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(problems)
    }
}

/// A cycle, as the modules around it (first repeated last), if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Open,
        Done,
    }
    fn visit(
        module: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, State>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(module) {
            Some(State::Done) => return None,
            Some(State::Open) => {
                let from = stack.iter().position(|m| m == module).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(module.to_string());
                return Some(cycle);
            }
            None => {}
        }
        state.insert(module.to_string(), State::Open);
        stack.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(module.to_string(), State::Done);
        None
    }
    let mut state = BTreeMap::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut state, &mut Vec::new()))
}

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn test_files_are_declared_for_tests_only() {
    let src = bundlec_tests::repo_root().join("core/src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    for (path, text) in &files {
        let declares_tests = text.contains("mod tests;");
        assert!(
            !declares_tests || text.contains("#[cfg(test)]\nmod tests;"),
            "{path}: `mod tests;` without `#[cfg(test)]`"
        );
    }
}

#[test]
fn core_modules_have_no_import_cycle() {
    let src = bundlec_tests::repo_root().join("core/src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    // A module's `tests.rs` is its unit tests, compiled only with them.
    files.retain(|(path, _)| !path.ends_with("tests.rs"));
    let graph = graph(&files).unwrap_or_else(|problems| panic!("{}", problems.join("\n")));
    assert!(graph.len() > 10, "{graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle in core/src: {}", cycle.join(" -> "));
    }
}

fn fixture(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

/// The checker finds a cycle through grouped, nested and inline paths, in files and directories.
#[test]
fn the_checker_finds_a_deliberate_cycle() {
    let cyclic = fixture(&[
        ("lib.rs", "mod a; mod b; mod c;\npub use a::A;"),
        ("a.rs", "use crate::{\n    b::{B, Bee},\n    yaml,\n};\n"),
        ("b/mod.rs", "mod read;"),
        ("b/read.rs", "fn f() { crate::c::see(); }"),
        (
            "c.rs",
            "// crate::a is only named in a comment\nfn g() -> crate::a::A { todo!() }",
        ),
        ("yaml.rs", ""),
    ]);
    let graph = graph(&cyclic).unwrap();
    assert_eq!(
        graph["a"],
        BTreeSet::from(["b".to_string(), "yaml".to_string()])
    );
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );

    let layered = fixture(&[
        ("a.rs", "use crate::b::B; use crate::c;"),
        ("b.rs", "use crate::c::C; // crate::a in a comment"),
        (
            "c.rs",
            "use super::*;\n#[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n",
        ),
    ]);
    assert_eq!(find_cycle(&graph_of(&layered)), None);
}

/// A path through a root re-export (`crate::Diagnostic`) would hide an edge: it is refused.
#[test]
fn the_checker_refuses_paths_through_the_root() {
    let through_root = fixture(&[("a.rs", "use crate::Diagnostic;"), ("b.rs", "")]);
    let problems = graph(&through_root).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("crate::Diagnostic"), "{problems:?}");
}

fn graph_of(files: &[(String, String)]) -> Graph {
    graph(files).unwrap()
}
