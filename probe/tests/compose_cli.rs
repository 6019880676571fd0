//! `bundlec compile compose.yaml --service NAME` end to end (DESIGN §12): the project folder and
//! name from the file's place, the `.env` beside it (under `--host-env`), `env_file` texts read
//! beside it, relative binds made absolute, and the files it cannot read named where they are.

mod common;

use common::{bundlec, ok, run, stderr, write, TempDir};
use serde_json::Value;

const COMPOSE: &str = "services:
  web:
    image: nginx:${NGINX_TAG:-1.27}
    command: [\"nginx\", \"-g\", \"daemon off;\"]
    environment:
      GREETING: hello ${NAME}
      PORT: ${PORT}
      TOKEN:
    env_file: [web.env]
    volumes:
      - ./html:/usr/share/nginx/html:ro
  db:
    image: postgres:16
    command: [postgres]
    env_file: [db.env]
";

fn project() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new("compose");
    let folder = dir.join("My_Shop");
    write(&folder.join("compose.yaml"), COMPOSE);
    write(&folder.join(".env"), "NAME=dotenv\nPORT=80\n");
    write(&folder.join("web.env"), "# web\nLOG=info\n");
    (dir, folder)
}

fn env_of(config: &Value) -> Vec<String> {
    config["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_compose_service_compiles_with_its_project_folder_dotenv_and_env_files() {
    let (_dir, folder) = project();
    let output = ok(bundlec()
        .arg("compile")
        .arg(folder.join("compose.yaml"))
        .args(["--service", "web", "--replica", "2"])
        .args(["--host-env", "PORT", "--host-env", "TOKEN"])
        .env("PORT", "8080")
        .env("TOKEN", "t0k3n"));
    let config: Value = serde_json::from_slice(&output.stdout).unwrap();
    // The folder `My_Shop` normalized as Compose does: `my_shop`, and `_` cannot be in a hostname.
    assert_eq!(config["hostname"], "my-shop-web-2");
    let env = env_of(&config);
    // `--host-env` wins over `.env` (PORT), `.env` fills the rest (NAME), a bare key takes
    // the allowed host value (TOKEN), the env file comes first.
    assert_eq!(
        env[..4],
        [
            "LOG=info",
            "GREETING=hello dotenv",
            "PORT=8080",
            "TOKEN=t0k3n"
        ]
    );
    let html = &config["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["destination"] == "/usr/share/nginx/html")
        .unwrap()["source"];
    assert_eq!(
        html.as_str().unwrap(),
        folder.join("html").to_str().unwrap()
    );
    assert!(stderr(&output).contains("seccomp-host-assumed"));
}

#[test]
fn a_missing_env_file_is_an_error_at_its_entry() {
    let (_dir, folder) = project();
    let output = run(bundlec()
        .arg("compile")
        .arg(folder.join("compose.yaml"))
        .args(["--service", "db"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains(
            "error[env-file-not-provided]: the env file `db.env` was not found or not given"
        ),
        "{text}"
    );
    assert!(text.contains("compose.yaml:15:16"), "{text}");
    // Without `--host-env`, the `.env` alone gives PORT; a variable of the shell does not.
    let output = ok(bundlec()
        .arg("compile")
        .arg(folder.join("compose.yaml"))
        .args(["--service", "web"])
        .env("PORT", "8080"));
    let config: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(env_of(&config).contains(&"PORT=80".to_string()));
    assert!(!env_of(&config).iter().any(|e| e.starts_with("TOKEN=")));
}

#[test]
fn an_unreadable_env_file_is_named_at_its_entry() {
    let (_dir, folder) = project();
    // Within the limit, the compose file is read; the env file beside it is not.
    let limit = COMPOSE.len().to_string();
    write(&folder.join("web.env"), &"X=1\n".repeat(COMPOSE.len()));
    let output = run(bundlec()
        .arg("compile")
        .arg(folder.join("compose.yaml"))
        .args(["--service", "web", "--max-input-bytes", &limit]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("error[too-large]"), "{text}");
    assert!(text.contains("compose.yaml:9:16"), "{text}");
}
