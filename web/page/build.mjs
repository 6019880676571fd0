// Builds the preview page into a folder of static files (default web/dist) that any web server
// can serve: app.js and worker.js bundled by esbuild, the wasm module from web/pkg, index.html,
// style.css, and sw.js (the offline cache) listing them. Usage: node page/build.mjs [OUTDIR]
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const page = dirname(fileURLToPath(import.meta.url));
const web = dirname(page);
const out = resolve(process.argv[2] ?? join(web, 'dist'));
const wasm = join(web, 'pkg', 'bundlec_web_bg.wasm');

if (!existsSync(wasm) || !existsSync(join(web, 'pkg', 'bundlec_web.js'))) {
  console.error('web/pkg has no wasm module: build it first (scripts/wasm/build.sh, or scripts/page/build.sh does both)');
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: join(page, 'src', 'main.js'), worker: join(page, 'src', 'worker.js') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  // The examples and sample inventories are inlined as text.
  loader: { '.yaml': 'text', '.json': 'text' },
  logLevel: 'warning',
});
copyFileSync(join(page, 'index.html'), join(out, 'index.html'));
copyFileSync(join(page, 'style.css'), join(out, 'style.css'));
copyFileSync(wasm, join(out, 'bundlec_web_bg.wasm'));

// The service worker caches exactly these files, under a name that changes with their content.
const files = ['index.html', 'style.css', 'app.js', 'worker.js', 'bundlec_web_bg.wasm'];
const hash = createHash('sha256');
for (const file of files) hash.update(readFileSync(join(out, file)));
const version = hash.digest('hex').slice(0, 16);
const sw = readFileSync(join(page, 'sw.js'), 'utf8')
  .replace("'__VERSION__'", JSON.stringify(version))
  .replace('__FILES__', JSON.stringify(['./', ...files]));
writeFileSync(join(out, 'sw.js'), sw);

console.log(`built the preview page in ${out} (${version})`);
