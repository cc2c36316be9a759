//! Hand-written Arabic articles about a few happenings, and helpers to feed them.

use ajil_model::{Analysis, ArticleId};
use ajil_story::StoryInput;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::analyzer::analyze;

/// An article plus its analysis, owning what a [`StoryInput`] borrows.
pub struct Art {
    pub id: i64,
    pub outlet: String,
    pub published: DateTime<Utc>,
    pub url: String,
    pub wire: Option<String>,
    pub section: Option<String>,
    pub analysis: Analysis,
}

impl Art {
    /// An article of `outlet` published `minutes` after the base time.
    pub fn new(id: i64, outlet: &str, minutes: i64, title: &str, text: &str) -> Art {
        Art {
            id,
            outlet: outlet.to_string(),
            published: base() + TimeDelta::minutes(minutes),
            url: format!("https://{outlet}.example/{id}"),
            wire: None,
            section: None,
            analysis: analyze(title, text),
        }
    }

    pub fn input(&self) -> StoryInput<'_> {
        StoryInput {
            article: ArticleId(self.id),
            outlet: &self.outlet,
            published: self.published,
            url: &self.url,
            canonical_url: None,
            title_keys: &self.analysis.title_keys,
            keys: &self.analysis.keys,
            minhash: &self.analysis.minhash,
            content_hash: self.analysis.content_hash,
            sound: &self.analysis.sound,
            title_sound: &self.analysis.title_sound,
            wire: self.wire.as_deref(),
            section: self.section.as_deref(),
            statement: self.analysis.statement,
        }
    }
}

pub fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 5, 14, 3, 0, 0).unwrap()
}

pub const ORIGINAL_TITLE: &str = "انفجار انتحاري يستهدف مقر الشرطة في مدينة سورابايا الإندونيسية";

pub const ORIGINAL: [&str; 10] = [
    "فجر انتحاريون على دراجات نارية قنبلة عند مدخل مقر الشرطة في مدينة سورابايا ثاني أكبر مدن إندونيسيا صباح الاثنين.",
    "وقال المتحدث باسم الشرطة الوطنية إن الهجوم أدى إلى إصابة عشرة أشخاص على الأقل بينهم أربعة من عناصر الشرطة.",
    "وأضاف أن المهاجمين كانوا من عائلة واحدة وأن طفلة نجت من الانفجار ونقلت إلى المستشفى.",
    "ويأتي الهجوم بعد يوم واحد من تفجيرات استهدفت ثلاث كنائس في المدينة نفسها وأسفرت عن مقتل ثلاثة عشر شخصا.",
    "وأعلن تنظيم داعش مسؤوليته عن تفجيرات الكنائس عبر وكالة أعماق التابعة له.",
    "وقال الرئيس الإندونيسي جوكو ويدودو إن الدولة لن تتراجع أمام الإرهاب وأمر بملاحقة الشبكات المرتبطة بالمهاجمين.",
    "وانتشرت قوات الأمن بكثافة في محيط المباني الحكومية ودور العبادة في جاوة الشرقية.",
    "وتعد هذه الهجمات الأعنف في إندونيسيا منذ تفجيرات بالي عام 2002 التي قتل فيها أكثر من مئتي شخص.",
    "وتشتبه السلطات في أن العائلات المنفذة تنتمي إلى جماعة أنصار الدولة المحلية الموالية لداعش.",
    "ودعت الشرطة السكان إلى الهدوء وعدم تداول الصور ومقاطع الفيديو الخاصة بالهجوم.",
];

pub fn original_text() -> String {
    ORIGINAL.join(" ")
}

/// The original with two sentences rewritten and a "read also" line added, under
/// another headline, as a syndicating site would run it.
pub fn edited_reprint() -> (String, String) {
    let mut sentences: Vec<String> = ORIGINAL.iter().map(|s| s.to_string()).collect();
    sentences[6] =
        "وعززت السلطات الإجراءات الأمنية حول الكنائس والمساجد في أنحاء جاوة الشرقية.".into();
    sentences[9] =
        "وطلبت الشرطة من المواطنين عدم نشر صور الضحايا على مواقع التواصل الاجتماعي.".into();
    sentences.push("اقرأ أيضا: ارتفاع حصيلة تفجيرات الكنائس في إندونيسيا.".into());
    (
        "هجوم انتحاري على مقر شرطة سورابايا في إندونيسيا".into(),
        sentences.join(" "),
    )
}

pub const PARAPHRASE_TITLE: &str =
    "هجوم على مقر للشرطة في سورابايا بإندونيسيا بعد يوم من تفجير الكنائس";
