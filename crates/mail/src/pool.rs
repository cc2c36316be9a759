//! Our own SMTP connections, kept open between messages.
//!
//! lettre's `AsyncSmtpTransport` opens its sockets without `TCP_NODELAY` and
//! writes a message and its closing `\r\n.\r\n` in two writes, so under
//! Nagle's algorithm the second waits for the server's delayed ACK (~40 ms on
//! Linux): about 22 messages a second per connection. Here the socket is
//! opened by us with `TCP_NODELAY`, and lettre's `AsyncSmtpConnection` only
//! speaks SMTP over it (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{self, response::Response};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Semaphore};

use crate::error::ConfigError;
use crate::transport::{Secret, SmtpConfig, TlsMode};

/// An idle connection older than this is closed instead of reused: servers
/// drop idle clients after a few minutes (RFC 5321 4.5.3.2 suggests 5), and a
/// NOOP on a socket the server already closed would cost a failed round trip.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// The mechanisms tried for `AUTH`, in order; both need TLS or a trusted
/// network, which the operator chooses with the URL's `tls=`.
const MECHANISMS: [Mechanism; 2] = [Mechanism::Plain, Mechanism::Login];

/// Why an exchange failed before or during SMTP.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The TCP connection could not be made.
    Connect(io::Error),
    /// The server required STARTTLS and does not offer it.
    NoStartTls,
    /// An SMTP-level error (reply, TLS, network while talking).
    Smtp(smtp::Error),
}

impl From<smtp::Error> for Failure {
    fn from(e: smtp::Error) -> Failure {
        Failure::Smtp(e)
    }
}

/// An open connection and when it was last used.
struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

/// At most `pool_size` connections at once; idle ones wait in a stack so the
/// most recently used (the one least likely to have been closed) goes first.
pub(crate) struct Pool {
    host: String,
    port: u16,
    tls: TlsMode,
    tls_parameters: Option<TlsParameters>,
    hello: ClientId,
    credentials: Option<Credentials>,
    size: usize,
    idle: Mutex<Vec<Idle>>,
    permits: Semaphore,
}

impl Pool {
    /// Sets up TLS parameters and credentials; connects nothing yet.
    pub(crate) fn new(config: &SmtpConfig) -> Result<Pool, ConfigError> {
        let tls_parameters = match config.tls {
            TlsMode::None => None,
            _ => Some(
                TlsParameters::new(config.host.clone()).map_err(|e| ConfigError::Tls {
                    host: config.host.clone(),
                    reason: e.to_string(),
                })?,
            ),
        };
        let credentials = config.username.as_ref().map(|user| {
            let password = config.password.as_ref().map(Secret::expose).unwrap_or("");
            Credentials::new(user.clone(), password.to_owned())
        });
        let hello = match &config.hello_name {
            Some(name) => ClientId::Domain(name.clone()),
            None => ClientId::default(),
        };
        let size = config.pool_size.max(1) as usize;
        Ok(Pool {
            host: config.host.clone(),
            port: config.port,
            tls: config.tls,
            tls_parameters,
            hello,
            credentials,
            size,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Semaphore::new(size),
        })
    }

    /// Waits until fewer than `pool_size` exchanges are under way; the
    /// permit is held for the whole exchange.
    pub(crate) async fn permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.permits
            .acquire()
            .await
            .expect("the pool never closes its semaphore")
    }

    /// Sends one message on an idle connection or a new one. The connection
    /// goes back to the pool only after a success; on any error, or when the
    /// caller drops this future (a timeout), it is closed, because it may be
    /// out of step with the server.
    pub(crate) async fn send(
        &self,
        envelope: &Envelope,
        bytes: &[u8],
    ) -> Result<Response, Failure> {
        let mut connection = match self.take_idle().await {
            Some(c) => c,
            None => self.open().await?,
        };
        let response = connection.send(envelope, bytes).await?;
        let mut idle = self.idle.lock().await;
        if idle.len() < self.size {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
        Ok(response)
    }

    /// Opens one connection as a send would (connect, greeting, EHLO, TLS as
    /// configured, AUTH) and says goodbye: whether the server takes us, without
    /// sending anything. Returns whether the session was encrypted.
    pub(crate) async fn probe(&self) -> Result<bool, Failure> {
        let mut connection = self.open().await?;
        let encrypted = connection.is_encrypted();
        // A failed QUIT after a good login still means the server takes us.
        let _ = connection.quit().await;
        Ok(encrypted)
    }

    /// The freshest idle connection that still answers `NOOP`.
    async fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let Idle {
                mut connection,
                since,
            } = self.idle.lock().await.pop()?;
            if connection.has_broken() || since.elapsed() > IDLE_LIMIT {
                continue;
            }
            // One round trip; cheaper than a failed MAIL FROM after the
            // server closed the session, which would fail the message.
            if connection.test_connected().await {
                return Some(connection);
            }
        }
    }

    /// Connects with `TCP_NODELAY`, secures the session as configured and
    /// logs in.
    async fn open(&self) -> Result<AsyncSmtpConnection, Failure> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(Failure::Connect)?;
        // Each SMTP command is one small write answered by the server, and a
        // message ends with a small write of its own; without this every
        // such write after another waits for a delayed ACK.
        tcp.set_nodelay(true).map_err(Failure::Connect)?;
        let mut connection = match (&self.tls, &self.tls_parameters) {
            (TlsMode::Wrapper, Some(params)) => {
                let stream = Tunnel::wrap(tcp, params.clone()).await?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?
            }
            _ => AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?,
        };
        match (&self.tls, &self.tls_parameters) {
            (TlsMode::Required, Some(params)) => {
                if !connection.can_starttls() {
                    connection.abort().await;
                    return Err(Failure::NoStartTls);
                }
                connection.starttls(params.clone(), &self.hello).await?;
            }
            (TlsMode::Opportunistic, Some(params)) if connection.can_starttls() => {
                connection.starttls(params.clone(), &self.hello).await?;
            }
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(&MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }
}

/// Implicit TLS (`smtps://`) over our own socket. lettre runs TLS only inside
/// its network stream type, and `connect_with_transport` reads the greeting
/// at once, so the handshake is done first on a stream of that type, which is
/// then handed back to lettre as a plain byte stream.
#[allow(deprecated)]
// `AsyncNetworkStream` is public but deprecated; it is the only way to reach lettre's TLS set-up for a socket we opened.
#[derive(Debug)]
struct Tunnel(lettre::transport::smtp::client::AsyncNetworkStream);

#[allow(deprecated)]
impl Tunnel {
    async fn wrap(tcp: TcpStream, params: TlsParameters) -> Result<Tunnel, Failure> {
        use lettre::transport::smtp::client::AsyncNetworkStream;
        let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
        stream.upgrade_tls(params).await?;
        Ok(Tunnel(stream))
    }
}

impl tokio::io::AsyncRead for Tunnel {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        match futures_util::io::AsyncRead::poll_read(Pin::new(&mut self.0), cx, unfilled) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl tokio::io::AsyncWrite for Tunnel {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_util::io::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_close(Pin::new(&mut self.0), cx)
    }
}

impl AsyncTokioStream for Tunnel {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}
