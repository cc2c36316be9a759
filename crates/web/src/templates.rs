//! The page templates, embedded at build time and rendered with minijinja.
//! Every page gets `lang`, `dir` and `t` (the language's strings); a missing
//! variable is an error rather than an empty string, so tests catch typos.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use minijinja::{Environment, UndefinedBehavior, Value, context};

use crate::i18n::Lang;

macro_rules! embed {
    ($env:ident, $($name:literal),+ $(,)?) => {
        $( $env
            .add_template($name, include_str!(concat!("../templates/", $name)))
            .expect(concat!("template ", $name, " parses")); )+
    };
}

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("when", when);
    embed!(
        env,
        "base.html",
        "error.html",
        "signup.html",
        "check_inbox.html",
        "resend_form.html",
        "confirm.html",
        "confirmed.html",
        "manage.html",
        "unsubscribe.html",
        "unsubscribed.html",
        "erased.html",
        "stories.html",
        "story.html",
        "sources.html",
        "suppressions.html",
        "outbox.html",
        "admin_sources.html",
        "source_cells.html",
        "admin_login.html",
        "admin_nav.html",
        "admin_subscriptions.html",
    );
    env
});

/// Formats an RFC 3339 time as `2024-05-01 13:05 UTC`; other text passes.
fn when(value: String) -> String {
    DateTime::parse_from_rfc3339(&value)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or(value)
}

/// Renders template `name` in `lang` with the page's own context `ctx`.
pub(crate) fn render(name: &str, lang: Lang, ctx: Value) -> Result<String, minijinja::Error> {
    ENV.get_template(name)?.render(context! {
        lang => lang.code(),
        dir => lang.dir(),
        t => lang.strings(),
        ..ctx
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_error_page_renders_rtl() {
        LazyLock::force(&ENV);
        let html = render("error.html", Lang::Ar, context! { message => "x" }).unwrap();
        assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
        let html = render("error.html", Lang::En, context! { message => "<b>" }).unwrap();
        assert!(html.contains("&lt;b&gt;"), "autoescaped");
    }

    #[test]
    fn when_formats_times() {
        assert_eq!(
            when("2024-05-01T13:05:09.5Z".into()),
            "2024-05-01 13:05 UTC"
        );
        assert_eq!(when("soon".into()), "soon");
    }
}
