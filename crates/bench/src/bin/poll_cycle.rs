//! How long one poll cycle takes when sources are slow: `--hosts` local HTTP
//! servers, each serving `--feeds` RSS feeds that answer after `--delay-ms`,
//! each feed with `--items` new full-text items (no article page to fetch).
//!
//! ```text
//! cargo run --release -p ajil-bench --bin poll_cycle -- \
//!     [--hosts 20] [--feeds 2] [--items 5] [--delay-ms 250] [--runs 5] [--json]
//! ```
//!
//! Each run starts from a fresh SQLite store with the sources added (not
//! timed) and times `Pipeline::run_cycle` over all of them: fetching, parsing,
//! analysing, storing and clustering every item. The servers are plain
//! HTTP/1.1 over loopback, one connection per request, so the numbers show
//! how the cycle waits on slow servers, not network speed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ajil::config::Config;
use ajil::pipeline::Pipeline;
use ajil_store::Store;
use anyhow::bail;
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Parser)]
#[command(about = "Times one poll cycle over many slow local feeds")]
struct Args {
    /// Servers (hosts), each on its own port.
    #[arg(long, default_value_t = 20)]
    hosts: usize,
    /// Feeds per server.
    #[arg(long, default_value_t = 2)]
    feeds: usize,
    /// New items per feed.
    #[arg(long, default_value_t = 5)]
    items: usize,
    /// How long each server waits before answering, in milliseconds.
    #[arg(long, default_value_t = 250)]
    delay_ms: u64,
    /// Cycles timed, each on a fresh store.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// An RSS feed of `items` full-text items, unique to `tag`.
fn feed(tag: &str, items: usize) -> String {
    let mut xml = format!("<rss version=\"2.0\"><channel><title>{tag}</title>");
    for i in 0..items {
        let text = format!(
            "Officials of district {tag}-{i} said on Monday that the bridge over the river \
             would reopen after repairs, and that traffic would resume within days. "
        )
        .repeat(6);
        xml += &format!(
            "<item><guid>{tag}-{i}</guid><title>District {tag}-{i} bridge to reopen</title>\
             <description>{text}</description></item>"
        );
    }
    xml + "</channel></rss>"
}

/// Serves `feeds` (path → body) on a free loopback port, answering each
/// request after `delay`; returns the base URL.
async fn serve(feeds: HashMap<String, String>, delay: Duration) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let feeds = Arc::new(feeds);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let feeds = feeds.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let path = String::from_utf8_lossy(&request)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                tokio::time::sleep(delay).await;
                let response = match feeds.get(&path) {
                    Some(body) => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    None => {
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_string()
                    }
                };
                let _ = conn.write_all(response.as_bytes()).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    Ok(base)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.hosts == 0 || args.feeds == 0 || args.runs == 0 {
        bail!("--hosts, --feeds and --runs must be at least 1");
    }
    let delay = Duration::from_millis(args.delay_ms);
    let mut urls = Vec::new();
    for h in 0..args.hosts {
        let feeds: HashMap<String, String> = (0..args.feeds)
            .map(|f| {
                (
                    format!("/feed{f}.xml"),
                    feed(&format!("{h}.{f}"), args.items),
                )
            })
            .collect();
        let base = serve(feeds, delay).await?;
        urls.extend((0..args.feeds).map(|f| format!("{base}/feed{f}.xml")));
    }
    let expected = args.hosts * args.feeds * args.items;
    let mut seconds = Vec::new();
    for run in 0..args.runs {
        let dir = tempfile::tempdir()?;
        let config = Config::defaults(dir.path())?;
        let store = Store::open(&config.db_path()).await?;
        for (i, url) in urls.iter().enumerate() {
            store
                .add_source(
                    url,
                    &format!("outlet {i}"),
                    Duration::from_secs(300),
                    chrono::Utc::now(),
                )
                .await?;
        }
        let pipeline = Pipeline::new(config, store).await?;
        let started = Instant::now();
        let report = pipeline.run_cycle(chrono::Utc::now(), true).await?;
        let took = started.elapsed().as_secs_f64();
        if report.new_articles != expected || report.sources_failed != 0 {
            bail!(
                "run {run}: {} articles from {} sources, {} failed; expected {expected} and none failed",
                report.new_articles,
                report.sources_polled,
                report.sources_failed
            );
        }
        seconds.push(took);
    }
    let mut sorted = seconds.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let sources = urls.len();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "hosts": args.hosts, "feeds_per_host": args.feeds, "items_per_feed": args.items,
                "delay_ms": args.delay_ms, "sources": sources, "articles": expected,
                "cycle_seconds": seconds, "median_seconds": median,
                "waiting_if_one_at_a_time_seconds": sources as f64 * delay.as_secs_f64(),
            })
        );
    } else {
        let runs: Vec<String> = seconds.iter().map(|s| format!("{s:.2}")).collect();
        println!(
            "{sources} sources on {} hosts ({} ms each), {expected} articles: cycle {} s (median {median:.2} s); \
             one source at a time would wait {:.1} s on the servers alone",
            args.hosts,
            args.delay_ms,
            runs.join(" / "),
            sources as f64 * delay.as_secs_f64()
        );
    }
    Ok(())
}
