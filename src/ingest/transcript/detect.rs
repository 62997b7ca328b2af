//! Which transcript format a file is: from its content, its declared media type, its name; and
//! which of several offered transcripts is the richest.

use crate::episode::TranscriptLink;

/// The transcript formats read, richest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TranscriptFormat {
    /// Podcasting 2.0 JSON: timed, with speakers, often word by word.
    Json,
    Vtt,
    Srt,
    Html,
    Plain,
}

impl TranscriptFormat {
    /// The format a media type names (`text/vtt; charset=utf-8` included), if any.
    pub fn from_media_type(kind: &str) -> Option<Self> {
        let kind = kind
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match kind.as_str() {
            "application/json" | "application/x-json" | "text/json" => Self::Json,
            "text/vtt" | "text/webvtt" => Self::Vtt,
            "application/x-subrip"
            | "application/srt"
            | "application/x-srt"
            | "text/srt"
            | "text/x-srt"
            | "text/x-subrip" => Self::Srt,
            "text/html" | "application/xhtml+xml" => Self::Html,
            "text/plain" => Self::Plain,
            _ => return None,
        })
    }

    /// The format a file name or URL's extension names (`talk.vtt`, `x.srt?dl=1`), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.split(['?', '#']).next().unwrap_or(name);
        let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let (_, ext) = file.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "json" => Self::Json,
            "vtt" | "webvtt" => Self::Vtt,
            "srt" => Self::Srt,
            "html" | "htm" | "xhtml" => Self::Html,
            "txt" | "text" => Self::Plain,
            _ => return None,
        })
    }

    /// The format the content shows, when it shows one clearly.
    pub fn from_content(text: &str) -> Option<Self> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with("WEBVTT") {
            return Some(Self::Vtt);
        }
        match trimmed.chars().next()? {
            '{' => return Some(Self::Json),
            '<' => return Some(Self::Html),
            _ => {}
        }
        // SRT: a cue number, then a timing line; or a timing line first.
        let mut lines = trimmed.lines().map(str::trim);
        let first = lines.next()?;
        let second = lines.next().unwrap_or("");
        let number = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
        if (number && second.contains("-->")) || first.contains("-->") {
            return Some(Self::Srt);
        }
        None
    }
}

/// Which of several offered transcripts to read: the richest by media type (JSON, then VTT,
/// SRT, HTML, plain text; a link without a type is judged by its URL's extension), unknown
/// types last; the first offered among equals. `None` when none is offered.
pub fn pick_richest(links: &[TranscriptLink]) -> Option<usize> {
    links
        .iter()
        .enumerate()
        .min_by_key(|(i, link)| {
            let format = match link.kind.as_deref() {
                Some(kind) => TranscriptFormat::from_media_type(kind),
                None => TranscriptFormat::from_name(&link.url),
            };
            // `Option` orders `None` first; unknown types go last.
            (format.is_none(), format, *i)
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, kind: Option<&str>) -> TranscriptLink {
        TranscriptLink {
            url: url.to_string(),
            kind: kind.map(str::to_string),
            language: None,
        }
    }

    #[test]
    fn richest_first() {
        let links = [
            link("a.txt", Some("text/plain")),
            link("a.srt", Some("application/x-subrip")),
            link("a.bin", Some("audio/mpeg")),
            link("a.vtt", Some("text/vtt; charset=utf-8")),
            link("b.html", Some("text/html")),
        ];
        assert_eq!(pick_richest(&links), Some(3));
        assert_eq!(pick_richest(&links[..3]), Some(1));
        assert_eq!(
            pick_richest(&[link("x", Some("audio/mpeg")), link("y", None)]),
            Some(0)
        );
        assert_eq!(
            pick_richest(&[link("x", Some("audio/mpeg")), link("y.json", None)]),
            Some(1)
        );
        assert_eq!(
            pick_richest(&[
                link("t.html", Some("text/html")),
                link("t.json", Some("application/json"))
            ]),
            Some(1)
        );
        assert_eq!(pick_richest(&[]), None);
    }

    #[test]
    fn detection() {
        use TranscriptFormat::*;
        assert_eq!(
            TranscriptFormat::from_content("\u{feff}WEBVTT\n"),
            Some(Vtt)
        );
        assert_eq!(
            TranscriptFormat::from_content("1\n00:00:01,000 --> 00:00:02,000\n"),
            Some(Srt)
        );
        assert_eq!(
            TranscriptFormat::from_content("\n  <time>0:00</time>"),
            Some(Html)
        );
        assert_eq!(
            TranscriptFormat::from_content(" {\"segments\":[]}"),
            Some(Json)
        );
        assert_eq!(TranscriptFormat::from_content("Hello there."), None);
        assert_eq!(
            TranscriptFormat::from_name("https://x.org/t.SRT?dl=1"),
            Some(Srt)
        );
        assert_eq!(TranscriptFormat::from_name("notes"), None);
        assert_eq!(
            TranscriptFormat::from_media_type("application/srt"),
            Some(Srt)
        );
    }
}
