//! Hand-made pages modelled on real site structures: a WordPress theme, an
//! Arabic news portal and an AMP page. Each test names the rule it checks.

use chrono::{DateTime, Utc};

use super::{fixture, run};

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn assert_absent(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(!text.contains(n), "text still contains {n:?}:\n{text}");
    }
}

#[test]
fn wordpress_noise_is_stripped() {
    let out = run(
        &fixture("wp-english.html"),
        Some("https://ledger.example/world/"),
    );
    assert_absent(
        &out.text,
        &[
            "[ad_1]",
            "[ad_2]",                    // shortcodes
            "Sign up for Breaking News", // sign-up blurb
            "Related",
            "Spain issues red alert",
            "READ MORE",
            "Climate report warns", // inline related
            "Share this",
            "Facebook", // share widget
            "Tagged",   // tags
            "thoughts on",
            "Terrible news",
            "Post Comment", // comments and form
            "Most Read",
            "Markets slide",
            "free daily briefing", // sidebar widgets
            "Skip to content",
            "Home",
            "All rights reserved", // nav, breadcrumb, footer
            "googletag",
            "margin:0", // script and style
            "___",
            "Storm hits Portugal",
        ],
    );
    assert!(
        !out.text.lines().any(|l| l.trim() == "Source"),
        "bare Source line kept:\n{}",
        out.text
    );
    assert!(
        out.text.starts_with("VALENCIA, Spain (AP) — Flash floods"),
        "{}",
        out.text
    );
    assert!(
        out.text
            .contains("“We have never seen water rise this fast,”")
    );
    assert!(out.text.ends_with("Associated Press writers Ciarán Giles in Madrid and Joseph Wilson in Barcelona contributed to this report."));
    assert_eq!(out.text.split("\n\n").count(), 6);
}

#[test]
fn wordpress_metadata() {
    let out = run(
        &fixture("wp-english.html"),
        Some("https://ledger.example/world/"),
    );
    assert_eq!(
        out.title.as_deref(),
        Some("Floods force thousands from homes in Valencia")
    );
    assert_eq!(out.lang.as_deref(), Some("en"));
    assert_eq!(out.published, utc("2024-10-30T08:15:00Z"));
    assert_eq!(out.updated, utc("2024-10-30T17:20:00Z"));
    assert_eq!(out.author.as_deref(), Some("Jane Doe"));
    assert_eq!(
        out.canonical_url.as_deref(),
        Some("https://ledger.example/2024/10/30/valencia-floods/")
    );
    assert_eq!(out.wire.as_deref(), Some("Associated Press"));
}

#[test]
fn arabic_portal_noise_is_stripped() {
    let out = run(&fixture("ar-portal.html"), None);
    assert_absent(
        &out.text,
        &[
            "عاجل",
            "انخفاض أسعار النفط", // ticker
            "الرئيسية",           // breadcrumb
            "فيسبوك",
            "واتساب", // share
            "اقرأ أيضاً",
            "وزراء الخارجية العرب يجتمعون", // read-also inline
            "شاهد أيضا",
            "لقطات من الاجتماع", // watch-also inline
            "لمزيد من الأخبار",
            "تابعونا", // more-news blurb
            "المصدر",
            "الوسوم",
            "الأكثر قراءة",
            "النشرة البريدية",
            "اشترك",
            "جميع الحقوق محفوظة",
            "dataLayer",
        ],
    );
    let paras: Vec<&str> = out.text.split("\n\n").collect();
    assert_eq!(paras.len(), 4, "{}", out.text);
    assert!(paras[0].starts_with("الرياض (رويترز) - أعلنت"));
    assert!(paras[2].contains("«الظروف الحالية تتطلب موقفاً عربياً موحداً»"));
}

