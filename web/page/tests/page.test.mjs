// End-to-end tests of the spec preview page in headless Chromium: the config shown equals the
// native `bundlec compile` of the same input; faults show in the list and the editor; the share
// link, download, your-own-node and offline paths work. Run: scripts/page/test.sh
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PAGE, ROOT, OUTPUT, missing, missingNative, servePage, launch, open, idle, shownConfig, specText, shownProblems, nativeCompile,
} from './harness.mjs';

const skip = missing();
const example = (id) => join(PAGE, 'examples', `${id}.yaml`);
const inventory = (id) => join(PAGE, 'inventories', `${id}.json`);

// The inputs the tests compile, with the placeholders the page must pass for each.
const CASES = [
  {
    example: 'web-service', node: 'edge-arm64', service: 'web', replica: 2,
    secrets: { 'shop/db-password': '<secret:shop/db-password>' },
    hostEnv: { SHOP_REGION: '<host-env:SHOP_REGION>' },
    volumes: { uploads: '/<volume:uploads>' },
  },
  {
    example: 'web-service', node: 'laptop-intel', service: 'worker',
    secrets: { 'shop/db-password': '<secret:shop/db-password>' },
  },
  {
    example: 'gpu-inference-nvidia', node: 'nvidia-8gpu',
    secrets: { 'llm/api-key': '<secret:llm/api-key>' },
    volumes: { models: '/<volume:models>' },
  },
  {
    example: 'amd-training', node: 'amd-mi300', replica: 3,
    secrets: { 'ml/wandb-key': '<secret:ml/wandb-key>' },
    volumes: { checkpoints: '/<volume:checkpoints>', '/scratch': '/<volume:/scratch>' },
  },
  {
    example: 'system-agent', node: 'nvidia-8gpu', hostname: 'agent-7',
    secrets: { 'agent/token': '<secret:agent/token>' },
    hostEnv: { HOSTNAME: '<host-env:HOSTNAME>' },
  },
  { example: 'intel-transcode', node: 'laptop-intel', hostNetwork: true },
  {
    example: 'compose-web-db', node: 'edge-arm64', service: 'web', replica: 2,
    hostEnv: { TAG: '<host-env:TAG>', SHOP_SECRET_KEY: '<host-env:SHOP_SECRET_KEY>' },
    volumes: { media: '/<volume:media>' },
  },
  {
    example: 'compose-gpu', node: 'nvidia-8gpu',
    hostEnv: { HF_TOKEN: '<host-env:HF_TOKEN>' },
    volumes: { models: '/<volume:models>' },
  },
];

/** A spec for the menus: fixed, adaptive, no and an over-large scale; references and volumes. */
const MENU_SPEC = `version: v1
deployment: menus
services:
  api:
    image: { name: "ghcr.io/acme/api:1" }
    command: { entrypoint: ["/api"] }
    env: { PASSWORD: "$S:db/pw", REGION: "$E:REGION", AGAIN: "$S:db/pw", PLAIN: "x" }
    storage:
      - { type: named, name: cache, target: /cache }
      - { type: anonymous, target: /scratch }
      - { type: tmpfs, target: /tmp }
      - { type: named, name: "Not A Name", target: /bad }
    scale: { mode: fixed, replicas: 3 }
  batch:
    image: { name: "ghcr.io/acme/batch:1" }
    command: { entrypoint: ["/batch"] }
    scale: { mode: adaptive, min: 1, max: 5 }
  solo:
    image: { name: "ghcr.io/acme/solo:1" }
    command: { entrypoint: ["/solo"] }
  huge:
    image: { name: "ghcr.io/acme/huge:1" }
    command: { entrypoint: ["/huge"] }
    scale: { mode: fixed, replicas: 1000 }
`;

/** Sets the page's menus and options to a case, waiting out each compile. */
async function pick(page, c) {
  await page.selectOption('#example', c.example);
  await idle(page);
  if (c.node) await page.selectOption('#node', c.node);
  await idle(page);
  if (c.service) await page.selectOption('#service', c.service);
  await idle(page);
  if (c.replica) await page.selectOption('#replica', String(c.replica));
  if (c.hostname) await page.fill('#hostname', c.hostname);
  if (c.hostNetwork) await page.check('#host-network');
  await idle(page);
}

