//! Backups of the embedded store while it is in use.

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the SQLite store to `path` (`VACUUM INTO`):
    /// one read transaction, so the pipeline and the web server go on writing
    /// meanwhile and the copy is the store as of one moment, compacted. The
    /// copy is a complete store: put it at `DATA/ajil.db` (with ajil stopped)
    /// to restore it. `path` must not exist yet. A PostgreSQL store is backed
    /// up with the server's own tools (`pg_dump`), and refused here.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Backup {
                reason: "the store is on PostgreSQL: back it up with pg_dump (for example \
                         `pg_dump -Fc -f ajil.dump DATABASE_URL`)"
                    .into(),
            });
        }
        if path.exists() {
            return Err(StoreError::Backup {
                reason: format!(
                    "{} already exists: give a new file name, so no backup is overwritten",
                    path.display()
                ),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(StoreError::Backup {
                reason: format!(
                    "the folder {} does not exist: create it first",
                    dir.display()
                ),
            });
        }
        let target = path.to_str().ok_or_else(|| StoreError::Backup {
            reason: format!(
                "{} is not valid UTF-8: choose a plainer file name",
                path.display()
            ),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::articles::tests::{article, t};
    use crate::{Store, StoreError};
    use std::time::Duration;

    #[tokio::test]
    async fn a_backup_is_a_whole_store_taken_while_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("ajil.db")).await.unwrap();
        let src = s
            .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
            .await
            .unwrap();
        for i in 0..50 {
            s.insert_article(&article(src.id, &format!("g{i}"), i))
                .await
                .unwrap();
        }
        // A writer keeps going while the backup is taken.
        let writer = {
            let s = s.clone();
            tokio::spawn(async move {
                for i in 50..250 {
                    s.insert_article(&article(src.id, &format!("g{i}"), i))
                        .await
                        .unwrap();
                }
            })
        };
        let copy = dir.path().join("backup.db");
        s.backup_to(&copy).await.unwrap();
        writer.await.unwrap();

        let restored = Store::open(&copy).await.unwrap();
        let sources = restored.list_sources().await.unwrap();
        assert_eq!(sources.len(), 1);
        let n = restored.max_article_id().await.unwrap().unwrap().0;
        assert!((50..=250).contains(&n), "a moment's articles, whole: {n}");
        let first = restored
            .get_article(ajil_model::ArticleId(1))
            .await
            .unwrap();
        assert_eq!(first.guid, "g0");

        // Never over an existing file, and not into a missing folder.
        let e = s.backup_to(&copy).await.unwrap_err();
        assert!(matches!(e, StoreError::Backup { .. }) && e.to_string().contains("already exists"));
        let e = s
            .backup_to(&dir.path().join("no/such/dir/b.db"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }

    #[tokio::test]
    async fn a_postgres_store_points_to_pg_dump() {
        let scratch = crate::testing::Scratch::create().await;
        let s = scratch.store().await;
        let dir = tempfile::tempdir().unwrap();
        let e = s.backup_to(&dir.path().join("b.db")).await.unwrap_err();
        assert!(e.to_string().contains("pg_dump"), "{e}");
    }
}
