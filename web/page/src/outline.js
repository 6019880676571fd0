// Reads just enough of a spec, in the browser, to fill the service and replica menus and to
// list the `$S:` secrets, `$E:` host variables and volumes that a preview fills with placeholders.
// The compiler stays the judge of the spec: a spec this cannot read simply has no outline.
import { parse } from 'yaml';

/**
 * The services of a spec text (YAML or JSON), in document order:
 * `[{ name, replicas, secrets, hostEnv, volumes }]`, or null when the text does not parse.
 */
export function outline(text) {
  let doc;
  try {
    doc = parse(text, { uniqueKeys: false, prettyErrors: false });
  } catch {
    return null;
  }
  const services = isMap(doc) && isMap(doc.services) ? doc.services : null;
  if (!services) return null;
  return Object.entries(services).map(([name, service]) => describe(name, isMap(service) ? service : {}));
}

function describe(name, service) {
  const secrets = [];
  const hostEnv = [];
  for (const value of Object.values(isMap(service.env) ? service.env : {})) {
    if (typeof value !== 'string') continue;
    if (value.startsWith('$S:')) secrets.push(value.slice(3));
    else if (value.startsWith('$E:')) hostEnv.push(value.slice(3));
  }
  // The key a volume's host path is given under: named by name, anonymous by target, S3 by bucket.
  const volumes = [];
  for (const item of Array.isArray(service.storage) ? service.storage : []) {
    if (!isMap(item)) continue;
    const key = { named: item.name, anonymous: item.target, s3: item.bucket }[item.type];
    if (typeof key === 'string' && key) volumes.push(key);
  }
  return { name, replicas: replicas(service.scale), secrets: unique(secrets), hostEnv: unique(hostEnv), volumes: unique(volumes) };
}

/** How many replicas the replica menu offers: a fixed scale's count, an adaptive scale's max, else 1. */
function replicas(scale) {
  if (!isMap(scale)) return 1;
  const mode = scale.mode ?? 'fixed';
  const count = mode === 'fixed' ? (scale.replicas ?? 1) : scale.max;
  return Number.isInteger(count) && count >= 1 ? Math.min(count, 64) : 1;
}

/**
 * The options object for a preview: the user's settings (`env` as [key, value] pairs in order,
 * `gpuIndices`, the identity file texts), plus placeholder values for every
 * secret, host variable and volume of the service so that it compiles without the real ones.
 */
export function previewOptions(service, settings) {
  const options = {};
  if (settings.hostNetwork) options.hostNetwork = true;
  if (settings.hostname) options.hostname = settings.hostname;
  if (settings.env?.length) options.env = Object.fromEntries(settings.env);
  if (settings.gpuIndices?.length) options.gpuIndices = settings.gpuIndices;
  if (settings.passwd) options.passwd = settings.passwd;
  if (settings.group) options.group = settings.group;
  if (settings.placeholders && service) {
    const fill = (names, make) => (names.length ? Object.fromEntries(names.map((name) => [name, make(name)])) : undefined);
    const secrets = fill(service.secrets, (ref) => `<secret:${ref}>`);
    const hostEnv = fill(service.hostEnv, (name) => `<host-env:${name}>`);
    const volumes = fill(service.volumes, (key) => `/<volume:${key}>`);
    if (secrets) options.secrets = secrets;
    if (hostEnv) options.hostEnv = hostEnv;
    if (volumes) options.volumes = volumes;
  }
  return options;
}

function isMap(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unique(list) {
  return [...new Set(list)];
}
