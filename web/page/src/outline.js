// What the page needs from a spec's outline, the core's reading of what a spec declares (the
// module's `outline()`, called in worker.js): the service and replica menus, and the `$S:`
// secrets, `$E:` host variables and volumes that a preview fills with placeholders. The page
// never reads the spec itself; the replica menu's cap and the placeholders are page policy.

/** The most replicas the replica menu offers. */
const MAX_REPLICAS = 64;

/**
 * The services of an `outline()` result, in document order: `[{ name, replicas, secrets, hostEnv,
 * volumes }]` with plain names and keys, or null when the spec is not a readable mapping.
 */
export function menuServices(result) {
  if (!result.ok) return null;
  return result.outline.services.map((service) => ({
    name: service.name,
    replicas: replicaCount(service),
    secrets: service.secrets.map((reference) => reference.name),
    hostEnv: service.hostEnv.map((reference) => reference.name),
    volumes: service.volumes.map((volume) => volume.key),
  }));
}

/** How many replicas the replica menu offers: a fixed scale's count, an adaptive scale's max, else 1. */
function replicaCount(service) {
  const count = service.replicas ?? service.maxReplicas ?? 1;
  return count >= 1 ? Math.min(count, MAX_REPLICAS) : 1;
}

/**
 * The options object for a preview: the user's settings (`env` as [key, value] pairs in order,
 * `gpuIndices`, the identity file texts), plus placeholder values for every
 * secret, host variable and volume of the service so that it compiles without the real ones.
 */
export function previewOptions(service, settings) {
  const options = {};
  if (settings.hostNetwork) options.hostNetwork = true;
  // Sent only when not the default, so an options object stays what the user changed.
  if (settings.policy && settings.policy !== 'privileged') options.policy = settings.policy;
  if (settings.policyMode === 'warn') options.policyMode = 'warn';
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
