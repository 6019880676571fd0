//! Compose files (DESIGN §12): each Compose key that means what a ZLayer key means compiles to
//! the same config bytes; the corpus of realistic files in tests/compose compiles every service
//! as its expected.json says (a config that passes the OCI schema, or located diagnostics); the
//! outline reads Compose files too.

use bundlec_core::{compile_raw, outline, Format, RawRequest};
use bundlec_tests::{cases, oci_validator, render, schema_errors, Case};
use serde_json::Value;

/// (what, Compose service lines, ZLayer service lines, inventory, options JSON, replica).
type Pair = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<u32>,
);

/// Lines at four spaces, below `services: app:` in both files.
const PAIRS: &[Pair] = &[
    ("image, entrypoint and command lists", "image: x\nentrypoint: [/bin/app]\ncommand: [--port, \"80\"]", "image: { name: x }\ncommand: { entrypoint: [/bin/app], args: [--port, \"80\"] }", None, "{}", None),
    ("a command string is split as a shell splits it", "image: x\ncommand: /bin/app --name 'a b'", "image: { name: x }\ncommand: { args: [/bin/app, --name, a b] }", None, "{}", None),
    ("working_dir", "image: x\nentrypoint: [/bin/app]\nworking_dir: /srv", "image: { name: x }\ncommand: { entrypoint: [/bin/app], workdir: /srv }", None, "{}", None),
    ("environment as a map", "image: x\nentrypoint: [/a]\nenvironment: { A: \"1\", B: two }", "image: { name: x }\ncommand: { entrypoint: [/a] }\nenv: { A: \"1\", B: two }", None, "{}", None),
    ("environment as a list", "image: x\nentrypoint: [/a]\nenvironment: [A=1, B=two]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nenv: { A: \"1\", B: two }", None, "{}", None),
    ("a bare environment key and $E:", "image: x\nentrypoint: [/a]\nenvironment: [TOKEN]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nenv: { TOKEN: $E:TOKEN }", None, r#"{"hostEnv":{"TOKEN":"t"}}"#, None),
    ("user and group_add", "image: x\nentrypoint: [/a]\nuser: \"1000:1000\"\ngroup_add: [\"44\"]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nuser: \"1000:1000\"\nextra_groups: [\"44\"]", None, "{}", None),
    ("cap_add, cap_drop", "image: x\nentrypoint: [/a]\ncap_add: [NET_ADMIN]\ncap_drop: [ALL]", "image: { name: x }\ncommand: { entrypoint: [/a] }\ncap_add: [NET_ADMIN]\ncap_drop: [ALL]", None, "{}", None),
    ("privileged", "image: x\nentrypoint: [/a]\nprivileged: true", "image: { name: x }\ncommand: { entrypoint: [/a] }\nprivileged: true", Some("nvidia-2gpu"), "{}", None),
    ("read_only and tty", "image: x\nentrypoint: [/a]\nread_only: true\ntty: true", "image: { name: x }\ncommand: { entrypoint: [/a] }\nread_only_root_fs: true\ntty: true", None, "{}", None),
    ("hostname", "image: x\nentrypoint: [/a]\nhostname: box", "image: { name: x }\ncommand: { entrypoint: [/a] }\nhostname: box", None, "{}", None),
    ("dns and extra_hosts", "image: x\nentrypoint: [/a]\ndns: [1.1.1.1]\nextra_hosts: [\"db:10.0.0.5\"]", "image: { name: x }\ncommand: { entrypoint: [/a] }\ndns: [1.1.1.1]\nextra_hosts: [\"db:10.0.0.5\"]", None, "{}", None),
    ("sysctls and ulimits", "image: x\nentrypoint: [/a]\nsysctls: [net.core.somaxconn=1024]\nulimits: { nofile: { soft: 10, hard: 20 }, nproc: 64 }", "image: { name: x }\ncommand: { entrypoint: [/a] }\nsysctls: { net.core.somaxconn: \"1024\" }\nulimits: { nofile: { soft: 10, hard: 20 }, nproc: 64 }", None, "{}", None),
    ("security_opt", "image: x\nentrypoint: [/a]\nsecurity_opt: [\"no-new-privileges:false\", seccomp=unconfined]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nsecurity_opt: [\"no-new-privileges:false\", seccomp=unconfined]", None, "{}", None),
    ("labels", "image: x\nentrypoint: [/a]\nlabels: [team=web]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nlabels: { team: web }", None, "{}", None),
    ("network_mode host", "image: x\nentrypoint: [/a]\nnetwork_mode: host", "image: { name: x }\ncommand: { entrypoint: [/a] }\nnetwork_mode: host", None, "{}", None),
    ("network_mode none", "image: x\nentrypoint: [/a]\nnetwork_mode: none", "image: { name: x }\ncommand: { entrypoint: [/a] }\nnetwork_mode: none", None, "{}", None),
    ("cpu and memory keys", "image: x\nentrypoint: [/a]\ncpus: 1.5\ncpu_shares: 512\ncpuset: 0-1\nmem_limit: 512m\nmem_reservation: 128m\nmemswap_limit: 1g\nmem_swappiness: 0\npids_limit: 64\noom_score_adj: 100", "image: { name: x }\ncommand: { entrypoint: [/a] }\nresources: { cpu: 1.5, cpu_shares: 512, cpuset: 0-1, memory: 512Mi, memory_reservation: 128Mi, memory_swap: 1Gi, memory_swappiness: 0, pids_limit: 64, oom_score_adj: 100 }", None, "{}", None),
    ("deploy.resources.limits", "image: x\nentrypoint: [/a]\ndeploy: { resources: { limits: { cpus: \"0.5\", memory: 1G, pids: 10 }, reservations: { memory: 64M } } }", "image: { name: x }\ncommand: { entrypoint: [/a] }\nresources: { cpu: 0.5, memory: 1Gi, pids_limit: 10, memory_reservation: 64Mi }", None, "{}", None),
    ("devices", "image: x\nentrypoint: [/a]\ndevices: [/dev/fuse, \"/dev/nvme0n1:/dev/nvme0n1:rw\"]", "image: { name: x }\ncommand: { entrypoint: [/a] }\ndevices: [{ path: /dev/fuse, mknod: true }, { path: /dev/nvme0n1 }]", Some("nvidia-2gpu"), "{}", None),
    ("a CDI name in devices", "image: x\nentrypoint: [/a]\ndevices: [nvidia.com/gpu=0]", "image: { name: x }\ncommand: { entrypoint: [/a] }\ndevices: [nvidia.com/gpu=0]", Some("nvidia-cdi"), "{}", None),
    ("a GPU reservation by count", "image: x\nentrypoint: [/a]\ndeploy: { resources: { reservations: { devices: [{ driver: nvidia, count: 1, capabilities: [gpu] }] } } }", "image: { name: x }\ncommand: { entrypoint: [/a] }\nresources: { gpu: { vendor: nvidia, count: 1 } }", Some("nvidia-2gpu"), "{}", None),
    ("gpus: all on a node of two", "image: x\nentrypoint: [/a]\ngpus: all", "image: { name: x }\ncommand: { entrypoint: [/a] }\nresources: { gpu: { count: 2 } }", Some("nvidia-2gpu"), "{}", None),
    ("volumes: bind, named, anonymous", "image: x\nentrypoint: [/a]\nvolumes: [\"/srv/data:/data:ro\", \"cache:/cache\", /scratch]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nstorage: [{ type: bind, source: /srv/data, target: /data, readonly: true }, { type: named, name: cache, target: /cache }, { type: anonymous, target: /scratch }]", None, r#"{"volumes":{"cache":"/v/cache","/scratch":"/v/scratch"}}"#, None),
    ("tmpfs, long and short", "image: x\nentrypoint: [/a]\nvolumes: [{ type: tmpfs, target: /t, tmpfs: { size: 64m, mode: 1770 } }]\ntmpfs: [/run]", "image: { name: x }\ncommand: { entrypoint: [/a] }\nstorage: [{ type: tmpfs, target: /t, size: 64Mi, mode: 1770 }, { type: tmpfs, target: /run }]", None, "{}", None),
    ("deploy.replicas and a fixed scale", "image: x\nentrypoint: [/a]\ndeploy: { replicas: 3 }", "image: { name: x }\ncommand: { entrypoint: [/a] }\nscale: { mode: fixed, replicas: 3 }", None, "{}", Some(3)),
];

fn compile(spec: &str, inventory: Option<&str>, options: &str, replica: Option<u32>) -> String {
    let inventory_text = inventory.map(|name| {
        std::fs::read_to_string(bundlec_tests::inventories_dir().join(format!("{name}.json")))
            .expect("inventory")
    });
    let raw = RawRequest {
        spec,
        replica,
        inventory: inventory_text.as_deref(),
        options: Some(options),
        ..RawRequest::default()
    };
    match compile_raw(raw) {
        Ok(compiled) => compiled.json,
        Err(diagnostics) => panic!("{spec}\ndoes not compile:\n{}", render(&diagnostics)),
    }
}

fn indented(lines: &str) -> String {
    lines.lines().map(|line| format!("    {line}\n")).collect()
}

#[test]
fn each_compose_key_compiles_to_the_same_config_as_its_zlayer_counterpart() {
    let mut failures = Vec::new();
    for (what, compose, zlayer, inventory, options, replica) in PAIRS {
        // The one default that differs: the hostname (`<project>-app-1` against `app-rep-1`).
        let mut options: serde_json::Map<String, Value> =
            serde_json::from_str(options).expect("options");
        options.insert("hostname".into(), "app".into());
        let options = Value::Object(options).to_string();
        let compose_text = format!("services:\n  app:\n{}", indented(compose));
        let zlayer_text = format!(
            "version: v1\ndeployment: demo\nservices:\n  app:\n{}",
            indented(zlayer)
        );
        let from_compose = compile(&compose_text, *inventory, &options, *replica);
        let from_zlayer = compile(&zlayer_text, *inventory, &options, *replica);
        if from_compose != from_zlayer {
            failures.push(format!(
                "{what}: {}",
                bundlec_tests::first_difference(&from_zlayer, &from_compose)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A Compose key with its own meaning changes the config: the pairs above are not equal by
/// accident (a reader that dropped the keys would pass them all).
#[test]
fn a_different_value_gives_a_different_config() {
    let options = r#"{"hostname":"app"}"#;
    let one = compile(
        "services:\n  app:\n    image: x\n    entrypoint: [/a]\n    mem_limit: 512m\n",
        None,
        options,
        None,
    );
    let other = compile(
        "services:\n  app:\n    image: x\n    entrypoint: [/a]\n    mem_limit: 512k\n",
        None,
        options,
        None,
    );
    assert!(one.contains("\"limit\": 536870912"), "{one}");
    assert!(other.contains("\"limit\": 524288"), "{other}");
}

#[test]
fn the_outline_reads_compose_files() {
    let text = "name: ${PROJECT:-shop}\nx-env: &env\n  TZ: ${TZ}\nservices:\n  web:\n    image: nginx\n    environment:\n      <<: *env\n      TOKEN:\n    env_file: [web.env]\n    volumes: [\"static:/srv\", \"./conf:/etc/nginx:ro\"]\n    scale: 2\n  db:\n    image: postgres\n    deploy: { replicas: 1 }\n    command: postgres -c max_connections=${MAX_CONN:-100}\n";
    let read = outline(text).expect("outline");
    assert_eq!(read.format, Format::Compose);
    assert_eq!(read.deployment.as_deref(), Some("shop"));
    // A variable outside the services is the file's, listed once for all of them.
    let file_vars: Vec<_> = read.host_env.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(file_vars, ["PROJECT"]);
    let names: Vec<_> = read.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web", "db"]);
    let web = &read.services[0];
    assert_eq!(web.replicas, Some(2));
    let vars: Vec<_> = web.host_env.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(vars, ["TZ", "TOKEN"]);
    assert_eq!(
        (web.host_env[0].span.line, web.host_env[0].span.column),
        (3, 7)
    );
    assert_eq!(web.env_files[0].name, "web.env");
    let volumes: Vec<_> = web.volumes.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(volumes, ["static"]);
    let db = &read.services[1];
    assert_eq!(db.replicas, Some(1));
    assert_eq!(db.host_env[0].name, "MAX_CONN");
    let zlayer = outline("version: v1\ndeployment: demo\nservices:\n  a: {}\n").expect("outline");
    assert_eq!(zlayer.format, Format::Zlayer);
}

/// What tests/compose/<file>/expected.json says of one service: it compiles, or these
/// diagnostics (code, path, line, column) are among its errors.
fn expected_outcomes(case: &Case) -> serde_json::Map<String, Value> {
    match serde_json::from_str(&case.expected()) {
        Ok(Value::Object(services)) => services,
        other => panic!("{}: expected.json is not an object: {other:?}", case.name),
    }
}

#[test]
fn every_service_of_the_compose_corpus_compiles_or_fails_where_expected() {
    let validator = oci_validator().unwrap_or_else(|e| panic!("{e}"));
    let corpus = cases("compose");
    assert!(
        corpus.len() >= 20,
        "the corpus holds {} files",
        corpus.len()
    );
    let mut failures = Vec::new();
    for case in &corpus {
        failures.extend(case.readme_problem());
        let expected = expected_outcomes(case);
        let services = match outline(&case.request.spec) {
            Ok(outline) => outline.services,
            Err(errors) => {
                failures.push(format!("{}: no outline:\n{}", case.name, render(&errors)));
                continue;
            }
        };
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        let listed: Vec<&str> = expected.keys().map(String::as_str).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        if sorted != listed {
            failures.push(format!(
                "{}: services {names:?}, expected.json lists {listed:?}",
                case.name
            ));
        }
        for name in names {
            let mut raw = case.raw();
            raw.service = Some(name);
            let outcome = compile_raw(raw);
            match (expected.get(name), outcome) {
                (Some(Value::String(ok)), Ok(compiled)) if ok == "compiles" => {
                    let config: Value = serde_json::from_str(&compiled.json).expect("JSON");
                    let errors = schema_errors(&validator, &config);
                    if !errors.is_empty() {
                        failures.push(format!(
                            "{}/{name}: not a valid OCI config:\n{errors}",
                            case.name
                        ));
                    }
                }
                (Some(Value::Array(wanted)), Err(diagnostics)) => {
                    for want in wanted {
                        let found = diagnostics.iter().any(|d| {
                            want["code"] == d.code.as_str()
                                && want["path"] == d.path.as_str()
                                && want["line"].as_u64() == d.line.map(u64::from)
                                && want["column"].as_u64() == d.column.map(u64::from)
                        });
                        if !found {
                            failures.push(format!(
                                "{}/{name}: {want} was not reported; reported:\n{}",
                                case.name,
                                render(&diagnostics)
                            ));
                        }
                    }
                }
                (want, Ok(_)) => {
                    failures.push(format!("{}/{name}: compiled, expected {want:?}", case.name))
                }
                (want, Err(diagnostics)) => failures.push(format!(
                    "{}/{name}: failed, expected {want:?}:\n{}",
                    case.name,
                    render(&diagnostics)
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Large Compose inputs stay n log n (issue 9's rule): 20k distinct variables, 20k bare keys and
/// 20k services read and compile; a list searched once per variable would take minutes.
#[test]
fn twenty_thousand_variables_keys_and_services_read_quickly() {
    const N: usize = 20_000;
    let mut text =
        String::from("services:\n  app:\n    image: x\n    entrypoint: [/a]\n    environment:\n");
    for i in 0..N {
        text.push_str(&format!("      V{i}: ${{VAR_{i}:-d}}\n      B{i}:\n"));
    }
    let host_env: serde_json::Map<String, Value> = (0..N)
        .step_by(2)
        .map(|i| (format!("B{i}"), Value::from("h")))
        .collect();
    let options = serde_json::json!({ "hostEnv": host_env }).to_string();
    let compiled = compile_raw(RawRequest {
        spec: &text,
        options: Some(&options),
        ..RawRequest::default()
    })
    .unwrap_or_else(|d| panic!("{}", render(&d)));
    let config: Value = serde_json::from_str(&compiled.json).unwrap();
    // N defaults, N/2 bare keys with a host value, PATH and TERM.
    assert_eq!(
        config["process"]["env"].as_array().unwrap().len(),
        N + N / 2 + 2
    );
    let read = outline(&text).unwrap();
    assert_eq!(read.services[0].host_env.len(), 2 * N);

    let mut many = String::from("name: ${P:-big}\nservices:\n");
    for i in 0..N {
        many.push_str(&format!(
            "  s{i}: {{ image: x, entrypoint: [/a], environment: [\"X=${{X}}\"] }}\n"
        ));
    }
    let read = outline(&many).unwrap();
    assert_eq!(read.services.len(), N);
    assert_eq!(read.host_env.len(), 1);
    assert!(read.services.iter().all(|s| s.host_env.len() == 1));
}
