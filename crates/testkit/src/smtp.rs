//! A small SMTP server on loopback that stores what it receives.
//!
//! It speaks plain SMTP (RFC 5321) without TLS: greeting, `EHLO`/`HELO`,
//! `AUTH PLAIN` (any credentials are accepted and recorded), `MAIL FROM`,
//! `RCPT TO`, `DATA` with dot-unstuffing, `RSET`, `NOOP`, `QUIT`, and `500`
//! for anything else. Each connection gets its own thread with blocking
//! sockets, so the server works the same under `#[tokio::test]` and in plain
//! `#[test]` functions.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The hostname the server announces in its greeting and `EHLO` reply.
const SERVER_NAME: &str = "testkit.invalid";

/// Largest message the server takes, announced as the `SIZE` extension; far
/// above any ajil email, it only keeps a runaway client from filling memory.
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// One message the server accepted: its envelope and the raw bytes after `DATA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The client's `EHLO`/`HELO` argument.
    pub helo: String,
    /// The `AUTH PLAIN` user name, when the client authenticated.
    pub auth_user: Option<String>,
    /// The `AUTH PLAIN` password, when the client authenticated.
    pub auth_password: Option<String>,
    /// The envelope sender, without angle brackets (empty for a null sender).
    pub mail_from: String,
    /// The envelope recipients, without angle brackets, in the order given.
    pub rcpt_to: Vec<String>,
    /// The message as transmitted, dot-unstuffed, lines ending in CRLF,
    /// without the terminating `.` line.
    pub data: Vec<u8>,
}

impl Received {
    /// Parses the message with `mail-parser`; panics if it is not parsable,
    /// which in a test means the sender produced garbage.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("received data is not a parsable message")
    }

    /// The raw value of the first header called `name` (case-insensitive),
    /// unfolded and trimmed, without decoding encoded words.
    pub fn header(&self, name: &str) -> Option<String> {
        let head_end = find(&self.data, b"\r\n\r\n").unwrap_or(self.data.len());
        let head = String::from_utf8_lossy(&self.data[..head_end]);
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                // A folded continuation line belongs to the header above it.
                if let Some(value) = found.as_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((key, value)) = line.split_once(':')
                && key.trim().eq_ignore_ascii_case(name)
            {
                found = Some(value.trim().to_owned());
            }
        }
        found
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        self.parsed().subject().map(str::to_owned)
    }

    /// The decoded contents of the first `text/plain` part.
    pub fn text(&self) -> Option<String> {
        let parsed = self.parsed();
        parsed.parts.iter().find_map(|part| match &part.body {
            mail_parser::PartType::Text(text) => Some(text.to_string()),
            _ => None,
        })
    }

    /// The decoded contents of the first `text/html` part.
    pub fn html(&self) -> Option<String> {
        let parsed = self.parsed();
        parsed.parts.iter().find_map(|part| match &part.body {
            mail_parser::PartType::Html(html) => Some(html.to_string()),
            _ => None,
        })
    }
}

/// The SMTP step at which a configured rejection is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Answer the connection with the rejection instead of `220`, then close
    /// it (e.g. `421` for an overloaded server).
    Greeting,
    /// Answer `MAIL FROM` with the rejection.
    MailFrom,
    /// Answer every `RCPT TO` with the rejection.
    RcptTo,
    /// Accept the message body, then answer the final `.` with the rejection.
    Data,
}

/// What the server shares with its threads.
#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Condvar,
    rejects: Mutex<HashMap<Stage, (u16, String)>>,
    hang_at: Mutex<Option<Stage>>,
    /// Clones of the open client sockets, so `stop` can cut them.
    clients: Mutex<HashMap<u64, TcpStream>>,
    next_client: AtomicU64,
    connections: AtomicU64,
}

/// A listening SMTP server on `127.0.0.1`; it stops when dropped.
///
/// ```
/// let server = ajil_testkit::SmtpServer::start();
/// assert!(server.addr().ip().is_loopback());
/// assert!(server.messages().is_empty());
/// ```
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    running: Option<Running>,
}

