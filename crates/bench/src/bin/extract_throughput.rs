//! Pages per second of `ajil_extract::extract` over the scrapinghub article-extraction
//! pages, next to a bare html5ever DOM parse (`scraper::Html::parse_document`) of the
//! same pages as the physical anchor: extraction can hardly beat the parse it starts with.
//!
//! ```text
//! cargo run --release -p ajil-bench --bin extract_throughput -- \
//!     [--engine ajil|dom-smoothie|rs-trafilatura|html5ever] [--passes N] [--no-anchor] \
//!     [--jsonl OUT] [--json]
//! ```
//!
//! `--engine` swaps in a peer Rust extractor for comparison: dom_smoothie (a Readability
//! port; formatted text mode, fed the page already decoded as UTF-8 since it does no
//! charset detection) or rs-trafilatura (a trafilatura port; `extract_bytes`, which
//! decodes by itself as ajil does). `--engine html5ever` times the bare parse alone, and
//! `--no-anchor` leaves the parse out of an engine's run, so that `bench/extraction` can
//! measure each contender in its own process (peak RSS included).
//!
//! All pages are decompressed into memory first; only the work on them is timed. The whole
//! set is run `--passes` times and the median pass is reported (the machine is shared and
//! noisy). `--jsonl OUT` writes one `{"path","text"}` line per page for `score-extraction`.

use std::fs::File;
use std::hint::black_box;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ajil_extract::{ExtractOptions, extract};
use anyhow::{Context, bail};
use clap::Parser;
use flate2::read::GzDecoder;
use serde::Serialize;

const DEFAULT_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/extraction/scrapinghub/html"
);

/// Extraction throughput over the scrapinghub pages.
#[derive(Debug, Parser)]
struct Args {
    /// Folder of `*.html.gz` pages.
    #[arg(long, default_value = DEFAULT_DIR)]
    dir: PathBuf,
    /// The extractor to time.
    #[arg(long, value_enum, default_value_t = Engine::Ajil)]
    engine: Engine,
    /// How many times to run the whole set; the median pass is reported.
    #[arg(long, default_value_t = 5)]
    passes: usize,
    /// Write ajil's extracted text, one `{"path","text"}` JSON line per page.
    #[arg(long, value_name = "OUT")]
    jsonl: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Skip the bare-parse anchor passes (the engine alone in this process).
    #[arg(long)]
    no_anchor: bool,
}

/// An extractor under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Engine {
    /// `ajil_extract::extract` with default options.
    Ajil,
    /// `dom_smoothie::Readability`, formatted text.
    DomSmoothie,
    /// `rs_trafilatura::extract_bytes`.
    RsTrafilatura,
    /// The anchor alone: `scraper::Html::parse_document`, no extraction (empty text).
    Html5ever,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Ajil => "ajil_extract::extract",
            Engine::DomSmoothie => "dom_smoothie::Readability",
            Engine::RsTrafilatura => "rs_trafilatura::extract_bytes",
            Engine::Html5ever => "scraper::Html::parse_document",
        }
    }

    /// Whether the engine reads the page as already-decoded text.
    fn needs_text(self) -> bool {
        matches!(self, Engine::DomSmoothie | Engine::Html5ever)
    }

    /// The main text of `page`, or why there is none.
    fn run(self, page: &Page, opts: &ExtractOptions) -> Result<String, String> {
        match self {
            Engine::Ajil => extract(&page.bytes, opts)
                .map(|e| e.text)
                .map_err(|e| e.to_string()),
            Engine::DomSmoothie => {
                let cfg = dom_smoothie::Config {
                    text_mode: dom_smoothie::TextMode::Formatted,
                    ..Default::default()
                };
                dom_smoothie::Readability::new(page.text.as_str(), None, Some(cfg))
                    .and_then(|mut r| r.parse())
                    .map(|a| a.text_content.to_string())
                    .map_err(|e| e.to_string())
            }
            Engine::RsTrafilatura => rs_trafilatura::extract_bytes(&page.bytes)
                .map(|r| r.content_text)
                .map_err(|e| e.to_string()),
            Engine::Html5ever => {
                black_box(scraper::Html::parse_document(&page.text));
                Ok(String::new())
            }
        }
    }
}

/// One page held in memory.
struct Page {
    path: String,
    bytes: Vec<u8>,
    /// The bytes decoded as UTF-8 (lossily) for the bare parse, which takes `&str`;
    /// empty unless something in this run reads it, so peak RSS stays comparable.
    text: String,
}

