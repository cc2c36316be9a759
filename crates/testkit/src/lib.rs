//! Real servers on loopback for ajil's tests.
//!
//! Tests of the mail crate and ajil's end-to-end tests talk to these servers
//! over real sockets instead of mocking the client libraries, so what is
//! tested is what runs in production: lettre's SMTP client, its error
//! handling and the bytes on the wire.
//!
//! - [`SmtpServer`]: a plain-text SMTP server on `127.0.0.1` that stores each
//!   accepted message as a [`Received`] (envelope plus raw data, with helpers
//!   to read headers and the text and HTML parts), can answer with a chosen
//!   `4xx`/`5xx` reply at a chosen [`Stage`], and can be stopped and restarted
//!   on the same port to simulate an outage.
//!
//! - [`postfix::Postfix`]: a private Postfix instance on loopback that
//!   delivers into a Maildir (needs root and Debian's `postfix`).
//! - [`dovecot::Dovecot`]: a private Dovecot IMAP server on loopback serving
//!   one Maildir (needs root and Debian's `dovecot-imapd`).
//! - [`check`]: dkimpy, SpamAssassin and headless Chromium as independent
//!   judges of what ajil sends.
//!
//! Each kind of server has its own module (`smtp` now; an HTTP fixture
//! server for feeds and pages belongs beside it) and is re-exported here.
//!
//! The servers run on their own threads with blocking sockets, so they work
//! from plain `#[test]` functions and from `#[tokio::test]` alike. This crate
//! is a dev-dependency only and is never published.
//!
//! ```
//! use std::io::{BufRead, BufReader, Write};
//! use std::net::TcpStream;
//! use std::time::Duration;
//!
//! let server = ajil_testkit::SmtpServer::start();
//! let stream = TcpStream::connect(server.addr()).unwrap();
//! let mut reader = BufReader::new(stream.try_clone().unwrap());
//! let mut writer = stream;
//! let mut line = String::new();
//! reader.read_line(&mut line).unwrap();
//! assert!(line.starts_with("220 "));
//! for command in ["HELO me", "MAIL FROM:<a@example.test>", "RCPT TO:<b@example.test>", "DATA"] {
//!     write!(writer, "{command}\r\n").unwrap();
//!     line.clear();
//!     reader.read_line(&mut line).unwrap();
//! }
//! write!(writer, "Subject: hello\r\n\r\nbody\r\n.\r\n").unwrap();
//!
//! let received = server.wait_for(1, Duration::from_secs(10));
//! assert_eq!(received[0].rcpt_to, ["b@example.test"]);
//! assert_eq!(received[0].subject().as_deref(), Some("hello"));
//! ```

pub mod check;
pub mod dovecot;
pub mod postfix;
pub mod smtp;

pub use smtp::{Received, SmtpServer, Stage};
