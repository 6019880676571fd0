// The share link: the page state as JSON, deflated (CompressionStream 'deflate-raw') and
// base64url-encoded into the URL hash as `#s=...`. Keys holding their default are left out,
// and unknown or missing keys fall back to defaults, so links stay readable as the page grows.

/** The state a fresh page starts with. */
export const DEFAULTS = Object.freeze({
  example: null, // the bundled example the spec came from; null means the first one
  spec: null, // the spec text, when it differs from the example's
  node: null, // a sample inventory id, or 'custom'; null means the example's own node
  inventory: null, // the pasted inventory text when node is 'custom'
  service: '', // '' lets the page pick the first service
  replica: 1,
  imageConfig: '',
  hostNetwork: false,
  policy: 'privileged', // the Pod Security Standards level: privileged, baseline or restricted
  policyMode: 'enforce', // enforce or warn
  hostname: '',
  placeholders: true,
  env: '', // extra env, KEY=VALUE per line, as typed
  gpus: '', // GPU inventory indices, comma-separated, as typed
  passwd: '', // the rootfs /etc/passwd text
  group: '', // the rootfs /etc/group text
});

// Short keys keep links short; never reuse a letter for another meaning.
const KEYS = { example: 'e', spec: 's', node: 'n', inventory: 'i', service: 'v', replica: 'r', imageConfig: 'c', hostNetwork: 'h', hostname: 'H', placeholders: 'p',
  env: 'x', gpus: 'g', passwd: 'u', group: 'G', policy: 'P', policyMode: 'M' };

/** The hash (`#s=...`) for a state. */
export async function encodeState(state) {
  const short = {};
  for (const [name, key] of Object.entries(KEYS)) {
    if (state[name] !== DEFAULTS[name] && state[name] !== undefined) short[key] = state[name];
  }
  const bytes = new TextEncoder().encode(JSON.stringify(short));
  const packed = await pipe(bytes, new CompressionStream('deflate-raw'));
  return `#s=${toBase64Url(packed)}`;
}

/** The state a hash holds, or null when it holds none or cannot be read. */
export async function decodeState(hash) {
  const match = /^#s=([A-Za-z0-9_-]+)$/.exec(hash || '');
  if (!match) return null;
  try {
    const bytes = await pipe(fromBase64Url(match[1]), new DecompressionStream('deflate-raw'));
    const short = JSON.parse(new TextDecoder().decode(bytes));
    const state = { ...DEFAULTS };
    for (const [name, key] of Object.entries(KEYS)) {
      const value = short[key];
      const expected = DEFAULTS[name] === null ? 'string' : typeof DEFAULTS[name];
      if (typeof value === expected) state[name] = value;
    }
    return state;
  } catch {
    return null;
  }
}

async function pipe(bytes, transform) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
