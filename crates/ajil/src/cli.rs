//! What the user typed: clap derive structs. Doc comments are the `--help` text.
//!
//! These types stop at `main.rs`: it turns them into a checked [`crate::config::Config`]
//! and hands each subcommand plain values.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// ajil — real-time breaking-news alerts by email, Arabic-first.
///
/// Watches news feeds, extracts clean article text, groups every copy of a story
/// into one, and emails each subscriber one alert per matching story.
#[derive(Debug, Parser)]
#[command(name = "ajil", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Data folder: the SQLite database, the local outbox and templates live here.
    #[arg(long, global = true, env = "AJIL_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Config file (TOML). Defaults to DATA/ajil.toml when that file exists.
    #[arg(long, global = true, env = "AJIL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log filter, e.g. `info` or `ajil=debug` (logs go to stderr).
    #[arg(long, global = true, env = "AJIL_LOG", value_name = "FILTER")]
    pub log: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run everything: web UI, JSON API, scheduler, pipeline and mailer.
    Serve(ServeArgs),
    /// Fetch every source once now, process everything, send what is due, exit.
    Poll(PollArgs),
    /// Manage news sources (feeds and pages).
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Subscribe an email address to a query.
    Subscribe(SubscribeArgs),
    /// Manage subscriptions.
    #[command(subcommand)]
    Subscriptions(SubscriptionsCommand),
    /// Extract the main article text and metadata from pages.
    Extract(ExtractArgs),
    /// List recent stories.
    Stories(StoriesArgs),
    /// Replay a recorded article stream through analyze → story → breaking.
    ///
    /// The stories come from the built-in story settings (a 72-hour window, the
    /// default quiet sections), not from the data folder or config file, so two
    /// replays of one stream always agree; nothing is stored.
    Replay(ReplayArgs),
    /// DKIM keys for signing outgoing mail.
    #[command(subcommand)]
    Dkim(DkimCommand),
    /// Returned mail: bounces (DSN) and complaints (ARF).
    #[command(subcommand)]
    Bounces(BouncesCommand),
    /// Check the setup before going live: the store, the mail route (one SMTP
    /// session, nothing sent), sender, DKIM, bounces, sources and subscriptions.
    /// Exits with 1 when something ajil needs does not work.
    Check {
        /// Do not contact the SMTP server.
        #[arg(long)]
        offline: bool,
        /// Print the outcomes as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The database: back it up, prune old articles, copy it to PostgreSQL.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Send every email due now and exit, without polling sources.
    #[command(hide = true)]
    Deliver {
        /// Print a summary as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `ajil store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Write a consistent copy of the SQLite store to FILE while ajil keeps
    /// running (compacted, as of one moment). To restore it, stop ajil and put
    /// the file at DATA/ajil.db. A PostgreSQL store is backed up with pg_dump.
    Backup {
        /// The new file to write (it must not exist).
        file: PathBuf,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Drop the text, feed summary and analysis of articles older than the
    /// retention period (`retention_days`, 90 by default; `serve` does this
    /// once an hour). Their titles, links, outlets and stories stay, so story
    /// pages remain whole and a feed that still lists them does not bring
    /// them back as new.
    Prune {
        /// Prune articles published and fetched more than DAYS days ago
        /// (default: `retention_days`); at least the story window and a day.
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u32>,
        /// Only count what would be pruned.
        #[arg(long)]
        dry_run: bool,
        /// Afterwards give the freed space back to the file system (`VACUUM`;
        /// rewrites the SQLite file, so run it when the service is quiet).
        #[arg(long)]
        vacuum: bool,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Copy every row of the current store (the data folder's SQLite file, or
    /// AJIL_DATABASE_URL) into an empty PostgreSQL database, keeping every id.
    ///
    /// Stop `ajil serve` first (the copy also waits for any running cycle).
    /// Afterwards, set AJIL_DATABASE_URL to the new database to use it.
    Copy {
        /// The PostgreSQL database to fill, e.g.
        /// postgres://ajil:password@db.example.org:5432/ajil (it must exist and
        /// be empty; ajil creates the tables).
        #[arg(long, value_name = "URL")]
        to: String,
        /// Print a summary as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `ajil bounces …`.
#[derive(Debug, Subcommand)]
pub enum BouncesCommand {
    /// Read bounce (RFC 3464) and complaint (RFC 5965) reports from a Maildir
    /// or an mbox file: hard bounces and 3 soft bounces within 7 days suspend
    /// the address, complaints unsubscribe it.
    Import {
        /// A Maildir folder (with cur/ and new/) or an mbox file.
        path: PathBuf,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read the unseen messages of a bounce mailbox over IMAP, apply them as
    /// `import` does, then mark them: reports are deleted, other mail is
    /// marked seen and kept.
    Poll {
        /// imap://USER:PASS@HOST:PORT/MAILBOX (plain text, loopback only) or
        /// imaps://… (TLS); by default `bounce_url` of the configuration
        /// (AJIL_BOUNCE_URL).
        #[arg(long)]
        url: Option<String>,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `ajil dkim …`.
#[derive(Debug, Subcommand)]
pub enum DkimCommand {
    /// Write a new private key (PEM, mode 0600) and print the DNS TXT record
    /// to publish at SELECTOR._domainkey.DOMAIN.
    Keygen {
        /// The signing domain, usually the domain of the From address.
        #[arg(long)]
        domain: String,
        /// The selector: a name for this key, so a new key can be published
        /// beside the old one when it is rotated.
        #[arg(long, default_value = "ajil")]
        selector: String,
        /// `rsa` (2048 bits, checked by every receiver) or `ed25519`.
        #[arg(long, default_value = "rsa", value_name = "rsa|ed25519")]
        algorithm: String,
        /// Where to write the private key; an existing file is never replaced.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `ajil serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address for the web UI and API.
    #[arg(long, env = "AJIL_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
}

/// `ajil poll`.
#[derive(Debug, Args)]
pub struct PollArgs {
    /// Print a summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `ajil sources …`.
#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Add a feed (RSS, Atom, JSON Feed, news sitemap) or a news web page by URL.
    Add {
        /// The feed URL, or the address of a web page: a page that advertises
        /// a feed is replaced by that feed; a news section page without one is
        /// watched for new article links.
        url: String,
        /// Display name of the outlet (defaults to the URL's host).
        #[arg(long)]
        name: Option<String>,
        /// Seconds between fetches (at least 60).
        #[arg(long, value_name = "SECS")]
        interval: Option<u64>,
        /// The section the whole feed belongs to (e.g. `sport`), for items
        /// that declare no category: reports from sport, culture, business and
        /// technology sections never make a story breaking.
        #[arg(long, value_name = "NAME")]
        section: Option<String>,
        /// Watch the web page itself for new article links, even when it
        /// advertises a feed.
        #[arg(long)]
        page: bool,
        /// Add the URL as given, without fetching it first to see what it is.
        #[arg(long)]
        no_check: bool,
    },
    /// List sources with their health.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a source by id (its articles go with it; a WebSub hub pushing
    /// it is told to stop).
    Remove {
        /// The source id (see `ajil sources list`).
        id: i64,
    },
    /// Change a source's name, interval or section.
    Edit {
        /// The source id (see `ajil sources list`).
        id: i64,
        /// A new address, for a feed that moved: the source keeps its
        /// articles and stories and is polled there at once.
        #[arg(long)]
        url: Option<String>,
        /// The outlet's display name.
        #[arg(long)]
        name: Option<String>,
        /// Seconds between fetches (at least 60).
        #[arg(long, value_name = "SECS")]
        interval: Option<u64>,
        /// The section the whole feed belongs to (e.g. `sport`); `none`
        /// clears it.
        #[arg(long, value_name = "NAME")]
        section: Option<String>,
        /// Print the source as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop polling a source (and taking its WebSub pushes) until it is
    /// resumed; its articles and stories stay.
    Pause {
        /// The source id (see `ajil sources list`).
        id: i64,
    },
    /// Poll a paused source again, starting now.
    Resume {
        /// The source id (see `ajil sources list`).
        id: i64,
    },
    /// Import sources from an OPML file.
    Import {
        /// The OPML file.
        file: PathBuf,
    },
    /// Export sources as OPML to standard output.
    Export,
}

/// `ajil subscribe`.
#[derive(Debug, Args)]
pub struct SubscribeArgs {
    /// The subscriber's email address.
    pub email: String,
    /// The query, e.g. `لافروف إسطنبول` or `"Iran deal" -sport lang:ar,en`.
    pub query: String,
    /// Only articles in these languages (comma-separated ISO codes, e.g. `ar,en`).
    #[arg(long, value_name = "LANGS")]
    pub lang: Option<String>,
    /// realtime: one email per story; hourly/daily: one digest per period.
    #[arg(long, default_value = "realtime", value_name = "MODE")]
    pub mode: String,
    /// Language of the emails and pages for this subscriber (`ar` or `en`).
    #[arg(long, default_value = "ar", value_name = "LANG")]
    pub ui_lang: String,
    /// Skip the confirmation email (the address owner already agreed).
    #[arg(long)]
    pub confirmed: bool,
    /// The subscriber's time zone (IANA name, e.g. `Asia/Riyadh`): for the
    /// times in emails, quiet hours, the daily cap and digest hours.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Hours without real-time alerts, local time, e.g. `22:00-07:00`
    /// (`none` clears them); held alerts go out when they end.
    #[arg(long, value_name = "HH:MM-HH:MM")]
    pub quiet_hours: Option<String>,
    /// Most real-time alerts per local day; the rest fold into one daily
    /// digest (`0` clears the cap).
    #[arg(long, value_name = "N")]
    pub daily_cap: Option<u32>,
    /// Alert only when a matching story turns breaking (several independent
    /// outlets within minutes), not on its first matching report.
    #[arg(long)]
    pub breaking_only: bool,
}

/// `ajil subscriptions …`.
#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// List subscriptions.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a subscription by id.
    Remove {
        /// The subscription id (see `ajil subscriptions list`).
        id: i64,
    },
    /// Make a subscription alert only when a matching story turns breaking
    /// (`on`), or on every new matching story again (`off`).
    BreakingOnly {
        /// The subscription id (see `ajil subscriptions list`).
        id: i64,
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Delete an email address and everything kept about it: its
    /// subscriptions and their alert records, every email to it in the outbox
    /// (sent or pending) and the bounce and complaint reports that name it.
    /// Subscribers can do the same from their manage page.
    Erase {
        /// The address, as it signed up (case does not matter).
        email: String,
        /// Print what was deleted as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `ajil extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files (`.html`, `.html.gz`), URLs, or `-` for standard input.
    #[arg(value_name = "FILE|URL|-", required = true)]
    pub inputs: Vec<String>,
    /// One JSON object per line (fields: path or url, title, text, lang, published,
    /// author, canonical_url, wire).
    #[arg(long)]
    pub jsonl: bool,
}

/// `ajil stories`.
#[derive(Debug, Args)]
pub struct StoriesArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Only stories seen within this long, e.g. `90m`, `24h`, `7d`.
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub since: String,
    /// Only stories whose reports within `--since` this query matches (as
    /// for a subscription: words, "phrases", -exclusions, OR, lang:, source:),
    /// the ones a subscription with it would have been alerted on.
    #[arg(long, short = 'q', value_name = "QUERY")]
    pub query: Option<String>,
    /// Only stories that turned breaking.
    #[arg(long)]
    pub breaking: bool,
}

/// `ajil replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// JSON lines (optionally gzipped): objects with id, url, source, title,
    /// published, text, and optional summary, lang and category (the section
    /// it ran in: reports from sport, culture, business or technology sections
    /// never make a story breaking).
    pub file: PathBuf,
    /// Where to write one JSON line per story.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Language declared for articles without a `lang` field, as a feed
    /// declares it (e.g. `ar`); without it the language is detected.
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    /// Threads analysing ahead of the clusterer (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Score the stories against hand-labelled events and print pairwise and
    /// B-cubed F1 and breaking detection, one row per file (repeat for several
    /// windows). A file holds {"events": [{"id", "docnos": [article ids],
    /// "breaking": bool}]}, as bench/stories/labels/*.json.
    #[arg(long, value_name = "FILE")]
    pub labels: Vec<PathBuf>,
    /// How late, in minutes of publication time, an article may come in the file
    /// and still be put in order as the stream is read; a stream with a later one
    /// is read whole and ordered first (more memory, same stories).
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub lateness: u32,
    /// Skip lines that are not article objects (broken JSON, a missing field,
    /// invalid UTF-8, a line cut short) instead of stopping at the first; they
    /// are counted and the first few named in the summary.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn subscribe_parses_options() {
        let cli = Cli::try_parse_from([
            "ajil",
            "subscribe",
            "a@example.com",
            "لافروف إسطنبول",
            "--lang",
            "ar,en",
            "--mode",
            "hourly",
            "--confirmed",
            "--tz",
            "Asia/Riyadh",
            "--quiet-hours",
            "22:00-07:00",
            "--daily-cap",
            "10",
        ])
        .unwrap();
        match cli.command {
            Command::Subscribe(a) => {
                assert_eq!(a.lang.as_deref(), Some("ar,en"));
                assert_eq!(a.mode, "hourly");
                assert!(a.confirmed);
                assert_eq!(a.tz.as_deref(), Some("Asia/Riyadh"));
                assert_eq!(a.quiet_hours.as_deref(), Some("22:00-07:00"));
                assert_eq!(a.daily_cap, Some(10));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
