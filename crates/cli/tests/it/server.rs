//! Starting and stopping the real binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The demo password the tests start the server with.
pub const DEMO_PASSWORD: &str = "end-to-end test passphrase";

/// A running `agora serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    /// Every line the server printed on standard output up to "listening".
    pub banner: Vec<String>,
}

impl Server {
    /// Starts `agora serve --demo` on a free port over the SQLite database at `database`.
    pub fn start_demo(database: &Path) -> Server {
        Server::start(database, &["--demo", "--demo-password", DEMO_PASSWORD])
    }

    pub fn start(database: &Path, extra_arguments: &[&str]) -> Server {
        Server::start_url(&sqlite_url(database), extra_arguments)
    }

    /// Starts `agora serve` on the database a URL names (SQLite or PostgreSQL).
    pub fn start_url(database_url: &str, extra_arguments: &[&str]) -> Server {
        let mut child = Command::new(agora_binary())
            .arg("--db")
            .arg(database_url)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra_arguments)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the agora binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (lines_sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let base_url = loop {
            // Loading the demo city parses the OSM extract; allow for a slow, shared CI machine.
            let line = match lines.recv_timeout(Duration::from_secs(180)) {
                Ok(line) => line,
                Err(error) => {
                    let _ = child.kill();
                    panic!(
                        "agora did not report its address ({error}); printed so far: {banner:#?}"
                    );
                }
            };
            banner.push(line.clone());
            if let Some(rest) = line.strip_prefix("Agora listening on ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep reading the rest of the banner (demo login lines) briefly.
        while let Ok(line) = lines.recv_timeout(Duration::from_millis(300)) {
            banner.push(line);
        }
        Server {
            child,
            base_url,
            banner,
        }
    }

    /// Kills the process with SIGKILL: no graceful shutdown, no chance to flush anything.
    pub fn kill(mut self) {
        self.child.kill().expect("kill agora");
        self.child.wait().expect("reap agora");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agora_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_agora"))
}

pub fn sqlite_url(database: &Path) -> String {
    format!("sqlite://{}", database.display())
}

/// An HTTP client with its own cookie jar, as one browser would have.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs in through the API; returns the CSRF token for writes.
pub async fn api_login(client: &reqwest::Client, server: &Server, password: &str) -> String {
    let response = client
        .post(server.url("/api/session"))
        .json(&serde_json::json!({ "username": "demo", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "login failed");
    let body: serde_json::Value = response.json().await.unwrap();
    body["csrf_token"].as_str().unwrap().to_string()
}

/// GETs a URL and decodes its JSON body.
pub async fn get_json<T: serde::de::DeserializeOwned>(client: &reqwest::Client, url: &str) -> T {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// The id of the caller's site named `name`.
pub async fn site_id_named(client: &reqwest::Client, server: &Server, name: &str) -> String {
    let sites: Vec<serde_json::Value> = get_json(client, &server.url("/api/sites")).await;
    let site = sites
        .iter()
        .find(|site| site["name"] == name)
        .unwrap_or_else(|| panic!("no site {name}"));
    site["id"].as_str().unwrap().to_string()
}

/// A POST of `body` as JSON to `path`, with the CSRF token header when one is given.
pub fn post_json(
    client: &reqwest::Client,
    server: &Server,
    path: &str,
    body: &serde_json::Value,
    csrf: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = client.post(server.url(path)).json(body);
    match csrf {
        Some(csrf) => request.header("x-csrf-token", csrf),
        None => request,
    }
}
