//! Boilerplate rules: which elements are page furniture (by tag, class/id
//! tokens, role) and which text blocks are boilerplate (shortcodes, sign-up
//! blurbs, "read also" lines, bare source labels).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use scraper::node::Element;

/// Tags whose content is never article text.
pub(crate) fn is_hard_noise_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "iframe"
            | "svg"
            | "canvas"
            | "object"
            | "embed"
            | "audio"
            | "video"
            | "map"
            | "dialog"
            | "math"
    )
}

/// Structural page furniture: navigation, footers, asides, figures, forms
/// (a form may also wrap a whole ASP.NET page, so it is not a hard rule).
pub(crate) fn is_furniture_tag(tag: &str) -> bool {
    matches!(
        tag,
        "nav" | "footer" | "aside" | "figure" | "figcaption" | "menu" | "header" | "form"
    )
}

/// Substrings of class/id values that mark widgets around an article.
/// Matched against each whitespace-separated token, lowercased.
const NOISE_PARTS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "comment",
    "related",
    "newsletter",
    "subscri",
    "signup",
    "sign-up",
    "ticker",
    "breadcrumb",
    "sidebar",
    "widget",
    "footer",
    "navbar",
    "navigation",
    "menu",
    "promo",
    "advert",
    "sponsor",
    "banner",
    "popup",
    "modal",
    "cookie",
    "consent",
    "gdpr",
    "mostread",
    "most-read",
    "most_read",
    "popular",
    "trending",
    "recommend",
    "outbrain",
    "taboola",
    "readmore",
    "read-more",
    "more-stories",
    "also-read",
    "author-bio",
    "authorbio",
    "entry-meta",
    "post-meta",
    "article-meta",
    "byline",
    "caption",
    "pagination",
    "pager",
    "toolbar",
    "tooltip",
    "skip-link",
    "sr-only",
    "screen-reader",
    "disqus",
    "rating",
    "login",
    "paywall",
    "post-nav",
    "next-post",
    "prev-post",
    "breaking-ticker",
    "breaking-bar",
    "breakingbar",
    "breaking-strip",
    "tagcloud",
    "tags",
    "tag-list",
    "taglist",
    "tags-links",
    "cat-links",
    "categories",
    "print-only",
    "inline-ad",
    "ad-slot",
    "adslot",
    "ad-container",
    "ad-wrapper",
    "adsbygoogle",
    "dfp",
    "masthead",
    "site-header",
    "copyright",
    "disclaimer",
    "more-from",
    "read-next",
    "readnext",
    "nocontent",
    "jump-link",
    "follow-us",
    "subscribe",
    "donate",
    "podcast-promo",
];

/// Exact tokens (after splitting on `-`/`_`) that mark ads or navigation.
const NOISE_WORDS: &[&str] = &[
    "ad", "ads", "nav", "tag", "meta", "aside", "related", "share",
];

/// Whole class tokens that hide an element (utility-CSS conventions).
const HIDING_CLASSES: &[&str] = &[
    "hidden",
    "hide",
    "d-none",
    "invisible",
    "is-hidden",
    "visually-hidden",
];

/// Roles that mark page furniture.
fn is_noise_role(role: &str) -> bool {
    matches!(
        role,
        "navigation"
            | "complementary"
            | "contentinfo"
            | "menu"
            | "menubar"
            | "dialog"
            | "banner"
            | "alert"
            | "search"
            | "toolbar"
    )
}

/// The attributes the noise rules read, gathered in one pass over an
/// element's attribute list (`Element::attr` interns its argument on every
/// call, which showed up in profiles).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Attrs<'a> {
    pub(crate) class: &'a str,
    pub(crate) id: &'a str,
    pub(crate) role: Option<&'a str>,
    pub(crate) style: Option<&'a str>,
    pub(crate) itemprop: Option<&'a str>,
    pub(crate) hidden: bool,
    pub(crate) aria_hidden: bool,
}