/// The accept loop of a started server.
struct Running {
    stopping: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl SmtpServer {
    /// Starts a server on a free loopback port below the kernel's ephemeral
    /// range (see [`bind_restartable`]), so that [`SmtpServer::restart`] finds
    /// it free again.
    pub fn start() -> SmtpServer {
        let listener = bind_restartable();
        let addr = listener
            .local_addr()
            .expect("local address of the SMTP listener");
        let shared = Arc::new(Shared::default());
        let running = Some(spawn_acceptor(listener, Arc::clone(&shared)));
        SmtpServer {
            addr,
            shared,
            running,
        }
    }

    /// The address the server listens on (also while stopped: `restart`
    /// listens there again).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// An `smtp://` URL for this server with `?tls=none`, as ajil's mail
    /// configuration takes it.
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    /// Every message accepted so far, in order of acceptance.
    pub fn messages(&self) -> Vec<Received> {
        lock(&self.shared.messages).clone()
    }

    /// Waits until at least `n` messages were accepted, or `timeout` passed,
    /// and returns all accepted messages (fewer than `n` on timeout; the
    /// timeout is only a guard against a hanging test, not a measurement).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let mut messages = lock(&self.shared.messages);
        while messages.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            messages = self
                .shared
                .arrived
                .wait_timeout(messages, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        messages.clone()
    }

    /// Forgets the messages received so far.
    pub fn clear(&self) {
        lock(&self.shared.messages).clear();
    }

    /// How many client connections the server has accepted since it started.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Rejects every recipient (`RCPT TO`) with `code` and `text`, e.g.
    /// `Some((450, "mailbox busy".into()))` or `Some((550, "no such user".into()))`;
    /// `None` accepts again.
    pub fn set_reject(&self, reject: Option<(u16, String)>) {
        self.set_reject_at(Stage::RcptTo, reject);
    }

    /// Like [`SmtpServer::set_reject`], at the given SMTP step.
    pub fn set_reject_at(&self, stage: Stage, reject: Option<(u16, String)>) {
        let mut rejects = lock(&self.shared.rejects);
        match reject {
            Some(reply) => rejects.insert(stage, reply),
            None => rejects.remove(&stage),
        };
    }

    /// Makes every session that reaches `stage` stop answering for good (it
    /// keeps reading and discarding input until the client hangs up or the
    /// server stops), to test client timeouts; `None` answers again, in new
    /// sessions. At [`Stage::Data`] the server goes silent before the final
    /// reply, after reading the body.
    pub fn set_hang_at(&self, stage: Option<Stage>) {
        *lock(&self.shared.hang_at) = stage;
    }

    /// Stops listening and cuts every open connection, so clients see a
    /// refused connection (new ones) or a broken one (pooled ones).
    /// Received messages are kept.
    pub fn stop(&mut self) {
        let Some(running) = self.running.take() else {
            return;
        };
        running.stopping.store(true, Ordering::SeqCst);
        // The accept loop blocks in accept(); a throwaway connection wakes it
        // so it can see the flag and drop the listener.
        let _ = TcpStream::connect(self.addr);
        let _ = running.thread.join();
        for (_, stream) in lock(&self.shared.clients).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Listens again on the same address after [`SmtpServer::stop`]; does
    /// nothing if the server is running.
    pub fn restart(&mut self) {
        if self.running.is_some() {
            return;
        }
        // std sets SO_REUSEADDR on Unix listeners, so the port is free again
        // even with connections of the previous run in TIME_WAIT.
        let listener = TcpListener::bind(self.addr).expect("bind the SMTP port again");
        self.running = Some(spawn_acceptor(listener, Arc::clone(&self.shared)));
    }

    /// Whether the server is listening.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("addr", &self.addr)
            .field("running", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

/// Locks a mutex, ignoring poisoning: a panicking test thread must not hide
/// the messages from the assertions of the test that owns the server.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A loopback listener on a free port below the kernel's ephemeral port range.
///
/// A port from that range (what binding port 0 gives) can be handed to any
/// outgoing connection the moment the server stops, by this process or another
/// test binary running beside it; the server's restart then fails with "address
/// in use". Ports below the range are never handed out that way. Ports given to
/// one server are not given to another in the same process.
fn bind_restartable() -> TcpListener {
    static TAKEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    const LOWEST: u16 = 10_000;
    let ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768)
        .max(LOWEST + 1_000);
    let span = u64::from(ephemeral - LOWEST);
    // A start that differs between processes, so parallel test binaries spread out.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64)
        ^ u64::from(std::process::id()).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
    for step in 0..span {
        let port = LOWEST + ((seed.wrapping_add(step.wrapping_mul(7_919))) % span) as u16;
        if taken.contains(&port) {
            continue;
        }
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            taken.push(port);
            return listener;
        }
    }
    TcpListener::bind("127.0.0.1:0").expect("bind an SMTP port on 127.0.0.1")
}

fn spawn_acceptor(listener: TcpListener, shared: Arc<Shared>) -> Running {
    let stopping = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stopping);
    let thread = thread::Builder::new()
        .name("testkit-smtp-accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let _ = stream.set_nodelay(true);
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let id = shared.next_client.fetch_add(1, Ordering::SeqCst);
                if let Ok(clone) = stream.try_clone() {
                    lock(&shared.clients).insert(id, clone);
                }
                let shared = Arc::clone(&shared);
                let _ = thread::Builder::new()
                    .name("testkit-smtp-conn".into())
                    .spawn(move || {
                        // I/O errors only mean the client went away.
                        let _ = Session::new(&shared).run(&stream);
                        lock(&shared.clients).remove(&id);
                    });
            }
        })
        .expect("spawn the SMTP accept thread");
    Running { stopping, thread }
}

