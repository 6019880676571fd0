// Per-compile time of the browser module (web/pkg, wasm-bindgen --target web) in Node, measured
// inside the host: initSync once, warm-up, then batches of compile() calls timed with
// process.hrtime; the median per compile over the batches. The same method as bench-loop (native)
// and wasmtime_bench.py (component). Requests pass the inventory and options as JSON texts.
//
// V8 compiles wasm first with its baseline compiler (Liftoff) and tiers hot functions up to TurboFan
// in the background, so every spec is compiled in turn for --tierup-ms before any is measured.
//
// Usage: node node_bench.mjs INPUTS_DIR [PKG_DIR] [--specs minimal,typical,heavy]
//        [--batches 31] [--batch-ms 20] [--warmup-ms 300] [--tierup-ms 2000]
// Prints one JSON line per spec, and one for version().
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const positional = [];
const settings = { specs: 'minimal,typical,heavy', batches: 31, 'batch-ms': 20, 'warmup-ms': 300, 'tierup-ms': 2000 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) settings[argv[i].slice(2)] = argv[++i];
  else positional.push(argv[i]);
}
const [inputs, pkgDir = path.join(here, '..', '..', 'web', 'pkg')] = positional;
if (!inputs) {
  console.error('usage: node node_bench.mjs INPUTS_DIR [PKG_DIR]');
  process.exit(2);
}
const bundlec = await import(pathToFileURL(path.resolve(pkgDir, 'bundlec_web.js')).href);
bundlec.initSync({ module: readFileSync(path.resolve(pkgDir, 'bundlec_web_bg.wasm')) });

const read = (name) => readFileSync(path.join(inputs, name), 'utf8');
const now = () => Number(process.hrtime.bigint()) / 1e9;

function measure(call) {
  const batches = Number(settings.batches);
  const batchS = Number(settings['batch-ms']) / 1000;
  const warmupS = Number(settings['warmup-ms']) / 1000;
  let start = now();
  let warm = 0;
  while (now() - start < warmupS || warm < 10) {
    call();
    warm++;
  }
  const each = (now() - start) / warm;
  const perBatch = Math.max(1, Math.round(batchS / each));
  const samples = [];
  for (let b = 0; b < batches; b++) {
    start = now();
    for (let i = 0; i < perBatch; i++) call();
    samples.push((now() - start) / perBatch);
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  const us = (s) => Math.round(s * 1e9) / 1e3;
  return { median_us: us(median), min_us: us(samples[0]), max_us: us(samples[samples.length - 1]), batches, per_batch: perBatch };
}

const inventory = read('inventory.json');
// `<spec>.options.json` when the spec has its own (heavy's passwd), else `options.json`.
const optionsFor = (name) => (existsSync(path.join(inputs, `${name}.options.json`)) ? read(`${name}.options.json`) : read('options.json'));
const requests = settings.specs.split(',').map((name) => ({ name, request: { spec: read(`${name}.yaml`), inventory, options: optionsFor(name) } }));
const firsts = new Map();
for (const { name, request } of requests) {
  const first = bundlec.compile(request);
  if (!first.ok) {
    console.error(`node_bench: ${name} does not compile: ${JSON.stringify(first.diagnostics)}`);
    process.exit(1);
  }
  firsts.set(name, first);
}
const tierUntil = now() + Number(settings['tierup-ms']) / 1000;
while (now() < tierUntil) for (const { request } of requests) bundlec.compile(request);
for (const { name, request } of requests) {
  const result = measure(() => bundlec.compile(request));
  console.log(JSON.stringify({ host: 'node', spec: name, ...result, config_bytes: Buffer.byteLength(firsts.get(name).config) }));
}
console.log(JSON.stringify({ host: 'node', spec: 'version()', ...measure(() => bundlec.version()) }));
