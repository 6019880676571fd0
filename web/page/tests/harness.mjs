// What the page tests share: building the page, serving it on a free localhost port, headless
// Chromium through playwright-core, the native `bundlec` CLI, and small waits on the page.
// Without Chromium, node_modules or the CLI the tests are skipped, except under CI=true, where
// a missing piece is a failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB = dirname(PAGE);
export const ROOT = dirname(WEB);
export const OUTPUT = join(PAGE, 'test-output');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const BUNDLEC = process.env.BUNDLEC_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'bundlec');
const CI = process.env.CI === 'true';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Why the browser tests cannot run here, or null. Under CI a missing piece throws instead. */
export function missing() {
  const reasons = [];
  if (!existsSync(join(WEB, 'node_modules', 'playwright-core'))) reasons.push('web/node_modules is missing (cd web && npm ci)');
  if (!existsSync(CHROMIUM)) reasons.push(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  if (!existsSync(join(WEB, 'pkg', 'bundlec_web_bg.wasm'))) reasons.push('web/pkg is missing (scripts/wasm/build.sh)');
  if (reasons.length && CI) throw new Error(`the page tests cannot run under CI: ${reasons.join('; ')}`);
  return reasons.length ? reasons.join('; ') : null;
}

/** Why the native comparison cannot run, or null. Under CI a missing CLI throws. */
export function missingNative() {
  if (existsSync(BUNDLEC)) return null;
  const reason = `${BUNDLEC} is missing (cargo build -p bundlec)`;
  if (CI) throw new Error(reason);
  return reason;
}

/** Builds the page from its sources into test-output/dist and serves it; resolves to { url, close }. */
export async function servePage() {
  const dist = join(OUTPUT, 'dist');
  mkdirSync(OUTPUT, { recursive: true });
  execFileSync(process.execPath, [join(PAGE, 'build.mjs'), dist], { stdio: ['ignore', 'ignore', 'inherit'] });
  const { serve } = await import('../serve.mjs');
  const server = await serve(dist, 0);
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** A fresh Chromium profile; resolves to { context, close }. */
export async function launch() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'bundlec-page-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the page and waits for its first compile. Page errors fail the test that made them. */
export async function open(context, url) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#compiler-version')?.textContent.startsWith('compiler '));
  await idle(page);
  return page;
}

/** Waits until the page shows the result of its current input. */
export async function idle(page) {
  await page.waitForFunction(() => !document.querySelector('#status').classList.contains('pending'));
}

/** The text of the config.json view. */
export function shownConfig(page) {
  return page.evaluate(() => window.bundlecPreview.outputView.state.doc.toString());
}

/** The spec editor's text. */
export function specText(page) {
  return page.evaluate(() => window.bundlecPreview.specView.state.doc.toString());
}

/** The problems list as `{ severity, code, where }`. */
export function shownProblems(page) {
  return page.$$eval('#problems .problem', (items) => items.map((item) => ({
    severity: item.querySelector('.severity').textContent,
    code: item.querySelector('.code').textContent,
    message: item.querySelector('.message').textContent,
    where: item.querySelector('.where').textContent,
  })));
}

/**
 * Runs `bundlec compile` natively. `hostEnv` goes into the CLI's environment, which is where it
 * reads `$E:` values, each allowed with `--host-env`; `env` is [key, value] pairs (`--env`), `gpus` indices (`--gpu`), `rootfs`
 * a folder holding etc/passwd and etc/group. Resolves to { status, stdout, diagnostics }.
 */
export function nativeCompile({
  spec, inventory, service, replica, secrets = {}, hostEnv = {}, volumes = {}, hostname, hostNetwork, imageConfig, env = [], gpus = [], rootfs,
  policy, policyMode,
}) {
  const args = ['compile', spec, '--inventory', inventory, '--diagnostics', 'json'];
  if (policy) args.push('--policy', policy);
  if (policyMode) args.push('--policy-mode', policyMode);
  if (service) args.push('--service', service);
  if (replica) args.push('--replica', String(replica));
  if (hostname) args.push('--hostname', hostname);
  if (hostNetwork) args.push('--host-network');
  if (imageConfig) args.push('--image-config', imageConfig);
  for (const [name, value] of Object.entries(secrets)) args.push('--secret', `${name}=${value}`);
  for (const [name, value] of Object.entries(volumes)) args.push('--volume', `${name}=${value}`);
  for (const [name, value] of env) args.push('--env', `${name}=${value}`);
  for (const index of gpus) args.push('--gpu', String(index));
  if (rootfs) args.push('--rootfs', rootfs);
  // The CLI lets a spec read only the host variables the operator allows.
  for (const name of Object.keys(hostEnv)) args.push('--host-env', name);
  const processEnv = { PATH: process.env.PATH, ...hostEnv };
  const run = spawnSync(BUNDLEC, args, { env: processEnv, encoding: 'utf8' });
  let diagnostics = [];
  if (run.stderr.trim().startsWith('{')) diagnostics = JSON.parse(run.stderr).diagnostics;
  return { status: run.status, stdout: run.stdout, diagnostics };
}

export function read(path) {
  return readFileSync(path, 'utf8');
}
