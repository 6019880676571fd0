// Runs requests through the browser module (web/pkg, wasm-bindgen --target web) in Node, for parity.py.
// Usage: node web-runner.mjs PKG_DIR REQUESTS.json > RESULTS.json
// Each request is {request, asObjects}: with asObjects the JSON texts are passed as parsed objects.
// Each result holds the compile's answer and the outline of the request's spec (`outline`), each as
// {result, undefinedAt} or {threw}.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [pkgDir, requestsFile] = process.argv.slice(2);
const glue = pathToFileURL(path.resolve(pkgDir, 'bundlec_web.js')).href;
const bytes = readFileSync(path.resolve(pkgDir, 'bundlec_web_bg.wasm'));

let fresh = 0;
// A new module instance, so that a trap in one request cannot leak into the next.
async function load() {
  const module = await import(`${glue}?instance=${fresh++}`);
  module.initSync({ module: bytes });
  return module;
}

/** Lists the keys whose value is `undefined`, anywhere in a result. */
function undefinedKeys(value, where, found) {
  if (value === undefined) found.push(where);
  else if (Array.isArray(value)) value.forEach((item, i) => undefinedKeys(item, `${where}[${i}]`, found));
  else if (value !== null && typeof value === 'object')
    for (const key of Object.keys(value)) undefinedKeys(value[key], `${where}.${key}`, found);
  return found;
}

let bundlec = await load();

/** Calls one export, reloading the module after a throw; {result, undefinedAt} or {threw}. */
async function call(run) {
  try {
    const result = run(bundlec);
    return { result, undefinedAt: undefinedKeys(result, 'result', []) };
  } catch (error) {
    bundlec = await load();
    return { threw: String(error && error.stack ? error.stack.split('\n')[0] : error) };
  }
}

const output = { version: bundlec.version(), results: [] };
for (const { request, asObjects } of JSON.parse(readFileSync(requestsFile, 'utf8'))) {
  const input = { ...request };
  if (asObjects) {
    for (const key of ['inventory', 'imageConfig', 'options']) {
      if (typeof input[key] === 'string') input[key] = JSON.parse(input[key]);
    }
  }
  const compiled = await call((module) => module.compile(input));
  compiled.outline = await call((module) => module.outline(request.spec));
  output.results.push(compiled);
}
process.stdout.write(JSON.stringify(output));
