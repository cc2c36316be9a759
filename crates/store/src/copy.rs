//! Copying a whole store into an empty PostgreSQL database: how a deployment
//! that began on the embedded SQLite file moves to a server.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Result, Store, StoreError};

/// Every table, parents before children, with its key column (for order).
/// `articles.copy_of` points within its own table: it is written in a second
/// pass, once every article is there.
const TABLES: [(&str, &str); 10] = [
    ("sources", "id"),
    ("subscribers", "id"),
    ("subscriptions", "id"),
    ("emails", "id"),
    ("alerts", "id"),
    ("stories", "id"),
    ("articles", "id"),
    ("feedback", "id"),
    ("story_merges", "from_id"),
    ("websub", "source_id"),
];

/// Tables whose ids PostgreSQL generates: their sequences move past the
/// copied ids.
const GENERATED_IDS: [&str; 7] = [
    "sources",
    "subscribers",
    "subscriptions",
    "emails",
    "alerts",
    "articles",
    "feedback",
];

/// Rows copied per `INSERT`.
const BATCH: usize = 500;

/// What [`Store::copy_into`] copied, table by table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CopyReport {
    /// (table, rows) in the order copied.
    pub tables: Vec<(String, u64)>,
}

impl Store {
    /// Copies every row of this store into `target`, an empty PostgreSQL store
    /// (its schema applied, no rows), keeping every id; `progress` hears
    /// `(table, rows copied so far, rows in the table)`. The copy is one
    /// transaction on the target: it lands whole or not at all.
    pub async fn copy_into(
        &self,
        target: &Store,
        mut progress: impl FnMut(&str, u64, u64),
    ) -> Result<CopyReport> {
        if target.backend != Backend::Postgres {
            return Err(StoreError::CopyTarget {
                reason: "the target must be a PostgreSQL database".into(),
            });
        }
        for (table, _) in TABLES {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&target.pool)
                .await?;
            if n > 0 {
                return Err(StoreError::CopyTarget {
                    reason: format!(
                        "its table {table} already holds {n} rows; copy into a new, empty database"
                    ),
                });
            }
        }
        let mut report = CopyReport::default();
        let mut tx = target.pool.begin().await?;
        for (table, key) in TABLES {
            // The target's column types decide how each value is bound (a NULL
            // needs the right type on PostgreSQL).
            let columns: Vec<(String, bool)> = sqlx::query(
                "SELECT column_name::text AS column_name, data_type::text AS data_type \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| -> Result<(String, bool)> {
                let name: String = r.try_get("column_name")?;
                let ty: String = r.try_get("data_type")?;
                Ok((name, ty == "bigint"))
            })
            .collect::<Result<_>>()?;
            let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&self.pool)
                .await?;
            let total = total as u64;
            let list = columns
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut copied = 0u64;
            let mut after: Option<i64> = None;
            progress(table, 0, total);
            loop {
                let rows = sqlx::query(&format!(
                    "SELECT {list} FROM {table} WHERE $1 IS NULL OR {key} > $1 \
                     ORDER BY {key} LIMIT {BATCH}"
                ))
                .bind(after)
                .fetch_all(&self.pool)
                .await?;
                let Some(last) = rows.last() else { break };
                after = Some(last.try_get(key)?);
                insert_batch(&mut tx, table, &columns, &rows).await?;
                copied += rows.len() as u64;
                progress(table, copied, total);
            }
            report.tables.push((table.to_string(), copied));
        }
        // Second pass: which article each copy is a copy of.
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT id, copy_of FROM articles WHERE copy_of IS NOT NULL AND id > $1 \
                 ORDER BY id LIMIT 1000",
            )
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            for r in &rows {
                sqlx::query("UPDATE articles SET copy_of = $1 WHERE id = $2")
                    .bind(r.try_get::<i64, _>("copy_of")?)
                    .bind(r.try_get::<i64, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for table in GENERATED_IDS {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(report)
    }
}

async fn insert_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    columns: &[(String, bool)],
    rows: &[AnyRow],
) -> Result<()> {
    let names = columns
        .iter()
        .map(|(c, _)| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut values = Vec::with_capacity(rows.len());
    let mut n = 0;
    for _ in rows {
        let one: Vec<String> = columns
            .iter()
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect();
        values.push(format!("({})", one.join(", ")));
    }
    let sql = format!("INSERT INTO {table} ({names}) VALUES {}", values.join(", "));
    let mut query = sqlx::query(&sql);
    for row in rows {
        for (name, integer) in columns {
            query = if name == "copy_of" {
                query.bind(None::<i64>)
            } else if *integer {
                query.bind(row.try_get::<Option<i64>, _>(name.as_str())?)
            } else {
                query.bind(row.try_get::<Option<String>, _>(name.as_str())?)
            };
        }
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use ajil_model::{ArticleId, Cadence, StoryId};

    use super::*;
    use crate::articles::tests::{article, stores_with_source, t};
    use crate::stories::tests::story;
    use crate::{EmailKind, NewEmail, NewFeedback, NewSubscription};

    /// Every row of every table, each value as text (NULL as `None`).
    async fn dump(store: &Store) -> Vec<(String, Vec<Vec<Option<String>>>)> {
        let mut out = Vec::new();
        for (table, key) in TABLES {
            let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {key}"))
                .fetch_all(&store.pool)
                .await
                .unwrap();
            let rows = rows
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| match r.try_get::<Option<i64>, _>(i) {
                            Ok(n) => n.map(|n| n.to_string()),
                            Err(_) => r.try_get::<Option<String>, _>(i).unwrap(),
                        })
                        .collect()
                })
                .collect();
            out.push((table.to_string(), rows));
        }
        out
    }

    #[tokio::test]
    async fn a_sqlite_store_moves_to_postgres_whole() {
        let (s, src, _) = stores_with_source().await.swap_remove(0);
        assert_eq!(s.backend(), Backend::Sqlite);
        let a = s
            .insert_article(&article(src.id, "a", 0))
            .await
            .unwrap()
            .unwrap();
        let b = s
            .insert_article(&article(src.id, "b", 5))
            .await
            .unwrap()
            .unwrap();
        s.upsert_story(&story(1, 5)).await.unwrap();
        s.upsert_story(&story(2, 6)).await.unwrap();
        s.set_article_story(a, StoryId(1), None).await.unwrap();
        s.set_article_story(b, StoryId(1), Some(a)).await.unwrap();
        let who = s
            .upsert_subscriber("r@example.org", "ar", t(0))
            .await
            .unwrap();
        let sub = s
            .add_subscription(
                &NewSubscription {
                    subscriber_id: who.id,
                    query: "زلزال".into(),
                    langs: vec!["ar".into()],
                    cadence: Cadence::Realtime,
                    breaking_only: true,
                    confirmed: true,
                },
                t(0),
            )
            .await
            .unwrap();
        let email = NewEmail {
            kind: EmailKind::Alert,
            subscriber_id: Some(who.id),
            recipient: who.email.clone(),
            message_id: "<1@example.org>".into(),
            subject: "زلزال".into(),
            payload: "{}".into(),
        };
        s.record_alert_email(sub.id, StoryId(2), &email, t(1))
            .await
            .unwrap()
            .unwrap();
        s.merge_stories(StoryId(2), StoryId(1)).await.unwrap();
        s.websub_requested(
            src.id,
            "https://hub.example/",
            "https://a.example/rss",
            "https://ajil.example/websub/1",
            "k",
            t(0),
        )
        .await
        .unwrap();
        s.websub_verified(src.id, "https://a.example/rss", t(9))
            .await
            .unwrap();
        s.record_feedback(
            &NewFeedback {
                email: Some(who.email.clone()),
                message_id: None,
                kind: "soft_bounce".into(),
                status: Some("4.2.2".into()),
                diagnostic: Some("mailbox full".into()),
                origin: "dsn".into(),
                dedup_key: Some("k1".into()),
            },
            t(0),
            t(2),
        )
        .await
        .unwrap();

        let scratch = crate::testing::Scratch::create().await;
        let pg = scratch.store().await;
        let mut seen = Vec::new();
        let report = s
            .copy_into(&pg, |table, done, total| {
                seen.push((table.to_string(), done, total))
            })
            .await
            .unwrap();
        let copied: Vec<(&str, u64)> = report
            .tables
            .iter()
            .map(|(t, n)| (t.as_str(), *n))
            .collect();
        assert_eq!(
            copied,
            [
                ("sources", 1),
                ("subscribers", 1),
                ("subscriptions", 1),
                ("emails", 1),
                ("alerts", 1),
                ("stories", 1),
                ("articles", 2),
                ("feedback", 1),
                ("story_merges", 1),
                ("websub", 1),
            ]
        );
        assert!(seen.contains(&("articles".to_string(), 2, 2)));
        assert_eq!(dump(&pg).await, dump(&s).await, "every row and value");
        assert_eq!(pg.merged_into(StoryId(2)).await.unwrap(), Some(StoryId(1)));

        // New rows on the server take ids after the copied ones.
        let next = pg
            .add_source(
                "https://b.example/rss",
                "B",
                std::time::Duration::from_secs(60),
                t(0),
            )
            .await
            .unwrap();
        assert_eq!(next.id.0, src.id.0 + 1);
        let c = pg
            .insert_article(&article(next.id, "c", 9))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c, ArticleId(b.0 + 1));

        // A database that holds rows is refused: nothing is copied twice.
        let again = s.copy_into(&pg, |_, _, _| {}).await.unwrap_err();
        assert!(matches!(again, StoreError::CopyTarget { .. }), "{again}");
        assert!(
            again.to_string().contains("sources already holds"),
            "{again}"
        );
    }
}