impl<'a> Attrs<'a> {
    /// Reads the attributes of `e`.
    pub(crate) fn of(e: &'a Element) -> Self {
        let mut a = Attrs::default();
        for (name, value) in e.attrs() {
            match name {
                "class" => a.class = value,
                "id" => a.id = value,
                "role" => a.role = Some(value),
                "style" => a.style = Some(value),
                "itemprop" => a.itemprop = Some(value),
                "hidden" => a.hidden = true,
                "aria-hidden" => a.aria_hidden = value == "true",
                _ => {}
            }
        }
        a
    }
}

/// Whether an element is hidden from readers (`hidden`, `aria-hidden`,
/// inline `display:none`): hidden copies of the body (schema.org blocks) and
/// collapsed menus are not what the page shows.
pub(crate) fn is_hidden(a: &Attrs) -> bool {
    if a.hidden || a.aria_hidden {
        return true;
    }
    a.style.is_some_and(|style| {
        let s: String = style.to_ascii_lowercase().split_whitespace().collect();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Whether an element's attributes mark it as a widget rather than content.
pub(crate) fn is_noise_attr(a: &Attrs) -> bool {
    if a.role.is_some_and(is_noise_role) {
        return true;
    }
    a.class
        .split_ascii_whitespace()
        .chain(a.id.split_ascii_whitespace())
        .any(is_noise_token)
}

/// [`NOISE_PARTS`] as one automaton: one scan per token instead of one per part.
static NOISE_PARTS_RE: LazyLock<Regex> = LazyLock::new(|| {
    let alt: Vec<String> = NOISE_PARTS.iter().map(|p| regex::escape(p)).collect();
    Regex::new(&alt.join("|")).unwrap()
});

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn is_noise_token(token: &str) -> bool {
    let t = lower(token);
    let t = t.as_ref();
    // WordPress stamps `tag-…`/`category-…` taxonomy classes on the article itself.
    // Embedded posts ("social-media-embed") are quoted in the story itself.
    if t.starts_with("tag-")
        || t.starts_with("category-")
        || t.starts_with("has-")
        || (t.contains("embed")
            && !["caption", "credit", "image", "photo"]
                .iter()
                .any(|p| t.contains(p)))
    {
        return false;
    }
    if HIDING_CLASSES.contains(&t) || NOISE_PARTS_RE.is_match(t) {
        return true;
    }
    t.split(['-', '_']).any(|w| NOISE_WORDS.contains(&w))
}

/// Substrings of class/id values that mark the article body itself.
static CONTENT_PARTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)article-body|articlebody|article-content|article__body|entry-content|post-content|post-body|story-body|storybody|story-content|article-text|news-content|td-post-content|main-content|body-text|content-body|article_body|article-details|details-body|news-details|rich-text",
    )
    .unwrap()
});

/// Whether class, id or `itemprop` mark the article body itself.
pub(crate) fn is_content_attr(a: &Attrs) -> bool {
    a.itemprop == Some("articleBody")
        || CONTENT_PARTS.is_match(a.class)
        || CONTENT_PARTS.is_match(a.id)
}

static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| {
    // `[ad_1]`, `[/vc_row]`, `[caption id="x" align="y"]`, `[embed]…`: WordPress
    // shortcodes a scraper copied verbatim. `[sic]` and bracketed Arabic stay.
    Regex::new(
        r#"(?x)
        \[/?[A-Za-z]+(?:_[A-Za-z0-9]+)+\]                 # [ad_1] [vc_row] [/td_block]
        | \[/?[A-Za-z_]+(?:\s+[A-Za-z_-]+\s*=\s*(?:"[^"\]]*"|'[^'\]]*'|[^\s\]]+))+\s*/?\]   # with attributes
        | \[/?(?:embed|caption|gallery|audio|video|playlist|ad|ads|adsense|advert|related|shortcode|tweet|youtube|instagram|facebook)\]
        "#,
    )
    .unwrap()
});

/// Removes WordPress-style bracket shortcodes such as `[ad_1]`.
pub(crate) fn strip_shortcodes(s: &str) -> String {
    if !s.contains('[') {
        return s.to_owned();
    }
    crate::dom::collapse_ws(&SHORTCODE.replace_all(s, " "))
}

