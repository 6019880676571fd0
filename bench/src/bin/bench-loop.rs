//! Native per-compile timing with the method the wasm hosts use (scripts/bench/wasmtime_bench.py,
//! scripts/bench/node_bench.mjs): read the inputs written by `bench-inputs`, warm up, then time
//! batches of compiles and report the median time per compile. Each compile is `compile_raw` on the
//! spec, inventory and options texts, exactly what the component and the browser module do per call.
//!
//! Usage:
//!   bench-loop DIR [--specs minimal,typical,heavy] [--batches 31] [--batch-ms 20] [--warmup-ms 300]
//!       prints one JSON line per spec: {"host":"native","spec":…,"median_us":…,"min_us":…,…}
//!   bench-loop DIR --spec typical --iters N   (any `<spec>.yaml` bench-inputs writes)
//!       runs N compiles and nothing else (for valgrind --tool=callgrind; prints a checksum)

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bundlec_core::RawRequest;

struct Inputs {
    spec: String,
    inventory: String,
    options: String,
}

impl Inputs {
    fn raw(&self) -> RawRequest<'_> {
        RawRequest {
            spec: &self.spec,
            inventory: Some(&self.inventory),
            options: Some(&self.options),
            ..Default::default()
        }
    }
}

/// One compile; the length of the config, so that the work cannot be skipped.
fn compile_once(inputs: &Inputs) -> Result<usize, String> {
    match bundlec_core::compile_raw(black_box(inputs.raw())) {
        Ok(compiled) => Ok(black_box(compiled.json).len()),
        Err(diagnostics) => Err(format!("{diagnostics:?}")),
    }
}

fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

struct Settings {
    specs: Vec<String>,
    batches: usize,
    batch: Duration,
    warmup: Duration,
    iters: Option<u64>,
}

fn parse_args(args: &[String]) -> Result<(String, Settings), String> {
    let mut dir = None;
    let mut settings = Settings {
        specs: vec!["minimal".into(), "typical".into(), "heavy".into()],
        batches: 31,
        batch: Duration::from_millis(20),
        warmup: Duration::from_millis(300),
        iters: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{arg}: `{text}` is not a number"))
        };
        match arg.as_str() {
            "--specs" | "--spec" => {
                settings.specs = value()?.split(',').map(str::to_string).collect()
            }
            "--batches" => settings.batches = number(value()?)?.max(1) as usize,
            "--batch-ms" => settings.batch = Duration::from_millis(number(value()?)?),
            "--warmup-ms" => settings.warmup = Duration::from_millis(number(value()?)?),
            "--iters" => settings.iters = Some(number(value()?)?),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => dir = Some(other.to_string()),
        }
    }
    Ok((dir.ok_or("the inputs directory is missing")?, settings))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, settings) = parse_args(&args)?;
    let dir = Path::new(&dir);
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let inventory = read("inventory.json")?;
    for name in &settings.specs {
        // `<spec>.options.json` when the spec has its own (heavy's passwd), else `options.json`.
        let options = read(&format!("{name}.options.json")).or_else(|_| read("options.json"))?;
        let inputs = Inputs {
            spec: read(&format!("{name}.yaml"))?,
            inventory: inventory.clone(),
            options,
        };
        let config_bytes =
            compile_once(&inputs).map_err(|d| format!("{name} does not compile: {d}"))?;
        if let Some(iters) = settings.iters {
            let mut total = 0usize;
            for _ in 0..iters {
                total = total.wrapping_add(compile_once(&inputs)?);
            }
            println!("{name}: {iters} compiles, {total} bytes of config");
            continue;
        }
        // Warm-up, which also sizes a batch to about `batch` long.
        let start = Instant::now();
        let mut warm = 0u32;
        while start.elapsed() < settings.warmup || warm < 10 {
            compile_once(&inputs)?;
            warm += 1;
        }
        let each = start.elapsed().as_secs_f64() / f64::from(warm);
        let per_batch = ((settings.batch.as_secs_f64() / each).round() as u64).max(1);
        let mut samples = Vec::with_capacity(settings.batches);
        for _ in 0..settings.batches {
            let start = Instant::now();
            for _ in 0..per_batch {
                compile_once(&inputs)?;
            }
            samples.push(start.elapsed().as_secs_f64() * 1e6 / per_batch as f64);
        }
        samples.sort_by(f64::total_cmp);
        println!(
            "{{\"host\":\"native\",\"spec\":\"{name}\",\"median_us\":{:.3},\"min_us\":{:.3},\"max_us\":{:.3},\"batches\":{},\"per_batch\":{per_batch},\"config_bytes\":{config_bytes}}}",
            median(&samples),
            samples[0],
            samples[samples.len() - 1],
            samples.len()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-loop: {message}");
            ExitCode::from(2)
        }
    }
}
