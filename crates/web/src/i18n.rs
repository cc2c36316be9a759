//! The two interface languages and their strings.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use serde::Serialize;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Arabic, the default.
    #[default]
    Ar,
    /// English.
    En,
}

impl Lang {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    /// `rtl` or `ltr`.
    pub fn dir(self) -> &'static str {
        if ajil_model::is_rtl(self.code()) {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language of a code such as `ar`, `en-GB`; `None` for others.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
            .as_str()
        {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` value: the
    /// supported tag with the highest weight, the first listed on a tie.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_code) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }

    /// This language's strings, for templates (`t.key`).
    pub(crate) fn strings(self) -> &'static BTreeMap<&'static str, &'static str> {
        match self {
            Lang::Ar => &AR,
            Lang::En => &EN,
        }
    }

    /// One string; the key itself if missing (a test checks none is).
    pub(crate) fn t(self, key: &str) -> &'static str {
        self.strings().get(key).copied().unwrap_or("?")
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The page language asked for: `?lang=` wins, then `Accept-Language`.
/// `explicit` says whether the visitor chose it (`?lang=`), so pages about a
/// subscriber may fall back to the subscriber's own language instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageLang {
    pub lang: Lang,
    pub explicit: bool,
    pub from_header: Option<Lang>,
}

impl PageLang {
    /// The language for a page about someone whose language is `theirs`.
    pub fn or_subscriber(self, theirs: &str) -> Lang {
        if self.explicit {
            self.lang
        } else {
            Lang::from_code(theirs).unwrap_or(self.lang)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let asked = parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::from_code(&v))
        });
        let from_header = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language);
        Ok(PageLang {
            lang: asked.or(from_header).unwrap_or_default(),
            explicit: asked.is_some(),
            from_header,
        })
    }
}

/// `(key, Arabic, English)`.
const STRINGS: &[(&str, &str, &str)] = &[
    ("site_name", "عاجل", "ajil"),
    (
        "tagline",
        "تنبيهات الأخبار العاجلة إلى بريدك",
        "Breaking-news alerts by email",
    ),
    ("other_lang", "English", "العربية"),
    ("other_lang_code", "en", "ar"),
    ("nav_signup", "اشترك", "Subscribe"),
    ("nav_stories", "الأخبار", "Stories"),
    ("nav_sources", "المصادر", "Sources"),
    ("signup_title", "اشترك في التنبيهات", "Subscribe to alerts"),
    (
        "signup_intro",
        "اكتب ما تريد متابعته، وسنرسل إليك بريدًا عندما تنشر عدة وسائل إعلام خبرًا يطابقه.",
        "Say what to follow, and we will email you when several outlets report a matching story.",
    ),
    ("email_label", "البريد الإلكتروني", "Email address"),
    ("query_label", "الموضوع", "Topic"),
    (
        "query_help",
        "كلمات (كلها مطلوبة) أو \"عبارة بين علامتي تنصيص\"، و OR للبدائل، و -كلمة للاستبعاد، والأقواس للتجميع. مثال: (زلزال OR \"هزة أرضية\") -تدريب",
        "Words (all must appear) or \"exact phrases\", OR for alternatives, -word to exclude, parentheses to group. Example: (earthquake OR \"tremor\") -drill",
    ),
    ("langs_label", "لغات الأخبار", "News languages"),
    (
        "langs_help",
        "إن لم تختر شيئًا فكل اللغات.",
        "None chosen means all languages.",
    ),
    ("lang_ar", "العربية", "Arabic"),
    ("lang_en", "الإنجليزية", "English"),
    ("lang_fr", "الفرنسية", "French"),
    ("mode_label", "متى نرسل", "When to send"),
    (
        "mode_realtime",
        "فورًا، خبرًا بخبر",
        "At once, one email per story",
    ),
    ("mode_hourly", "ملخص كل ساعة", "Hourly digest"),
    ("mode_daily", "ملخص يومي", "Daily digest"),
    (
        "breaking_only_label",
        "الأخبار العاجلة فقط",
        "Breaking stories only",
    ),
    ("submit_subscribe", "اشترك", "Subscribe"),
    ("check_inbox_title", "تحقق من بريدك", "Check your inbox"),
    (
        "check_inbox_body",
        "إن كان العنوان صحيحًا فستصلك رسالة فيها رابط التأكيد. لن نرسل أي تنبيه قبل أن تؤكد.",
        "If the address is right, an email with a confirmation link is on its way. No alert is sent before you confirm.",
    ),
    (
        "resend_title",
        "لم تصلك رسالة التأكيد؟",
        "Didn't get the confirmation email?",
    ),
    (
        "resend_help",
        "انظر في مجلد الرسائل غير المرغوب فيها أولًا، ثم اطلب إرسالها مرة أخرى.",
        "Look in your spam folder first, then ask for it again.",
    ),
    ("resend_submit", "أعد الإرسال", "Send it again"),
    (
        "resend_done",
        "إن كان لهذا العنوان اشتراك ينتظر التأكيد فستصله رسالة تأكيد جديدة بعد قليل.",
        "If this address has a subscription waiting for confirmation, a new confirmation email is on its way.",
    ),
    (
        "form_problems",
        "يرجى تصحيح ما يلي:",
        "Please fix the following:",
    ),
    (
        "err_email_invalid",
        "عنوان البريد الإلكتروني غير صالح.",
        "This email address is not valid.",
    ),
    (
        "err_query_empty",
        "اكتب موضوعًا لمتابعته.",
        "Type a topic to follow.",
    ),
    (
        "err_query_too_long",
        "الموضوع أطول من اللازم (500 حرف على الأكثر).",
        "The topic is too long (500 characters at most).",
    ),
    (
        "err_query_at",
        "خطأ في الموضوع عند الحرف",
        "Problem in the topic at character",
    ),
    ("err_mode_invalid", "اختر متى نرسل.", "Choose when to send."),
    (
        "err_csrf",
        "انتهت صلاحية النموذج أو أُرسل من موقع آخر. أعد تحميل الصفحة وحاول مجددًا.",
        "This form expired or was sent from another site. Reload the page and try again.",
    ),
    (
        "err_generic",
        "حدث خطأ من جهتنا. حاول مرة أخرى بعد قليل.",
        "Something went wrong on our side. Please try again shortly.",
    ),
    (
        "err_not_found",
        "لم نجد هذه الصفحة.",
        "We could not find this page.",
    ),
    (
        "err_link_malformed",
        "هذا الرابط ناقص أو تالف: انسخ الرابط كاملًا من الرسالة إلى المتصفح.",
        "This link is incomplete or damaged: copy the whole link from the email into your browser.",
    ),
    (
        "err_link_bad_signature",
        "هذا الرابط غير صالح لهذه الصفحة: استخدم أحدث رسالة منا، أو اشترك من جديد.",
        "This link is not valid for this page: use the newest email from us, or subscribe again.",
    ),
    (
        "err_link_expired",
        "انتهت صلاحية هذا الرابط: اشترك من جديد لتصلك رسالة تأكيد جديدة.",
        "This link has expired: subscribe again to get a new confirmation email.",
    ),
    ("error_title", "خطأ", "Error"),
    (
        "back_home",
        "العودة إلى الصفحة الرئيسية",
        "Back to the home page",
    ),
    (
        "confirm_title",
        "تأكيد الاشتراك",
        "Confirm your subscription",
    ),
    (
        "confirm_body",
        "اضغط الزر لتأكيد تنبيهات هذا الموضوع:",
        "Press the button to confirm alerts for this topic:",
    ),
    ("confirm_button", "تأكيد", "Confirm"),
    ("confirmed_title", "تم التأكيد", "Confirmed"),
    (
        "confirmed_body",
        "ستصلك التنبيهات من الآن على",
        "From now on, alerts will go to",
    ),
    (
        "removed_cannot_confirm",
        "أُزيل هذا الاشتراك، فلا يمكن تأكيده. اشترك من جديد.",
        "This subscription was removed and cannot be confirmed. Please subscribe again.",
    ),
    (
        "manage_link",
        "إدارة اشتراكاتك",
        "Manage your subscriptions",
    ),
    ("manage_title", "اشتراكاتك", "Your subscriptions"),
    (
        "manage_empty",
        "لا اشتراكات لك الآن.",
        "You have no subscriptions now.",
    ),
    ("remove_button", "إزالة", "Remove"),
    (
        "breaking_on_button",
        "نبّهني حين يصير عاجلا فقط",
        "Alert me only when it breaks",
    ),
    (
        "breaking_off_button",
        "نبّهني بكل خبر جديد",
        "Alert me on every new story",
    ),
    (
        "err_bad_form",
        "لم يصل النموذج كما ينبغي. أعد تحميل الصفحة وحاول مجددًا.",
        "The form did not arrive as expected. Reload the page and try again.",
    ),
    ("pacing_title", "مواعيد الإرسال", "When we email you"),
    ("tz_label", "منطقتك الزمنية", "Your time zone"),
    (
        "tz_help",
        "اسم المنطقة كما في قاعدة IANA، مثل Asia/Riyadh أو Africa/Cairo أو Europe/London.",
        "An IANA zone name, such as Asia/Riyadh, Africa/Cairo or Europe/London.",
    ),
    ("quiet_label", "ساعات الهدوء", "Quiet hours"),
    (
        "quiet_help",
        "لا نرسل تنبيهات فورية في هذه الساعات بتوقيتك؛ تصلك عند انتهائها.",
        "No real-time alerts during these hours, your time; they arrive when the hours end.",
    ),
    ("quiet_from", "من الساعة", "From"),
    ("quiet_to", "إلى الساعة", "Until"),
    ("quiet_none", "بلا", "None"),
    (
        "daily_cap_label",
        "أقصى عدد من التنبيهات في اليوم",
        "Most alerts per day",
    ),
    (
        "daily_cap_help",
        "بعده تُجمع بقية أخبار اليوم في ملخص واحد. اتركه فارغًا لعدم التقييد.",
        "Past it, the rest of the day's stories come in one digest. Leave empty for no limit.",
    ),
    ("save_button", "حفظ", "Save"),
    (
        "saved_notice",
        "حُفظت الإعدادات.",
        "Your settings were saved.",
    ),
    (
        "err_tz_invalid",
        "منطقة زمنية غير معروفة، اختر اسمًا من القائمة",
        "Unknown time zone; choose a name from the list",
    ),
    (
        "err_quiet_invalid",
        "اختر ساعة بداية وساعة نهاية مختلفتين لساعات الهدوء، أو «بلا» لكلتيهما.",
        "Choose different start and end hours for the quiet hours, or None for both.",
    ),
    (
        "err_cap_invalid",
        "الحد اليومي عدد بين 1 و500، أو اتركه فارغًا.",
        "The daily limit is a number from 1 to 500, or empty.",
    ),
    (
        "removed_notice",
        "أُزيل الاشتراك.",
        "The subscription was removed.",
    ),
    ("status_label", "الحالة", "Status"),
    (
        "status_pending",
        "بانتظار التأكيد",
        "waiting for confirmation",
    ),
    ("status_active", "مفعّل", "active"),
    ("status_removed", "مُزال", "removed"),
    ("all_langs", "كل اللغات", "all languages"),
    ("unsubscribe_all", "إيقاف كل الرسائل", "Stop all emails"),
    ("unsubscribe_title", "إلغاء الاشتراك", "Unsubscribe"),
    (
        "unsubscribe_body",
        "اضغط الزر لإيقاف كل الرسائل إلى",
        "Press the button to stop all emails to",
    ),
    ("unsubscribe_button", "إلغاء الاشتراك", "Unsubscribe"),
    ("your_data_title", "بياناتك", "Your data"),
    (
        "download_data",
        "نزّل كل ما نحفظه عنك (JSON)",
        "Download everything kept about you (JSON)",
    ),
    (
        "erase_help",
        "يحذف عنوان بريدك واشتراكاتك وسجلّ الرسائل التي أُرسلت إليك، فلا يبقى لدينا منها شيء. يمكنك الاشتراك من جديد لاحقا.",
        "Deletes your email address, your subscriptions and the record of the emails sent to you, so that nothing of them stays with us. You can subscribe again later.",
    ),
    (
        "erase_confirm",
        "نعم، احذف عنواني وكل ما يتعلق به",
        "Yes, delete my address and everything about it",
    ),
    ("erase_button", "احذف عنواني", "Delete my address"),
    ("erased_title", "حُذف عنوانك", "Your address is deleted"),
    (
        "erased_body",
        "حذفنا عنوان بريدك واشتراكاتك وسجلّ الرسائل التي أُرسلت إليك. لن تصلك منا أي رسالة بعد الآن.",
        "We deleted your email address, your subscriptions and the record of the emails sent to you. You will get no more emails from us.",
    ),
    ("unsubscribed_title", "تم إلغاء الاشتراك", "Unsubscribed"),
    (
        "unsubscribed_body",
        "لن نرسل إليك أي رسالة بعد الآن.",
        "We will not send you any more emails.",
    ),
    ("stories_title", "الأخبار الأخيرة", "Recent stories"),
    ("stories_empty", "لا أخبار بعد.", "No stories yet."),
    (
        "search_label",
        "جرّب موضوعا على الأخبار الأخيرة",
        "Try a topic on recent stories",
    ),
    (
        "search_placeholder",
        "لافروف إسطنبول، \"وقف إطلاق النار\" -رياضة",
        "Lavrov Istanbul, \"Iran deal\" -sport",
    ),
    ("search_button", "ابحث", "Search"),
    ("feed_title", "عاجل: الأخبار", "ajil: stories"),
    (
        "feed_link",
        "تابِع هذه القائمة في قارئ خلاصات (Atom)",
        "Follow this list in a feed reader (Atom)",
    ),
    (
        "search_recent",
        "ما يطابقه من الأخبار الأخيرة",
        "Recent stories it matches",
    ),
    (
        "search_found",
        "أخبار كان هذا الموضوع سينبّه إليها:",
        "Stories this topic would have alerted on:",
    ),
    ("search_scope_a", "من", "among"),
    ("search_scope_b", "تقريرا في آخر", "reports of the last"),
    ("search_scope_c", "أيام", "days"),
    (
        "search_none",
        "لا أخبار تطابق هذا البحث.",
        "No stories match.",
    ),
    ("col_title", "العنوان", "Title"),
    ("col_outlets", "الوسائل", "Outlets"),
    ("col_independent", "مستقلة", "Independent"),
    ("col_articles", "المقالات", "Articles"),
    ("col_state", "الحالة", "State"),
    ("col_last_seen", "آخر تحديث", "Last update"),
    ("state_new", "جديد", "new"),
    ("state_developing", "متطور", "developing"),
    ("state_breaking", "عاجل", "breaking"),
    ("story_articles", "التقارير", "Reports"),
    (
        "story_outlets",
        "الوسائل التي أكدته بتقاريرها",
        "Outlets that confirmed it in their own reports",
    ),
    (
        "confirmed_before_breaking",
        "قبل أن يصير عاجلا",
        "before it broke",
    ),
    (
        "reprinted_by",
        "وأعادت نشره دون تقرير خاص بها",
        "Reprinted without a report of their own by",
    ),
    ("list_sep", "، ", ", "),
    ("copy_label", "نسخة", "copy"),
    (
        "angle_label",
        "زاوية أو رد فعل انضم بعد أن صار الخبر عاجلا",
        "an angle or reaction, joined once the story broke",
    ),
    ("breaking_since", "عاجل منذ", "Breaking since"),
    (
        "sources_title",
        "المصادر وحالتها",
        "Sources and their health",
    ),
    ("sources_empty", "لا مصادر بعد.", "No sources yet."),
    ("col_source", "المصدر", "Source"),
    ("col_last_success", "آخر نجاح", "Last success"),
    ("col_last_article", "أحدث مقال", "Latest article"),
    (
        "source_quiet",
        "لا جديد منذ أيام مع أنه يجيب: ربما انتقلت تغذيته",
        "Nothing new for days though it answers: its feed may have moved",
    ),
    ("col_last_error", "آخر خطأ", "Last error"),
    ("col_failures", "إخفاقات متتالية", "Failures in a row"),
    ("col_next_fetch", "الجلب التالي", "Next poll"),
    (
        "source_pushed",
        "يدفع مركز WebSub جديده فور نشره",
        "new items pushed by its WebSub hub",
    ),
    ("outbox_title", "البريد الصادر", "Outbox"),
    ("admin_sources_title", "إدارة المصادر", "Manage sources"),
    ("admin_login_title", "دخول المشرف", "Operator sign-in"),
    ("admin_token_label", "رمز الواجهة البرمجية", "API token"),
    (
        "admin_login_hint",
        "الرمز المضبوط في AJIL_API_TOKEN. يبقى الدخول اثنتي عشرة ساعة.",
        "The token set in AJIL_API_TOKEN. The sign-in lasts twelve hours.",
    ),
    ("admin_login_button", "ادخل", "Sign in"),
    (
        "admin_login_wrong",
        "ليس هذا رمز الواجهة البرمجية: أعد المحاولة.",
        "That is not the API token: try again.",
    ),
    ("add_source_title", "إضافة مصدر", "Add a source"),
    ("source_url_label", "العنوان", "Address"),
    ("source_name_label", "الاسم (اختياري)", "Name (optional)"),
    (
        "source_keep_page_label",
        "تابِع الصفحة نفسها لا الخلاصة التي تعلن عنها",
        "Watch the page itself, not the feed it advertises",
    ),
    (
        "add_source_hint",
        "خلاصة RSS أو Atom أو JSON، أو خريطة موقع إخبارية، أو صفحة قسم إخباري: يُجلب العنوان مرة للتحقق منه قبل إضافته.",
        "An RSS, Atom or JSON feed, a news sitemap, or a news section page: the address is fetched once to check it before it is added.",
    ),
    ("add_source_button", "أضف", "Add"),
    ("source_added", "أُضيف المصدر:", "Source added:"),
    ("source_removed", "حُذف المصدر.", "Source removed."),
    (
        "source_paused",
        "أُوقف جلب المصدر مؤقتا:",
        "Source paused (not polled until it is resumed):",
    ),
    ("source_resumed", "استؤنف جلب المصدر:", "Source resumed:"),
    ("source_paused_since", "موقوف مؤقتا منذ", "Paused since"),
    ("source_section", "القسم:", "section:"),
    ("pause_button", "أوقف مؤقتا", "Pause"),
    ("edit_button", "تعديل", "Edit"),
    (
        "source_section_label",
        "القسم (مثل sport، أو فارغ)",
        "Section (e.g. sport, or empty)",
    ),
    (
        "source_interval_label",
        "ثوان بين جلبين (60 على الأقل)",
        "Seconds between polls (at least 60)",
    ),
    ("source_saved", "حُفظ المصدر:", "Source saved:"),
    ("source_unchanged", "لم يتغير شيء.", "Nothing changed."),
    (
        "err_source_name",
        "اسم المصدر فارغ: اكتب اسم الوسيلة.",
        "The name is empty: give the outlet's name.",
    ),
    (
        "err_source_interval",
        "المدة بين جلبين عدد ثوان لا يقل عن 60.",
        "The time between polls is a number of seconds, 60 or more.",
    ),
    ("resume_button", "استأنف", "Resume"),
    ("admin_nav", "صفحات المشرف", "Operator pages"),
    ("subscriptions_title", "الاشتراكات", "Subscriptions"),
    (
        "subscriptions_empty",
        "لا اشتراكات بعد.",
        "No subscriptions yet.",
    ),
    ("sub_active", "نشطة", "Active"),
    ("sub_pending", "بانتظار التأكيد", "Awaiting confirmation"),
    ("sub_addresses", "العناوين", "Addresses"),
    ("col_langs", "اللغات", "Languages"),
    (
        "subscription_removed",
        "أُزيل الاشتراك:",
        "Subscription removed:",
    ),
    ("admin_logout_button", "اخرج", "Sign out"),
    (
        "err_source_url",
        "ليس عنوان http(s) كاملا، مثل https://news.example.org/rss:",
        "Not a full http(s) address, like https://news.example.org/rss:",
    ),
    (
        "err_source_exists",
        "هذا المصدر مضاف من قبل:",
        "That source is already there:",
    ),
    ("outbox_trouble", "رسائل تعثّر إرسالها", "Emails in trouble"),
    (
        "outbox_trouble_empty",
        "لا رسائل متعثرة.",
        "No email in trouble.",
    ),
    ("outbox_recent", "أحدث الرسائل", "Latest emails"),
    ("outbox_empty", "لا رسائل بعد.", "No emails yet."),
    ("st_pending", "بانتظار الإرسال", "Pending"),
    ("st_sent", "أُرسلت", "Sent"),
    ("st_failed", "أخفقت", "Failed"),
    ("col_subject", "الموضوع", "Subject"),
    ("col_attempts", "المحاولات", "Attempts"),
    ("col_next_attempt", "المحاولة التالية", "Next attempt"),
    ("col_queued", "أُدرجت", "Queued"),
    ("col_sent_at", "أُرسلت في", "Sent at"),
    ("never", "أبدًا", "never"),
    (
        "suppressions_title",
        "عناوين موقوفة",
        "Suppressed addresses",
    ),
    (
        "suppressions_empty",
        "لا عناوين موقوفة.",
        "No suppressed addresses.",
    ),
    ("col_address", "العنوان", "Address"),
    ("col_since", "منذ", "Since"),
    ("col_reason", "السبب", "Reason"),
    (
        "err_too_many",
        "طلبات كثيرة من هذا العنوان؛ حاول بعد ساعة.",
        "Too many requests from this address; try again in an hour.",
    ),
];

static AR: LazyLock<BTreeMap<&'static str, &'static str>> =
    LazyLock::new(|| STRINGS.iter().map(|(k, ar, _)| (*k, *ar)).collect());
static EN: LazyLock<BTreeMap<&'static str, &'static str>> =
    LazyLock::new(|| STRINGS.iter().map(|(k, _, en)| (*k, *en)).collect());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_supported_tag() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, ar;q=0.8"),
            Some(Lang::Ar)
        );
        assert_eq!(Lang::from_accept_language("ar-EG"), Some(Lang::Ar));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, ar;q=0.1"),
            Some(Lang::Ar)
        );
    }

    #[test]
    fn keys_are_unique_and_directions_right() {
        assert_eq!(AR.len(), STRINGS.len(), "duplicate key in STRINGS");
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::En.dir(), "ltr");
        assert_eq!(Lang::En.t("site_name"), "ajil");
    }
}
