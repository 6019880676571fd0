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
  /** 1-based column in the spec text (in characters), or null when the fault is not in the spec. */
  column: number | null;
  /** The line where the faulty text ends, or null when the fault is not in the spec. */
  endLine: number | null;
  /** The column just past the faulty text (exclusive, as LSP ranges: `100m` at column 26 ends at 30), or null. */
  endColumn: number | null;
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

/** A range in the spec text: 1-based lines and columns (in characters), the end exclusive. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A `$S:` secret reference or a `$E:` host variable named in a service's env, at its value. */
export interface Reference {
  /** The secret reference (`db/password`) or the host variable name (`HOME`), without the prefix. */
  name: string;
  span: Span;
}

/** A volume whose host path `options.volumes` gives. */
export interface Volume {
  kind: "named" | "anonymous" | "s3";
  /** Its key in `options.volumes`: the name (named), the target (anonymous) or the bucket (s3). */
  key: string;
  /** The storage entry. */
  span: Span;
}

/** A service as the spec declares it. */
export interface ServiceOutline {
  name: string;
  /** The service's key. */
  span: Span;
  /** A fixed scale's replicas; null for an adaptive scale. */
  replicas: number | null;
  /** An adaptive scale's max, when given; else null. */
  maxReplicas: number | null;
  /** The `$S:` references in its env, each once, in document order. */
  secrets: Reference[];
  /** The `$E:` host variables in its env, each once, in document order. */
  hostEnv: Reference[];
  /** Its volumes with a valid key, each key once, in document order. */
  volumes: Volume[];
  /** The profile `security_opt: [seccomp=PATH]` names, whose text `options.seccompProfiles[PATH]`
   * gives; absent when the service names none. */
  seccompProfile?: Reference;
}

/** What a spec declares, read without compiling it. */
export interface Outline {
  /** The `deployment:` value when it is a valid deployment name, else null. */
  deployment: string | null;
  /** The services, in document order. */
  services: ServiceOutline[];
}

/** What `outline` returns. It never throws for bad input. */
export type OutlineResult =
  | { ok: true; outline: Outline; diagnostics: Diagnostic[] }
  | { ok: false; outline: null; diagnostics: Diagnostic[] };

/**
 * Reads what a spec declares without compiling it: its services, their replica counts, `$S:` and
 * `$E:` references and volume keys, each with its range. Fails (`ok: false`) only when the text is
 * not a readable YAML or JSON mapping; the compile judges everything else.
 */
export function outline(spec: string): OutlineResult;

/** The version of the compiler in this module. */
export function version(): string;

/** A published JSON Schema by name (`"spec"`, `"inventory"`, `"options"`), or null for an unknown name. */
export function schema(name: string): string | null;
