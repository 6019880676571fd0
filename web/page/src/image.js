// The image drop zone: reads an OCI archive (`skopeo copy ... oci-archive:FILE`) in the browser
// and hands its image config to the page as the image config text. Only the tar's headers,
// index.json, the manifest chain and the config are read (File.slice), never the layers, so a
// multi-gigabyte archive opens at once. The rules mirror the core's (core/src/image_layout):
// tags are the `org.opencontainers.image.ref.name` annotation, the manifest is the node's
// platform (Linux, `host.arch` in OCI's names), OCI and Docker v2 schema 2 media types, and every
// JSON blob's size and sha256/sha512 digest is checked before it is read. They are written here
// in JS rather than exported from the wasm module, to leave the web binding unchanged.

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_JSON_BYTES = 16 << 20;
const MAX_DEPTH = 8;

/** `uname -m` (the inventory's `host.arch`) as OCI's os/architecture/variant, as the core maps it. */
export function platformForArch(machine) {
  const table = {
    x86_64: ['amd64'], amd64: ['amd64'], i386: ['386'], i486: ['386'], i586: ['386'], i686: ['386'],
    aarch64: ['arm64', 'v8'], arm64: ['arm64', 'v8'], armv7l: ['arm', 'v7'], armv8l: ['arm', 'v7'],
    armv6l: ['arm', 'v6'], armv5tel: ['arm', 'v5'], ppc64le: ['ppc64le'], ppc64: ['ppc64'],
    s390x: ['s390x'], riscv64: ['riscv64'], mips64: ['mips64'], mips64el: ['mips64le'],
    loongarch64: ['loong64'],
  };
  const found = table[machine];
  return found ? { os: 'linux', architecture: found[0], variant: found[1] ?? null } : null;
}