/// Timings of one contender over all passes.
#[derive(Debug, Serialize)]
struct Contender {
    name: &'static str,
    passes_s: Vec<f64>,
    median_s: f64,
    pages_per_s: f64,
    mb_per_s: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    pages: usize,
    input_mb: f64,
    passes: usize,
    extract_errors: usize,
    extract: Contender,
    /// The bare-parse anchor, unless `--no-anchor`.
    parse: Option<Contender>,
    /// Median extraction pass time over median parse pass time.
    extract_over_parse: Option<f64>,
    /// Peak resident set of this process (VmHWM), pages in memory included.
    peak_rss_mib: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.passes == 0 {
        bail!("--passes 0 measures nothing: pass 1 or more");
    }
    let pages = load(&args.dir, args.engine.needs_text() || !args.no_anchor)?;
    let bytes: usize = pages.iter().map(|p| p.bytes.len()).sum();
    let opts = ExtractOptions::default();

    // Texts of the first pass are kept for --jsonl; later passes drop their output.
    let mut texts: Vec<String> = Vec::new();
    let mut extract_errors = 0;
    let mut extract_times = Vec::with_capacity(args.passes);
    let mut parse_times = Vec::with_capacity(args.passes);
    // Passes alternate the two contenders so drift in machine load hits both alike.
    for pass in 0..args.passes {
        let started = Instant::now();
        for page in &pages {
            let out = black_box(args.engine.run(black_box(page), &opts));
            if pass == 0 {
                match out {
                    Ok(text) => texts.push(text),
                    Err(_) => {
                        extract_errors += 1;
                        texts.push(String::new());
                    }
                }
            }
        }
        extract_times.push(started.elapsed());

        if args.no_anchor {
            continue;
        }
        let started = Instant::now();
        for page in &pages {
            black_box(scraper::Html::parse_document(black_box(&page.text)));
        }
        parse_times.push(started.elapsed());
    }

    let n = pages.len();
    let extract = contender(args.engine.name(), &extract_times, n, bytes);
    let parse = (!args.no_anchor)
        .then(|| contender("scraper::Html::parse_document", &parse_times, n, bytes));
    let report = Report {
        pages: n,
        input_mb: bytes as f64 / 1e6,
        passes: args.passes,
        extract_errors,
        extract_over_parse: parse
            .as_ref()
            .map(|p| extract.median_s / p.median_s.max(1e-12)),
        extract,
        parse,
        peak_rss_mib: peak_rss_mib(),
    };

    if let Some(out) = &args.jsonl {
        write_jsonl(out, &pages, &texts)?;
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

/// VmHWM from `/proc/self/status`, in MiB (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn load(dir: &Path, with_text: bool) -> anyhow::Result<Vec<Page>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot list {}: pass --dir with the scrapinghub html folder",
            dir.display()
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    // Sorted so every run sees the pages in the same order.
    paths.sort();
    if paths.is_empty() {
        bail!("no *.html.gz pages in {}", dir.display());
    }
    paths
        .into_iter()
        .map(|path| {
            let mut bytes = Vec::new();
            GzDecoder::new(File::open(&path).with_context(|| path.display().to_string())?)
                .read_to_end(&mut bytes)
                .with_context(|| format!("{} is not gzip", path.display()))?;
            let text = if with_text {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                String::new()
            };
            Ok(Page {
                path: path.display().to_string(),
                bytes,
                text,
            })
        })
        .collect()
}

fn contender(name: &'static str, times: &[Duration], pages: usize, bytes: usize) -> Contender {
    let passes_s: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
    let median_s = median(&passes_s);
    Contender {
        name,
        median_s,
        pages_per_s: pages as f64 / median_s.max(1e-12),
        mb_per_s: bytes as f64 / 1e6 / median_s.max(1e-12),
        passes_s,
    }
}

/// Median of `xs` (mean of the middle two for an even count).
fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    }
}

fn write_jsonl(out: &Path, pages: &[Page], texts: &[String]) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        path: &'a str,
        text: &'a str,
    }
    let file = File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut w = BufWriter::new(file);
    for (page, text) in pages.iter().zip(texts) {
        serde_json::to_writer(
            &mut w,
            &Line {
                path: &page.path,
                text,
            },
        )?;
        w.write_all(b"\n")?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", out.display()))
}

fn print_table(r: &Report) {
    println!(
        "pages {}  input {:.1} MB  passes {}  extract errors {}",
        r.pages, r.input_mb, r.passes, r.extract_errors
    );
    println!(
        "{:<32} {:>10} {:>10} {:>8}  passes (s)",
        "contender", "median s", "pages/s", "MB/s"
    );
    for c in std::iter::once(&r.extract).chain(&r.parse) {
        let passes: Vec<String> = c.passes_s.iter().map(|s| format!("{s:.3}")).collect();
        println!(
            "{:<32} {:>10.3} {:>10.1} {:>8.2}  {}",
            c.name,
            c.median_s,
            c.pages_per_s,
            c.mb_per_s,
            passes.join(" ")
        );
    }
    if let Some(ratio) = r.extract_over_parse {
        println!("extract / parse time: {ratio:.2}x");
    }
    if let Some(rss) = r.peak_rss_mib {
        println!("peak RSS: {rss:.1} MiB");
    }
}