#[test]
fn arabic_portal_metadata() {
    let out = run(&fixture("ar-portal.html"), None);
    assert_eq!(
        out.title.as_deref(),
        Some("الرياض تستضيف قمة عربية طارئة لبحث الأوضاع في المنطقة")
    );
    assert_eq!(out.lang.as_deref(), Some("ar"));
    // Only a visible date with Eastern Arabic digits and a Levantine month.
    assert_eq!(out.published, utc("2025-03-05T14:30:00Z"));
    assert_eq!(out.updated, None);
    assert_eq!(out.author.as_deref(), Some("سارة الأحمد"));
    assert_eq!(
        out.canonical_url.as_deref(),
        Some("https://gulf-portal.example/news/2025/03/112233")
    );
    assert_eq!(out.wire.as_deref(), Some("Reuters"));
}

#[test]
fn amp_page() {
    let out = run(&fixture("amp-page.html"), None);
    assert_absent(
        &out.text,
        &[
            "Home",
            "World News Daily",
            "By Sam Carter",
            "Subscribe",
            "More from Business",
            "Gold steadies",
            "Copyright",
        ],
    );
    assert!(
        out.text
            .starts_with("Oil prices rose more than 2% on Tuesday")
    );
    assert!(out.text.contains("Brent crude futures were up $1.70"));
    assert_eq!(
        out.title.as_deref(),
        Some("Oil prices climb after supply cut")
    );
    assert_eq!(out.lang.as_deref(), Some("en"));
    assert_eq!(out.published, utc("2025-01-14T07:45:00Z"));
    assert_eq!(
        out.canonical_url.as_deref(),
        Some("https://worldnews.example/business/oil-prices-climb")
    );
    assert_eq!(out.wire.as_deref(), Some("Reuters"));
}

#[test]
fn windows_1256_page_with_lying_header() {
    let page = "<html lang=ar><head><meta charset=windows-1256><title>خبر</title></head><body><article>\
        <p>قال المتحدث باسم الحكومة إن الاجتماع سيعقد في العاصمة يوم الخميس المقبل لمناقشة الميزانية الجديدة.</p>\
        <p>وأضاف أن الوزراء سيقدمون تقاريرهم حول الإنفاق العام خلال الربع الأول من العام الحالي.</p></article></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(page);
    let opts = ajil_extract::ExtractOptions {
        charset: Some("iso-8859-1".into()),
        ..Default::default()
    };
    let out = ajil_extract::extract(&bytes, &opts).unwrap();
    assert!(
        out.text.starts_with("قال المتحدث باسم الحكومة"),
        "{}",
        out.text
    );
}

#[test]
fn clean_fragment_applies_the_same_rules() {
    let frag = "<p>[ad_1]</p><p>اشترك في النشرة البريدية ليصلك كل جديد</p>\
        <p>قال الوزير إن المحادثات ستستأنف الأسبوع المقبل في العاصمة.</p>\
        <p>اقرأ أيضا: <a href='/x'>خبر آخر</a></p><div class='share'>شارك</div><p>المصدر</p><script>x()</script>";
    assert_eq!(
        ajil_extract::clean_fragment(frag),
        "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل في العاصمة."
    );
    assert_eq!(ajil_extract::clean_fragment(""), "");
    assert_eq!(
        ajil_extract::clean_fragment("Plain summary &amp; no tags."),
        "Plain summary & no tags."
    );
    assert_eq!(
        ajil_extract::clean_fragment("<p>First line<br><br>Second line, after a break.</p>"),
        "First line\n\nSecond line, after a break."
    );
}

fn assert_no_line(text: &str, line: &str) {
    assert!(
        !text.split("\n\n").any(|p| p.trim() == line),
        "bare {line:?} line kept:\n{text}"
    );
}