const show = (p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/** How well an offered platform runs on the node: null when it does not (the core's scores). */
function score(offered, node) {
  if (!offered || offered.os !== node.os || offered.architecture !== node.architecture) return null;
  if (!offered.variant) return 100;
  if (offered.variant === node.variant) return 200;
  const version = (v) => (/^v\d+$/.test(v ?? '') ? Number(v.slice(1)) : null);
  if (node.architecture === 'arm' && version(offered.variant) !== null && version(offered.variant) < version(node.variant)) {
    return version(offered.variant);
  }
  return null;
}

/** The entries of a tar, name → {offset, size}, read header by header (ustar, GNU and PAX names). */
async function tarEntries(file) {
  const entries = new Map();
  let offset = 0;
  let longName = null;
  while (offset + 512 <= file.size) {
    const header = new Uint8Array(await file.slice(offset, offset + 512).arrayBuffer());
    if (header.every((b) => b === 0)) break;
    const field = (start, length) => new TextDecoder().decode(header.subarray(start, start + length)).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (!Number.isFinite(size)) throw new Error('this is not a tar archive (a header has no size)');
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(257, 6).startsWith('ustar') ? field(345, 155) : '';
    const data = offset + 512;
    if (type === 'L' || type === 'x') {
      const text = new TextDecoder().decode(await file.slice(data, data + size).arrayBuffer());
      longName = type === 'L' ? text.replace(/\0.*$/s, '') : (/(?:^|\n)\d+ path=([^\n]*)\n/.exec(text)?.[1] ?? null);
    } else {
      const name = (longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))).replace(/^\.\//, '');
      if (type === '0' || type === '\0') entries.set(name, { offset: data, size });
      longName = null;
    }
    offset = data + Math.ceil(size / 512) * 512;
  }
  if (!entries.has('index.json')) throw new Error('this is not an OCI archive: it has no index.json');
  return entries;
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** A JSON blob's text, its size and digest checked first. */
async function readBlob(file, entries, descriptor) {
  const match = /^(sha256|sha512):([0-9a-f]+)$/.exec(descriptor.digest ?? '');
  if (!match || match[2].length !== (match[1] === 'sha256' ? 64 : 128)) throw new Error(`\`${descriptor.digest}\` is not a digest`);
  const name = `blobs/${match[1]}/${match[2]}`;
  const entry = entries.get(name);
  if (!entry) throw new Error(`the image has no blob \`${name}\``);
  if (entry.size !== descriptor.size) throw new Error(`blob \`${name}\` is ${entry.size} bytes, and its descriptor says ${descriptor.size}`);
  if (entry.size > MAX_JSON_BYTES) throw new Error(`blob \`${name}\` is too large for JSON`);
  const bytes = await file.slice(entry.offset, entry.offset + entry.size).arrayBuffer();
  const actual = hex(await crypto.subtle.digest(match[1] === 'sha256' ? 'SHA-256' : 'SHA-512', bytes));
  if (actual !== match[2]) throw new Error(`blob \`${name}\` does not match its digest`);
  return JSON.parse(new TextDecoder().decode(bytes));
}

function choose(candidates, node) {
  if (candidates.length === 1 && !candidates[0].platform) return candidates[0];
  let best = null;
  for (const candidate of candidates) {
    const s = score(candidate.platform, node);
    if (s !== null && (!best || s > best.s)) best = { s, candidate };
  }
  if (best) return best.candidate;
  if (candidates.every((c) => !c.platform)) {
    const names = candidates.map((c) => `\`${c.annotations?.[REF_NAME] ?? c.digest}\``).join(', ');
    throw new Error(`the archive has ${candidates.length} images and none was chosen: ${names}; keep one (skopeo copy ... oci-archive:FILE:TAG)`);
  }
  throw new Error(`the image has no manifest for the node's platform ${show(node)}; it has ${candidates.map((c) => (c.platform ? show(c.platform) : 'no platform')).join(', ')}`);
}

/** The image config text of an OCI archive for the node whose `uname -m` is `machine`. */
export async function imageConfigOf(file, machine) {
  const node = platformForArch(machine || 'x86_64');
  if (!node) throw new Error(`the node's architecture \`${machine}\` has no OCI name`);
  const magic = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (magic[0] === 0x1f && magic[1] === 0x8b) throw new Error('the archive is gzip-compressed; give the uncompressed .tar');
  const entries = await tarEntries(file);
  const index = JSON.parse(await file.slice(entries.get('index.json').offset, entries.get('index.json').offset + entries.get('index.json').size).text());
  let chosen = choose(index.manifests ?? [], node);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (INDEX_TYPES.includes(chosen.mediaType)) {
      chosen = choose((await readBlob(file, entries, chosen)).manifests ?? [], node);
    } else if (MANIFEST_TYPES.includes(chosen.mediaType)) {
      const manifest = await readBlob(file, entries, chosen);
      const config = await readBlob(file, entries, manifest.config ?? {});
      const offered = config.os && config.architecture ? { os: config.os, architecture: config.architecture, variant: config.variant } : null;
      if (offered && score(offered, node) === null) throw new Error(`the image is built for ${show(offered)}, and the node is ${show(node)}`);
      const tag = chosen.annotations?.[REF_NAME];
      return { text: JSON.stringify(config, null, 2), note: `${file.name}${tag ? `:${tag}` : ''} for ${show(node)}, ${(manifest.layers ?? []).length} layers` };
    } else {
      throw new Error(`media type \`${chosen.mediaType}\` is not an image index or manifest`);
    }
  }
  throw new Error(`the image indexes nest more than ${MAX_DEPTH} deep`);
}

/** Wires a drop zone (and its file input) to `onConfig(text, note)`; `arch()` gives `host.arch`. */
export function imageDropZone(zone, input, status, { arch, onConfig }) {
  const open = async (file) => {
    if (!file) return;
    status.textContent = `reading ${file.name}…`;
    status.classList.remove('error-text');
    try {
      const { text, note } = await imageConfigOf(file, arch());
      status.textContent = note;
      onConfig(text);
    } catch (error) {
      status.textContent = error.message;
      status.classList.add('error-text');
    }
  };
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('drag');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('drag'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('drag');
    open(event.dataTransfer?.files?.[0]);
  });
  input.addEventListener('change', () => open(input.files?.[0]));
}
