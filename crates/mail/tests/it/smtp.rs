use std::net::TcpListener;
use std::time::Duration;

use ajil_mail::{Mailer, SendError, SmtpConfig};
use ajil_testkit::{SmtpServer, Stage};

use crate::alert_message;

const WAIT: Duration = Duration::from_secs(10);

fn mailer(url: &str) -> Mailer {
    Mailer::smtp(&SmtpConfig::from_url(url).unwrap()).unwrap()
}

#[tokio::test]
async fn delivers_both_parts_and_headers() {
    let server = SmtpServer::start();
    let mailer = mailer(&server.url());
    mailer.send(&alert_message(1)).await.unwrap();

    let got = server.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.mail_from, "alerts@ajil.example");
    assert_eq!(m.rcpt_to, ["reader@example.com"]);
    assert_eq!(m.auth_user, None);
    assert_eq!(
        m.subject().as_deref(),
        Some("عاجل: انفجار في ميناء <بيروت> & حريق")
    );
    let html = m.html().expect("html part");
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("انفجار في ميناء &lt;بيروت&gt; &amp; حريق"));
    let text = m.text().expect("text part");
    assert!(text.contains("انفجار في ميناء <بيروت> & حريق"));
    assert_eq!(
        m.header("List-Unsubscribe").as_deref(),
        Some("<https://ajil.example/unsubscribe/TOKEN>")
    );
    assert_eq!(
        m.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        m.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(
        m.header("Message-ID").as_deref(),
        Some("<alert-1@ajil.example>")
    );
}

#[tokio::test]
async fn pooled_connection_is_reused() {
    let server = SmtpServer::start();
    let mailer = mailer(&server.url());
    for n in 0..4 {
        mailer.send(&alert_message(n)).await.unwrap();
    }
    assert_eq!(server.wait_for(4, WAIT).len(), 4);
    // A connection goes back to the pool before `send` returns.
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn concurrent_sends_use_at_most_pool_size_connections() {
    let server = SmtpServer::start();
    let mailer = mailer(&format!("{}&pool=2", server.url()));
    let sends = (0..12).map(|n| {
        let mailer = mailer.clone();
        tokio::spawn(async move { mailer.send(&alert_message(n)).await })
    });
    for send in sends.collect::<Vec<_>>() {
        send.await.unwrap().unwrap();
    }
    assert_eq!(server.wait_for(12, WAIT).len(), 12);
    let connections = server.connections();
    assert!((1..=2).contains(&connections), "{connections} connections");
}

#[tokio::test]
async fn a_pooled_connection_the_server_closed_is_replaced_before_sending() {
    let mut server = SmtpServer::start();
    let mailer = mailer(&server.url());
    mailer.send(&alert_message(1)).await.unwrap();
    // The server goes away and comes back: the idle connection is dead, and
    // the next message must go out on a new one rather than fail.
    server.stop();
    server.restart();
    mailer.send(&alert_message(2)).await.unwrap();
    let got = server.wait_for(2, WAIT);
    let ids: Vec<_> = got.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids, ["<alert-1@ajil.example>", "<alert-2@ajil.example>"]);
}

#[tokio::test]
async fn credentials_from_the_url_are_used() {
    let server = SmtpServer::start();
    let url = format!(
        "smtp://alerts%40ajil.example:p%40ss@{}?tls=none",
        server.addr()
    );
    mailer(&url).send(&alert_message(1)).await.unwrap();
    let got = server.wait_for(1, WAIT);
    assert_eq!(got[0].auth_user.as_deref(), Some("alerts@ajil.example"));
    assert_eq!(got[0].auth_password.as_deref(), Some("p@ss"));
}

