//! Test support: a fixture HTTP server and a runner for the built binary.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Response, StatusCode, Uri};

type Files = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;
/// Paths answered with a status (and headers) of their own instead of a file.
type Statuses = Arc<Mutex<HashMap<String, (u16, Vec<(String, String)>)>>>;

/// What the server shares between requests: the files, an optional delay
/// before each answer, and how many requests were in flight at most.
#[derive(Clone, Default)]
struct Shared {
    files: Files,
    statuses: Statuses,
    delay: Arc<Mutex<Duration>>,
    in_flight: Arc<Mutex<(usize, usize)>>,
}

/// A local HTTP server whose pages the test changes while it runs.
pub struct Fixtures {
    addr: SocketAddr,
    shared: Shared,
}

async fn serve_file(State(shared): State<Shared>, uri: Uri) -> Response<Body> {
    {
        let mut f = shared.in_flight.lock().unwrap();
        f.0 += 1;
        f.1 = f.1.max(f.0);
    }
    let delay = *shared.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    shared.in_flight.lock().unwrap().0 -= 1;
    if let Some((status, headers)) = shared.statuses.lock().unwrap().get(uri.path()).cloned() {
        let mut res = Response::builder().status(status);
        for (name, value) in headers {
            res = res.header(name, value);
        }
        return res.body(Body::from("answered with a status")).unwrap();
    }
    let found = shared.files.lock().unwrap().get(uri.path()).cloned();
    match found {
        Some((ctype, body)) => Response::builder()
            .header("content-type", ctype)
            .body(Body::from(body))
            .unwrap(),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::from("not found"))
            .unwrap(),
    }
}

impl Fixtures {
    /// Starts the server on a free loopback port.
    pub async fn start() -> Fixtures {
        let shared = Shared::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .fallback(serve_file)
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Fixtures { addr, shared }
    }

    /// Makes every answer wait `delay` first (a slow site).
    pub fn set_delay(&self, delay: Duration) {
        *self.shared.delay.lock().unwrap() = delay;
    }

    /// The most requests the server has been answering at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.in_flight.lock().unwrap().1
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `body` at `path`.
    pub fn put(&self, path: &str, ctype: &str, body: impl Into<Vec<u8>>) {
        self.shared
            .files
            .lock()
            .unwrap()
            .insert(path.to_string(), (ctype.to_string(), body.into()));
    }

    /// Answers `path` with `status` and `headers` (a server refusing, say
    /// with 429 and `Retry-After`).
    pub fn put_status(&self, path: &str, status: u16, headers: &[(&str, &str)]) {
        self.shared.statuses.lock().unwrap().insert(
            path.to_string(),
            (
                status,
                headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            ),
        );
    }

    /// Stops answering `path` with the status [`Fixtures::put_status`] gave it.
    pub fn clear_status(&self, path: &str) {
        self.shared.statuses.lock().unwrap().remove(path);
    }

    /// Serves a page from `tests/data/e2e/`, with `{{BASE}}` replaced.
    pub fn put_page(&self, path: &str, file: &str) {
        let text = std::fs::read_to_string(data_dir().join("e2e").join(file)).unwrap();
        self.put(
            path,
            "text/html; charset=utf-8",
            text.replace("{{BASE}}", &self.base()),
        );
    }
}

/// `crates/ajil/tests/data`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// `../shared/data` beside the repository.
pub fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Runs the built `ajil` binary against one data folder.
pub struct Ajil {
    pub data: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

/// What a finished command printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ajil {
    /// A fresh data folder and the given extra environment.
    pub fn new(env: &[(&str, String)]) -> Ajil {
        let data = tempfile::tempdir().unwrap();
        let mut all = vec![
            ("AJIL_DATA".to_string(), data.path().display().to_string()),
            ("AJIL_LOG".to_string(), "info".to_string()),
        ];
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Ajil { data, env: all }
    }

    /// The command, ready to run.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_ajil"));
        c.args(args).kill_on_drop(true);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.env_remove("AJIL_SMTP_URL_UNUSED");
        c
    }

    /// Runs to completion.
    pub async fn run(&self, args: &[&str]) -> Run {
        let out = tokio::time::timeout(Duration::from_secs(120), self.command(args).output())
            .await
            .expect("ajil command did not finish in 120 s")
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and insists on success.
    pub async fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args).await;
        assert_eq!(
            r.code, 0,
            "ajil {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        r.stdout
    }
}

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A feed item's text long enough to be taken as the whole article (no page
/// fetch).
pub fn full_text() -> String {
    "Officials in the northern province said on Sunday that the roads had reopened \
     after the floods, and that schools would open again within the week. "
        .repeat(6)
}

/// A server that takes connections and answers nothing until the returned
/// sender is used (or dropped with the test); its feed URL.
pub async fn hung_server() -> (String, tokio::sync::oneshot::Sender<()>) {
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/feed.xml", hung.local_addr().unwrap());
    let (release, mut released) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            tokio::select! {
                Ok((conn, _)) = hung.accept() => held.push(conn),
                _ = &mut released => break,
            }
        }
    });
    (url, release)
}

/// Serves, at `/news`, a page that advertises the feed `/news/rss.xml`, and
/// at `/empty` a page with nothing to follow.
pub fn put_news_site(fx: &Fixtures) {
    fx.put(
        "/news",
        "text/html; charset=utf-8",
        "<html><head><title>News</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Top stories\" href=\"/news/rss.xml\">\
         </head><body><p>Latest</p></body></html>",
    );
    fx.put(
        "/empty",
        "text/html",
        "<html><body><p>Nothing to follow here</p></body></html>",
    );
}

/// A confirmed subscription of `email` to `query`, in English.
pub async fn subscribe(
    store: &ajil_store::Store,
    email: &str,
    query: &str,
    cadence: ajil_model::Cadence,
    now: chrono::DateTime<chrono::Utc>,
) {
    subscribe_in(store, email, "en", query, cadence, now).await;
}

/// [`subscribe`] for a subscriber whose interface language is `ui_lang`.
pub async fn subscribe_in(
    store: &ajil_store::Store,
    email: &str,
    ui_lang: &str,
    query: &str,
    cadence: ajil_model::Cadence,
    now: chrono::DateTime<chrono::Utc>,
) {
    let s = store.upsert_subscriber(email, ui_lang, now).await.unwrap();
    store
        .add_subscription(
            &ajil_store::NewSubscription {
                subscriber_id: s.id,
                query: query.into(),
                langs: vec![],
                cadence,
                breaking_only: false,
                confirmed: true,
            },
            now,
        )
        .await
        .unwrap();
}
