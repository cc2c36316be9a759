//! Independent checkers for delivered mail and rendered HTML, run as
//! external programs: dkimpy verifies DKIM signatures, SpamAssassin scores
//! messages with its local rules, headless Chromium lays out HTML.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The dkimpy verification script, run with [`python`].
const DKIM_VERIFY: &str = include_str!("../tools/dkim_verify.py");

/// The Python that has `dkimpy` (and `pynacl` for Ed25519): `$AJIL_TEST_PYTHON`,
/// else the venv `.ci/run` makes in the cargo target directory, else
/// `python3` on the path.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AJIL_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/ajil-target"));
    let venv = target.join("mailtest-venv/bin/python3");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// Verifies every DKIM signature of `message` with dkimpy, answering the
/// key lookup of `dns_name` with `record`. `Ok` carries dkimpy's verdict
/// lines; `Err` also its debug log.
pub fn dkim_verify(message: &[u8], dns_name: &str, record: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let script = dir.path().join("dkim_verify.py");
    let file = dir.path().join("message.eml");
    std::fs::write(&script, DKIM_VERIFY).map_err(|e| e.to_string())?;
    std::fs::write(&file, message).map_err(|e| e.to_string())?;
    let python = python();
    let out = Command::new(&python)
        .arg(&script)
        .arg(&file)
        .arg(dns_name)
        .arg(record)
        .output()
        .map_err(|e| {
            format!(
                "cannot run {}: {e}; install dkimpy and pynacl (.ci/run makes a venv)",
                python.display()
            )
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "dkimpy: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// What SpamAssassin said about one message.
#[derive(Debug, Clone)]
pub struct SpamReport {
    /// The total score.
    pub score: f64,
    /// Each rule that fired with its points.
    pub rules: Vec<(String, f64)>,
    /// The report as SpamAssassin printed it.
    pub report: String,
}

impl SpamReport {
    /// The sum of the rules that count against the message, so a bonus
    /// such as `ALL_TRUSTED` (every relay on loopback) cannot hide them.
    pub fn penalty(&self) -> f64 {
        self.rules.iter().map(|(_, p)| p.max(0.0)).sum()
    }
}

/// Scores `message` with `spamassassin -L -t` (local tests only: no DNS
/// blocklists, no DKIM key lookups, no network at all).
pub fn spamassassin(message: &[u8]) -> Result<SpamReport, String> {
    let mut child = Command::new("spamassassin")
        .args(["-L", "-t"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run spamassassin: {e}; install Debian's spamassassin"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(message)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = text.find("Content analysis details:").ok_or_else(|| {
        format!(
            "no report in spamassassin output: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let report = text[start..].to_owned();
    let score = report
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(" points"))
        .and_then(|(n, _)| n.trim().parse().ok())
        .ok_or_else(|| format!("no score in report: {report}"))?;
    let rules = report
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let points: f64 = words.next()?.parse().ok()?;
            let name = words.next()?;
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                .then(|| (name.to_owned(), points))
        })
        .collect();
    Ok(SpamReport {
        score,
        rules,
        report,
    })
}

/// Where Debian's chromium lives, if installed.
pub fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs headless Chromium on `page` with a window `width` pixels wide (at
/// least 500: headless Chromium will not make a window narrower, so phone
/// widths need an iframe) and a fresh profile in `work`: returns the DOM
/// after scripts ran and a few seconds of virtual time passed, and writes a
/// screenshot to `png`.
pub fn chromium_render(page: &Path, width: u32, work: &Path, png: &Path) -> Result<String, String> {
    let chromium = chromium().ok_or("chromium is not installed (Debian's chromium package)")?;
    let run = |extra: &[String]| -> Result<String, String> {
        let profile = tempfile::tempdir_in(work).map_err(|e| e.to_string())?;
        let out = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                // Lets posted messages and late layout settle before the
                // DOM is dumped, without waiting in real time.
                "--virtual-time-budget=3000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={width},1300"))
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", chromium.display()))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "chromium failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(&[format!("--screenshot={}", png.display())])?;
    run(&["--dump-dom".to_owned()])
}
