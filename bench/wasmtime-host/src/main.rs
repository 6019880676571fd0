//! Per-compile time of the bundlec component in a Rust host embedding wasmtime, measured as
//! scripts/bench/wasmtime_bench.py measures it in wasmtime-py (and bench-loop natively): one
//! store and one instance, a warm-up that also sizes a batch, then batches of compiles timed with
//! `Instant`; the median per compile over the batches.
//!
//! Usage:
//!   wasmtime-bench INPUTS_DIR [--component PATH] [--specs minimal,typical,heavy] [--batches 31]
//!       [--batch-ms 20] [--warmup-ms 300]
//! INPUTS_DIR is written by `bench-inputs` (the bundlec-bench crate). Prints one JSON line per spec,
//! one for `version()` and one for `call-floor` (compile of an empty spec, which the guest refuses
//! at once with one diagnostic), all with the fields of wasmtime_bench.py and `"host":"wasmtime-rs"`;
//! then one `guest_us` line per spec: its median minus the call floor, the time inside the guest.
//!
//!   wasmtime-bench INPUTS_DIR --specs typical --iters N [--component PATH]
//!       runs N compiles of each spec and nothing else (for `perf stat`: the CPU time of two runs
//!       with different N, divided by the difference, is the CPU time per compile; prints a checksum)
//!       `--native` runs the linked-in bundlec-core instead, without loading the component (to
//!       compare this build of the native side with bench-loop's, e.g. under callgrind)
//!   wasmtime-bench INPUTS_DIR --paired [--component PATH] [--specs …] [--batches 31] [--batch-ms 20]
//!       alternates a batch of native compiles (bundlec-core, linked in) with a batch of component
//!       compiles, each pair about 2 × batch-ms apart: on a shared machine whose speed drifts, the
//!       median of the pairs' ratios is steadier than a ratio of two processes' medians. Prints one
//!       `"host":"paired"` line per spec.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({ path: "../../core/wit", world: "bundlec" });

use exports::bundlec::compiler::compiler::Request;

const HOST: &str = "wasmtime-rs";

/// The store's data: WASI is linked only because Rust's std imports it (stdio, environment,
/// exit, a hash seed); the context grants nothing (no directory, variable or argument).
struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// One instance of the component, called any number of times (as examples/wasmtime/compile.py).
struct Compiler {
    store: Store<HostState>,
    bindings: Bundlec,
}

impl Compiler {
    fn load(path: &Path) -> Result<Self, String> {
        let mut config = Config::new();
        // The default already; said here because it is what the figures depend on.
        config.cranelift_opt_level(wasmtime::OptLevel::Speed);
        let engine = Engine::new(&config).map_err(|e| format!("engine: {e:?}"))?;
        let component = Component::from_file(&engine, path)
            .map_err(|e| format!("{}: {e:?}", path.display()))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| format!("linking WASI: {e:?}"))?;
        let state = HostState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&engine, state);
        let bindings = Bundlec::instantiate(&mut store, &component, &linker)
            .map_err(|e| format!("{}: {e:?}", path.display()))?;
        Ok(Self { store, bindings })
    }

    /// The config's length, or the diagnostics' codes when the guest refuses the request.
    fn compile(&mut self, request: &Request) -> Result<Result<usize, Vec<String>>, String> {
        let result = self
            .bindings
            .bundlec_compiler_compiler()
            .call_compile(&mut self.store, request)
            .map_err(|e| format!("compile trapped: {e:?}"))?;
        Ok(match result {
            Ok(output) => Ok(output.config.len()),
            Err(diagnostics) => Err(diagnostics.into_iter().map(|d| d.code).collect()),
        })
    }

    fn version(&mut self) -> Result<String, String> {
        self.bindings
            .bundlec_compiler_compiler()
            .call_version(&mut self.store)
            .map_err(|e| format!("version trapped: {e:?}"))
    }
}

struct Settings {
    inputs: PathBuf,
    component: PathBuf,
    specs: Vec<String>,
    batches: usize,
    batch: Duration,
    warmup: Duration,
    iters: Option<u64>,
    paired: bool,
    native: bool,
}

