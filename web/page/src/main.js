// The spec preview page: keeps the page state (spec, node, service, replica, options), sends it
// to the compile worker after each pause in typing, and shows the config, the problems and the
// share link. The compiler itself runs in worker.js, fed by scheduler.js; this file only wires
// the page together.
import { EXAMPLES, NODES } from './catalog.js';
import { DEFAULTS, encodeState, decodeState } from './share.js';
import { specEditor, jsonEditor, outputViewer, setText, specRange, markDiagnostics } from './editor.js';
import { compileScheduler } from './scheduler.js';
import { imageDropZone } from './image.js';

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 150;

// The page state; `spec` is the editor's text (the share link leaves it out while it is the example's).
const state = { ...DEFAULTS, example: EXAMPLES[0].id, node: EXAMPLES[0].node, spec: EXAMPLES[0].text };

// ---- The compile worker, driven by the scheduler (scheduler.js). ----

const scheduler = compileScheduler(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), {
  delayMs: DEBOUNCE_MS,
  request: compileRequest,
  onPending: () => setStatus('pending', 'compiling…'),
  onResult: show,
  onReady: (version) => {
    $('compiler-version').textContent = `compiler ${version}`;
  },
  onFailed: (message) => {
    setStatus('error', 'the compiler did not load');
    $('compiler-version').textContent = message;
  },
});
const scheduleCompile = scheduler.schedule;
const compileNow = scheduler.now;

// The last config that compiled: kept on screen, marked stale, while the input has errors.
let lastConfig = null;

const specView = specEditor($('spec-editor'), state.spec, (text) => {
  state.spec = text;
  markEdited();
  scheduleCompile();
});
const imageView = jsonEditor($('image-config'), '', '{ "Entrypoint": ["/app"], "Env": ["A=1"], "User": "1000" }', (text) => {
  state.imageConfig = text;
  scheduleCompile();
});
const outputView = outputViewer($('output'));
// An OCI archive dropped here gives the image config for the chosen node's architecture.
imageDropZone($('image-drop'), $('image-file'), $('image-status'), {
  arch: () => {
    try {
      return JSON.parse(inventoryText()).host?.arch;
    } catch {
      return undefined;
    }
  },
  onConfig: (text) => {
    setText(imageView, text);
    state.imageConfig = text;
    scheduleCompile();
  },
});

// For tests and the browser console: the three editors.
window.bundlecPreview = { specView, imageView, outputView, state };

/** The worker's message for the current state (worker.js reads it). */
function compileRequest() {
  return {
    spec: state.spec,
    service: state.service,
    replica: state.replica,
    inventory: inventoryText(),
    imageConfig: state.imageConfig,
    settings: {
      hostNetwork: state.hostNetwork,
      policy: state.policy,
      policyMode: state.policyMode,
      hostname: state.hostname,
      placeholders: state.placeholders,
      env: parseEnv(state.env).pairs,
      gpuIndices: parseGpus(state.gpus).indices,
      passwd: state.passwd.trim() ? state.passwd : '',
      group: state.group.trim() ? state.group : '',
    },
  };
}

/** Extra env text, KEY=VALUE per line: `{ pairs, bad }`, the pairs in order; blank lines are skipped. */
function parseEnv(text) {
  const pairs = [];
  const bad = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? '' : line.slice(0, eq).trim();
    if (key) pairs.push([key, line.slice(eq + 1)]);
    else bad.push(index + 1);
  }
  return { pairs, bad };
}

/** GPU indices text, e.g. "2,3": `{ indices }`, or `{ indices: null, error }` when it is not a list of whole numbers. */
function parseGpus(text) {
  if (!text.trim()) return { indices: null };
  const parts = text.split(',').map((part) => part.trim());
  const wrong = parts.find((part) => !/^\d{1,6}$/.test(part));
  if (wrong !== undefined) {
    const what = wrong ? `"${wrong}" is` : 'an empty entry is';
    return { indices: null, error: `Not used: ${what} not a GPU index (write e.g. 2,3).` };
  }
  return { indices: parts.map(Number) };
}

/** The inline messages under the extra env and GPU fields. */
function showOptionErrors() {
  const { bad } = parseEnv(state.env);
  const envError = bad.length ? `Line${bad.length > 1 ? 's' : ''} ${bad.join(', ')} not used: write KEY=VALUE.` : '';
  const gpuError = parseGpus(state.gpus).error ?? '';
  for (const [field, message, text] of [['env', 'env-error', envError], ['gpu-indices', 'gpu-error', gpuError]]) {
    $(message).textContent = text;
    $(message).hidden = !text;
    $(field).classList.toggle('invalid', Boolean(text));
    $(field).setAttribute('aria-invalid', String(Boolean(text)));
  }
}