// "اشترك في" and "التسجيل في" also mean "took part in" and "scoring in": the
// Arabic sign-up phrases need what is subscribed to (newsletter, channel, …).
static SIGNUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        sign\s*up\s+(?:for|to|now|here)(?-u:\b) | (?-u:\b)subscribe\s+(?:to|for|now|here|today)(?-u:\b)
        | newsletter | breaking\s+ne[a-z]s\s+(?:e-?mails|alerts) | delivered\s+(?:directly|straight|right)\s+to\s+your\s+inbox
        | (?-u:\b)to\s+your\s+inbox(?-u:\b) | get\s+(?:our|the)\s+free(?-u:\b).*(?-u:\b)email | enable\s+(?:push\s+)?notifications
        | تنبيهات\s+الأخبار | النشرة\s+(?:البريدية|الإخبارية) | نشرتنا
        | اشترك(?:وا)?\s+(?:الآن|معنا|مجانا|(?:في|ب|بـ)\s*(?:ال)?(?:نشر|قائم|قنا|تنبيه|تطبيق|موقع|صفح|حساب|بريد|رسائل|نسخ))
        | بالتسجيل\s+في\s+(?:ال)?(?:نشر|قائم|موقع|رسائل|بريد|تنبيه) | سجل\s+(?:الآن|بريدك) | [أا]دخل\s+(?:عنوان\s+)?بريدك
        | ليصلك\s+(?:كل|آخر|أحدث) | تابعونا\s+على | تابعوا\s+(?:آخر|أحدث)?\s*الأخبار\s+على | انضم(?:وا)?\s+إلى\s+قناتنا
        | تابعنا\s+على\s+(?:فيسبوك|فيس\s*بوك|تويتر|إكس|اكس|انستغرام|إنستغرام|يوتيوب|تلغرام|تيليجرام|واتساب|تطبيق|قناة|قناتنا|صفحة|صفحتنا|حساب|مواقع\s+التواصل|شبكات\s+التواصل|جوجل|google)
        | (?:follow|join)\s+us\s+on | download\s+(?:our|the)\s+app
        | حمل(?:وا)?\s+(?:الآن\s+)?تطبيقنا | حمل(?:وا)?\s+(?:الآن\s+)?تطبيق\s+[^.،]{1,40}\s+(?:على|عبر)\s+(?:هاتفك|جوالك|هواتفكم|أجهزتكم)
        ",
    )
    .unwrap()
});

static READ_ALSO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*[-–—•*»«>]?\s*(?:
        [اإأ]قرأ\s+(?:أيضا|أيضاً|ايضا|ايضاً|المزيد|أيضًا|كذلك) | شاهد\s+(?:أيضا|أيضاً|ايضا|أيضًا|كذلك) | طالع\s+(?:أيضا|أيضاً|ايضا|كذلك)
        | (?:مقالات|أخبار|اخبار|مواضيع|موضوعات)\s+(?:ذات\s+صلة|متعلقة|مشابهة|مقترحة) | (?:قد\s+)?يهمك\s+(?:أيضا|ايضا)
        | ننصحك\s+بقراءة | المزيد\s+من\s+الأخبار
        | (?:الوسوم|وسوم|الكلمات\s+المفتاحية|كلمات\s+مفتاحية|tags|tagged)\s*[:：]
        | لمزيد\s+من\s+الأخبار | للمزيد\s+من | مواضيع\s+ذات\s+صلة | أخبار\s+ذات\s+صلة | ذات\s+صلة | روابط\s+ذات\s+صلة
        | اقرأ\s+أيضا | قد\s+يهمك | قد\s+يعجبك | اضغط\s+هنا | للاطلاع
        | read\s+(?:more|also|next|the\s+full) | related(?:\s+(?:stories|articles|coverage|content|news|reading|video))?\s*[:\-–—]? $
        | related\s*: | see\s+also | also\s+read | more\s*: | more\s+from | more\s+on\s+this | recommended(?:\s+for\s+you)?\s*$
        | click\s+here | watch\s*: | listen\s*: | you\s+may\s+also\s+like | advertisement\s*$ | story\s+continues\s+below
        | continue\s+reading | skip\s+advertisement | this\s+(?:story|article)\s+continues
        )",
    )
    .unwrap()
});

