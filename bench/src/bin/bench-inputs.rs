//! Writes the benchmark inputs to a directory, so that every host (native, wasmtime, Node)
//! compiles the same bytes: `minimal.yaml`, `typical.yaml`, `heavy.yaml`, `inventory.json`,
//! `options.json` (the volumes), `heavy.options.json` (volumes, a 500-line passwd and a group
//! file, for heavy's named user), and `deployment-N.yaml` for each N given after the directory.
//!
//! Usage: `cargo run -p bundlec-bench --bin bench-inputs -- DIR [N...]`

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: bench-inputs DIR [N...]");
        return ExitCode::from(2);
    };
    let dir = Path::new(&dir);
    let mut files = vec![
        ("minimal.yaml".to_string(), bundlec_bench::minimal_spec()),
        ("typical.yaml".to_string(), bundlec_bench::typical_spec()),
        // The typical service without its seccomp section: what issue 11 adds is the ratio.
        (
            "typical-unconfined.yaml".to_string(),
            bundlec_bench::typical_spec() + "    security_opt: [seccomp=unconfined]\n",
        ),
        ("heavy.yaml".to_string(), bundlec_bench::heavy_spec()),
        (
            "inventory.json".to_string(),
            bundlec_bench::inventory_json(),
        ),
        ("options.json".to_string(), bundlec_bench::options_json()),
        (
            "heavy.options.json".to_string(),
            bundlec_bench::heavy_options_json(),
        ),
    ];
    for count in args {
        let Ok(count) = count.parse::<usize>() else {
            eprintln!("bench-inputs: `{count}` is not a number of services");
            return ExitCode::from(2);
        };
        files.push((
            format!("deployment-{count}.yaml"),
            bundlec_bench::deployment_spec(count),
        ));
    }
    if let Err(error) = std::fs::create_dir_all(dir) {
        eprintln!("bench-inputs: cannot create {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, contents) in files {
        let path = dir.join(&name);
        if let Err(error) = std::fs::write(&path, contents) {
            eprintln!("bench-inputs: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}
