//! The checked configuration: defaults, then the config file, then `AJIL_*`
//! environment variables, then command-line flags — each later one wins.
//!
//! Every setting has an environment variable named `AJIL_` plus the setting's
//! name in upper case (`smtp_url` → `AJIL_SMTP_URL`). `ajil.example.toml` at the
//! repository root documents them all.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// A string that never shows itself in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Settings as written in the TOML file; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    database_url: Option<String>,
    from: Option<String>,
    secret: Option<String>,
    poll_interval: Option<u64>,
    min_poll_interval: Option<u64>,
    websub: Option<bool>,
    fetch_timeout: Option<u64>,
    max_page_bytes: Option<usize>,
    user_agent: Option<String>,
    api_token: Option<String>,
    story_window_hours: Option<i64>,
    retention_days: Option<u32>,
    quiet_sections: Option<Vec<String>>,
    incident_words: Option<Vec<String>>,
    send_batch: Option<usize>,
    send_concurrency: Option<usize>,
    send_rate: Option<f64>,
    digest_hour: Option<u32>,
    reply_to: Option<String>,
    dkim_key: Option<PathBuf>,
    dkim_selector: Option<String>,
    dkim_domain: Option<String>,
    bounce_url: Option<String>,
    bounce_poll_interval: Option<u64>,
}

/// Where the DKIM key is and what to sign as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimSettings {
    /// PEM private key file (RSA or Ed25519).
    pub key: PathBuf,
    /// The selector: the key is published at `SELECTOR._domainkey.DOMAIN`.
    pub selector: String,
    /// The signing domain (`d=`), by default the domain of `from`.
    pub domain: String,
}

/// Everything the commands need to know, resolved and validated once.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data folder.
    pub data_dir: PathBuf,
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// Base URL used in links inside emails (no trailing slash).
    pub public_url: String,
    /// SMTP server URL; `None` writes mail to `DATA/outbox/` instead.
    pub smtp_url: Option<Secret>,
    /// PostgreSQL URL; `None` keeps the store in `DATA/ajil.db` (SQLite).
    pub database_url: Option<Secret>,
    /// The `From` address of every email.
    pub from: String,
    /// Key for signing links and CSRF tokens.
    pub secret: Secret,
    /// Default seconds between fetches of one source.
    pub poll_interval: Duration,
    /// Shortest wait between two fetches of a source that publishes often
    /// (a source's own interval is the longest; see
    /// `ajil_fetch::adaptive_interval`).
    pub min_poll_interval: Duration,
    /// Subscribe at the WebSub hubs feeds name, so new items are pushed to
    /// `public_url` as they are published. On by default when `public_url`
    /// is not a loopback address (a hub could not reach it).
    pub websub: bool,
    /// Timeout of one HTTP fetch.
    pub fetch_timeout: Duration,
    /// Largest page or feed ajil reads.
    pub max_page_bytes: usize,
    /// User-Agent of ajil's HTTP requests.
    pub user_agent: String,
    /// Bearer token for the JSON API; `None` limits the API to loopback clients.
    pub api_token: Option<Secret>,
    /// How far back stories stay open for new articles.
    pub story_window_hours: i64,
    /// Days an article keeps its text, feed summary and analysis; older ones
    /// keep only their title, link, outlet and story (see
    /// `ajil_store::Store::prune_articles`). `None` keeps everything.
    pub retention_days: Option<u32>,
    /// Sections whose reports never make a story breaking (see
    /// `ajil_story::StoryOptions::quiet_sections`); empty for none.
    pub quiet_sections: Vec<String>,
    /// Words naming a violent incident or disaster, in any language, added to the
    /// built-in Arabic and English ones (see
    /// `ajil_story::StoryOptions::incident_keys`): a headline naming one and a
    /// headline naming none are two happenings.
    pub incident_words: Vec<String>,
    /// Emails sent per delivery round; also the most emails a crash can
    /// make ajil send twice (they are marked sent together).
    pub send_batch: usize,
    /// Emails of a round sent at the same time.
    pub send_concurrency: usize,
    /// Most emails per second over all connections; `None` for no limit.
    pub send_rate: Option<f64>,
    /// Local hour (0–23) at which daily digests go out.
    pub digest_hour: u32,
    /// The `Reply-To` of every email, if replies should go elsewhere.
    pub reply_to: Option<String>,
    /// DKIM signing of outgoing mail; `None` sends unsigned.
    pub dkim: Option<DkimSettings>,
    /// IMAP URL of the bounce mailbox `serve` polls (and `bounces poll`
    /// reads by default); `None` polls nothing.
    pub bounce_url: Option<Secret>,
    /// Time between two polls of the bounce mailbox.
    pub bounce_poll_interval: Duration,
}