/// The state of one SMTP conversation.
struct Session<'a> {
    shared: &'a Shared,
    helo: String,
    auth: Option<(String, String)>,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

impl<'a> Session<'a> {
    fn new(shared: &'a Shared) -> Self {
        Session {
            shared,
            helo: String::new(),
            auth: None,
            mail_from: None,
            rcpt_to: Vec::new(),
        }
    }

    fn reject(&self, stage: Stage) -> Option<(u16, String)> {
        lock(&self.shared.rejects).get(&stage).cloned()
    }

    fn hangs_at(&self, stage: Stage) -> bool {
        *lock(&self.shared.hang_at) == Some(stage)
    }

    fn run(mut self, stream: &TcpStream) -> io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut out = stream;
        if self.hangs_at(Stage::Greeting) {
            return drain(&mut reader);
        }
        if let Some((code, text)) = self.reject(Stage::Greeting) {
            return reply(&mut out, code, &text);
        }
        reply(&mut out, 220, &format!("{SERVER_NAME} ESMTP ajil-testkit"))?;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let command = line.trim_end_matches(['\r', '\n']);
            let (verb, arg) = match command.split_once(' ') {
                Some((verb, arg)) => (verb.to_ascii_uppercase(), arg.trim()),
                None => (command.to_ascii_uppercase(), ""),
            };
            match verb.as_str() {
                "EHLO" => {
                    self.helo = arg.to_owned();
                    self.reset();
                    let lines = [
                        format!("{SERVER_NAME} greets {arg}"),
                        "8BITMIME".to_owned(),
                        "SMTPUTF8".to_owned(),
                        "PIPELINING".to_owned(),
                        format!("SIZE {MAX_MESSAGE_BYTES}"),
                        "AUTH PLAIN".to_owned(),
                    ];
                    reply_lines(&mut out, 250, &lines)?;
                }
                "HELO" => {
                    self.helo = arg.to_owned();
                    self.reset();
                    reply(&mut out, 250, SERVER_NAME)?;
                }
                "AUTH" => self.auth(arg, &mut reader, &mut out)?,
                "MAIL" if self.hangs_at(Stage::MailFrom) => return drain(&mut reader),
                "RCPT" if self.hangs_at(Stage::RcptTo) => return drain(&mut reader),
                "MAIL" => match (path_arg(arg, "FROM:"), self.reject(Stage::MailFrom)) {
                    (None, _) => reply(&mut out, 501, "syntax: MAIL FROM:<address>")?,
                    (Some(_), Some((code, text))) => reply(&mut out, code, &text)?,
                    (Some(from), None) => {
                        self.reset();
                        self.mail_from = Some(from);
                        reply(&mut out, 250, "sender ok")?;
                    }
                },
                "RCPT" => match (path_arg(arg, "TO:"), self.reject(Stage::RcptTo)) {
                    (None, _) => reply(&mut out, 501, "syntax: RCPT TO:<address>")?,
                    _ if self.mail_from.is_none() => reply(&mut out, 503, "MAIL first")?,
                    (Some(_), Some((code, text))) => reply(&mut out, code, &text)?,
                    (Some(to), None) => {
                        self.rcpt_to.push(to);
                        reply(&mut out, 250, "recipient ok")?;
                    }
                },
                "DATA" => {
                    if self.rcpt_to.is_empty() {
                        reply(&mut out, 503, "RCPT first")?;
                        continue;
                    }
                    reply(&mut out, 354, "end data with <CR><LF>.<CR><LF>")?;
                    let data = read_data(&mut reader)?;
                    if self.hangs_at(Stage::Data) {
                        return drain(&mut reader);
                    }
                    match (data, self.reject(Stage::Data)) {
                        (None, _) => reply(&mut out, 552, "message too large")?,
                        (Some(_), Some((code, text))) => reply(&mut out, code, &text)?,
                        (Some(data), None) => {
                            self.store(data);
                            reply(&mut out, 250, "queued")?;
                        }
                    }
                    self.reset();
                }
                "RSET" => {
                    self.reset();
                    reply(&mut out, 250, "reset")?;
                }
                "NOOP" => reply(&mut out, 250, "ok")?,
                "QUIT" => {
                    reply(&mut out, 221, "bye")?;
                    return Ok(());
                }
                _ => reply(&mut out, 500, "command not recognized")?,
            }
        }
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    fn store(&mut self, data: Vec<u8>) {
        let (auth_user, auth_password) = match self.auth.clone() {
            Some((user, password)) => (Some(user), Some(password)),
            None => (None, None),
        };
        let received = Received {
            helo: self.helo.clone(),
            auth_user,
            auth_password,
            mail_from: self.mail_from.clone().unwrap_or_default(),
            rcpt_to: self.rcpt_to.clone(),
            data,
        };
        lock(&self.shared.messages).push(received);
        self.shared.arrived.notify_all();
    }

    /// `AUTH PLAIN [initial-response]` (RFC 4616); any credentials pass.
    fn auth(
        &mut self,
        arg: &str,
        reader: &mut impl BufRead,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let (mechanism, initial) = arg.split_once(' ').unwrap_or((arg, ""));
        if !mechanism.eq_ignore_ascii_case("PLAIN") {
            return reply(out, 504, "only AUTH PLAIN is supported");
        }
        let encoded = if initial.is_empty() {
            reply(out, 334, "")?;
            let mut line = String::new();
            reader.read_line(&mut line)?;
            line.trim().to_owned()
        } else {
            initial.trim().to_owned()
        };
        let decoded = STANDARD.decode(encoded).ok();
        // The PLAIN message is authzid NUL authcid NUL password.
        let fields: Option<Vec<String>> = decoded.map(|bytes| {
            bytes
                .split(|&b| b == 0)
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        });
        match fields.as_deref() {
            Some([_, user, password]) => {
                self.auth = Some((user.clone(), password.clone()));
                reply(out, 235, "authenticated")
            }
            _ => reply(out, 501, "malformed AUTH PLAIN response"),
        }
    }
}