#[tokio::test]
async fn reply_450_is_temporary() {
    let server = SmtpServer::start();
    server.set_reject(Some((450, "4.2.1 mailbox busy, try later".into())));
    let err = mailer(&server.url())
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert_eq!(err.code(), Some(450));
    assert!(err.reason().contains("mailbox busy"), "{err}");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn reply_550_is_permanent() {
    let server = SmtpServer::start();
    server.set_reject(Some((550, "5.1.1 no such user here".into())));
    let err = mailer(&server.url())
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert_eq!(err.code(), Some(550));
    assert!(err.to_string().contains("no such user here"), "{err}");
}

#[tokio::test]
async fn rejection_after_data_is_permanent() {
    let server = SmtpServer::start();
    server.set_reject_at(Stage::Data, Some((554, "5.7.1 rejected as spam".into())));
    let err = mailer(&server.url())
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SendError::Permanent {
                code: Some(554),
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn greeting_421_is_temporary() {
    let server = SmtpServer::start();
    server.set_reject_at(Stage::Greeting, Some((421, "4.3.2 shutting down".into())));
    let err = mailer(&server.url())
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(!err.is_permanent(), "{err}");
}

#[tokio::test]
async fn login_failure_is_temporary() {
    // A wrong password concerns every message, so none is given up on.
    let server = SmtpServer::start();
    server.set_reject_at(Stage::MailFrom, Some((535, "5.7.8 bad credentials".into())));
    let err = mailer(&server.url())
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert_eq!(err.code(), Some(535));
}

#[tokio::test]
async fn closed_port_is_temporary() {
    // Bind then drop a listener: nothing listens on that port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = mailer(&format!("smtp://{addr}?tls=none"))
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert_eq!(err.code(), None);
}

#[tokio::test]
async fn silent_server_times_out_as_temporary() {
    // Accepts the connection but never sends the greeting.
    let server = SmtpServer::start();
    server.set_hang_at(Some(Stage::Greeting));
    let err = mailer(&format!("smtp://{}?tls=none&timeout=1", server.addr()))
        .send(&alert_message(1))
        .await
        .unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert!(err.reason().contains("no answer"), "{err}");
}

#[tokio::test]
async fn a_server_that_stops_answering_mid_session_does_not_poison_the_pool() {
    let server = SmtpServer::start();
    let url = format!("smtp://{}?tls=none&timeout=1", server.addr());
    let mailer = mailer(&url);
    mailer.send(&alert_message(1)).await.unwrap();
    tokio::task::yield_now().await;

    server.set_hang_at(Some(Stage::MailFrom));
    let err = mailer.send(&alert_message(2)).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert!(err.reason().contains("no answer"), "{err}");

    // The hung connection must not be reused: it would never answer again.
    server.set_hang_at(None);
    mailer.send(&alert_message(3)).await.unwrap();
    let got = server.wait_for(2, WAIT);
    let ids: Vec<_> = got.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids, ["<alert-1@ajil.example>", "<alert-3@ajil.example>"]);
}

#[tokio::test]
async fn starttls_required_but_not_offered_is_temporary() {
    let server = SmtpServer::start();
    let url = format!("smtp://{}?tls=required", server.addr());
    let err = mailer(&url).send(&alert_message(1)).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert!(server.messages().is_empty(), "sent in plain text");
}

#[tokio::test]
async fn outage_then_recovery_on_the_same_port() {
    let mut server = SmtpServer::start();
    let mailer = mailer(&server.url());
    mailer.send(&alert_message(1)).await.unwrap();
    tokio::task::yield_now().await;

    // The pooled connection is cut and new ones are refused.
    server.stop();
    let err = mailer.send(&alert_message(2)).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");

    server.restart();
    mailer.send(&alert_message(3)).await.unwrap();
    let got = server.wait_for(2, WAIT);
    let ids: Vec<_> = got.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids, ["<alert-1@ajil.example>", "<alert-3@ajil.example>"]);
}

#[tokio::test]
async fn check_opens_a_session_and_sends_nothing() {
    let server = SmtpServer::start();
    let url = format!("smtp://alerts%40ajil.example:pw@{}?tls=none", server.addr());
    let said = mailer(&url).check().await.unwrap();
    assert!(
        said.contains("accepted a session") && said.contains("logged in as alerts@ajil.example"),
        "{said}"
    );
    assert!(said.contains("not encrypted"), "{said}");
    assert!(server.messages().is_empty());

    server.set_reject_at(Stage::Greeting, Some((421, "4.3.2 shutting down".into())));
    let err = mailer(&server.url()).check().await.unwrap_err();
    assert!(err.to_string().contains("shutting down"), "{err}");

    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = mailer(&format!("smtp://{addr}?tls=none"))
        .check()
        .await
        .unwrap_err();
    assert_eq!(err.code(), None, "{err}");

    let dir = tempfile::tempdir().unwrap();
    let outbox = Mailer::outbox(dir.path().join("outbox")).unwrap();
    assert!(outbox.check().await.unwrap().contains("outbox"));
    assert_eq!(
        std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .count(),
        0
    );
}
