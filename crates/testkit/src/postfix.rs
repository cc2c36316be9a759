//! A private Postfix instance on loopback that delivers every message for
//! one test domain into a Maildir: the real MTA a production install hands
//! its mail to, without touching the machine's own Postfix.
//!
//! The instance has its own configuration, queue and mail directories in a
//! temporary directory, listens on `127.0.0.1` on a free port, accepts mail
//! only for its domain and bounces anything else at once (it never relays).
//! It is stopped when the [`Postfix`] value is dropped.
//!
//! [`Postfix::start_with`] also names [`Failure`] recipients: Postfix accepts
//! their mail at SMTP time, then its own `error` or `retry` delivery agent
//! fails it, so Postfix itself writes a delivery status notification (RFC
//! 3464) to the envelope sender. With the sender in the test domain, that
//! bounce lands in the same Maildir: real Postfix DSNs, made on demand.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where `postfix` is installed by Debian's package.
const POSTFIX: &str = "/usr/sbin/postfix";

/// A running Postfix instance; see the module docs.
#[derive(Debug)]
pub struct Postfix {
    dir: tempfile::TempDir,
    port: u16,
    domain: String,
}

/// Why a Postfix instance cannot be run here: not root, or not installed.
pub fn unavailable() -> Option<String> {
    if !Path::new(POSTFIX).exists() {
        return Some(format!(
            "{POSTFIX} is missing: install Debian's postfix package (.ci/run does)"
        ));
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("a private Postfix instance needs root".into());
    }
    None
}

/// A recipient in the test domain whose mail is accepted, then fails at
/// delivery, so Postfix returns a DSN to the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The full address (`gone@inbox.test`).
    pub address: String,
    /// An enhanced status code and text (`5.1.1 mailbox unavailable`): a
    /// `5.x.x` bounces at once; a `4.x.x` is deferred and, as the queue
    /// lifetime is zero, returned after the first attempt.
    pub reply: String,
}

impl Failure {
    /// A failure of `address` with `reply` (see the fields).
    pub fn new(address: &str, reply: &str) -> Failure {
        Failure {
            address: address.to_owned(),
            reply: reply.to_owned(),
        }
    }
}

impl Postfix {
    /// Writes the configuration and starts the instance; mail for any
    /// address `@domain` lands in [`Postfix::maildir`].
    pub fn start(domain: &str) -> Result<Postfix, String> {
        Postfix::start_with(domain, &[])
    }

    /// Like [`Postfix::start`], but mail to each of `failures` is accepted and
    /// then fails at delivery, and Postfix returns a DSN to the sender.
    pub fn start_with(domain: &str, failures: &[Failure]) -> Result<Postfix, String> {
        if let Some(why) = unavailable() {
            return Err(why);
        }
        let dir = tempfile::Builder::new()
            .prefix("ajil-postfix-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let port = free_port()?;
        let root = dir.path();
        for sub in ["conf", "queue", "data", "mail"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|e| format!("mkdir {sub}: {e}"))?;
        }
        // The queue belongs to root (postfix fixes its subdirectories on
        // start); data to the postfix user; mail to the delivery user.
        chown(&root.join("data"), "postfix:postfix")?;
        chown(&root.join("mail"), "nobody:nogroup")?;
        // tempfile makes the directory 0700; the postfix user must be able
        // to reach its data directory below it.
        chmod_755(root)?;
        // Per-address transports: `error` bounces, `retry` defers; both take
        // the status code from the text after the colon.
        let mut transport = String::new();
        for f in failures {
            if f.address.contains(char::is_whitespace) || f.reply.contains('\n') {
                return Err(format!(
                    "bad failure entry {f:?}: no spaces in the address, one line"
                ));
            }
            let agent = if f.reply.starts_with('4') {
                "retry"
            } else {
                "error"
            };
            transport.push_str(&format!("{} {agent}:{}\n", f.address, f.reply));
        }
        std::fs::write(root.join("conf/transport"), &transport)
            .map_err(|e| format!("write transport: {e}"))?;
        let main_cf = format!(
            "compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
# Never relay: anything not for the test domain bounces at once.
default_transport = error:this test server does not relay
relay_transport = error:this test server does not relay
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {root}/mail
# Every recipient shares one Maildir (the trailing slash means Maildir).
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
# No syslog in containers: postlogd writes the log here.
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
# Failing recipients (texthash needs no postmap); a deferred message is
# returned after its first attempt instead of days later.
transport_maps = texthash:{root}/conf/transport
maximal_queue_lifetime = 0
bounce_queue_lifetime = 0
# Else smtpd rejects an address routed to `error` at RCPT time, and the
# client, not Postfix's bounce daemon, sees the failure.
smtpd_reject_unlisted_recipient = no
",
            root = root.display(),
        );
        let master_cf = format!(
            "127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
showq     unix  n - n - - showq
"
        );
        let write = |name: &str, text: &str| {
            std::fs::write(root.join("conf").join(name), text)
                .map_err(|e| format!("write {name}: {e}"))
        };
        write("main.cf", &main_cf)?;
        write("master.cf", &master_cf)?;
        let postfix = Postfix {
            dir,
            port,
            domain: domain.to_owned(),
        };
        postfix.control("start")?;
        postfix.wait_listening(Duration::from_secs(20))?;
        Ok(postfix)
    }

    /// The SMTP port on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The domain it accepts mail for.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// `smtp://127.0.0.1:PORT?tls=none`, for ajil's mailer.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// The Maildir all accepted mail is delivered to.
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail/inbox")
    }

    /// Postfix's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }

    /// Waits until `n` messages are in the Maildir's `new/` and returns them
    /// sorted by file name (delivery order), or fails with the log.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Result<Vec<Vec<u8>>, String> {
        let deadline = Instant::now() + timeout;
        let new = self.maildir().join("new");
        loop {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&new)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            if files.len() >= n {
                files.sort();
                return files
                    .iter()
                    .map(|f| std::fs::read(f).map_err(|e| format!("{}: {e}", f.display())))
                    .collect();
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} of {n} messages delivered within {timeout:?}; postfix log:\n{}",
                    files.len(),
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn control(&self, action: &str) -> Result<(), String> {
        let out = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.dir.path().join("conf"))
            .arg(action)
            .output()
            .map_err(|e| format!("cannot run {POSTFIX}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "postfix {action} failed ({}): {}{}\nlog:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log()
            ))
        }
    }

    fn wait_listening(&self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!(
                    "postfix did not listen on port {} within {timeout:?}; log:\n{}",
                    self.port,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        // `abort` stops at once without draining the queue; the directory
        // goes away with the TempDir.
        let _ = self.control("abort");
    }
}

pub(crate) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local addr: {e}"))
}

fn chown(path: &Path, owner: &str) -> Result<(), String> {
    let status = Command::new("chown")
        .arg(owner)
        .arg(path)
        .status()
        .map_err(|e| format!("chown: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("chown {owner} {} failed", path.display()))
}

fn chmod_755(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}
