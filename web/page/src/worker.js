// The compile worker: loads the bundlec wasm module once, then answers each request with the
// spec's outline (the core's `outline()`, for the menus) and the compiler's result, so that
// typing never waits on it.
import init, { compile, outline, version } from '../../pkg/bundlec_web.js';
import { menuServices, previewOptions } from './outline.js';

const ready = init({ module_or_path: new URL('./bundlec_web_bg.wasm', import.meta.url) }).then(
  () => postMessage({ type: 'ready', version: version() }),
  (error) => postMessage({ type: 'failed', message: String(error) }),
);

// A message is `{ id, spec, service, replica, inventory, imageConfig, settings }`; see main.js.
self.onmessage = async ({ data }) => {
  await ready;
  const services = menuServices(outline(data.spec));
  const service = pickService(services, data.service);
  const options = previewOptions(services?.find((s) => s.name === service), data.settings);
  const request = {
    spec: data.spec,
    service: service ?? null,
    replica: data.replica,
    inventory: data.inventory,
    imageConfig: data.imageConfig.trim() ? data.imageConfig : null,
    options,
  };
  const started = performance.now();
  const result = compile(request);
  const ms = performance.now() - started;
  postMessage({ type: 'result', id: data.id, services, service, options, result, ms });
};

/** The service to compile: the chosen one while the spec has it, else the first of several. */
function pickService(services, chosen) {
  if (!services) return chosen || null;
  if (services.some((s) => s.name === chosen)) return chosen;
  return services.length > 0 ? services[0].name : null;
}
