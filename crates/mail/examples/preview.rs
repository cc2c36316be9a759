//! Prints a sample Arabic alert as it would go on the wire, to preview the
//! templates: `cargo run -p ajil-mail --example preview [TEMPLATE_DIR]`.

use ajil_mail::{AlertEmail, Composer, OutletLink, Purpose, Signer};
use chrono::Utc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = Utc::now();
    let template_dir = std::env::args_os().nth(1).map(Into::into);
    let signer = Signer::new(b"preview secret");
    let alert = AlertEmail {
        to: "reader@example.com".into(),
        lang: "ar".into(),
        story_title: "زلزال بقوة 6.1 يضرب جنوب تركيا (USGS)".into(),
        story_lang: "ar".into(),
        query: "زلزال تركيا".into(),
        outlets: vec![
            OutletLink {
                name: "الجزيرة".into(),
                url: "https://www.aljazeera.net/news/".into(),
                published: now,
                reprint: false,
            },
            OutletLink {
                name: "Reuters".into(),
                url: "https://www.reuters.com/world/".into(),
                published: now,
                reprint: false,
            },
            OutletLink {
                name: "موقع إخباري".into(),
                url: "https://news.example.com/quake".into(),
                published: now,
                reprint: true,
            },
        ],
        story_url: Some("https://ajil.example/story/1".into()),
        unsubscribe_url: format!(
            "https://ajil.example/unsubscribe/{}",
            signer.sign(Purpose::Unsubscribe, 1, None)
        ),
        manage_url: format!(
            "https://ajil.example/manage/{}",
            signer.sign(Purpose::Manage, 1, None)
        ),
        message_id: "alert-1-1@ajil.example".into(),
        breaking: true,
        tz: None,
        lead: None,
    };
    let message = Composer::new(template_dir)?.alert(&alert, now)?;
    print!(
        "{}",
        String::from_utf8_lossy(&ajil_mail::to_bytes(&message))
    );
    Ok(())
}
