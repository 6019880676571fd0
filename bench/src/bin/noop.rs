//! A Rust program that does nothing, built with the release profile `bundlec` uses: the floor
//! under `bundlec --version` (what clap and the command's own start-up add), issue 14.

fn main() {}
