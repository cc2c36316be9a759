//! Stores for tests: the same test body runs on every backend.
//!
//! [`stores`] gives a fresh in-memory SQLite store and a fresh PostgreSQL
//! database (created on the server named by `AJIL_TEST_POSTGRES`, by default
//! `postgres://postgres@127.0.0.1:5432/postgres`, and dropped when its
//! [`Scratch`] guard goes). A test that cannot reach the server fails and says
//! so: the PostgreSQL backend is part of what the tests check.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

use crate::Store;

/// The server that scratch databases are made on.
pub fn admin_url() -> String {
    std::env::var("AJIL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A scratch PostgreSQL database, dropped (with its connections) on drop.
#[derive(Debug)]
pub struct Scratch {
    name: String,
    url: String,
}

impl Scratch {
    /// Creates an empty database with a name no other test uses.
    pub async fn create() -> Scratch {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "ajil_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        let admin = admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot reach PostgreSQL at {admin} ({e}): start it (`.ci/run` does) or point \
                 AJIL_TEST_POSTGRES at a server where this user may create databases"
                )
            });
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create a scratch database");
        conn.close().await.ok();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Scratch {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store on it, with the schema applied.
    pub async fn store(&self) -> Store {
        Store::connect_postgres(&self.url)
            .await
            .expect("open the scratch database")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside any runtime the test may be on: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin_url()).await.ok()?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("scratch database {} was not dropped", self.name);
        }
    }
}

/// A fresh SQLite store in memory and a fresh PostgreSQL one, each with the
/// guard that removes it (none for memory).
pub async fn stores() -> Vec<(Store, Option<Scratch>)> {
    let sqlite = Store::open_memory().await.expect("open an in-memory store");
    let scratch = Scratch::create().await;
    let pg = scratch.store().await;
    vec![(sqlite, None), (pg, Some(scratch))]
}
