//! OPML subscription lists: reading outlines and writing an export.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::ParseError;
use crate::xml::{attr, local_name};

/// One feed subscription found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlOutline {
    /// The feed URL (`xmlUrl`).
    pub url: String,
    /// The outline's `title`, else its `text`, when present.
    pub title: Option<String>,
    /// The first of the outline's `category` tags (OPML 2.0: comma-separated,
    /// a tag without slashes), which ajil reads as the source's section.
    pub category: Option<String>,
}

/// Every outline with an `xmlUrl`, at any depth, in document order.
///
/// ```
/// let opml = br#"<opml version="2.0"><body><outline text="News">
///   <outline text="Ex" xmlUrl="https://ex.org/rss"/></outline></body></opml>"#;
/// let outlines = ajil_parse::parse_opml(opml).unwrap();
/// assert_eq!(outlines[0].url, "https://ex.org/rss");
/// assert_eq!(outlines[0].title.as_deref(), Some("Ex"));
/// ```
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<OpmlOutline>, ParseError> {
    let decoded = crate::charset::decode(bytes, None);
    let text = crate::repair::strip_leading_garbage(&decoded.text);
    let mut reader = Reader::from_str(text);
    let mut outlines = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|e| ParseError::Opml {
            reason: format!("at byte {}: {e}", reader.buffer_position()),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = local_name(e.name().as_ref());
                saw_opml |= name == "opml";
                if name == "outline"
                    && let Some(url) = attr(&e, "xmlurl").map(|u| u.trim().to_string())
                    && !url.is_empty()
                {
                    let title = attr(&e, "title")
                        .filter(|t| !t.trim().is_empty())
                        .or_else(|| attr(&e, "text"))
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty());
                    let category = attr(&e, "category").and_then(|c| {
                        c.split(',')
                            .map(|tag| tag.trim().trim_matches('/').to_string())
                            .find(|tag| !tag.is_empty())
                    });
                    outlines.push(OpmlOutline {
                        url,
                        title,
                        category,
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        return Err(ParseError::Opml {
            reason: "no <opml> root element".to_string(),
        });
    }
    Ok(outlines)
}

/// An OPML 2.0 document listing `feeds` under `title`: each with its name
/// (the URL when it has none) and, when it has one, its category.
///
/// ```
/// use ajil_parse::OpmlOutline;
/// let feed = OpmlOutline {
///     url: "https://ex.org/rss?a=1&b=2".into(),
///     title: Some("Ex & Co".into()),
///     category: Some("sport".into()),
/// };
/// let xml = ajil_parse::write_opml("ajil", &[feed]);
/// let back = ajil_parse::parse_opml(xml.as_bytes()).unwrap();
/// assert_eq!(back[0].url, "https://ex.org/rss?a=1&b=2");
/// assert_eq!(back[0].title.as_deref(), Some("Ex & Co"));
/// assert_eq!(back[0].category.as_deref(), Some("sport"));
/// ```
pub fn write_opml(title: &str, feeds: &[OpmlOutline]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!(
        "  <head><title>{}</title></head>\n  <body>\n",
        escape(title)
    ));
    for feed in feeds {
        let name = escape(feed.title.as_deref().unwrap_or(&feed.url));
        let category = feed
            .category
            .as_deref()
            .map(|c| format!(" category=\"{}\"", escape(c)))
            .unwrap_or_default();
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{u}\"{category}/>\n",
            u = escape(&feed.url)
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_outlines_and_folders() {
        let doc = r#"<?xml version="1.0"?><opml version="1.0"><head/><body>
          <outline text="Arabic"><outline text="A" title="الجزيرة" type="rss" xmlUrl=" https://a.example/rss "/>
            <outline text="Deeper"><outline text="B" category="/sport,/Arabic/News" xmlurl="https://b.example/feed"></outline></outline>
          </outline><outline text="folder without feeds"/></body></opml>"#;
        let got = parse_opml(doc.as_bytes()).unwrap();
        assert_eq!(
            got,
            vec![
                OpmlOutline {
                    url: "https://a.example/rss".into(),
                    title: Some("الجزيرة".into()),
                    category: None,
                },
                OpmlOutline {
                    url: "https://b.example/feed".into(),
                    title: Some("B".into()),
                    category: Some("sport".into()),
                },
            ]
        );
    }

    #[test]
    fn not_opml_is_an_error() {
        assert!(matches!(
            parse_opml(b"<rss/>"),
            Err(ParseError::Opml { .. })
        ));
        assert!(matches!(
            parse_opml(b"<opml><body><outline"),
            Err(ParseError::Opml { .. })
        ));
    }

    #[test]
    fn written_opml_escapes_and_round_trips_arabic() {
        let feeds = [
            OpmlOutline {
                url: "https://a.example/rss".into(),
                title: Some("الجزيرة".into()),
                category: None,
            },
            OpmlOutline {
                url: "https://a.example/sport?x=1&y=2".into(),
                title: Some("رياضة".into()),
                category: Some("sport".into()),
            },
        ];
        let xml = write_opml("قائمة <1>", &feeds);
        assert!(xml.contains("قائمة &lt;1&gt;"));
        assert_eq!(parse_opml(xml.as_bytes()).unwrap(), feeds);
    }
}
