//! Measures YAML event parsers that keep line and column on bundlec's spec texts (issue 14): the
//! time to scan a whole spec into events, every event's start and end line/column consumed, and
//! the allocations per scan; bundlec's own `parse_spec` (scan + tree + spec model) for reference.
//! The method is bench-loop's (warm up, then batches of about `--batch-ms`, median per parse),
//! with the batches of all scanners taken in turns.
//!
//! Usage:
//!   yaml-scanners DIR [--specs minimal,typical,heavy] [--batches 31] [--batch-ms 20]
//!       [--warmup-ms 300] [--only SUBSTRING] [--no-checks]
//!   yaml-scanners DIR --iters N [--specs typical] [--only SUBSTRING] --no-checks
//!       runs N parses of each and nothing else (for valgrind: instructions per parse)
//!   DIR holds `<spec>.yaml` as written by bench-inputs (/tmp/inputs).

mod checks;
mod count;
mod scanners;

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use scanners::{Scanner, Session};

#[global_allocator]
static GLOBAL: count::CountingAllocator = count::CountingAllocator;

struct Settings {
    specs: Vec<String>,
    batches: usize,
    batch: Duration,
    warmup: Duration,
    only: Option<String>,
    checks: bool,
    iters: Option<u64>,
}

fn parse_args(args: &[String]) -> Result<(String, Settings), String> {
    let mut dir = None;
    let mut settings = Settings {
        specs: vec!["minimal".into(), "typical".into(), "heavy".into()],
        batches: 31,
        batch: Duration::from_millis(20),
        warmup: Duration::from_millis(300),
        only: None,
        checks: true,
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
            "--specs" => settings.specs = value()?.split(',').map(str::to_string).collect(),
            "--batches" => settings.batches = number(value()?)?.max(1) as usize,
            "--batch-ms" => settings.batch = Duration::from_millis(number(value()?)?),
            "--warmup-ms" => settings.warmup = Duration::from_millis(number(value()?)?),
            "--only" => settings.only = Some(value()?),
            "--no-checks" => settings.checks = false,
            "--iters" => settings.iters = Some(number(value()?)?),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => dir = Some(other.to_string()),
        }
    }
    Ok((dir.ok_or("the inputs directory is missing")?, settings))
}

/// Timings of one parse, in microseconds.
struct Timing {
    median: f64,
    min: f64,
    max: f64,
    per_batch: u64,
}

fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// A parse to measure: returns a checksum so that the work cannot be skipped.
type Parse<'t> = Box<dyn FnMut() -> Result<u64, String> + 't>;

/// Allocations and bytes per parse, averaged over 100 parses after one.
fn allocations(parse: &mut Parse) -> Result<(f64, f64), String> {
    const RUNS: u64 = 100;
    black_box(parse()?);
    let (count, bytes) = count::snapshot();
    for _ in 0..RUNS {
        black_box(parse()?);
    }
    let (count_after, bytes_after) = count::snapshot();
    Ok((
        (count_after - count) as f64 / RUNS as f64,
        (bytes_after - bytes) as f64 / RUNS as f64,
    ))
}

/// bench-loop's warm-up, which also sizes a batch to about `batch` long.
fn warm_up(settings: &Settings, parse: &mut Parse) -> Result<u64, String> {
    let start = Instant::now();
    let mut warm = 0u32;
    while start.elapsed() < settings.warmup || warm < 10 {
        black_box(parse()?);
        warm += 1;
    }
    let each = start.elapsed().as_secs_f64() / f64::from(warm);
    Ok(((settings.batch.as_secs_f64() / each).round() as u64).max(1))
}

struct Row {
    what: String,
    spec: String,
    timing: Timing,
    allocations: f64,
    bytes: f64,
    events: u64,
}

/// Scans once, summing every event's kind, positions and scalar length.
fn scan_checksum(session: &mut Session, scanner: Scanner) -> Result<(u64, u64), String> {
    let mut sum = 0u64;
    let mut events = 0u64;
    session
        .scan(scanner, &mut |event| {
            events += 1;
            let end = event.end.map_or(0, |(line, column)| line * 131 + column);
            sum = sum
                .wrapping_mul(31)
                .wrapping_add(u64::from(event.kind))
                .wrapping_add(event.start.0 * 131 + event.start.1)
                .wrapping_add(end)
                .wrapping_add(event.scalar.len() as u64);
        })
        .map_err(|f| format!("error at ({}, {}): {}", f.line, f.column, f.message))?;
    Ok((black_box(sum), events))
}

const BUNDLEC: &str = "bundlec parse_spec (scan + tree + spec model)";