static BARE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:المصدر|مصدر|المصادر|source|sources|الوسوم|tags|شارك|شارك\s+هذا\s+المقال|share|share\s+this|advertisement|advert|ad|sponsored|anzeige|werbung|publicidad|publicidade|publicité|text\s+size|إعلان|إعلانات|اعلان|اعلانات|مساحة\s+[إا]علانية|عاجل|التعليقات|تعليقات|[أا]ضف\s+تعليق(?:ك|ا)?|اترك\s+تعليقا|شارك\s+(?:الخبر|المقال|عبر)|شريط\s+الأخبار|[آا]خر\s+الأخبار|اخترنا\s+لكم?|الأكثر\s+(?:قراءة|مشاهدة|تداولا))\s*[:：.]?\s*$").unwrap()
});

/// Photo credits and reprint notices: short lines naming a picture agency or
/// the reprint terms, never article prose.
static CREDIT_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:photo|image|picture|foto|credit|photograph|video|صورة|الصورة|تصوير)s?\s*(?:credit)?\s*[:：]
        | (?-u:\b)getty\s+images(?-u:\b) | (?-u:\b)shutterstock(?-u:\b) | \(AP\s+Photo(?-u:\b) | (?-u:\b)for\s+your\s+personal,?\s+non-commercial\s+use(?-u:\b) | (?-u:\b)reprints?\.com(?-u:\b)",
    )
    .unwrap()
});

static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\s_\-–—=*•·.~#|/\\]+$").unwrap());

/// Drops Arabic short vowels, shadda, sukun and tatweel, which writers add
/// at will ("حمّل تطبيق" is "حمل تطبيق" to the rules); `None` when there are none.
fn strip_tashkeel(text: &str) -> Option<String> {
    let marks = |c: char| matches!(c, '\u{064B}'..='\u{0652}' | '\u{0640}' | '\u{0670}');
    text.contains(marks)
        .then(|| text.chars().filter(|&c| !marks(c)).collect())
}

/// Why a block of text is boilerplate, if it is.
pub(crate) fn is_boilerplate(text: &str, chars: usize) -> bool {
    match strip_tashkeel(text) {
        Some(plain) => is_plain_boilerplate(&plain, chars),
        None => is_plain_boilerplate(text, chars),
    }
}