/** Replaces the first `from` in the spec editor with `to`, and waits for the compile. */
async function editSpec(page, from, to) {
  await page.evaluate(([a, b]) => {
    const view = window.bundlecPreview.specView;
    const at = view.state.doc.toString().indexOf(a);
    if (at < 0) throw new Error(`not in the spec: ${a}`);
    view.dispatch({ changes: { from: at, to: at + a.length, insert: b } });
  }, [from, to]);
  await idle(page);
}

/** The spec editor's text written to test-output/NAME, for the native CLI. */
async function specFile(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const file = join(OUTPUT, name);
  writeFileSync(file, await specText(page));
  return file;
}

/** The short-key JSON a `#s=` link holds. */
function linkState(page) {
  return page.evaluate(async () => {
    const text = location.hash.slice(3).replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return JSON.parse(await new Response(stream).text());
  });
}

const PASSWD = 'nginx:x:101:101::/:/sbin/nologin';
const GROUP = 'nginx:x:101:';

function native(c, extra = {}) {
  return nativeCompile({ ...c, spec: example(c.example), inventory: inventory(c.node), ...extra });
}

describe('spec preview page', { skip: skip ?? false }, () => {
  let server;
  let browser;
  before(async () => {
    server = await servePage();
    browser = await launch();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('opens on an example that compiles, with no problems, fetching only from its own server', async () => {
    const requests = [];
    const record = (request) => requests.push(request.url());
    browser.context.on('request', record);
    const page = await open(browser.context, server.url);
    browser.context.off('request', record);
    const foreign = requests.filter((url) => !url.startsWith(server.url) && !/^(data|blob):/.test(url));
    assert.deepEqual(foreign, []);
    assert.equal(await page.inputValue('#example'), 'web-service');
    assert.match(await page.textContent('#status'), /compiled in/);
    assert.match(await page.textContent('#problems'), /No problems/);
    assert.match(await shownConfig(page), /^\{\n {2}"ociVersion": "1\.2\.1"/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('every example shows the config the native CLI compiles', async (t) => {
    const why = missingNative();
    if (why) return t.skip(why);
    const page = await open(browser.context, server.url);
    for (const c of CASES) {
      await pick(page, c);
      const expected = native(c);
      assert.equal(expected.status, 0, `${c.example} on ${c.node}: native compile failed: ${JSON.stringify(expected.diagnostics)}`);
      assert.equal(await shownConfig(page), expected.stdout, `${c.example} on ${c.node}`);
      assert.match(await page.textContent('#status'), /compiled in/);
      // Every placeholder the page passed is listed beside the options.
      const listed = await page.$$eval('#placeholder-list .value', (items) => items.map((item) => item.textContent));
      const passed = [c.secrets, c.hostEnv, c.volumes].flatMap((map) => Object.values(map ?? {}));
      assert.deepEqual(listed.sort(), passed.sort(), `${c.example}: placeholders`);
      // Reset the options a case set, for the next one.
      await page.fill('#hostname', '');
      await page.uncheck('#host-network');
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the spec pane names the kind of file the core read', async () => {
    const page = await open(browser.context, server.url);
    assert.equal(await page.textContent('#spec-kind'), 'ZLayer deployment spec, v1');
    await pick(page, { example: 'compose-gpu' });
    assert.equal(await page.textContent('#spec-kind'), 'Compose file');
    await pick(page, { example: 'web-service' });
    assert.equal(await page.textContent('#spec-kind'), 'ZLayer deployment spec, v1');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the seccomp section follows the node: arm64 gets the arm64 architectures and rules', async () => {
    const page = await open(browser.context, server.url);
    const seccomp = async () => JSON.parse(await shownConfig(page)).linux.seccomp;
    const names = (section) => section.syscalls.flatMap((rule) => rule.names);
    await pick(page, { example: 'web-service', node: 'edge-arm64', service: 'web' });
    const arm = await seccomp();
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.ok(names(arm).includes('arm_fadvise64_64') && !names(arm).includes('arch_prctl'));
    await page.selectOption('#node', 'laptop-intel');
    await idle(page);
    const x86 = await seccomp();
    assert.deepEqual(x86.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.ok(names(x86).includes('arch_prctl') && !names(x86).includes('arm_fadvise64_64'));
    assert.equal(x86.defaultAction, 'SCMP_ACT_ERRNO');
    // A privileged service runs without a filter, as in Docker.
    await pick(page, { example: 'system-agent', node: 'edge-arm64' });
    assert.equal(await seccomp(), undefined);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the broken example lists the same problems as the native CLI', async (t) => {
    const why = missingNative();
    if (why) return t.skip(why);
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'broken' });
    assert.equal(await page.inputValue('#node'), 'laptop-intel');
    const expected = native({ example: 'broken', node: 'laptop-intel' });
    assert.equal(expected.status, 1);
    const shown = await shownProblems(page);
    assert.deepEqual(
      shown.map((p) => `${p.severity} ${p.code} ${p.message} ${p.where}`),
      expected.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message} [${d.line}:${d.column}]`),
    );
    assert.match(await page.textContent('#status'), new RegExp(`${expected.diagnostics.length} errors`));
    assert.equal(await page.locator('.cm-lint-marker-error').count() > 0, true);
    await page.close();
  });

  test('a typed fault is listed, marked in the editor, and a click puts the cursor on it', async (t) => {
    const page = await open(browser.context, server.url);
    const before = await shownConfig(page);
    // Line 20 of the web-service example is `      memory: 512Mi`; turn it into `512m`.
    await page.evaluate(() => {
      const view = window.bundlecPreview.specView;
      const line = view.state.doc.line(20);
      const at = line.from + line.text.indexOf('Mi');
      view.dispatch({ selection: { anchor: at, head: at + 2 } });
      view.focus();
    });
    await page.keyboard.type('m');
    await page.waitForFunction(() => window.bundlecPreview.specView.state.doc.line(20).text === '      memory: 512m');
    await idle(page);

    const problems = await shownProblems(page);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].severity, 'error');
    assert.equal(problems[0].code, 'bad-memory');
    assert.equal(problems[0].where, '[20:15]');
    assert.match(await page.textContent('#problems'), /write `Mi` for 2\^20 bytes/);
    assert.equal(await page.textContent('#problem-count'), '1');
    assert.equal(await page.textContent('#status'), '1 error');
    // The editor underlines exactly the bad value and marks the line in the gutter.
    assert.deepEqual(await page.locator('.cm-lintRange-error').allTextContents(), ['512m']);
    assert.equal(await page.locator('.cm-lint-marker-error').count(), 1);
    // The old config is still there for reference, but visibly out of date and not offered.
    assert.equal(await page.isVisible('#stale-banner'), true);
    assert.equal(await page.getAttribute('#output', 'class'), 'editor output stale');
    assert.equal(await page.isDisabled('#copy'), true);
    assert.equal(await page.isDisabled('#download'), true);
    assert.equal(await shownConfig(page), before);

    // A click on the problem puts the cursor at line 20, column 15, in a focused editor.
    await page.evaluate(() => window.bundlecPreview.specView.dispatch({ selection: { anchor: 0 } }));
    await page.click('#problems .problem');
    const cursor = await page.evaluate(() => {
      const view = window.bundlecPreview.specView;
      const head = view.state.selection.main.head;
      const line = view.state.doc.lineAt(head);
      return { line: line.number, column: head - line.from + 1, empty: view.state.selection.main.empty, focused: view.hasFocus };
    });
    assert.deepEqual(cursor, { line: 20, column: 15, empty: true, focused: true });

    // Fixing it by typing brings the config back, current again.
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('Mi');
    await page.waitForFunction(() => window.bundlecPreview.specView.state.doc.line(20).text === '      memory: 512Mi');
    await idle(page);
    assert.match(await page.textContent('#status'), /compiled in/);
    assert.equal(await page.isVisible('#stale-banner'), false);
    assert.equal(await page.locator('.cm-lintRange-error').count(), 0);
    if (!missingNative()) {
      const expected = native(CASES[0], { replica: undefined });
      assert.equal(await shownConfig(page), expected.stdout);
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the editor underlines the exact range the compiler gives, not a guessed token', async () => {
    const page = await open(browser.context, server.url);
    // `512 Mi` is one plain scalar: a token guess would stop at the space and underline `512`.
    await editSpec(page, 'memory: 512Mi', 'memory: 512 Mi');
    const problems = await shownProblems(page);
    assert.deepEqual(problems.map((p) => `${p.code} ${p.where}`), ['bad-memory [20:15]']);
    assert.deepEqual(await page.locator('.cm-lintRange-error').allTextContents(), ['512 Mi']);
    // A plain scalar folded over two lines: one range from `512` to `Mi` (the mark is drawn per line).
    await editSpec(page, 'memory: 512 Mi', 'memory: 512\n        Mi');
    assert.deepEqual((await shownProblems(page)).map((p) => `${p.code} ${p.where}`), ['bad-memory [20:15]']);
    assert.deepEqual(await page.locator('.cm-lintRange-error').allTextContents(), ['512', '        Mi']);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the service and replica menus and the placeholders come from the core outline of the spec', async () => {
    const page = await open(browser.context, server.url);
    await page.evaluate((text) => {
      const view = window.bundlecPreview.specView;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }, MENU_SPEC);
    await idle(page);
    const menus = () => page.evaluate(() => ({
      services: [...document.querySelectorAll('#service option')].map((o) => o.value),
      service: document.querySelector('#service').value,
      replicas: [...document.querySelectorAll('#replica option')].map((o) => o.textContent),
      replicaDisabled: document.querySelector('#replica').disabled,
      placeholders: [...document.querySelectorAll('#placeholder-list li')].map((li) => li.textContent),
    }));
    // A fixed scale: its replicas; every `$S:`/`$E:` reference once; volumes by name or target,
    // leaving out the one whose name the compile rejects (no placeholder can make it compile).
    assert.deepEqual(await menus(), {
      services: ['api', 'batch', 'solo', 'huge'],
      service: 'api',
      replicas: ['1 of 3', '2 of 3', '3 of 3'],
      replicaDisabled: false,
      placeholders: [
        '$S:db/pw→<secret:db/pw>', '$E:REGION→<host-env:REGION>', 'volume cache→/<volume:cache>', 'volume /scratch→/<volume:/scratch>',
      ],
    });
    // An adaptive scale: its max.
    await page.selectOption('#service', 'batch');
    await idle(page);
    const batch = await menus();
    assert.deepEqual([batch.service, batch.replicas, batch.placeholders], ['batch', ['1 of 5', '2 of 5', '3 of 5', '4 of 5', '5 of 5'], []]);
    // A fixed scale over the cap: 64.
    await page.selectOption('#service', 'huge');
    await idle(page);
    const huge = await menus();
    assert.deepEqual([huge.replicas.length, huge.replicas.at(-1)], [64, '64 of 64']);
    // No scale: one replica, and nothing to choose.
    await page.selectOption('#service', 'solo');
    await idle(page);
    const solo = await menus();
    assert.deepEqual([solo.service, solo.replicas, solo.replicaDisabled], ['solo', ['1 of 1'], true]);
    // A spec that is not readable YAML has no outline: the menus stay as they were.
    await editSpec(page, 'services:\n', 'services: [\n');
    assert.match(await page.textContent('#status'), /error/);
    assert.deepEqual(await menus(), solo);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a problem outside the spec puts the cursor on the control it is about', async () => {
    const page = await open(browser.context, server.url);
    await page.fill('#hostname', 'Bad_Name');
    await idle(page);
    let problems = await shownProblems(page);
    assert.deepEqual(problems.map((p) => `${p.code} ${p.where}`), ['bad-hostname [options.hostname]']);
    await page.click('#problems .problem');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'hostname');
    await page.fill('#hostname', '');
    await page.click('#image-config .cm-content');
    await page.keyboard.type('{');
    await idle(page);
    problems = await shownProblems(page);
    assert.deepEqual(problems.map((p) => `${p.code} ${p.where}`), ['bad-image-config [imageConfig]']);
    await page.click('#spec-editor .cm-content');
    await page.click('#problems .problem');
    assert.equal(await page.evaluate(() => window.bundlecPreview.imageView.hasFocus), true);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a share link restores the spec, the node and every option', async (t) => {
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'amd-training', replica: 3, hostname: 'trainer-x' });
    await page.click('#image-config .cm-content');
    await page.keyboard.type('{"Env": ["FROM_IMAGE=1"], "WorkingDir": "/srv"}');
    await page.evaluate(() => {
      const view = window.bundlecPreview.specView;
      view.dispatch({ changes: { from: view.state.doc.length, insert: '    labels: { shared: "yes" }\n' } });
    });
    await idle(page);
    assert.match(await page.textContent('#status'), /compiled in/);
    assert.equal(await page.inputValue('#example'), 'custom');
    await page.click('#share');
    await page.waitForSelector('#toast:not([hidden])');
    const link = page.url();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    const config = await shownConfig(page);
    const spec = await specText(page);

    const again = await open(browser.context, link);
    assert.equal(await specText(again), spec);
    assert.equal(await again.inputValue('#example'), 'custom');
    assert.equal(await again.inputValue('#node'), 'amd-mi300');
    assert.equal(await again.inputValue('#replica'), '3');
    assert.equal(await again.inputValue('#hostname'), 'trainer-x');
    assert.equal(await again.evaluate(() => window.bundlecPreview.imageView.state.doc.toString()), '{"Env": ["FROM_IMAGE=1"], "WorkingDir": "/srv"}');
    assert.equal(await shownConfig(again), config);
    assert.match(config, /"FROM_IMAGE=1"/);

    if (!missingNative()) {
      mkdirSync(OUTPUT, { recursive: true });
      const specFile = join(OUTPUT, 'shared-spec.yaml');
      const imageFile = join(OUTPUT, 'shared-image-config.json');
      writeFileSync(specFile, spec);
      writeFileSync(imageFile, '{"Env": ["FROM_IMAGE=1"], "WorkingDir": "/srv"}');
      const expected = nativeCompile({
        spec: specFile, inventory: inventory('amd-mi300'), replica: 3, hostname: 'trainer-x', imageConfig: imageFile,
        secrets: CASES[3].secrets, volumes: CASES[3].volumes,
      });
      assert.equal(config, expected.stdout);
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.close();
    await again.close();
  });

  test('a short link with only an example opens it on its node (defaults are left out)', async () => {
    const page = await open(browser.context, server.url);
    const hash = await page.evaluate(async () => {
      const bytes = new TextEncoder().encode(JSON.stringify({ e: 'intel-transcode' }));
      const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
      const packed = new Uint8Array(await new Response(stream).arrayBuffer());
      return btoa(String.fromCharCode(...packed)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    });
    const linked = await open(browser.context, `${server.url}#s=${hash}`);
    assert.equal(await linked.inputValue('#example'), 'intel-transcode');
    assert.equal(await linked.inputValue('#node'), 'laptop-intel');
    assert.equal(await linked.isChecked('#placeholders'), true);
    assert.match(await linked.textContent('#status'), /compiled in/);
    // A link that cannot be read opens the first example instead of failing.
    const bad = await open(browser.context, `${server.url}#s=not-a-valid-link`);
    assert.equal(await bad.inputValue('#example'), 'web-service');
    assert.deepEqual([...page.errors, ...linked.errors, ...bad.errors], []);
    await Promise.all([page.close(), linked.close(), bad.close()]);
  });

  test('identity files: `user: nginx` is unknown until passwd and group name it', async (t) => {
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'web-service', service: 'web' });
    // The pane starts collapsed.
    assert.equal(await page.isVisible('#passwd'), false);
    await editSpec(page, 'user: "101:101"', 'user: nginx');
    assert.deepEqual((await shownProblems(page)).map((p) => p.code), ['unknown-user']);

    await page.click('#identity summary');
    await page.fill('#passwd', PASSWD);
    await page.fill('#group', GROUP);
    await idle(page);
    assert.match(await page.textContent('#status'), /compiled in/);
    const config = await shownConfig(page);
    const { uid, gid } = JSON.parse(config).process.user;
    assert.deepEqual({ uid, gid }, { uid: 101, gid: 101 });
    if (!missingNative()) {
      const rootfs = join(OUTPUT, 'identity-rootfs');
      mkdirSync(join(rootfs, 'etc'), { recursive: true });
      writeFileSync(join(rootfs, 'etc', 'passwd'), `${PASSWD}\n`);
      writeFileSync(join(rootfs, 'etc', 'group'), `${GROUP}\n`);
      const expected = nativeCompile({ ...CASES[0], replica: undefined, spec: await specFile(page, 'identity-spec.yaml'), inventory: inventory('edge-arm64'), rootfs });
      assert.equal(expected.status, 0, JSON.stringify(expected.diagnostics));
      assert.equal(config, expected.stdout);
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('GPU indices and extra env reach the compiler; bad input is flagged and not sent', async (t) => {
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'gpu-inference-nvidia' });
    await editSpec(page, 'count: 4', 'count: 1');
    const first = await shownConfig(page);
    assert.match(first, /"NVIDIA_VISIBLE_DEVICES=GPU-7c1e0a00-3f2d-4b8a-9c61-5e0f2a9b4c00"/);

    await page.fill('#gpu-indices', '1');
    await page.fill('#env', 'LOG_LEVEL=debug\nZZ_FIRST=1\nnot a pair\nAA_LAST=x=y');
    await idle(page);
    assert.equal(await page.isVisible('#gpu-error'), false);
    assert.equal(await page.textContent('#env-error'), 'Line 3 not used: write KEY=VALUE.');
    const config = await shownConfig(page);
    assert.match(config, /"NVIDIA_VISIBLE_DEVICES=GPU-7c1e1b11-3f2d-4b8a-9c61-5e0f2a9c4d01"/);
    if (!missingNative()) {
      const expected = nativeCompile({
        ...CASES[2], spec: await specFile(page, 'gpu-spec.yaml'), inventory: inventory('nvidia-8gpu'), gpus: [1],
        env: [['LOG_LEVEL', 'debug'], ['ZZ_FIRST', '1'], ['AA_LAST', 'x=y']],
      });
      assert.equal(expected.status, 0, JSON.stringify(expected.diagnostics));
      assert.equal(config, expected.stdout);
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }

    // Not a list of indices: a message under the field, and the default GPU again.
    await page.fill('#env', '');
    await page.fill('#gpu-indices', '1,x');
    await idle(page);
    assert.match(await page.textContent('#gpu-error'), /"x" is not a GPU index/);
    assert.equal(await page.getAttribute('#gpu-indices', 'aria-invalid'), 'true');
    assert.equal(await page.isVisible('#env-error'), false);
    assert.equal(await shownConfig(page), first);
    await page.fill('#gpu-indices', '');
    await idle(page);
    assert.equal(await page.isVisible('#gpu-error'), false);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a share link carries the identity files, extra env and GPU indices, and leaves them out when empty', async () => {
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'gpu-inference-nvidia' });
    const plain = await linkState(page);
    for (const key of ['x', 'g', 'u', 'G']) assert.equal(key in plain, false, `empty ${key} in the link`);
    await editSpec(page, 'count: 4', 'count: 2');
    await page.fill('#gpu-indices', '3, 5');
    await page.fill('#env', 'B=2\nA=1');
    await page.click('#identity summary');
    await page.fill('#passwd', PASSWD);
    await page.fill('#group', GROUP);
    await idle(page);
    assert.match(await page.textContent('#status'), /compiled in/);
    await page.click('#share');
    await page.waitForSelector('#toast:not([hidden])');
    const config = await shownConfig(page);

    const again = await open(browser.context, page.url());
    assert.equal(await again.inputValue('#gpu-indices'), '3, 5');
    assert.equal(await again.inputValue('#env'), 'B=2\nA=1');
    assert.equal(await again.evaluate(() => document.querySelector('#identity').open), true);
    assert.equal(await again.inputValue('#passwd'), PASSWD);
    assert.equal(await again.inputValue('#group'), GROUP);
    assert.equal(await shownConfig(again), config);
    assert.match(config, /"B=2",\n\s*"A=1"/);
    assert.match(config, /GPU-7c1e3d33-3f2d-4b8a-9c61-5e0f2a9e4f03,GPU-/);
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.close();
    await again.close();
  });

  test('the policy picker: violations are problems like any other; warn keeps the config; the link keeps both', async (t) => {
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'web-service', service: 'web' });
    assert.deepEqual(await shownProblems(page), []);
    await page.selectOption('#policy', 'restricted');
    await idle(page);
    const enforced = await shownProblems(page);
    assert.deepEqual(enforced.map((p) => `${p.severity} ${p.code} ${p.where}`), ['error policy-sysctls [30:16]']);
    assert.equal(await page.locator('.cm-lint-marker-error').count() > 0, true);
    if (!missingNative()) {
      const { replica, ...web } = CASES[0];
      const expected = native(web, { policy: 'restricted' });
      assert.equal(expected.status, 1);
      assert.deepEqual(
        enforced.map((p) => `${p.severity} ${p.code} ${p.message} ${p.where}`),
        expected.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message} [${d.line}:${d.column}]`),
      );
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    await page.selectOption('#policy-mode', 'warn');
    await idle(page);
    const warned = await shownProblems(page);
    assert.deepEqual(warned.map((p) => `${p.severity} ${p.code} ${p.where}`), ['warning policy-sysctls [30:16]']);
    assert.match(await shownConfig(page), /"net.core.somaxconn": "1024"/);
    // The worker drops every capability and runs as uid 101: it passes restricted.
    await page.selectOption('#service', 'worker');
    await idle(page);
    assert.deepEqual(await shownProblems(page), []);
    const link = await linkState(page);
    assert.deepEqual([link.P, link.M], ['restricted', 'warn']);
    const again = await open(browser.context, page.url());
    assert.deepEqual([await again.inputValue('#policy'), await again.inputValue('#policy-mode')], ['restricted', 'warn']);
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.close();
    await again.close();
  });

  test('download and copy give the exact config bytes', async (t) => {
    const page = await open(browser.context, server.url);
    await pick(page, CASES[2]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'config.json');
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.toString('utf8'), await shownConfig(page));
    if (!missingNative()) {
      const expected = native(CASES[2]);
      assert.ok(bytes.equals(Buffer.from(expected.stdout, 'utf8')), 'downloaded bytes differ from the native compile');
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    await page.click('#copy');
    await page.waitForSelector('#toast:not([hidden])');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), bytes.toString('utf8'));
    await page.close();
  });

  test('an NVIDIA node with a CDI spec: the preview binds the driver libraries and runs the hooks', async (t) => {
    const page = await open(browser.context, server.url);
    const c = { ...CASES[2], node: 'nvidia-8gpu-cdi' };
    await pick(page, c);
    assert.match(await page.textContent('#node-card'), /CDI: nvidia\.com\/gpu \(25 mounts\)/);
    const config = await shownConfig(page);
    // Each library at its real path and at its soname, read-only; the toolkit's hooks; the
    // spec's NVIDIA_VISIBLE_DEVICES=void in place of the GPU UUIDs.
    assert.match(config, /"destination": "\/usr\/lib\/x86_64-linux-gnu\/libcuda\.so\.550\.90\.07"/);
    assert.match(config, /"destination": "\/usr\/lib\/x86_64-linux-gnu\/libcuda\.so\.1",\n\s+"source": "\/usr\/lib\/x86_64-linux-gnu\/libcuda\.so\.550\.90\.07",\n\s+"options": \[\n\s+"ro",\n\s+"nosuid",\n\s+"nodev",\n\s+"bind"/);
    assert.match(config, /"hooks": \{\n\s+"createContainer": \[/);
    assert.match(config, /"update-ldcache"/);
    assert.match(config, /"NVIDIA_VISIBLE_DEVICES=void"/);
    assert.match(await page.textContent('#problems'), /No problems/);
    if (!missingNative()) {
      const expected = native(c);
      assert.equal(expected.status, 0, JSON.stringify(expected.diagnostics));
      assert.equal(config, expected.stdout);
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    // The same node without a spec: device nodes only, and a warning that says so.
    await page.selectOption('#node', 'nvidia-8gpu');
    await idle(page);
    assert.deepEqual((await shownProblems(page)).map((p) => `${p.severity} ${p.code}`), ['warning gpu-no-driver-libraries']);
    assert.doesNotMatch(await shownConfig(page), /libcuda/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('your own node: an uploaded `bundlec probe` output is used, bad JSON is refused', async (t) => {
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'gpu-inference-nvidia' });
    await page.click('#paste-inventory');
    await page.fill('#inventory-text', 'this is not json');
    await page.click('#inventory-use');
    assert.match(await page.textContent('#inventory-error'), /Not an inventory/);
    assert.equal(await page.isVisible('#inventory-dialog'), true);

    const probed = join(ROOT, 'examples', 'inventories', 'nvidia-2gpu.json');
    await page.setInputFiles('#inventory-file', probed);
    await page.waitForFunction(() => document.querySelector('#inventory-text').value.includes('inventoryVersion'));
    await page.click('#inventory-use');
    await idle(page);
    assert.equal(await page.isVisible('#inventory-dialog'), false);
    assert.equal(await page.inputValue('#node'), 'custom');
    assert.match(await page.textContent('#node-card'), /gpu-7/);
    // The example wants 4 GPUs; this node has 2.
    const problems = await shownProblems(page);
    assert.deepEqual(problems.map((p) => p.code), ['not-enough-gpus']);
    if (!missingNative()) {
      const expected = nativeCompile({ spec: example('gpu-inference-nvidia'), inventory: probed, ...CASES[2], node: undefined });
      assert.deepEqual(problems.map((p) => `${p.code} ${p.message} ${p.where}`), expected.diagnostics.map((d) => `${d.code} ${d.message} [${d.line}:${d.column}]`));
    } else {
      t.diagnostic(`native comparison skipped: ${missingNative()}`);
    }
    // The pasted node travels in the share link.
    const again = await open(browser.context, page.url());
    assert.equal(await again.inputValue('#node'), 'custom');
    assert.match(await again.textContent('#node-card'), /gpu-7/);
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.close();
    await again.close();
  });

  test('works offline once loaded', async () => {
    const own = await launch();
    try {
      const page = await open(own.context, server.url);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) await new Promise((done) => navigator.serviceWorker.addEventListener('controllerchange', done, { once: true }));
      });
      await own.context.setOffline(true);
      await page.reload();
      await page.waitForFunction(() => document.querySelector('#compiler-version')?.textContent.startsWith('compiler '));
      await idle(page);
      assert.match(await page.textContent('#status'), /compiled in/);
      await pick(page, { example: 'broken' });
      assert.match(await page.textContent('#status'), /errors/);
      assert.deepEqual(page.errors, []);
    } finally {
      await own.close();
    }
  });

  test('screenshots of the page', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const page = await open(browser.context, server.url);
    await pick(page, { example: 'gpu-inference-nvidia' });
    await page.screenshot({ path: join(OUTPUT, 'page.png') });
    await pick(page, { example: 'broken' });
    await page.screenshot({ path: join(OUTPUT, 'page-problems.png') });
    await pick(page, { example: 'web-service', service: 'web' });
    await page.fill('#env', 'LOG_LEVEL=debug');
    await page.fill('#gpu-indices', '1,x');
    await page.click('#identity summary');
    await page.fill('#passwd', `root:x:0:0:root:/root:/bin/sh\n${PASSWD}`);
    await page.fill('#group', `root:x:0:\n${GROUP}`);
    await idle(page);
    await page.evaluate(() => document.querySelector('.sidebar').scrollTo(0, 1e6));
    await page.screenshot({ path: join(OUTPUT, 'page-identity.png') });
    await page.evaluate(() => document.querySelector('.sidebar').scrollTo(0, 0));
    await page.screenshot({ path: join(OUTPUT, 'page-options.png') });
    await page.close();
  });
});