impl Config {
    /// Builds the configuration from the data folder, an optional config file
    /// and the environment.
    pub fn load(data: Option<&Path>, config_file: Option<&Path>) -> Result<Config> {
        let data_dir = data
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("ajil-data"));
        let default_file = data_dir.join("ajil.toml");
        let file = match config_file {
            Some(p) => Some(p.to_path_buf()),
            None if default_file.exists() => Some(default_file),
            None => None,
        };
        let fc = match &file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| {
                    format!("cannot read config file {}: check the path", p.display())
                })?;
                toml::from_str::<FileConfig>(&text).with_context(|| {
                    format!(
                        "config file {} is not valid: see ajil.example.toml for the settings",
                        p.display()
                    )
                })?
            }
            None => FileConfig::default(),
        };
        Self::resolve(data_dir, fc, &|k| {
            std::env::var(k).ok().filter(|v| !v.is_empty())
        })
    }

    /// The defaults for a data folder, ignoring the environment and any
    /// config file (for tests and embedding).
    pub fn defaults(data_dir: &Path) -> Result<Config> {
        Self::resolve(data_dir.to_path_buf(), FileConfig::default(), &|_| None)
    }

    fn resolve(
        data_dir: PathBuf,
        fc: FileConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        fn num<T: std::str::FromStr>(name: &str, v: Option<String>) -> Result<Option<T>> {
            match v {
                None => Ok(None),
                Some(s) => s.trim().parse().map(Some).map_err(|_| {
                    anyhow::anyhow!("{name}={s:?} is not a valid number: give a whole number")
                }),
            }
        }
        let listen_s = env("AJIL_LISTEN")
            .or(fc.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_s.parse().with_context(|| {
            format!("listen address {listen_s:?} is not valid: use HOST:PORT, e.g. 127.0.0.1:8080")
        })?;
        let public_url = env("AJIL_PUBLIC_URL")
            .or(fc.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim_end_matches('/').to_string();
        url::Url::parse(&public_url).with_context(|| {
            format!("public URL {public_url:?} is not a URL: use e.g. https://alerts.example.org")
        })?;
        let smtp_url = env("AJIL_SMTP_URL").or(fc.smtp_url).map(Secret);
        let database_url = env("AJIL_DATABASE_URL").or(fc.database_url);
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            anyhow::bail!(
                "database_url must be a PostgreSQL URL (postgres://user:password@host:5432/ajil); \
                 leave it unset to keep the store in the data folder (SQLite)"
            );
        }
        let database_url = database_url.map(Secret);
        let from = env("AJIL_FROM")
            .or(fc.from)
            .unwrap_or_else(|| "ajil <ajil@localhost>".into());
        let secret = match env("AJIL_SECRET").or(fc.secret) {
            Some(s) if s.len() < 16 => bail!("secret is too short: use at least 16 characters"),
            Some(s) => Secret(s),
            None => Secret(load_or_create_secret(&data_dir)?),
        };
        let poll_interval =
            num::<u64>("AJIL_POLL_INTERVAL", env("AJIL_POLL_INTERVAL"))?.or(fc.poll_interval);
        let websub = match env("AJIL_WEBSUB") {
            Some(v) => Some(match v.trim() {
                "1" | "true" | "on" | "yes" => true,
                "0" | "false" | "off" | "no" => false,
                _ => bail!("AJIL_WEBSUB={v:?} is not valid: use true or false"),
            }),
            None => fc.websub,
        }
        .unwrap_or_else(|| !is_loopback_url(&public_url));
        let min_poll_interval =
            num::<u64>("AJIL_MIN_POLL_INTERVAL", env("AJIL_MIN_POLL_INTERVAL"))?
                .or(fc.min_poll_interval);
        let fetch_timeout =
            num::<u64>("AJIL_FETCH_TIMEOUT", env("AJIL_FETCH_TIMEOUT"))?.or(fc.fetch_timeout);
        let max_page_bytes =
            num::<usize>("AJIL_MAX_PAGE_BYTES", env("AJIL_MAX_PAGE_BYTES"))?.or(fc.max_page_bytes);
        let story_window_hours =
            num::<i64>("AJIL_STORY_WINDOW_HOURS", env("AJIL_STORY_WINDOW_HOURS"))?
                .or(fc.story_window_hours);
        let retention_days = num::<u32>("AJIL_RETENTION_DAYS", env("AJIL_RETENTION_DAYS"))?
            .or(fc.retention_days)
            .unwrap_or(90);
        let window_hours = story_window_hours.unwrap_or(72).max(1);
        // Articles still in the story window (with a day to spare) keep their
        // analysis: the story index is rebuilt from it on start-up.
        let fewest_days = fewest_retention_days(window_hours);
        if retention_days != 0 && i64::from(retention_days) < fewest_days {
            bail!(
                "retention_days = {retention_days} would drop the text of articles still in the \
                 {window_hours} h story window: keep at least {fewest_days} days, or 0 to keep everything"
            );
        }
        let send_batch = num::<usize>("AJIL_SEND_BATCH", env("AJIL_SEND_BATCH"))?.or(fc.send_batch);
        let send_concurrency = num::<usize>("AJIL_SEND_CONCURRENCY", env("AJIL_SEND_CONCURRENCY"))?
            .or(fc.send_concurrency);
        let send_rate = match env("AJIL_SEND_RATE") {
            Some(v) => Some(v.trim().parse::<f64>().ok().filter(|r| *r > 0.0).with_context(
                || format!("AJIL_SEND_RATE={v:?} is not valid: give emails per second, e.g. 10 or 0.5"),
            )?),
            None => fc.send_rate,
        };
        let digest_hour =
            num::<u32>("AJIL_DIGEST_HOUR", env("AJIL_DIGEST_HOUR"))?.or(fc.digest_hour);
        if digest_hour.is_some_and(|h| h > 23) {
            bail!(
                "digest hour {} is not valid: use 0 to 23 (local time)",
                digest_hour.unwrap_or(0)
            );
        }
        let dkim = dkim_settings(
            env("AJIL_DKIM_KEY").map(PathBuf::from).or(fc.dkim_key),
            env("AJIL_DKIM_SELECTOR").or(fc.dkim_selector),
            env("AJIL_DKIM_DOMAIN").or(fc.dkim_domain),
            &from,
        )?;
        let bounce_url = env("AJIL_BOUNCE_URL").or(fc.bounce_url);
        let bounce_poll_interval = num::<u64>(
            "AJIL_BOUNCE_POLL_INTERVAL",
            env("AJIL_BOUNCE_POLL_INTERVAL"),
        )?
        .or(fc.bounce_poll_interval);
        Ok(Config {
            data_dir,
            listen,
            public_url,
            smtp_url,
            database_url,
            from,
            secret,
            poll_interval: Duration::from_secs(poll_interval.unwrap_or(300).max(10)),
            min_poll_interval: Duration::from_secs(min_poll_interval.unwrap_or(60).max(10)),
            websub,
            fetch_timeout: Duration::from_secs(fetch_timeout.unwrap_or(20).max(1)),
            max_page_bytes: max_page_bytes.unwrap_or(10 << 20),
            user_agent: env("AJIL_USER_AGENT")
                .or(fc.user_agent)
                .unwrap_or_else(|| format!("ajil/{} (news alerts)", env!("CARGO_PKG_VERSION"))),
            api_token: env("AJIL_API_TOKEN").or(fc.api_token).map(Secret),
            story_window_hours: window_hours,
            retention_days: (retention_days != 0).then_some(retention_days),
            // A comma-separated list, or "none" (an empty variable counts as unset).
            quiet_sections: match env("AJIL_QUIET_SECTIONS") {
                Some(v) if v.trim().eq_ignore_ascii_case("none") => Vec::new(),
                Some(v) => v
                    .split(',')
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => fc
                    .quiet_sections
                    .map(|v| v.into_iter().map(|s| s.trim().to_lowercase()).collect())
                    .unwrap_or_else(|| ajil_story::StoryOptions::default().quiet_sections),
            },
            // A comma-separated list (an empty variable counts as unset).
            incident_words: match env("AJIL_INCIDENT_WORDS") {
                Some(v) => v
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => fc
                    .incident_words
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            },
            send_batch: send_batch.unwrap_or(200).max(1),
            send_concurrency: send_concurrency.unwrap_or(4).max(1),
            send_rate: send_rate.filter(|r| r.is_finite() && *r > 0.0),
            digest_hour: digest_hour.unwrap_or(ajil_alert::pacing::DEFAULT_DIGEST_HOUR),
            reply_to: env("AJIL_REPLY_TO").or(fc.reply_to),
            dkim,
            bounce_url: bounce_url.map(Secret),
            bounce_poll_interval: Duration::from_secs(bounce_poll_interval.unwrap_or(300).max(1)),
        })
    }

    /// Path of the SQLite database.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("ajil.db")
    }

    /// Folder where mail goes while no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// Folder whose templates override the shipped email templates.
    pub fn templates_dir(&self) -> PathBuf {
        self.data_dir.join("templates")
    }

    /// The `Reply-To` mailbox, checked.
    pub fn reply_to_mailbox(&self) -> Result<Option<ajil_mail::Mailbox>> {
        self.reply_to
            .as_deref()
            .map(|r| {
                r.parse().with_context(|| {
                    format!(
                        "reply-to address {r:?} is not valid: use e.g. \"Desk <desk@example.org>\""
                    )
                })
            })
            .transpose()
    }

    /// The DKIM signer, with its key read, when DKIM is configured.
    pub fn dkim_signer(&self) -> Result<Option<ajil_mail::Dkim>> {
        self.dkim
            .as_ref()
            .map(|d| {
                ajil_mail::Dkim::from_key_file(&d.domain, &d.selector, &d.key)
                    .context("cannot set up DKIM signing")
            })
            .transpose()
    }
}

