//! A private Dovecot IMAP server on loopback serving one Maildir: the kind
//! of bounce mailbox a production install polls, without touching the
//! machine's own Dovecot.
//!
//! The instance has its own configuration, runtime and mail directories in a
//! temporary directory, listens on `127.0.0.1` on a free port without TLS,
//! allows plain-text login (loopback only) for one user, and is stopped when
//! the [`Dovecot`] value is dropped. [`Dovecot::start_tls`] instead speaks
//! only TLS (IMAPS) with a fresh self-signed certificate for `127.0.0.1`,
//! which a client that checks certificates must refuse.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `dovecot` is installed by Debian's `dovecot-imapd` package.
const DOVECOT: &str = "/usr/sbin/dovecot";

/// A running Dovecot instance; see the module docs.
#[derive(Debug)]
pub struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
    tls: bool,
    child: Option<Child>,
}

/// Why a Dovecot instance cannot be run here: not root, or not installed.
pub fn unavailable() -> Option<String> {
    if !Path::new(DOVECOT).exists() {
        return Some(format!(
            "{DOVECOT} is missing: install Debian's dovecot-imapd package (.ci/run does)"
        ));
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("a private Dovecot instance needs root".into());
    }
    None
}

impl Dovecot {
    /// The login name.
    pub const USER: &'static str = "bounces";
    /// The login password.
    pub const PASSWORD: &'static str = "s3cret@pass";

    /// Writes the configuration, puts each of `messages` unseen into the
    /// Maildir's `new/`, and starts the server.
    pub fn start(messages: &[Vec<u8>]) -> Result<Dovecot, String> {
        Dovecot::start_with(messages, false)
    }

    /// Like [`Dovecot::start`], but the port speaks only TLS, with a
    /// self-signed certificate (made with `openssl`) for `127.0.0.1`.
    pub fn start_tls(messages: &[Vec<u8>]) -> Result<Dovecot, String> {
        Dovecot::start_with(messages, true)
    }

    fn start_with(messages: &[Vec<u8>], tls: bool) -> Result<Dovecot, String> {
        if let Some(why) = unavailable() {
            return Err(why);
        }
        let dir = tempfile::Builder::new()
            .prefix("ajil-dovecot-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let root = dir.path();
        let port = crate::postfix::free_port()?;
        for sub in ["conf", "run", "mail/cur", "mail/new", "mail/tmp"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|e| format!("mkdir {sub}: {e}"))?;
        }
        for (i, raw) in messages.iter().enumerate() {
            let name = root.join(format!("mail/new/{}.M{i}.ajil-test", 1_700_000_000 + i));
            std::fs::write(&name, raw).map_err(|e| format!("write {}: {e}", name.display()))?;
        }
        // The mail user (nobody) owns the Maildir; the login and internal
        // users must reach the runtime directory below the 0700 temp dir.
        let status = Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(root.join("mail"))
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !status.success() {
            return Err("chown of the Maildir failed".into());
        }
        set_mode(root, 0o755)?;
        let (listener, ssl) = if tls {
            self_signed(&root.join("conf"))?;
            (
                "imaps",
                format!(
                    "ssl = required\nssl_cert = <{root}/conf/cert.pem\nssl_key = <{root}/conf/key.pem",
                    root = root.display()
                ),
            )
        } else {
            // Plain-text login is fine on loopback, and this instance has
            // no certificate.
            ("imap", "ssl = no\ndisable_plaintext_auth = no".to_owned())
        };
        let other = if tls { "imap" } else { "imaps" };
        let conf = format!(
            "protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/run
log_path = {root}/dovecot.log
{ssl}
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail
first_valid_uid = 1
passdb {{
  driver = static
  args = user={user} password={password}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail
}}
service imap-login {{
  inet_listener {listener} {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener {other} {{
    port = 0
  }}
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
",
            root = root.display(),
            user = Dovecot::USER,
            password = Dovecot::PASSWORD,
        );
        let conf_path = root.join("conf/dovecot.conf");
        std::fs::write(&conf_path, conf).map_err(|e| format!("write dovecot.conf: {e}"))?;
        // In the foreground, so the instance is our child and stops with us.
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {DOVECOT}: {e}"))?;
        let mut dovecot = Dovecot {
            dir,
            port,
            tls,
            child: Some(child),
        };
        dovecot.wait_listening(Duration::from_secs(20))?;
        Ok(dovecot)
    }

    /// The IMAP port on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `imap://bounces:PASSWORD@127.0.0.1:PORT/INBOX` (`imaps://` with
    /// TLS), with the password percent-encoded.
    pub fn url(&self) -> String {
        format!(
            "{}://{}:{}@127.0.0.1:{}/INBOX",
            if self.tls { "imaps" } else { "imap" },
            Dovecot::USER,
            Dovecot::PASSWORD.replace('@', "%40"),
            self.port
        )
    }

    /// The Maildir the server serves.
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Dovecot's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    fn wait_listening(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                return Err(format!("dovecot exited ({status}); log:\n{}", self.log()));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "dovecot did not listen on port {} within {timeout:?}; log:\n{}",
                    self.port,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // `stop` makes the master end its own processes; then reap it.
        let _ = Command::new(DOVECOT)
            .arg("-c")
            .arg(self.dir.path().join("conf/dovecot.conf"))
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Writes `cert.pem` and `key.pem` (P-256, one day, for `127.0.0.1`) into
/// `dir`.
fn self_signed(dir: &Path) -> Result<(), String> {
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        // A server certificate, not a CA: the client's only objection must
        // be that nobody it trusts issued it.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .map_err(|e| format!("cannot run openssl (Debian's openssl package): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl could not make a certificate: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}
