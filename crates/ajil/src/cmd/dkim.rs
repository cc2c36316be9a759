//! `ajil dkim keygen`: makes a DKIM private key and prints the DNS record
//! that publishes its public half.

use std::io::Write;
use std::path::Path;

use ajil_mail::{Dkim, DkimAlgorithm, DkimKey};
use anyhow::{Context, Result};

/// Longest string in one DNS TXT record string (RFC 1035 3.3.14); longer
/// values, like a 2048-bit RSA key, are split into several quoted strings
/// that receivers join.
const TXT_CHUNK: usize = 255;

/// Writes a new key of `algorithm` to `out` (PEM, mode 0600, never over an
/// existing file) and prints where and what to publish.
pub fn keygen(domain: &str, selector: &str, algorithm: &str, out: &Path) -> Result<()> {
    let algorithm: DkimAlgorithm = algorithm.parse()?;
    let key = DkimKey::generate(algorithm);
    // Checks the domain and selector before anything is written.
    let dkim = Dkim::new(domain, selector, &key)?;
    write_private(out, key.to_pem().as_bytes())?;

    let record = key.dns_record();
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Wrote a new {algorithm} DKIM key to {} (readable by its owner only).",
        out.display()
    )?;
    writeln!(stdout)?;
    writeln!(stdout, "Publish this TXT record:")?;
    writeln!(stdout, "  name:  {}", dkim.dns_name())?;
    writeln!(stdout, "  value: {record}")?;
    writeln!(stdout)?;
    writeln!(stdout, "In a zone file:")?;
    writeln!(
        stdout,
        "{}. IN TXT {}",
        dkim.dns_name(),
        txt_strings(&record)
    )?;
    writeln!(stdout)?;
    writeln!(stdout, "Then sign with it:")?;
    writeln!(
        stdout,
        "  AJIL_DKIM_KEY={} AJIL_DKIM_SELECTOR={} AJIL_DKIM_DOMAIN={}",
        out.display(),
        dkim.selector(),
        dkim.domain()
    )?;
    Ok(())
}

/// `"…" "…"`: the value as quoted strings of at most [`TXT_CHUNK`] bytes
/// (the record is ASCII, so bytes and characters agree).
fn txt_strings(value: &str) -> String {
    value
        .as_bytes()
        .chunks(TXT_CHUNK)
        .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Creates `path` with mode 0600 and writes `bytes`; an existing file is an
/// error, so a key in use is never replaced by accident.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        format!(
            "cannot create {}: remove the old file or choose another --out (an existing key is never overwritten)",
            path.display()
        )
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}: check the disk", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_records_are_split_into_txt_strings() {
        let value = "v=DKIM1; k=rsa; p=".to_string() + &"A".repeat(400);
        let quoted = txt_strings(&value);
        let parts: Vec<&str> = quoted.split("\" \"").collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(quoted.len(), value.len() + 5);
        assert_eq!(txt_strings("short"), "\"short\"");
    }

    #[test]
    fn keys_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        keygen("ajil.example", "s1", "ed25519", &path).unwrap();
        let pem = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            DkimKey::from_pem(&pem).unwrap().algorithm(),
            DkimAlgorithm::Ed25519
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let err = keygen("ajil.example", "s1", "ed25519", &path).unwrap_err();
        assert!(format!("{err:#}").contains("never overwritten"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
        let err = keygen("bad domain", "s1", "rsa", &dir.path().join("x.pem")).unwrap_err();
        assert!(format!("{err:#}").contains("bad domain"));
        assert!(!dir.path().join("x.pem").exists());
        assert!(keygen("a.example", "s", "dsa", &dir.path().join("y.pem")).is_err());
    }
}
