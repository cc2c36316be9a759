//! How the HTML part looks on a phone: headless Chromium lays out Arabic
//! and English alerts in a frame 375 pixels wide (headless windows are at
//! least 500 wide); a script injected into a copy of the HTML (the email
//! itself has none) reports the page direction, the title's direction and
//! the right-most edge of any element to the outer page. Screenshots are
//! left in the test's temporary directory (printed) for a person to see.

use ajil_mail::{AlertEmail, Composer, OutletLink};
use ajil_testkit::check::{chromium, chromium_render};
use mail_parser::{MessageParser, PartType};

use crate::now;

/// The width of a common phone screen in CSS pixels (iPhone SE to 13 mini).
const PHONE_WIDTH: u32 = 375;

/// Run inside the email's frame after layout; the outer page writes what it
/// posts into its title, read back from `--dump-dom`.
const PROBE: &str = r#"<script>
(function () {
  var right = 0, left = 1e9;
  var all = document.querySelectorAll("body *");
  for (var i = 0; i < all.length; i++) {
    var r = all[i].getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    right = Math.max(right, r.right);
    left = Math.min(left, r.left);
  }
  var h1 = document.querySelector("h1");
  parent.postMessage("PROBE dir=" + getComputedStyle(document.documentElement).direction +
    " h1=" + getComputedStyle(h1).direction +
    " right=" + Math.ceil(right) + " left=" + Math.floor(left) +
    " scroll=" + document.documentElement.scrollWidth +
    " width=" + window.innerWidth + " END", "*");
})();
</script>"#;

fn html_part(lang: &str, title: &str, title_lang: &str) -> String {
    let email = AlertEmail {
        to: "reader@example.com".into(),
        lang: lang.into(),
        story_title: title.into(),
        story_lang: title_lang.into(),
        query: "زلزال".into(),
        outlets: vec![
            OutletLink {
                name: "الجزيرة نت".into(),
                url: "https://www.aljazeera.net/news/2026/4/30/very-long-path-segment-that-never-breaks".into(),
                published: now(),
                reprint: false,
            },
            OutletLink {
                name: "Reuters".into(),
                url: "https://www.reuters.com/world/".into(),
                published: now(),
                reprint: false,
            },
        ],
        story_url: Some("https://ajil.example/stories/12".into()),
        unsubscribe_url: "https://ajil.example/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        manage_url: "https://ajil.example/manage/T".into(),
        message_id: "alert-1@ajil.example".into(),
        breaking: true,
        tz: Some("Asia/Riyadh".into()),
        lead: Some(format!("{title} — {}", "تفاصيل ".repeat(30))),
    };
    let message = Composer::new(None).unwrap().alert(&email, now()).unwrap();
    let bytes = ajil_mail::to_bytes(&message);
    let parsed = MessageParser::default().parse(&bytes).unwrap();
    parsed
        .parts
        .iter()
        .find_map(|p| match &p.body {
            PartType::Html(h) => Some(h.to_string()),
            _ => None,
        })
        .expect("html part")
}

/// `(page dir, h1 dir, right edge, left edge, scroll width, viewport width)`.
fn probe(dom: &str) -> (String, String, i64, i64, i64, i64) {
    let start = dom.find("PROBE ").expect("probe ran") + 6;
    let end = start + dom[start..].find(" END").unwrap();
    let mut fields = std::collections::HashMap::new();
    for kv in dom[start..end].split(' ') {
        let (k, v) = kv.split_once('=').unwrap();
        fields.insert(k, v.to_owned());
    }
    let num = |k: &str| fields[k].parse::<i64>().unwrap();
    (
        fields["dir"].clone(),
        fields["h1"].clone(),
        num("right"),
        num("left"),
        num("scroll"),
        num("width"),
    )
}

#[test]
fn alerts_fit_a_phone_in_both_directions() {
    if chromium().is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is missing in CI: .ci/run installs Debian's chromium"
        );
        eprintln!("SKIPPED alerts_fit_a_phone_in_both_directions: chromium is not installed");
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("ajil-render-")
        .tempdir()
        .unwrap()
        .keep();
    let long_word = "Unbreakable".repeat(8);
    let cases = [
        (
            "ar",
            "زلزال بقوة 6.1 يضرب جنوب تركيا ويشعر به سكان سوريا",
            "ar",
            "rtl",
            "rtl",
        ),
        (
            "en",
            &format!("Quake hits southern Türkiye {long_word}"),
            "en",
            "ltr",
            "ltr",
        ),
        // An English reader's alert about an Arabic story: the page reads
        // left to right, the title right to left.
        (
            "en",
            "انفجار في مرفأ بيروت: 12 قتيلا وفق BBC",
            "ar",
            "ltr",
            "rtl",
        ),
    ];
    for (i, (lang, title, title_lang, want_dir, want_h1)) in cases.iter().enumerate() {
        let html = html_part(lang, title, title_lang);
        assert!(!html.contains("<script"), "the email itself has no script");
        assert!(!html.contains("<img"), "no remote images");
        let name = format!("alert-{i}-{lang}.html");
        let inner = dir.join(&name);
        std::fs::write(&inner, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
        let page = dir.join(format!("phone-{i}-{lang}.html"));
        std::fs::write(
            &page,
            format!(
                r#"<!DOCTYPE html><html><head><title>no probe</title></head><body style="margin:0;background:#888">
<iframe src="{name}" style="width:{PHONE_WIDTH}px;height:1280px;border:0;background:#fff"></iframe>
<script>addEventListener("message", function (e) {{ document.title = e.data; }});</script>
</body></html>"#
            ),
        )
        .unwrap();
        let png = dir.join(format!("alert-{i}-{lang}.png"));
        let dom = chromium_render(&page, 500, &dir, &png).unwrap();
        let (page_dir, h1_dir, right, left, scroll, width) = probe(&dom);
        println!(
            "{}: dir={page_dir} h1={h1_dir} right={right} left={left} scroll={scroll} width={width}",
            png.display()
        );
        assert_eq!(width, i64::from(PHONE_WIDTH), "viewport width");
        assert_eq!(page_dir, *want_dir, "page direction of case {i}");
        assert_eq!(h1_dir, *want_h1, "title direction of case {i}");
        assert!(right <= width, "case {i}: an element reaches x={right}");
        assert!(left >= 0, "case {i}: an element starts at x={left}");
        assert!(
            scroll <= width,
            "case {i}: page scrolls sideways ({scroll})"
        );
        assert!(std::fs::metadata(&png).unwrap().len() > 1000, "screenshot");
    }
}