// ---- Showing a result. ----

function show({ services, service, options, result, ms }) {
  fillServices(services, service);
  if (services?.length) $('spec-kind').textContent = services[0].compose ? 'Compose file' : 'ZLayer deployment spec, v1';
  fillPlaceholders(options);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.length - errors.length;
  if (result.ok) {
    lastConfig = result.config;
    setText(outputView, result.config);
    const note = warnings ? ` · ${warnings} warning${warnings > 1 ? 's' : ''}` : '';
    setStatus(warnings ? 'warning' : 'ok', `compiled in ${ms < 1 ? '<1' : Math.round(ms)} ms${note}`);
  } else {
    setStatus('error', `${errors.length} error${errors.length === 1 ? '' : 's'}`);
  }
  // A failed compile never leaves the old config looking current: it is dimmed and labelled.
  const stale = !result.ok && lastConfig !== null;
  $('output').classList.toggle('stale', stale);
  $('output').classList.toggle('empty', !result.ok && lastConfig === null);
  $('stale-banner').hidden = !stale;
  $('copy').disabled = !result.ok;
  $('download').disabled = !result.ok;
  showProblems(result.diagnostics);
  markDiagnostics(specView, result.diagnostics);
  saveToUrl();
}

function setStatus(kind, text) {
  const status = $('status');
  status.className = `status ${kind}`;
  status.textContent = text;
}

function showProblems(diagnostics) {
  const list = $('problems');
  list.replaceChildren();
  $('problem-count').textContent = String(diagnostics.length);
  $('problem-count').classList.toggle('has-errors', diagnostics.some((d) => d.severity === 'error'));
  if (diagnostics.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'problems-empty';
    empty.textContent = `No problems: the spec compiles on ${nodeName()}.`;
    list.append(empty);
    return;
  }
  for (const [index, d] of diagnostics.entries()) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `problem ${d.severity}`;
    button.dataset.index = String(index);
    const where = d.line !== null ? `${d.line}:${d.column ?? 1}` : d.path || 'request';
    const details = span('details', '');
    details.append(span('code', d.code));
    if (d.hint) details.append(span('hint', d.hint));
    button.append(span('severity', d.severity), span('message', d.message), span('where', `[${where}]`), details);
    button.addEventListener('click', () => goTo(d));
    item.append(button);
    list.append(item);
  }
}

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