fn is_plain_boilerplate(text: &str, chars: usize) -> bool {
    if SEPARATOR.is_match(text) || BARE_LABEL.is_match(text) {
        return true;
    }
    if chars < 200 && CREDIT_NOISE.is_match(text) {
        return true;
    }
    // A bare URL on its own line is a print-view leftover.
    if !text.contains(' ') && (text.starts_with("http://") || text.starts_with("https://")) {
        return true;
    }
    // Long paragraphs that merely mention a newsletter are article text.
    if chars < 320 && SIGNUP.is_match(text) {
        return true;
    }
    chars < 400 && READ_ALSO.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_go_and_brackets_in_prose_stay() {
        assert_eq!(strip_shortcodes("[ad_1] نص الخبر [ad_2]"), "نص الخبر");
        assert_eq!(
            strip_shortcodes(r#"[caption id="a1" align="alignnone"]Photo[/caption]"#),
            "Photo"
        );
        assert_eq!(
            strip_shortcodes("[vc_row][vc_column]Text[/vc_column][/vc_row]"),
            "Text"
        );
        assert_eq!(
            strip_shortcodes("He said [sic] that [the minister] left."),
            "He said [sic] that [the minister] left."
        );
        assert_eq!(strip_shortcodes("قال [الوزير] ذلك"), "قال [الوزير] ذلك");
    }

    #[test]
    fn signup_blurbs_in_both_languages() {
        for s in [
            "Sign up for Breaking News emails",
            "في الوقت الفعلي المجاني ، تم إرسال تنبيهات الأخبار العاجلة مباشرة إلى صندوق البريد الوارد الخاص بك بالتسجيل في رسائل البريد الإلكتروني Breaking Nebs",
            "اشترك في النشرة البريدية ليصلك كل جديد",
            "Get the latest headlines delivered straight to your inbox.",
        ] {
            assert!(is_boilerplate(s, s.chars().count()), "{s}");
        }
        for prose in [
            "The minister said the talks would resume next week in Istanbul.",
            "ويشتهر الممثل بدوره في المسلسل كما أنه اشترك في كتابة سيناريو فيلم للنجم نفسه.",
            "وبات اللاعب مطالبا بقوة بالتسجيل في مباراة الثلاثاء من أجل العودة إلى الواجهة.",
            "يمكنك تأمين بريدك من خلال تنشيط التحقق بخطوتين للوصول إلى صندوق البريد الوارد في بريدك الإلكتروني الخاص بك.",
        ] {
            assert!(!is_boilerplate(prose, prose.chars().count()), "{prose}");
        }
    }

    #[test]
    fn read_also_and_labels() {
        for s in [
            "اقرأ أيضا: محادثات الرياض",
            "اقرأ أيضاً",
            "شاهد أيضا",
            "لمزيد من الأخبار تابعوا",
            "Read more: Talks in Riyadh",
            "RELATED:",
            "المصدر",
            "المصدر:",
            "Source",
            "___",
            "* * *",
        ] {
            assert!(is_boilerplate(s, s.chars().count()), "{s}");
        }
        for s in [
            "Advert",
            "Photo: Hau Dinh, AP",
            "Natalie Naccache | Bloomberg | Getty Images",
            "https://example.com/a/b.php",
        ] {
            assert!(is_boilerplate(s, s.chars().count()), "{s}");
        }
        // More Arabic labels, read-also and follow blurbs seen on news portals.
        for s in [
            "اقرأ كذلك: الحكومة تعلن خطة جديدة",
            "مقالات ذات صلة",
            "أخبار متعلقة",
            "قد يهمك أيضا",
            "اخترنا لك",
            "الأكثر قراءة",
            "الكلمات المفتاحية: غزة، قطر",
            "وسوم: اقتصاد",
            "تابعنا على فيسبوك وتويتر",
            "عاجل",
            "مساحة إعلانية",
            "اعلان",
            "التعليقات",
            "أضف تعليقك",
            "شارك الخبر",
        ] {
            assert!(is_boilerplate(s, s.chars().count()), "{s}");
        }
        // Vowel marks and tatweel do not hide a blurb.
        for s in [
            "حمّل تطبيق الأخبار على هاتفك لتصلك الأخبار العاجلة",
            "اقـرأ أيضاً: خبر آخر",
            "المَصدر",
        ] {
            assert!(is_boilerplate(s, s.chars().count()), "{s}");
        }
        for s in [
            "عاجل: الرئيس يصل إلى القاهرة في زيارة رسمية تستمر يومين",
            "تابعنا على مدى أسبوع كامل تطورات الأزمة في العاصمة.",
            "اخترنا لكم أبرز نجوم كرة القدم الذين يغيبون عن نهائيات كأس العالم.",
            "وقال إن واحدا في المائة فقط من المستخدمين حملوا تطبيق محرك بحث منافس.",
            "لكنه لم يكن قادراً على التخلص من إدمانه إلى أن اشترك في خدمة الحجب الخاصة بالبنك.",
            "الأخبار المتعلقة بالاقتصاد تتصدر اهتمام القراء هذا الأسبوع، بحسب استطلاع.",
            "المصدر الدبلوماسي قال إن المحادثات ستستمر",
            "Sources said the talks would resume.",
        ] {
            assert!(!is_boilerplate(s, s.chars().count()), "{s}");
        }
    }

    #[test]
    fn class_tokens() {
        let doc = scraper::Html::parse_fragment(
            r#"<div class="share-buttons"></div><div class="entry-content"></div><article class="post tag-russia category-world"></article><div class="ad-slot-top"></div><div class="header-advert"></div><div class="shadow"></div><div class="social-media-embed"></div><div class="image-embed-caption"></div><div class="overflow-hidden"></div><div class="hidden"></div>"#,
        );
        let flags: Vec<bool> = doc
            .tree
            .values()
            .filter_map(|n| n.as_element())
            .filter(|e| e.attr("class").is_some())
            .map(|e| is_noise_attr(&Attrs::of(e)))
            .collect();
        assert_eq!(
            flags,
            vec![
                true, false, false, true, true, false, false, true, false, true
            ]
        );
    }
}