/// DKIM is on when a key is given; the selector defaults to `ajil` and the
/// domain to the one in the `from` address.
fn dkim_settings(
    key: Option<PathBuf>,
    selector: Option<String>,
    domain: Option<String>,
    from: &str,
) -> Result<Option<DkimSettings>> {
    let Some(key) = key else {
        if selector.is_some() || domain.is_some() {
            bail!(
                "dkim_selector or dkim_domain is set but dkim_key is not: set AJIL_DKIM_KEY to the private key file (make one with `ajil dkim keygen`)"
            );
        }
        return Ok(None);
    };
    let domain = match domain {
        Some(d) => d,
        None => from
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('>').trim().to_string())
            .filter(|d| !d.is_empty())
            .with_context(|| {
                format!(
                    "cannot tell the DKIM domain from the sender {from:?}: set AJIL_DKIM_DOMAIN"
                )
            })?,
    };
    Ok(Some(DkimSettings {
        key,
        selector: selector.unwrap_or_else(|| "ajil".into()),
        domain,
    }))
}

/// The signing key lives in `DATA/secret.key` unless given; made once, kept.
fn load_or_create_secret(data_dir: &Path) -> Result<String> {
    let path = data_dir.join("secret.key");
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim().to_string();
        if s.len() >= 16 {
            return Ok(s);
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| {
        format!(
            "cannot create data folder {}: check permissions or pass --data",
            data_dir.display()
        )
    })?;
    let mut bytes = [0u8; 32];
    getrandom(&mut bytes);
    let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &s)
        .with_context(|| format!("cannot write {}: check permissions", path.display()))?;
    Ok(s)
}