/** Puts the cursor where a problem is: in the spec, or on the control the problem is about. */
function goTo(d) {
  if (d.line !== null) {
    const { from } = specRange(specView.state.doc, d.line, d.column ?? 1);
    specView.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    specView.focus();
    return;
  }
  const root = d.path.split(/[.[]/)[0];
  const control = {
    inventory: $('node'), service: $('service'), replica: $('replica'), imageConfig: imageView.contentDOM,
  }[root] ?? optionControl(d.path);
  if (control === $('passwd') || control === $('group')) $('identity').open = true;
  control?.focus();
}

/** The control of an `options.*` diagnostic path, or null. */
function optionControl(path) {
  const name = /^options\.(\w+)/.exec(path)?.[1];
  return { hostname: $('hostname'), env: $('env'), gpuIndices: $('gpu-indices'), passwd: $('passwd'), group: $('group') }[name] ?? null;
}

// ---- The menus and settings. ----

function fillServices(services, chosen) {
  if (!services) return; // The spec does not parse right now: keep the menus as they were.
  const select = $('service');
  const names = services.map((s) => s.name);
  if (select.dataset.names !== names.join('\n')) {
    select.replaceChildren(...names.map((name) => new Option(name, name)));
    select.dataset.names = names.join('\n');
  }
  select.value = chosen ?? '';
  select.disabled = names.length < 2;
  const count = services.find((s) => s.name === chosen)?.replicas ?? 1;
  const replica = $('replica');
  const top = Math.max(count, state.replica);
  if (replica.dataset.shape !== `${top}/${count}`) {
    replica.replaceChildren(...Array.from({ length: top }, (_, i) => new Option(`${i + 1} of ${count}`, String(i + 1))));
    replica.dataset.shape = `${top}/${count}`;
  }
  replica.value = String(state.replica);
  replica.disabled = top < 2;
}

function fillPlaceholders(options) {
  const list = $('placeholder-list');
  const rows = [
    ...Object.entries(options.secrets ?? {}).map(([k, v]) => ['$S:' + k, v]),
    ...Object.entries(options.hostEnv ?? {}).map(([k, v]) => ['$E:' + k, v]),
    ...Object.entries(options.volumes ?? {}).map(([k, v]) => [`volume ${k}`, v]),
  ];
  list.replaceChildren(...rows.map(([from, to]) => {
    const item = document.createElement('li');
    item.title = `${from} is compiled as ${to}`;
    item.append(span('ref', from), span('arrow', '→'), span('value', to));
    return item;
  }));
}

function inventoryText() {
  if (state.node === 'custom') return state.inventory ?? '';
  return (NODES.find((n) => n.id === state.node) ?? NODES[0]).text;
}

function nodeName(text = inventoryText()) {
  try {
    return JSON.parse(text).host?.hostname || 'this node';
  } catch {
    return 'this node';
  }
}

function fillNodes() {
  const select = $('node');
  const options = NODES.map((n) => new Option(n.title, n.id));
  if (state.inventory) options.push(new Option(`Your node: ${nodeName(state.inventory)}`, 'custom'));
  select.replaceChildren(...options);
  select.value = state.node;
  showNodeCard();
}

/** A few facts about the chosen node: host, kernel, GPUs. */
function showNodeCard() {
  const card = $('node-card');
  let inventory;
  try {
    inventory = JSON.parse(inventoryText());
  } catch {
    card.textContent = 'This inventory is not valid JSON.';
    return;
  }
  const host = inventory.host ?? {};
  const gpus = new Map();
  for (const gpu of inventory.gpus ?? []) {
    const name = gpu.model || `${gpu.vendor} GPU`;
    gpus.set(name, (gpus.get(name) ?? 0) + 1);
  }
  const gpuText = gpus.size ? [...gpus].map(([name, n]) => `${n} × ${name}`).join(', ') : 'no GPUs';
  // The node's CDI specs (DESIGN §11): a `gpu:` request of that kind binds what they list.
  const cdi = (inventory.cdi ?? []).map((entry) => {
    const spec = entry.spec ?? {};
    const mounts = (spec.containerEdits?.mounts ?? []).length;
    return `${spec.kind} (${mounts} mounts${entry.generated ? ', generated' : ''})`;
  });
  card.replaceChildren(
    span('host', host.hostname || 'unnamed host'),
    span('facts', [host.arch, host.kernel && `kernel ${host.kernel}`, host.cgroup && `cgroup ${host.cgroup}`].filter(Boolean).join(' · ')),
    span('facts', `${gpuText} · ${(inventory.devices ?? []).length} device nodes`),
    ...(cdi.length ? [span('facts', `CDI: ${cdi.join(', ')}`)] : []),
  );
}

function fillExamples() {
  const select = $('example');
  const options = EXAMPLES.map((e) => new Option(e.title, e.id));
  options.push(new Option('Your own spec (edited)', 'custom'));
  options.at(-1).disabled = true;
  select.replaceChildren(...options);
  markEdited();
}

/** The example menu reads "edited" once the spec differs from the example. */
function markEdited() {
  const example = EXAMPLES.find((e) => e.id === state.example);
  $('example').value = example && example.text === state.spec ? example.id : 'custom';
}

$('example').addEventListener('change', (event) => {
  const example = EXAMPLES.find((e) => e.id === event.target.value);
  if (!example) return;
  Object.assign(state, { example: example.id, node: example.node, service: '', replica: 1 });
  fillNodes();
  setText(specView, example.text);
  specView.dispatch({ selection: { anchor: 0 }, scrollIntoView: true });
  compileNow();
});

$('node').addEventListener('change', (event) => {
  state.node = event.target.value;
  showNodeCard();
  compileNow();
});

$('service').addEventListener('change', (event) => {
  state.service = event.target.value;
  state.replica = 1;
  compileNow();
});

$('replica').addEventListener('change', (event) => {
  state.replica = Number(event.target.value);
  compileNow();
});

$('host-network').addEventListener('change', (event) => {
  state.hostNetwork = event.target.checked;
  compileNow();
});

for (const [id, name] of [['policy', 'policy'], ['policy-mode', 'policyMode']]) {
  $(id).addEventListener('change', (event) => {
    state[name] = event.target.value;
    compileNow();
  });
}

$('hostname').addEventListener('input', (event) => {
  state.hostname = event.target.value.trim();
  scheduleCompile();
});

$('placeholders').addEventListener('change', (event) => {
  state.placeholders = event.target.checked;
  compileNow();
});

// The extra env, GPU indices and identity files: kept as typed, parsed when sent.
for (const [id, name] of [['env', 'env'], ['gpu-indices', 'gpus'], ['passwd', 'passwd'], ['group', 'group']]) {
  $(id).addEventListener('input', (event) => {
    state[name] = event.target.value;
    showOptionErrors();
    scheduleCompile();
  });
}

// ---- Your own node: paste or upload `bundlec probe` output. ----

$('paste-inventory').addEventListener('click', () => {
  $('inventory-text').value = state.inventory ?? '';
  $('inventory-error').textContent = '';
  $('inventory-dialog').showModal();
  $('inventory-text').focus();
});

$('inventory-file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (file) $('inventory-text').value = await file.text();
  event.target.value = '';
});

