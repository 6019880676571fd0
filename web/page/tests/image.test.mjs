// The image drop zone's reader (image.js), in Node: OCI archives written here, tar headers and
// all, read for their config the way the command resolves them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { imageConfigOf, platformForArch } from '../src/image.js';

/** One ustar header and its data, padded to 512-byte blocks. */
function tarEntry(name, data) {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  return Buffer.concat([header, padded]);
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** An archive: each blob is JSON; `index` gets the descriptors of the named blobs. */
function archive(blobs, index, { tamper } = {}) {
  const parts = [];
  const descriptors = {};
  for (const [key, value] of Object.entries(blobs)) {
    const bytes = Buffer.from(JSON.stringify(typeof value === 'function' ? value(descriptors) : value));
    const hex = createHash('sha256').update(bytes).digest('hex');
    descriptors[key] = { digest: `sha256:${hex}`, size: bytes.length };
    if (tamper === key) bytes[bytes.length - 2] ^= 1;
    parts.push(tarEntry(`./blobs/sha256/${hex}`, bytes));
  }
  parts.unshift(tarEntry('index.json', Buffer.from(JSON.stringify(index(descriptors)))));
  parts.push(Buffer.alloc(1024));
  return new File([Buffer.concat(parts)], 'image.tar');
}

function image(arch, cmd) {
  return {
    [`config-${arch}`]: { architecture: arch, os: 'linux', config: { Cmd: [cmd] } },
    [`manifest-${arch}`]: (d) => ({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...d[`config-${arch}`] },
      layers: [],
    }),
  };
}

test('uname names map to OCI platforms as in the core', () => {
  assert.deepEqual(platformForArch('x86_64'), { os: 'linux', architecture: 'amd64', variant: null });
  assert.deepEqual(platformForArch('aarch64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(platformForArch('armv7l'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.equal(platformForArch('vax'), null);
});

test('a single-image archive gives its config', async () => {
  const file = archive(image('amd64', 'serve'), (d) => ({
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, ...d['manifest-amd64'], annotations: { 'org.opencontainers.image.ref.name': '1.0' } }],
  }));
  const { text, note } = await imageConfigOf(file, 'x86_64');
  assert.deepEqual(JSON.parse(text).config.Cmd, ['serve']);
  assert.equal(note, 'image.tar:1.0 for linux/amd64, 0 layers');
  await assert.rejects(imageConfigOf(file, 'aarch64'), /the image is built for linux\/amd64, and the node is linux\/arm64\/v8/);
});

test("a multi-arch index gives the node's platform", async () => {
  const blobs = {
    ...image('amd64', 'on-amd64'),
    ...image('arm64', 'on-arm64'),
    nested: (d) => ({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: OCI_MANIFEST, ...d['manifest-arm64'], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: OCI_MANIFEST, ...d['manifest-amd64'], platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }),
  };
  const index = (d) => ({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...d.nested }] });
  const cmd = async (arch) => JSON.parse((await imageConfigOf(archive(blobs, index), arch)).text).config.Cmd[0];
  assert.equal(await cmd('x86_64'), 'on-amd64');
  assert.equal(await cmd('aarch64'), 'on-arm64');
  await assert.rejects(cmd('riscv64'), /no manifest for the node's platform linux\/riscv64; it has linux\/arm64\/v8, linux\/amd64/);
  await assert.rejects(imageConfigOf(archive(blobs, index, { tamper: 'config-amd64' }), 'x86_64'), /does not match its digest/);
});

test('a gzip-compressed archive and a tar without index.json are refused', async () => {
  await assert.rejects(imageConfigOf(new File([Buffer.from([0x1f, 0x8b, 8, 0])], 'x.tar.gz'), 'x86_64'), /gzip-compressed/);
  const plain = new File([Buffer.concat([tarEntry('hello', Buffer.from('hi')), Buffer.alloc(1024)])], 'plain.tar');
  await assert.rejects(imageConfigOf(plain, 'x86_64'), /no index.json/);
});
