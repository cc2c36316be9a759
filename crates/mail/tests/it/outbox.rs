use ajil_mail::{Mailer, MailerConfig, Outbox};
use mail_parser::MessageParser;

use crate::alert_message;

fn eml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn writes_one_complete_file_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("nested/outbox");
    let config: MailerConfig = format!("file://{}", outbox.display()).parse().unwrap();
    let mailer = Mailer::new(&config).unwrap();
    mailer.send(&alert_message(7)).await.unwrap();
    mailer.send(&alert_message(8)).await.unwrap();

    // No temporary files remain, only the two messages.
    let files = eml_files(&outbox);
    assert_eq!(files.len(), 2, "{files:?}");
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names[0].ends_with("-alert-7@ajil.example.eml"), "{names:?}");
    assert!(names[1].ends_with("-alert-8@ajil.example.eml"), "{names:?}");
    // `<UTC timestamp>-`, sortable by time.
    assert!(names[0].starts_with("20"), "{names:?}");

    let bytes = std::fs::read(&files[0]).unwrap();
    let parsed = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(parsed.message_id(), Some("alert-7@ajil.example"));
    assert_eq!(parsed.text_body_count(), 1);
    assert_eq!(parsed.html_body_count(), 1);
}

#[tokio::test]
async fn outbox_write_returns_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path()).unwrap();
    let path = outbox.write(&alert_message(1)).await.unwrap();
    assert_eq!(path.parent(), Some(dir.path()));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("List-Unsubscribe-Post")
    );
}

#[test]
fn outbox_in_a_file_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let err = Mailer::outbox(file.join("sub")).unwrap_err();
    assert!(
        err.to_string().contains("cannot create outbox directory"),
        "{err}"
    );
}