pub const PARAPHRASE: &str = "استهدف هجوم انتحاري نفذته عائلة على دراجتين ناريتين مقر الشرطة في سورابايا صباح الاثنين. \
وأصيب عشرة أشخاص على الأقل منهم أربعة شرطيين بحسب الشرطة الوطنية الإندونيسية. \
ونجت طفلة صغيرة من عائلة المهاجمين بعد أن ألقيت من الدراجة. \
ويأتي ذلك غداة تفجيرات ثلاث كنائس في سورابايا قتل فيها ثلاثة عشر شخصا وتبناها تنظيم داعش. \
وتعهد الرئيس جوكو ويدودو بمواجهة الإرهاب واقتلاع جذوره.";

pub const INDEPENDENT_TITLE: &str =
    "الرئيس الإندونيسي ويدودو يتعهد بالتصدي للإرهاب بعد هجوم سورابايا على الشرطة";
pub const INDEPENDENT: &str = "تعهد الرئيس الإندونيسي جوكو ويدودو الاثنين بتسريع قانون جديد لمكافحة الإرهاب بعد أن فجرت عائلة من خمسة أفراد نفسها أمام مقر الشرطة في سورابايا. \
وأوضح قائد الشرطة تيتو كارنافيان أن الهجوم على مقر الشرطة أصاب عشرة أشخاص وأن طفلة نجت. \
وكانت سورابايا قد شهدت الأحد تفجيرات على ثلاث كنائس تبناها تنظيم داعش.";

/// Articles on other happenings the same day.
pub const UNRELATED: [(&str, &str); 6] = [
    (
        "أسعار النفط ترتفع مع تراجع المخزونات الأمريكية",
        "ارتفعت أسعار خام برنت في التعاملات الآسيوية مع تراجع مخزونات الخام في الولايات المتحدة وتوقعات بزيادة الطلب في الصيف. وصعد خام غرب تكساس الوسيط أيضا وسط مخاوف من تراجع صادرات فنزويلا.",
    ),
    (
        "ريال مدريد يتعادل مع فياريال في الدوري الإسباني",
        "تعادل ريال مدريد مع مضيفه فياريال بهدفين لمثلهما في المرحلة الأخيرة من الدوري الإسباني لكرة القدم. وسجل غاريث بيل ورونالدو هدفي الفريق الملكي قبل أن يعادل أصحاب الأرض في الشوط الثاني استعدادا لنهائي دوري الأبطال.",
    ),
    (
        "النتائج الأولية للانتخابات العراقية تظهر تقدم قائمة سائرون",
        "أظهرت النتائج الأولية التي أعلنتها المفوضية العليا المستقلة للانتخابات في العراق تقدم تحالف سائرون المدعوم من مقتدى الصدر في عدة محافظات بينها بغداد. وحل تحالف الفتح بقيادة هادي العامري ثانيا.",
    ),
    (
        "انطلاق مهرجان كان السينمائي بمشاركة عربية واسعة",
        "تشارك أفلام عربية من لبنان ومصر وتونس في الدورة الحادية والسبعين لمهرجان كان السينمائي الذي يقام في جنوب فرنسا. وتتنافس المخرجة اللبنانية نادين لبكي على السعفة الذهبية بفيلمها الجديد.",
    ),
    (
        "عاصفة ترابية تضرب مناطق واسعة في شمال الهند",
        "ضربت عاصفة ترابية قوية ولايات أوتار براديش وراجستان في شمال الهند ما أدى إلى سقوط أعمدة كهرباء وأشجار. وحذرت هيئة الأرصاد من عواصف رعدية جديدة خلال الأيام المقبلة.",
    ),
    (
        "فيسبوك يعلق مئتي تطبيق بعد مراجعة لحماية البيانات",
        "أعلنت شركة فيسبوك تعليق نحو مئتي تطبيق في إطار مراجعة شاملة بدأتها بعد فضيحة كامبريدج أناليتيكا. وقالت الشركة إنها ستحقق في ما إذا كانت هذه التطبيقات أساءت استخدام بيانات المستخدمين.",
    ),
];

/// A clusterer whose window already holds `n` articles on unrelated happenings (each
/// with words of its own), published over the day before [`base`]: word rarity then
/// reads as in a running service, not as in a cold start.
pub fn warm_clusterer(opts: ajil_story::StoryOptions, n: usize) -> ajil_story::Clusterer {
    let mut clusterer = ajil_story::Clusterer::new(opts).unwrap();
    for i in 0..n {
        let title: Vec<String> = (0..6).map(|w| format!("bg{i}t{w}")).collect();
        let mut keys = title.clone();
        keys.extend((0..40).map(|w| format!("bg{i}b{w}")));
        let url = format!("https://background.example/{i}");
        let published = base() - TimeDelta::hours(24) + TimeDelta::minutes(i as i64);
        let input = StoryInput {
            article: ArticleId(1_000_000 + i as i64),
            outlet: "background",
            published,
            url: &url,
            canonical_url: None,
            title_keys: &title,
            keys: &keys,
            minhash: &[],
            content_hash: 0,
            sound: &[],
            title_sound: &[],
            wire: None,
            section: None,
            statement: false,
        };
        let _ = clusterer.add(&input, published);
    }
    clusterer
}