#[test]
fn arabic_wordpress_theme_noise_is_stripped() {
    let out = run(&fixture("ar-wordpress.html"), None);
    assert_absent(
        &out.text,
        &[
            "[ad_",          // shortcodes
            "إعلان",          // ad slot label
            "مئات الشاحنات", // related headline inlined between paragraphs
            "اقرأ أيضا",
            "الأمم المتحدة تحذر", // read-also box
            "نشرتنا",            // sign-up blurb
            "لمزيد من الأخبار",
            "اضغط هنا",
            "تلغرام", // more-news and channel blurbs
            "الوسوم", // tag widget
            "فيسبوك", // share widgets
            "مقالات ذات صلة",
            "قصف مدفعي", // related posts
            "نتمنى أن تنجح",
            "الوسطاء يكررون",
            "اترك تعليقاً",
            "تعليقات", // comments
            "عاجل",
            "الاحتلال يقصف", // ticker
            "الرئيسية",
            "الأكثر قراءة",
            "تابعونا",
            "جميع الحقوق", // nav, sidebar, footer
            "محمد العلي",  // byline
        ],
    );
    assert_no_line(&out.text, "المصدر");
    assert_no_line(&out.text, "شارك");
    let paras: Vec<&str> = out.text.split("\n\n").collect();
    assert_eq!(paras.len(), 5, "{}", out.text);
    // The dateline, the quotes and the contributor line are article text.
    assert!(paras[0].starts_with("غزة - «الوطن اليوم»: انطلقت"));
    assert!(paras[2].contains("«الأجواء إيجابية هذه المرة، لكن التفاصيل ما زالت عالقة»"));
    assert!(paras[3].contains("«لن تدخر جهداً»"));
    assert_eq!(paras[4], "ساهم في التغطية: أحمد سالم من القاهرة.");
}

#[test]
fn arabic_wordpress_theme_metadata() {
    let out = run(&fixture("ar-wordpress.html"), None);
    assert_eq!(
        out.title.as_deref(),
        Some("مفاوضات جديدة لوقف إطلاق النار في غزة برعاية مصرية قطرية")
    );
    assert_eq!(out.lang.as_deref(), Some("ar"));
    assert_eq!(out.published, utc("2025-01-08T07:40:00Z"));
    assert_eq!(out.updated, utc("2025-01-08T10:05:00Z"));
    assert_eq!(out.author.as_deref(), Some("محمد العلي"));
    assert_eq!(
        out.canonical_url.as_deref(),
        Some("https://alwatan-today.example/2025/01/08/gaza-talks/")
    );
    // The paper's own correspondent: no agency is credited.
    assert_eq!(out.wire, None);
}

#[test]
fn arabic_amp_page() {
    let out = run(&fixture("ar-amp.html"), None);
    assert_absent(
        &out.text,
        &[
            "إعلان", // amp-ad fallback
            "شاهد أيضا",
            "بالفيديو",          // watch-also line
            "أسعار الذهب تقفز",  // inline related headline
            "تطبيق",             // app blurb, written with a shadda
            "الكلمات المفتاحية", // tags
            "لمزيد من الأخبار",
            "الحكومة تعلن", // more-news list
            "آخر الأخبار",
            "البورصة تغلق", // ticker
            "القائمة",
            "الرئيسية",          // menu
            "مقر البنك المركزي", // photo caption
            "جميع الحقوق",
            "ليلى حسن",
        ],
    );
    assert_no_line(&out.text, "المصدر :");
    let paras: Vec<&str> = out.text.split("\n\n").collect();
    assert_eq!(paras.len(), 4, "{}", out.text);
    assert!(paras[0].starts_with("القاهرة - (أ ش أ): قرر البنك المركزي"));
    assert!(paras[1].contains("«السياسة النقدية ستبقى متشددة"));
    assert!(paras[3].contains("لـ«الأخبار الاقتصادية»"));
    assert_eq!(
        out.title.as_deref(),
        Some("البنك المركزي يرفع سعر الفائدة لكبح التضخم")
    );
    assert_eq!(out.lang.as_deref(), Some("ar"));
    assert_eq!(out.published, utc("2025-02-13T13:20:00Z"));
    assert_eq!(out.updated, utc("2025-02-13T15:00:00Z"));
    assert_eq!(out.author.as_deref(), Some("ليلى حسن"));
    assert_eq!(
        out.canonical_url.as_deref(),
        Some("https://eco-news.example/economy/2025/02/central-bank-rate")
    );
    assert_eq!(out.wire.as_deref(), Some("MENA"));
}
