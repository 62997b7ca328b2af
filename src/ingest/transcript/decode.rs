//! Bytes to text for transcript files: size limit, binary refusal, and the encodings real files
//! use (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252 for bytes that are not UTF-8).

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::cues::TranscriptError;
use crate::ingest::encoding::utf8_lenient;

/// The largest transcript read: 64 MiB. The longest real transcripts (a 3-hour word-level JSON)
/// are a few MiB; a larger file is not a transcript, and reading it whole would cost memory for
/// nothing.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// How many bytes are looked at to tell text from binary data.
const SNIFF_BYTES: usize = 8192;

/// The text of a transcript file.
///
/// UTF-8 first (the common case, and the one that can be verified); bytes that are not UTF-8
/// are read as Windows-1252, the superset of Latin-1 that older SRT tools write, one by one as
/// feeds are: a UTF-8 file with a stray byte in it (a Windows quote pasted in, junk from a
/// broken copy) keeps its accents, and a Windows-1252 file reads as before, since its accented
/// letters seldom form UTF-8 sequences (an accented capital right before `’”»°…` or a
/// non-breaking space does: `É»` reads as `ɻ`). UTF-16 is recognised by its BOM only, since without
/// one it cannot be told from binary data.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TranscriptError> {
    if bytes.len() > MAX_BYTES {
        return Err(TranscriptError::new(
            0,
            format!(
                "file of {} MiB is over the {} MiB limit",
                bytes.len().div_ceil(1024 * 1024),
                MAX_BYTES / (1024 * 1024)
            ),
        ));
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return checked(text);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(utf8_lenient(bytes)),
    };
    checked(text)
}

/// Refuse empty files and binary data: many control characters (NUL among them) in the first
/// bytes, the line of the first one named. Images, audio and archives are full of them; a text
/// file with a few stray ones (a botched copy) is read, its damaged spots warned about by the
/// reader like any other.
fn checked(text: Cow<'_, str>) -> Result<Cow<'_, str>, TranscriptError> {
    if text.trim().is_empty() {
        return Err(TranscriptError::new(0, "empty file: no cues"));
    }
    let mut chars = 0;
    let mut controls = 0;
    let mut first_control = None;
    for (at, c) in text.char_indices().take(SNIFF_BYTES) {
        chars += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            controls += 1;
            first_control.get_or_insert(at);
        }
    }
    if let Some(at) = first_control.filter(|_| controls * 20 > chars) {
        let line = text[..at].matches('\n').count() + 1;
        return Err(TranscriptError::new(line, "not a transcript: binary data"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode("\u{feff}WEBVTT é".as_bytes()).unwrap(), "WEBVTT é");
        assert_eq!(
            decode(b"caf\xe9 \x93quoted\x94").unwrap(),
            "café \u{201c}quoted\u{201d}"
        );
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("Grüße".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).unwrap(), "Grüße");
        let utf16be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain("ab".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&utf16be).unwrap(), "ab");
        // A stray Windows quote in UTF-8: read as Windows-1252, the UTF-8 around it kept.
        assert_eq!(
            decode(b"Caf\xc3\xa9 cr\xc3\xa8me\nit\x92s \xc3\xbcber").unwrap(),
            "Café crème\nit\u{2019}s über"
        );
    }

    #[test]
    fn refusals() {
        let err = |b: &[u8]| decode(b).unwrap_err().to_string();
        assert_eq!(
            err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "line 2: not a transcript: binary data"
        );
        assert_eq!(
            err(&[0x01, 0x02, 0x03, 0x04, b'a']),
            "line 1: not a transcript: binary data"
        );
        assert_eq!(err(b" \n\t"), "line 0: empty file: no cues");
        assert_eq!(err(b""), "line 0: empty file: no cues");
        // A few stray NULs in text are damage, not binary data: read, for the reader to judge.
        let text = format!("WEBVTT\n\n{}\0\0junk\n", "a line of words\n".repeat(5));
        assert_eq!(decode(text.as_bytes()).unwrap(), text);
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(err(&big), "line 0: file of 65 MiB is over the 64 MiB limit");
    }
}