/// Extracts the address from `FROM:<a@b> SIZE=…` style arguments.
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_owned())
}

/// Reads `DATA` up to the lone `.` line, undoing dot-stuffing (RFC 5321
/// 4.5.2: a leading `.` was doubled by the client). `None` if too large.
fn read_data(reader: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_large = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + content.len() > MAX_MESSAGE_BYTES {
            too_large = true;
        } else {
            data.extend_from_slice(content);
        }
    }
    Ok((!too_large).then_some(data))
}

/// Reads and discards input until the peer closes (or `stop` cuts it).
fn drain(reader: &mut impl BufRead) -> io::Result<()> {
    let mut sink = Vec::new();
    while reader.read_until(b'\n', &mut sink)? > 0 {
        sink.clear();
    }
    Ok(())
}

// Each reply goes out in one write: several small writes on a socket meet
// Nagle's algorithm and delayed ACKs, which stall every exchange by ~40 ms.
fn reply(out: &mut impl Write, code: u16, text: &str) -> io::Result<()> {
    out.write_all(format!("{code} {text}\r\n").as_bytes())?;
    out.flush()
}

fn reply_lines(out: &mut impl Write, code: u16, lines: &[String]) -> io::Result<()> {
    let mut all = String::new();
    for (i, text) in lines.iter().enumerate() {
        let sep = if i + 1 == lines.len() { ' ' } else { '-' };
        all.push_str(&format!("{code}{sep}{text}\r\n"));
    }
    out.write_all(all.as_bytes())?;
    out.flush()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A hand-driven SMTP client for protocol tests.
    struct Client {
        reader: BufReader<TcpStream>,
        writer: TcpStream,
    }

    impl Client {
        fn connect(server: &SmtpServer) -> Client {
            let stream = TcpStream::connect(server.addr()).unwrap();
            let mut client = Client {
                reader: BufReader::new(stream.try_clone().unwrap()),
                writer: stream,
            };
            assert!(client.read_reply().starts_with("220 "));
            client
        }

        /// Reads one (possibly multi-line) reply, returned as one string.
        fn read_reply(&mut self) -> String {
            let mut all = String::new();
            loop {
                let mut line = String::new();
                self.reader.read_line(&mut line).unwrap();
                all.push_str(&line);
                if line.len() < 4 || line.as_bytes()[3] == b' ' {
                    return all;
                }
            }
        }

        fn send(&mut self, line: &str) -> String {
            self.writer
                .write_all(format!("{line}\r\n").as_bytes())
                .unwrap();
            self.read_reply()
        }
    }

    #[test]
    fn full_conversation_stores_unstuffed_message() {
        let server = SmtpServer::start();
        let mut c = Client::connect(&server);
        let ehlo = c.send("EHLO client.test");
        assert!(ehlo.starts_with("250-"), "{ehlo}");
        assert!(ehlo.contains("250 AUTH PLAIN"), "{ehlo}");
        assert!(
            c.send("MAIL FROM:<a@x.test> BODY=8BITMIME")
                .starts_with("250")
        );
        assert!(c.send("RCPT TO:<b@y.test>").starts_with("250"));
        assert!(c.send("RCPT TO:<c@y.test>").starts_with("250"));
        assert!(c.send("DATA").starts_with("354"));
        let reply = c.send("Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.");
        assert!(reply.starts_with("250"), "{reply}");
        assert!(c.send("NOOP").starts_with("250"));
        assert!(c.send("XYZZY").starts_with("500"));
        assert!(c.send("QUIT").starts_with("221"));

        let got = server.wait_for(1, Duration::from_secs(10));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].helo, "client.test");
        assert_eq!(got[0].mail_from, "a@x.test");
        assert_eq!(got[0].rcpt_to, ["b@y.test", "c@y.test"]);
        assert_eq!(got[0].data, b"Subject: hi\r\n\r\n.leading dot\r\nbody\r\n");
        assert_eq!(got[0].header("subject").as_deref(), Some("hi"));
    }

    #[test]
    fn order_is_enforced_and_rset_clears() {
        let server = SmtpServer::start();
        let mut c = Client::connect(&server);
        c.send("HELO me");
        assert!(c.send("RCPT TO:<b@y.test>").starts_with("503"));
        assert!(c.send("DATA").starts_with("503"));
        assert!(c.send("MAIL FROM:<a@x.test>").starts_with("250"));
        assert!(c.send("RCPT TO:<b@y.test>").starts_with("250"));
        assert!(c.send("RSET").starts_with("250"));
        assert!(c.send("DATA").starts_with("503"));
        assert!(c.send("MAIL FROM:a@x.test").starts_with("501"));
    }

    #[test]
    fn rejects_at_each_stage() {
        let server = SmtpServer::start();
        let mut c = Client::connect(&server);
        c.send("EHLO me");
        server.set_reject(Some((450, "mailbox busy".into())));
        assert!(c.send("MAIL FROM:<a@x.test>").starts_with("250"));
        assert_eq!(c.send("RCPT TO:<b@y.test>"), "450 mailbox busy\r\n");
        server.set_reject(None);
        server.set_reject_at(Stage::Data, Some((554, "spam".into())));
        assert!(c.send("RCPT TO:<b@y.test>").starts_with("250"));
        c.send("DATA");
        assert_eq!(c.send("Subject: x\r\n\r\nbody\r\n."), "554 spam\r\n");
        server.set_reject_at(Stage::MailFrom, Some((421, "closing".into())));
        assert!(c.send("MAIL FROM:<a@x.test>").starts_with("421"));
        assert!(server.messages().is_empty());
    }

    #[test]
    fn greeting_reject_and_hang() {
        let mut server = SmtpServer::start();
        server.set_reject_at(Stage::Greeting, Some((421, "busy".into())));
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        let mut all = String::new();
        stream.read_to_string(&mut all).unwrap();
        assert_eq!(all, "421 busy\r\n");

        server.set_reject_at(Stage::Greeting, None);
        server.set_hang_at(Some(Stage::Greeting));
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        write!(stream, "EHLO me\r\n").unwrap();
        server.stop();
        let mut all = Vec::new();
        let _ = stream.read_to_end(&mut all);
        assert!(all.is_empty(), "{:?}", String::from_utf8_lossy(&all));
    }

    #[test]
    fn auth_plain_is_recorded() {
        let server = SmtpServer::start();
        let mut c = Client::connect(&server);
        c.send("EHLO me");
        let token = STANDARD.encode(b"\0alice\0s3cret");
        assert!(c.send(&format!("AUTH PLAIN {token}")).starts_with("235"));
        c.send("MAIL FROM:<a@x.test>");
        c.send("RCPT TO:<b@y.test>");
        c.send("DATA");
        c.send("\r\nx\r\n.");
        let got = server.wait_for(1, Duration::from_secs(10));
        assert_eq!(got[0].auth_user.as_deref(), Some("alice"));
        assert_eq!(got[0].auth_password.as_deref(), Some("s3cret"));
    }

    #[test]
    fn stop_refuses_and_cuts_then_restart_listens_on_same_port() {
        let mut server = SmtpServer::start();
        let addr = server.addr();
        let mut open = Client::connect(&server);
        server.stop();
        assert!(!server.is_running());
        assert!(TcpStream::connect(addr).is_err(), "port still accepts");
        // The cut connection reads end-of-stream.
        let mut rest = Vec::new();
        let _ = open.reader.read_to_end(&mut rest);
        server.restart();
        assert_eq!(server.addr(), addr);
        let mut c = Client::connect(&server);
        assert!(c.send("NOOP").starts_with("250"));
    }

    #[test]
    fn header_unfolds_continuations() {
        let received = Received {
            helo: String::new(),
            auth_user: None,
            auth_password: None,
            mail_from: String::new(),
            rcpt_to: Vec::new(),
            data: b"X-A: one\r\n two\r\nX-B: b\r\n\r\nX-C: body".to_vec(),
        };
        assert_eq!(received.header("x-a").as_deref(), Some("one two"));
        assert_eq!(received.header("X-B").as_deref(), Some("b"));
        assert_eq!(received.header("X-C"), None);
    }
}
