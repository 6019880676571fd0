/** The request to `compile`. Only `spec` is required. */
export interface CompileRequest {
  /** The deployment spec text, YAML or JSON (JSON when it starts with `{`). */
  spec: string;
  /** The service to compile; may be left out when the deployment has one. */
  service?: string | null;
  /** The replica, counted from 1; default 1. */
  replica?: number | null;
  /** The host inventory (what `bundlec probe` prints): JSON text, or an object (passed through `JSON.stringify`). */
  inventory?: string | object | null;
  /** The OCI image config, or its `config` object: JSON text or an object. */
  imageConfig?: string | object | null;
  /** The compile options (`bundlec schema options`): JSON text or an object. */
  options?: string | object | null;
}

/** How bad a diagnostic is: errors stop the compile, warnings ride along with the config. */
export type Severity = "error" | "warning";

/** One finding of the compiler. Absent values are `null`, never `undefined`. */
export interface Diagnostic {
  severity: Severity;
  /** Stable and kebab-case: `unknown-field`, `bad-memory`, `device-not-in-inventory`, `bad-request`… */
  code: string;
  /** A sentence for people. */
  message: string;
  /** Where in the input, such as `services.api.storage[3].mode`; `""` for the whole request. */
  path: string;
  /** 1-based line in the spec text, or null when the fault is not in the spec. */
  line: number | null;
  /** 1-based column in the spec text, or null when the fault is not in the spec. */
  column: number | null;
  /** How to fix it, when the compiler knows. */
  hint: string | null;
}

/** What `compile` returns. It never throws for bad input. */
export type CompileResult =
  | { ok: true; config: string; diagnostics: Diagnostic[] }
  | { ok: false; config: null; diagnostics: Diagnostic[] };

/**
 * Compiles a spec into an OCI runtime-spec `config.json`.
 * On success `config` is the canonical JSON text and `diagnostics` holds the warnings;
 * on failure `config` is null and `diagnostics` holds every error found (and any warnings).
 */
export function compile(request: CompileRequest): CompileResult;

/** The version of the compiler in this module. */
export function version(): string;

/** A published JSON Schema by name (`"inventory"`, `"options"`), or null for an unknown name. */
export function schema(name: string): string | null;
