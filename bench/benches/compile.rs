//! Criterion benchmarks of `compile`: the three specs, where the time goes, and scaling with the
//! number of services. A counting allocator reports bytes and allocations per compile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use bundlec_bench::{
    deployment_spec, heavy_spec, minimal_spec, options_for, options_json, request, typical_spec,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

struct CountingAllocator;

static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; it only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED_BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's layout contract is passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED_BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for alloc and dealloc.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Bytes and allocations of one call of `work`, averaged over 100.
fn allocations_per_call(mut work: impl FnMut()) -> (u64, u64) {
    const RUNS: u64 = 100;
    let (bytes, count) = (
        ALLOCATED_BYTES.load(Ordering::Relaxed),
        ALLOCATIONS.load(Ordering::Relaxed),
    );
    for _ in 0..RUNS {
        work();
    }
    (
        (ALLOCATED_BYTES.load(Ordering::Relaxed) - bytes) / RUNS,
        (ALLOCATIONS.load(Ordering::Relaxed) - count) / RUNS,
    )
}

fn allocations_per_compile(request: &bundlec_core::Request) -> (u64, u64) {
    allocations_per_call(|| {
        let _ = black_box(bundlec_core::compile(black_box(request)));
    })
}

fn specs(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    // `typical-unconfined` is the typical service without its seccomp section: the cost of
    // the section is the ratio of `typical` to it, measured in the same run (issue 11).
    let unconfined = typical_spec() + "    security_opt: [seccomp=unconfined]\n";
    for (name, spec) in [
        ("minimal", minimal_spec()),
        ("typical", typical_spec()),
        ("typical-unconfined", unconfined),
        ("heavy", heavy_spec()),
    ] {
        let request = request(&spec, &options_for(name.trim_end_matches("-unconfined")));
        let (bytes, count) = allocations_per_compile(&request);
        println!("allocations/{name}: {bytes} bytes in {count} allocations per compile");
        group.bench_function(name, |b| {
            b.iter(|| bundlec_core::compile(black_box(&request)))
        });
    }
    group.finish();
}

fn phases(c: &mut Criterion) {
    let spec = typical_spec();
    let request = request(&spec, &options_json());
    let compiled =
        bundlec_core::compile(&request).unwrap_or_else(|d| panic!("typical spec fails: {d:?}"));
    // Where the allocations of a typical compile are (issue 14's goal is at most 200).
    let parse = || {
        let mut diagnostics = bundlec_core::internals::Diagnostics::default();
        black_box(bundlec_core::internals::parse_spec(
            black_box(&spec),
            &mut diagnostics,
        ));
    };
    let (bytes, count) = allocations_per_call(parse);
    println!("allocations/phase-parse: {bytes} bytes in {count} allocations per parse");
    let (bytes, count) = allocations_per_call(|| {
        black_box(black_box(&compiled).write_json_again());
    });
    println!("allocations/phase-write: {bytes} bytes in {count} allocations per write");
    let mut group = c.benchmark_group("phases");
    group.bench_function("parse", |b| b.iter(parse));
    group.bench_function("canonical_json", |b| {
        b.iter(|| black_box(&compiled).write_json_again())
    });
    // The floor: serde_json writing the same config as oci-spec's `Spec`, for the typical and
    // the minimal service (issue 14 compares each compile with its own floor).
    let minimal = bundlec_core::compile(&bundlec_bench::request(&minimal_spec(), &options_json()))
        .unwrap_or_else(|d| panic!("minimal spec fails: {d:?}"));
    for (name, compiled) in [
        ("serde_json_floor", &compiled),
        ("serde_json_floor_minimal", &minimal),
    ] {
        let spec = compiled
            .spec()
            .unwrap_or_else(|error| panic!("the {name} spec: {error}"));
        group.bench_function(name, |b| {
            b.iter(|| serde_json::to_string_pretty(black_box(&spec)))
        });
    }
    group.finish();
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    for count in [1usize, 10, 100, 1000, 10_000] {
        let request = request(&deployment_spec(count), &options_json());
        group.throughput(Throughput::Elements(count as u64));
        group.bench_function(count.to_string(), |b| {
            b.iter_batched(
                || (),
                |()| bundlec_core::compile_all(black_box(&request)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, specs, phases, scaling);
criterion_main!(benches);