fn parse_args(args: &[String]) -> Result<Settings, String> {
    let mut inputs = None;
    // The artifact scripts/wasm/build.sh writes, from the repository root.
    let mut component = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/wasm32-wasip2/wasm/bundlec_component.wasm");
    let mut specs = vec!["minimal".into(), "typical".into(), "heavy".into()];
    let (mut batches, mut batch_ms, mut warmup_ms) = (31, 20.0, 300.0);
    let mut iters = None;
    let mut paired = false;
    let mut native = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        let number = |text: String| {
            text.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| format!("{arg}: `{text}` is not a number"))
        };
        match arg.as_str() {
            "--component" => component = PathBuf::from(value()?),
            "--specs" => specs = value()?.split(',').map(str::to_string).collect(),
            "--batches" => batches = (number(value()?)? as usize).max(1),
            "--batch-ms" => batch_ms = number(value()?)?,
            "--warmup-ms" => warmup_ms = number(value()?)?,
            "--iters" => iters = Some(number(value()?)? as u64),
            "--paired" => paired = true,
            "--native" => native = true,
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => inputs = Some(PathBuf::from(other)),
        }
    }
    Ok(Settings {
        inputs: inputs.ok_or("the inputs directory is missing")?,
        component,
        specs,
        batches,
        batch: Duration::from_secs_f64(batch_ms / 1000.0),
        warmup: Duration::from_secs_f64(warmup_ms / 1000.0),
        iters,
        paired,
        native,
    })
}

/// Median, min and max microseconds per call over the batches, and the calls per batch.
struct Timing {
    median_us: f64,
    min_us: f64,
    max_us: f64,
    per_batch: u64,
}

fn measure(
    settings: &Settings,
    mut call: impl FnMut() -> Result<(), String>,
) -> Result<Timing, String> {
    // Warm-up, which also sizes a batch to about `batch` long.
    let start = Instant::now();
    let mut warm = 0u32;
    while start.elapsed() < settings.warmup || warm < 10 {
        call()?;
        warm += 1;
    }
    let each = start.elapsed().as_secs_f64() / f64::from(warm);
    let per_batch = ((settings.batch.as_secs_f64() / each).round() as u64).max(1);
    let mut samples = Vec::with_capacity(settings.batches);
    for _ in 0..settings.batches {
        let start = Instant::now();
        for _ in 0..per_batch {
            call()?;
        }
        samples.push(start.elapsed().as_secs_f64() * 1e6 / per_batch as f64);
    }
    let median_us = median(&mut samples);
    Ok(Timing {
        median_us,
        min_us: samples[0],
        max_us: samples[samples.len() - 1],
        per_batch,
    })
}

