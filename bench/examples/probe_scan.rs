//! The /dev walk of `bundlec probe`, timed and counted: `devscan::scan` over `<ROOT>/dev` with the
//! real system calls behind a counting `Syscalls` wrapper. Prints one JSON line: the entries, device
//! nodes and links found, the lstat, read_dir and read_link calls per scan and per device node, and
//! the median time per scan and per node over the runs (the first, cold-cache run is not counted).
//!
//! Usage: `cargo run --release -p bundlec-bench --example probe_scan -- ROOT [--runs 21]`
//! (ROOT `/` walks this machine's /dev; scripts/bench/make-dev-tree.sh prepares a tree).

use std::cell::Cell;
use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use bundlec::devscan::{self, Entry, Listed, RealSyscalls, Syscalls};

/// Forwards to the real calls and counts them.
#[derive(Default)]
struct Counting {
    lstat: Cell<u64>,
    read_dir: Cell<u64>,
    read_link: Cell<u64>,
}

impl Syscalls for Counting {
    fn lstat(&self, path: &Path) -> io::Result<Entry> {
        self.lstat.set(self.lstat.get() + 1);
        RealSyscalls.lstat(path)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<io::Result<Listed>>> {
        self.read_dir.set(self.read_dir.get() + 1);
        RealSyscalls.read_dir(path)
    }
    fn read_link(&self, path: &Path) -> io::Result<OsString> {
        self.read_link.set(self.read_link.get() + 1);
        RealSyscalls.read_link(path)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("usage: probe_scan ROOT [--runs N]");
        return ExitCode::from(2);
    };
    let runs = match args
        .iter()
        .position(|a| a == "--runs")
        .map(|i| args.get(i + 1).and_then(|n| n.parse::<usize>().ok()))
    {
        None => 21,
        Some(Some(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("probe_scan: --runs needs a positive number");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(root);
    // Counted run (also warms the dentry cache).
    let counting = Counting::default();
    let scan = devscan::scan(root, &counting);
    let nodes = scan.devices.len();
    if nodes == 0 {
        eprintln!("probe_scan: no device node under {}/dev", root.display());
        return ExitCode::FAILURE;
    }
    // Timed runs, with the plain host calls the command uses.
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let scan = devscan::scan(root, &RealSyscalls);
        times.push(start.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(scan);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let per = |count: u64| count as f64 / nodes as f64;
    println!(
        "{{\"root\":\"{}\",\"device_nodes\":{nodes},\"links\":{},\"warnings\":{},\"lstat\":{},\"read_dir\":{},\"read_link\":{},\"lstat_per_node\":{:.4},\"median_scan_us\":{median:.1},\"median_per_node_us\":{:.3},\"runs\":{runs}}}",
        root.display(),
        scan.links.len(),
        scan.warnings.len(),
        counting.lstat.get(),
        counting.read_dir.get(),
        counting.read_link.get(),
        per(counting.lstat.get()),
        median / nodes as f64,
    );
    ExitCode::SUCCESS
}