/// The scanners `--only` selects, and bundlec's parse_spec, each checked once on the text.
fn contestants<'t>(
    name: &'t str,
    text: &'t str,
    settings: &Settings,
) -> Result<Vec<(String, u64, Parse<'t>)>, String> {
    let wanted = |what: &str| {
        settings
            .only
            .as_deref()
            .is_none_or(|only| what.contains(only))
    };
    let mut contestants: Vec<(String, u64, Parse)> = Vec::new();
    for scanner in Scanner::ALL {
        if !wanted(scanner.name()) {
            continue;
        }
        let mut session = Session::new(black_box(text));
        let (_, events) = scan_checksum(&mut session, scanner)
            .map_err(|e| format!("{} on {name}: {e}", scanner.name()))?;
        let events = if scanner.is_parser() { events } else { 0 };
        let parse: Parse = Box::new(move || scan_checksum(&mut session, scanner).map(|(s, _)| s));
        contestants.push((scanner.name().to_string(), events, parse));
    }
    if wanted(BUNDLEC) {
        let parse: Parse = Box::new(move || {
            let mut diagnostics = bundlec_core::internals::Diagnostics::default();
            let deployment = bundlec_core::internals::parse_spec(black_box(text), &mut diagnostics);
            match black_box(deployment) {
                Some(_) if !diagnostics.has_errors() => Ok(1),
                _ => Err(format!("{name} does not parse: {diagnostics:?}")),
            }
        });
        contestants.push((BUNDLEC.to_string(), 0, parse));
    }
    Ok(contestants)
}

/// Every scanner (and bundlec's parse_spec) on one spec. Each is warmed up as bench-loop does,
/// then the batches are taken in turns, one batch of each in every round, so that the load of
/// this shared machine falls on all of them alike.
fn measure_spec(name: &str, text: &str, settings: &Settings) -> Result<Vec<Row>, String> {
    let contestants = contestants(name, text, settings)?;
    let mut prepared = Vec::new();
    for (what, events, mut parse) in contestants {
        let (allocations, bytes) = allocations(&mut parse)?;
        let per_batch = warm_up(settings, &mut parse)?;
        prepared.push((
            what,
            events,
            parse,
            allocations,
            bytes,
            per_batch,
            Vec::new(),
        ));
    }
    for _ in 0..settings.batches {
        for (_, _, parse, _, _, per_batch, samples) in prepared.iter_mut() {
            let start = Instant::now();
            for _ in 0..*per_batch {
                black_box(parse()?);
            }
            samples.push(start.elapsed().as_secs_f64() * 1e6 / *per_batch as f64);
        }
    }
    let mut rows = Vec::new();
    for (what, events, _, allocations, bytes, per_batch, mut samples) in prepared {
        samples.sort_by(f64::total_cmp);
        let row = Row {
            what,
            spec: name.to_string(),
            timing: Timing {
                median: median(&samples),
                min: samples[0],
                max: samples[samples.len() - 1],
                per_batch,
            },
            allocations,
            bytes,
            events,
        };
        report(&row);
        rows.push(row);
    }
    Ok(rows)
}

fn report(row: &Row) {
    println!(
        "{{\"what\":\"{}\",\"spec\":\"{}\",\"median_us\":{:.3},\"min_us\":{:.3},\"max_us\":{:.3},\"per_batch\":{},\"allocations\":{:.1},\"bytes\":{:.0},\"events\":{}}}",
        row.what,
        row.spec,
        row.timing.median,
        row.timing.min,
        row.timing.max,
        row.timing.per_batch,
        row.allocations,
        row.bytes,
        row.events
    );
}

/// One markdown table: a row per scanner, median µs [min-max] and allocations per spec.
fn table(rows: &[Row], specs: &[String]) {
    print!("\n| scanner |");
    for spec in specs {
        print!(" {spec} µs (min-max) | {spec} allocs |");
    }
    println!();
    println!("|---|{}", "---|---|".repeat(specs.len()));
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.what.as_str()) {
            names.push(&row.what);
        }
    }
    for name in names {
        print!("| {name} |");
        for spec in specs {
            match rows.iter().find(|r| r.what == name && &r.spec == spec) {
                Some(r) => print!(
                    " {:.2} ({:.2}-{:.2}) | {:.0} |",
                    r.timing.median, r.timing.min, r.timing.max, r.allocations
                ),
                None => print!(" | |"),
            }
        }
        println!();
    }
    println!("\nevents per spec:");
    for spec in specs {
        let counts: Vec<String> = rows
            .iter()
            .filter(|r| &r.spec == spec && r.events > 0)
            .map(|r| r.events.to_string())
            .collect();
        println!("  {spec}: {}", counts.join(" "));
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, settings) = parse_args(&args)?;
    let dir = Path::new(&dir);
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    if settings.checks {
        let typical = read("typical.yaml")?;
        println!("## Positions\n");
        checks::position_case("typical.yaml", &typical, "512Mi", "512Mi");
        checks::position_case(
            "typical.yaml, a quoted scalar",
            &typical,
            "--serve",
            "\"--serve\"",
        );
        checks::position_case("a non-ASCII line", "ü: { k: zz }\n", "zz", "zz");
        println!("\n## What each accepts\n");
        checks::compat_table();
        println!();
    }
    if let Some(iters) = settings.iters {
        for name in &settings.specs {
            let text = read(&format!("{name}.yaml"))?;
            for (what, _, mut parse) in contestants(name, &text, &settings)? {
                let mut total = 0u64;
                for _ in 0..iters {
                    total = total.wrapping_add(parse()?);
                }
                println!("{name}: {what}: {iters} parses, checksum {total}");
            }
        }
        return Ok(());
    }
    let mut rows = Vec::new();
    for name in &settings.specs {
        let text = read(&format!("{name}.yaml"))?;
        rows.extend(measure_spec(name, &text, &settings)?);
    }
    table(&rows, &settings.specs);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("yaml-scanners: {message}");
            ExitCode::FAILURE
        }
    }
}