$('inventory-use').addEventListener('click', (event) => {
  const text = $('inventory-text').value.trim();
  try {
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
  } catch (error) {
    event.preventDefault();
    $('inventory-error').textContent = `Not an inventory: ${error.message}`;
    return;
  }
  state.inventory = text;
  state.node = 'custom';
  fillNodes();
  compileNow();
});

// ---- Copy, download, share. ----

async function copyText(text, message) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (no permission, or not a secure context): the old way.
    const area = Object.assign(document.createElement('textarea'), { value: text });
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  toast(message);
}

function toast(message) {
  const element = $('toast');
  element.textContent = message;
  element.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (element.hidden = true), 2200);
}

$('copy').addEventListener('click', () => copyText(outputView.state.doc.toString(), 'config.json copied'));

$('download').addEventListener('click', () => {
  const url = URL.createObjectURL(new Blob([outputView.state.doc.toString()], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: 'config.json' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

$('share').addEventListener('click', async () => {
  await saveToUrl();
  copyText(location.href, 'Share link copied');
});

// ---- The URL hash holds the state, so a reload or a shared link restores it. ----

let saving = 0;
async function saveToUrl() {
  const mine = ++saving;
  const example = EXAMPLES.find((e) => e.id === state.example);
  const hash = await encodeState({ ...state, spec: example && example.text === state.spec ? null : state.spec });
  if (mine === saving && hash !== location.hash) history.replaceState(null, '', hash);
}

/** Applies a state read from a link; unknown examples and nodes fall back to the first ones. */
function applyState(loaded) {
  const example = EXAMPLES.find((e) => e.id === loaded.example) ?? EXAMPLES[0];
  Object.assign(state, loaded, { example: example.id, spec: loaded.spec ?? example.text });
  if (!NODES.some((n) => n.id === state.node) && !(state.node === 'custom' && state.inventory)) state.node = example.node;
  if (!Number.isInteger(state.replica) || state.replica < 1) state.replica = 1;
  if (![...$('policy').options].some((o) => o.value === state.policy)) state.policy = DEFAULTS.policy;
  if (![...$('policy-mode').options].some((o) => o.value === state.policyMode)) state.policyMode = DEFAULTS.policyMode;
  setText(specView, state.spec);
  setText(imageView, state.imageConfig);
  $('host-network').checked = state.hostNetwork;
  $('policy').value = state.policy;
  $('policy-mode').value = state.policyMode;
  $('hostname').value = state.hostname;
  $('placeholders').checked = state.placeholders;
  $('env').value = state.env;
  $('gpu-indices').value = state.gpus;
  $('passwd').value = state.passwd;
  $('group').value = state.group;
  // The identity pane opens when the link holds identity files, so they are not hidden.
  if (state.passwd || state.group) $('identity').open = true;
  showOptionErrors();
  fillNodes();
  markEdited();
  compileNow();
}

window.addEventListener('hashchange', async () => {
  const loaded = await decodeState(location.hash);
  if (loaded) applyState(loaded);
});

// ---- Start. ----

fillExamples();
fillNodes();
decodeState(location.hash).then((loaded) => {
  if (loaded) applyState(loaded);
  else compileNow();
});

// Offline: the service worker keeps the page's files once it has loaded.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register('sw.js').catch(() => {});
}
