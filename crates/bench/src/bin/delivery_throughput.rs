//! Alerts per second through compose → DKIM sign → SMTP, on one thread.
//!
//! Sinks: `testkit` (ajil's in-process SMTP sink on loopback, which only
//! stores what it receives, so the client side is what is measured) or
//! `postfix` (a private Postfix instance delivering into a Maildir; root
//! only). Connections are pooled as in production (`--connections`).
//! Prints one JSON line per run. Run it pinned to one core, e.g.
//! `taskset -c 0 delivery_throughput --sink testkit --algorithm rsa`.

use std::time::{Duration, Instant};

use ajil_mail::{
    AlertEmail, Composer, Dkim, DkimAlgorithm, DkimKey, Mailer, OutletLink, SmtpConfig,
};
use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
struct Args {
    /// `testkit` or `postfix`.
    #[arg(long, default_value = "testkit")]
    sink: String,
    /// `none`, `rsa` or `ed25519`.
    #[arg(long, default_value = "rsa")]
    algorithm: String,
    /// Alerts to send.
    #[arg(long, default_value_t = 3000)]
    count: usize,
    /// Pooled SMTP connections, each with one sender task.
    #[arg(long, default_value_t = 4)]
    connections: usize,
}

fn alert(n: usize) -> AlertEmail {
    let now = Utc::now();
    AlertEmail {
        to: format!("reader{}@inbox.test", n % 500),
        lang: if n.is_multiple_of(2) { "ar" } else { "en" }.into(),
        story_title: "زلزال بقوة 6.1 درجات يضرب جنوب تركيا ويشعر به سكان شمال سوريا".into(),
        story_lang: "ar".into(),
        query: "زلزال".into(),
        outlets: (0..3)
            .map(|i| OutletLink {
                name: format!("المصدر {i}"),
                url: format!("https://news{i}.example.org/world/2026/quake-{n}"),
                published: now,
                reprint: false,
            })
            .collect(),
        story_url: Some(format!("https://alerts.ajil.example/stories/{n}")),
        unsubscribe_url: format!("https://alerts.ajil.example/unsubscribe/tok{n}"),
        manage_url: format!("https://alerts.ajil.example/manage/tok{n}"),
        message_id: format!("alert-{n}-{}@ajil.example", now.timestamp_micros()),
        breaking: true,
        tz: Some("Asia/Riyadh".into()),
        lead: Some("<p>ضرب زلزال بقوة 6.1 درجات ولاية هطاي جنوبي تركيا صباح اليوم، وشعر به السكان في حلب وإدلب.</p>".into()),
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    // One thread: the goal is alerts per second per core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let key = match args.algorithm.as_str() {
        "none" => None,
        other => Some(DkimKey::generate(other.parse::<DkimAlgorithm>()?)),
    };
    let dkim = || {
        key.as_ref()
            .map(|k| Dkim::new("ajil.example", "bench", k))
            .transpose()
    };
    let composer =
        std::sync::Arc::new(Composer::new(None)?.with_from("ajil <alerts@ajil.example>".parse()?));

    // Compose and sign alone, to split the cost.
    let signer = dkim()?;
    let started = Instant::now();
    let local = args.count.min(2000);
    for n in 0..local {
        let mut message = composer.alert(&alert(n), Utc::now())?;
        if let Some(d) = &signer {
            d.sign(&mut message);
        }
        std::hint::black_box(message.formatted());
    }
    let compose_sign_rate = local as f64 / started.elapsed().as_secs_f64();

    let mut _testkit = None;
    let mut _postfix = None;
    let url = match args.sink.as_str() {
        "testkit" => {
            let server = ajil_testkit::SmtpServer::start();
            let url = server.url();
            _testkit = Some(server);
            url
        }
        "postfix" => {
            let server = ajil_testkit::postfix::Postfix::start("inbox.test")
                .map_err(anyhow::Error::msg)
                .context("cannot start postfix")?;
            let url = server.url();
            _postfix = Some(server);
            url
        }
        other => bail!("unknown sink {other:?}: use testkit or postfix"),
    };
    let smtp = SmtpConfig::from_url(&format!("{url}&pool={}", args.connections))?;
    let mut mailer = Mailer::smtp(&smtp)?;
    if let Some(d) = dkim()? {
        mailer = mailer.with_dkim(d);
    }
    // Warm the pool so connection set-up is not in the timing.
    mailer.send(&composer.alert(&alert(0), Utc::now())?).await?;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..args.connections {
        let (mailer, composer) = (mailer.clone(), composer.clone());
        let count = args.count;
        let connections = args.connections;
        tasks.push(tokio::spawn(async move {
            let mut n = worker;
            while n < count {
                let message = composer.alert(&alert(n), Utc::now())?;
                mailer.send(&message).await?;
                n += connections;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed();
    if let Some(server) = &_postfix {
        // Accepted is what the rate counts; delivery into the Maildir
        // goes on in Postfix's own processes.
        server
            .wait_for(args.count + 1, Duration::from_secs(300))
            .map_err(anyhow::Error::msg)?;
    }
    println!(
        "{}",
        serde_json::json!({
            "sink": args.sink,
            "algorithm": args.algorithm,
            "count": args.count,
            "connections": args.connections,
            "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "alerts_per_second": (args.count as f64 / elapsed.as_secs_f64()).round(),
            "compose_sign_per_second": compose_sign_rate.round(),
        })
    );
    Ok(())
}
