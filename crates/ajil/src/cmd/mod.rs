//! One module per subcommand. Each takes the checked [`crate::config::Config`]
//! and plain arguments, prints user output on stdout (JSON when asked), and
//! returns errors that end with what to do.

pub mod bounces;
pub mod check;
pub mod deliver;
pub mod dkim;
pub mod extract;
pub mod poll;
pub mod replay;
pub mod serve;
pub mod sources;
pub mod store;
pub mod stories;
pub mod subscribe;
pub mod subscriptions;

use std::io::Write;

use anyhow::{Context, Result};
use chrono::TimeDelta;

use crate::config::Config;

/// Opens the store in the data folder, creating both on first use.
pub async fn open_store(config: &Config) -> Result<ajil_store::Store> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create data folder {}: check permissions or pass --data DIR",
            config.data_dir.display()
        )
    })?;
    if let Some(url) = &config.database_url {
        return ajil_store::Store::connect_postgres(url.expose())
            .await
            .context(
                "cannot open the PostgreSQL database of AJIL_DATABASE_URL (database_url): \
                 check that the server is up, the database exists and the user may create tables",
            );
    }
    ajil_store::Store::open(&config.db_path())
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}: check that the data folder is writable",
                config.db_path().display()
            )
        })
}

/// Writes one value as a JSON line to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Parses durations like `90s`, `45m`, `24h`, `7d` (a bare number is minutes).
pub fn parse_duration(s: &str) -> Result<TimeDelta> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "m"),
    };
    let n: i64 = num.parse().map_err(|_| {
        anyhow::anyhow!("duration {s:?} is not valid: use a number and a unit, e.g. 90m, 24h, 7d")
    })?;
    match unit {
        "s" => Ok(TimeDelta::seconds(n)),
        "m" | "min" => Ok(TimeDelta::minutes(n)),
        "h" => Ok(TimeDelta::hours(n)),
        "d" => Ok(TimeDelta::days(n)),
        _ => anyhow::bail!("duration unit {unit:?} is not known: use s, m, h or d (e.g. 24h)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m").unwrap(), TimeDelta::minutes(90));
        assert_eq!(parse_duration("24h").unwrap(), TimeDelta::hours(24));
        assert_eq!(parse_duration("7d").unwrap(), TimeDelta::days(7));
        assert_eq!(parse_duration("15").unwrap(), TimeDelta::minutes(15));
        assert!(
            parse_duration("3w")
                .unwrap_err()
                .to_string()
                .contains("s, m, h or d")
        );
        assert!(parse_duration("h").is_err());
    }
}