/// One native compile, as bench-loop does it: the config's length.
fn compile_native(request: &Request) -> Result<usize, String> {
    let raw = bundlec_core::RawRequest {
        spec: &request.spec,
        inventory: request.inventory.as_deref(),
        options: request.options.as_deref(),
        ..Default::default()
    };
    match bundlec_core::compile_raw(black_box(raw)) {
        Ok(compiled) => Ok(black_box(compiled.json).len()),
        Err(diagnostics) => Err(format!("does not compile natively: {diagnostics:?}")),
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Microseconds per call of one batch of `calls` calls.
fn time_batch(calls: u64, call: &mut impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let start = Instant::now();
    for _ in 0..calls {
        call()?;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / calls as f64)
}

/// Native and component batches in turn; prints both medians and the median of the pairs' ratios.
fn paired(
    settings: &Settings,
    compiler: &mut Compiler,
    name: &str,
    request: &Request,
) -> Result<(), String> {
    let mut native = || compile_native(request).map(drop);
    let mut component = || {
        compiler
            .compile(black_box(request))?
            .map(drop)
            .map_err(|codes| format!("{name} does not compile: {codes:?}"))
    };
    // Warm both and size each one's batch to about `batch` long.
    let mut sizes = [0u64; 2];
    for (size, call) in sizes.iter_mut().zip([
        &mut native as &mut dyn FnMut() -> Result<(), String>,
        &mut component,
    ]) {
        let start = Instant::now();
        let mut warm = 0u32;
        while start.elapsed() < settings.warmup || warm < 10 {
            call()?;
            warm += 1;
        }
        let each = start.elapsed().as_secs_f64() / f64::from(warm);
        *size = ((settings.batch.as_secs_f64() / each).round() as u64).max(1);
    }
    let (mut natives, mut components, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..settings.batches {
        let native_us = time_batch(sizes[0], &mut native)?;
        let component_us = time_batch(sizes[1], &mut component)?;
        natives.push(native_us);
        components.push(component_us);
        ratios.push(component_us / native_us);
    }
    let (native_us, component_us) = (median(&mut natives), median(&mut components));
    // Both sorted by `median`: the quickest batch of each, the least disturbed.
    let ratio_of_mins = components[0] / natives[0];
    emit(format_args!(
        "{{\"host\":\"paired\",\"spec\":\"{name}\",\"native_us\":{native_us:.3},\"component_us\":{component_us:.3},\"ratio\":{:.3},\"ratio_of_mins\":{ratio_of_mins:.3},\"batches\":{},\"per_batch\":[{},{}]}}",
        median(&mut ratios),
        settings.batches,
        sizes[0],
        sizes[1]
    ))?;
    Ok(())
}

/// One line on stdout; a closed pipe (`| head`) is an error to report, not a panic.
fn emit(line: std::fmt::Arguments<'_>) -> Result<(), String> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{line}").map_err(|e| format!("stdout: {e}"))
}

fn print_timing(
    spec: &str,
    timing: &Timing,
    batches: usize,
    config_bytes: Option<usize>,
) -> Result<(), String> {
    let config = config_bytes.map_or(String::new(), |n| format!(",\"config_bytes\":{n}"));
    emit(format_args!(
        "{{\"host\":\"{HOST}\",\"spec\":\"{spec}\",\"median_us\":{:.3},\"min_us\":{:.3},\"max_us\":{:.3},\"batches\":{batches},\"per_batch\":{}{config}}}",
        timing.median_us, timing.min_us, timing.max_us, timing.per_batch
    ))
}

fn request(spec: String, inventory: Option<String>, options: Option<String>) -> Request {
    Request {
        spec,
        service: None,
        replica: None,
        inventory,
        image_config: None,
        options,
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = parse_args(&args)?;
    let read = |name: &str| {
        let path = settings.inputs.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let inventory = read("inventory.json")?;
    if settings.native && settings.iters.is_none() {
        return Err("--native goes with --iters".into());
    }
    let mut compiler = match settings.native {
        true => None,
        false => Some(Compiler::load(&settings.component)?),
    };
    let mut spec_medians = Vec::new();
    for name in &settings.specs {
        // `<spec>.options.json` when the spec has its own (heavy's passwd), else `options.json`.
        let own_options = format!("{name}.options.json");
        let options = if settings.inputs.join(&own_options).exists() {
            read(&own_options)?
        } else {
            read("options.json")?
        };
        let request = request(
            read(&format!("{name}.yaml"))?,
            Some(inventory.clone()),
            Some(options),
        );
        let Some(compiler) = compiler.as_mut() else {
            let iters = settings.iters.unwrap_or(0);
            let mut total = 0usize;
            for _ in 0..iters {
                total = total.wrapping_add(compile_native(&request)?);
            }
            emit(format_args!(
                "{name}: {iters} native compiles, {total} bytes of config"
            ))?;
            continue;
        };
        let config_bytes = compiler
            .compile(&request)?
            .map_err(|codes| format!("{name} does not compile: {codes:?}"))?;
        if settings.paired {
            paired(&settings, compiler, name, &request)?;
            continue;
        }
        if let Some(iters) = settings.iters {
            let mut total = 0usize;
            for _ in 0..iters {
                let bytes = compiler
                    .compile(black_box(&request))?
                    .map_err(|codes| format!("{name} does not compile: {codes:?}"))?;
                total = total.wrapping_add(bytes);
            }
            emit(format_args!(
                "{name}: {iters} compiles, {total} bytes of config"
            ))?;
            continue;
        }
        let timing = measure(&settings, || {
            black_box(compiler.compile(black_box(&request))?)
                .map(drop)
                .map_err(|codes| format!("{name} does not compile: {codes:?}"))
        })?;
        print_timing(name, &timing, settings.batches, Some(config_bytes))?;
        spec_medians.push((name, timing.median_us));
    }
    let Some(compiler) = compiler
        .as_mut()
        .filter(|_| settings.iters.is_none() && !settings.paired)
    else {
        return Ok(());
    };
    let version = measure(&settings, || {
        black_box(compiler.version()?);
        Ok(())
    })?;
    print_timing("version()", &version, settings.batches, None)?;
    let empty = request(String::new(), None, None);
    let floor = measure(&settings, || match compiler.compile(&empty)? {
        Ok(_) => Err("an empty spec compiled; the call floor needs a refused request".into()),
        Err(codes) => {
            black_box(codes);
            Ok(())
        }
    })?;
    print_timing("call-floor", &floor, settings.batches, None)?;
    for (name, median_us) in spec_medians {
        emit(format_args!(
            "{{\"host\":\"{HOST}\",\"spec\":\"{name}\",\"guest_us\":{:.3},\"call_floor_us\":{:.3}}}",
            median_us - floor.median_us,
            floor.median_us
        ))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wasmtime-bench: {message}");
            ExitCode::from(2)
        }
    }
}