fn getrandom(buf: &mut [u8]) {
    use rand::RngCore;
    rand::rngs::OsRng.fill_bytes(buf);
}

/// Whether `url`'s host is this machine only (a WebSub hub could not call it).
pub fn is_loopback_url(url: &str) -> bool {
    let Some(host) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    else {
        return true;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// The fewest days of retention a story window of `window_hours` allows: the
/// window and a day to spare, in whole days.
pub fn fewest_retention_days(window_hours: i64) -> i64 {
    (window_hours.max(1) + 24 + 23) / 24
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_and_env_override() {
        let dir = tempfile::tempdir().unwrap();
        let fc: FileConfig =
            toml::from_str("listen = \"127.0.0.1:9000\"\npoll_interval = 60\n").unwrap();
        let env = env_of(&[
            ("AJIL_POLL_INTERVAL", "120"),
            ("AJIL_SMTP_URL", "smtp://u:hunter2@localhost:25"),
        ]);
        let c = Config::resolve(dir.path().to_path_buf(), fc, &env).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
        assert_eq!(c.poll_interval, Duration::from_secs(120));
        assert!(
            !format!("{c:?}").contains("hunter2"),
            "secrets must not be printed"
        );
        // The generated secret is kept for the next start.
        let again = Config::resolve(dir.path().to_path_buf(), FileConfig::default(), &env).unwrap();
        assert_eq!(c.secret, again.secret);
    }

    #[test]
    fn quiet_sections_from_file_or_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let defaults = Config::resolve(path.clone(), FileConfig::default(), &env_of(&[])).unwrap();
        assert!(defaults.quiet_sections.contains(&"sport".to_string()));
        let fc: FileConfig = toml::from_str("quiet_sections = [\"Sport\", \"culture\"]").unwrap();
        let c = Config::resolve(path.clone(), fc, &env_of(&[])).unwrap();
        assert_eq!(c.quiet_sections, ["sport", "culture"]);
        let fc: FileConfig = toml::from_str("quiet_sections = []").unwrap();
        assert!(
            Config::resolve(path.clone(), fc, &env_of(&[]))
                .unwrap()
                .quiet_sections
                .is_empty()
        );
        let env = env_of(&[("AJIL_QUIET_SECTIONS", "sport, رياضة")]);
        let c = Config::resolve(path.clone(), FileConfig::default(), &env).unwrap();
        assert_eq!(c.quiet_sections, ["sport", "رياضة"]);
        let env = env_of(&[("AJIL_QUIET_SECTIONS", "none")]);
        let c = Config::resolve(path, FileConfig::default(), &env).unwrap();
        assert!(c.quiet_sections.is_empty());
    }

    #[test]
    fn retention_keeps_the_story_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let c = Config::resolve(path.clone(), FileConfig::default(), &env_of(&[])).unwrap();
        assert_eq!(c.retention_days, Some(90));
        let c = Config::resolve(
            path.clone(),
            FileConfig::default(),
            &env_of(&[("AJIL_RETENTION_DAYS", "0")]),
        )
        .unwrap();
        assert_eq!(c.retention_days, None, "0 keeps everything");
        let fc: FileConfig = toml::from_str("retention_days = 4").unwrap();
        assert_eq!(
            Config::resolve(path.clone(), fc, &env_of(&[]))
                .unwrap()
                .retention_days,
            Some(4)
        );
        let fc: FileConfig = toml::from_str("retention_days = 3").unwrap();
        let e = Config::resolve(path.clone(), fc, &env_of(&[])).unwrap_err();
        assert!(
            e.to_string().contains("at least 4 days"),
            "the error says what would work: {e}"
        );
        let fc: FileConfig =
            toml::from_str("retention_days = 7\nstory_window_hours = 240").unwrap();
        assert!(Config::resolve(path, fc, &env_of(&[])).is_err());
    }

    #[test]
    fn the_example_config_holds_every_setting_and_parses() {
        let text = include_str!("../../../ajil.example.toml");
        // Every setting, commented out or not, with its comment markers removed.
        let uncommented: String = text
            .lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .filter(|l| l.contains(" = "))
                    .unwrap_or(line)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let fc: FileConfig = toml::from_str(&uncommented)
            .unwrap_or_else(|e| panic!("ajil.example.toml does not parse: {e}"));
        // Naming every field here makes a new setting fail to compile until the
        // example (and this list) has it.
        let FileConfig {
            listen: _,
            public_url: _,
            smtp_url: _,
            database_url: _,
            from: _,
            secret: _,
            poll_interval: _,
            min_poll_interval: _,
            websub: _,
            fetch_timeout: _,
            max_page_bytes: _,
            user_agent: _,
            api_token: _,
            story_window_hours: _,
            retention_days: _,
            quiet_sections: _,
            incident_words: _,
            send_batch: _,
            send_concurrency: _,
            send_rate: _,
            digest_hour: _,
            reply_to: _,
            dkim_key: _,
            dkim_selector: _,
            dkim_domain: _,
            bounce_url: _,
            bounce_poll_interval: _,
        } = &fc;
        for (name, present) in [
            ("listen", fc.listen.is_some()),
            ("public_url", fc.public_url.is_some()),
            ("smtp_url", fc.smtp_url.is_some()),
            ("database_url", fc.database_url.is_some()),
            ("from", fc.from.is_some()),
            ("secret", fc.secret.is_some()),
            ("poll_interval", fc.poll_interval.is_some()),
            ("min_poll_interval", fc.min_poll_interval.is_some()),
            ("websub", fc.websub.is_some()),
            ("fetch_timeout", fc.fetch_timeout.is_some()),
            ("max_page_bytes", fc.max_page_bytes.is_some()),
            ("user_agent", fc.user_agent.is_some()),
            ("api_token", fc.api_token.is_some()),
            ("story_window_hours", fc.story_window_hours.is_some()),
            ("retention_days", fc.retention_days.is_some()),
            ("quiet_sections", fc.quiet_sections.is_some()),
            ("incident_words", fc.incident_words.is_some()),
            ("send_batch", fc.send_batch.is_some()),
            ("send_concurrency", fc.send_concurrency.is_some()),
            ("send_rate", fc.send_rate.is_some()),
            ("digest_hour", fc.digest_hour.is_some()),
            ("reply_to", fc.reply_to.is_some()),
            ("dkim_key", fc.dkim_key.is_some()),
            ("dkim_selector", fc.dkim_selector.is_some()),
            ("dkim_domain", fc.dkim_domain.is_some()),
            ("bounce_url", fc.bounce_url.is_some()),
            ("bounce_poll_interval", fc.bounce_poll_interval.is_some()),
        ] {
            assert!(
                present,
                "ajil.example.toml does not show the setting {name}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        Config::resolve(dir.path().to_path_buf(), fc, &env_of(&[])).unwrap();
    }

    #[test]
    fn websub_is_on_when_hubs_can_reach_the_public_url() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let local = Config::resolve(path.clone(), FileConfig::default(), &env_of(&[])).unwrap();
        assert!(!local.websub, "{}", local.public_url);
        let public = Config::resolve(
            path.clone(),
            FileConfig::default(),
            &env_of(&[("AJIL_PUBLIC_URL", "https://ajil.example.org")]),
        )
        .unwrap();
        assert!(public.websub);
        let off = Config::resolve(
            path.clone(),
            FileConfig::default(),
            &env_of(&[
                ("AJIL_PUBLIC_URL", "https://ajil.example.org"),
                ("AJIL_WEBSUB", "off"),
            ]),
        )
        .unwrap();
        assert!(!off.websub);
        let bad = Config::resolve(
            path,
            FileConfig::default(),
            &env_of(&[("AJIL_WEBSUB", "maybe")]),
        );
        assert!(bad.unwrap_err().to_string().contains("AJIL_WEBSUB"));
        assert!(is_loopback_url("http://[::1]:8080"));
        assert!(is_loopback_url("http://0.0.0.0:8080"));
    }

    #[test]
    fn incident_words_from_file_or_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let defaults = Config::resolve(path.clone(), FileConfig::default(), &env_of(&[])).unwrap();
        assert!(defaults.incident_words.is_empty());
        let fc: FileConfig = toml::from_str("incident_words = [\"attentat\", \" tués \"]").unwrap();
        let c = Config::resolve(path.clone(), fc, &env_of(&[])).unwrap();
        assert_eq!(c.incident_words, ["attentat", "tués"]);
        let env = env_of(&[("AJIL_INCIDENT_WORDS", "Anschlag, سيول,")]);
        let c = Config::resolve(path, FileConfig::default(), &env).unwrap();
        assert_eq!(c.incident_words, ["Anschlag", "سيول"]);
    }

    #[test]
    fn bad_values_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_of(&[("AJIL_LISTEN", "nope")]);
        let err =
            Config::resolve(dir.path().to_path_buf(), FileConfig::default(), &env).unwrap_err();
        assert!(format!("{err:#}").contains("HOST:PORT"));
        let env = env_of(&[("AJIL_POLL_INTERVAL", "soon")]);
        let err =
            Config::resolve(dir.path().to_path_buf(), FileConfig::default(), &env).unwrap_err();
        assert!(format!("{err:#}").contains("whole number"));
    }

    #[test]
    fn dkim_settings_default_to_the_sender_domain() {
        let dir = tempfile::tempdir().unwrap();
        let none = Config::resolve(
            dir.path().to_path_buf(),
            FileConfig::default(),
            &env_of(&[]),
        );
        assert_eq!(none.unwrap().dkim, None);
        let env = env_of(&[
            ("AJIL_FROM", "ajil <alerts@news.example>"),
            ("AJIL_DKIM_KEY", "/etc/ajil/dkim.pem"),
            ("AJIL_REPLY_TO", "desk@news.example"),
        ]);
        let c = Config::resolve(dir.path().to_path_buf(), FileConfig::default(), &env).unwrap();
        let d = c.dkim.unwrap();
        assert_eq!(d.domain, "news.example");
        assert_eq!(d.selector, "ajil");
        assert_eq!(d.key, PathBuf::from("/etc/ajil/dkim.pem"));
        assert_eq!(c.reply_to.as_deref(), Some("desk@news.example"));
        let fc: FileConfig = toml::from_str(
            "dkim_key = \"k.pem\"\ndkim_selector = \"s1\"\ndkim_domain = \"d.example\"\n",
        )
        .unwrap();
        let c = Config::resolve(dir.path().to_path_buf(), fc, &env_of(&[])).unwrap();
        let d = c.dkim.unwrap();
        assert_eq!(
            (d.selector.as_str(), d.domain.as_str()),
            ("s1", "d.example")
        );
        let env = env_of(&[("AJIL_DKIM_SELECTOR", "s1")]);
        let err =
            Config::resolve(dir.path().to_path_buf(), FileConfig::default(), &env).unwrap_err();
        assert!(format!("{err:#}").contains("AJIL_DKIM_KEY"));
    }

    #[test]
    fn unknown_file_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("smtp_host = \"x\"").is_err());
    }
}
