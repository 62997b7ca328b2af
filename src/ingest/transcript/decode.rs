//! Bytes to text for transcript files: size limit, binary refusal, and the encodings real files
//! use (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252 for the rest).

use std::borrow::Cow;

use encoding_rs::{Encoding, WINDOWS_1252};

use super::cues::TranscriptError;

/// The largest transcript read: 64 MiB. The longest real transcripts (a 3-hour word-level JSON)
/// are a few MiB; a larger file is not a transcript, and reading it whole would cost memory for
/// nothing.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// How many bytes are looked at to tell text from binary data.
const SNIFF_BYTES: usize = 8192;

/// The text of a transcript file.
///
/// UTF-8 first (the common case, and the one that can be verified); bytes that are not UTF-8 are
/// read as Windows-1252, the superset of Latin-1 that older SRT tools write. UTF-16 is
/// recognised by its BOM only, since without one it cannot be told from binary data.
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
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    checked(text)
}

/// Refuse empty files and binary data: NUL bytes, or many control characters, in the first
/// bytes. Text never holds these; images, audio and archives always do.
fn checked(text: Cow<'_, str>) -> Result<Cow<'_, str>, TranscriptError> {
    if text.trim().is_empty() {
        return Err(TranscriptError::new(0, "empty file: no cues"));
    }
    let head: Vec<char> = text.chars().take(SNIFF_BYTES).collect();
    let controls = head
        .iter()
        .filter(|&&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        .count();
    if head.contains(&'\0') || controls * 20 > head.len() {
        return Err(TranscriptError::new(0, "not a transcript: binary data"));
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
    }

    #[test]
    fn refusals() {
        let err = |b: &[u8]| decode(b).unwrap_err().to_string();
        assert_eq!(
            err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "line 0: not a transcript: binary data"
        );
        assert_eq!(
            err(&[0x01, 0x02, 0x03, 0x04, b'a']),
            "line 0: not a transcript: binary data"
        );
        assert_eq!(err(b" \n\t"), "line 0: empty file: no cues");
        assert_eq!(err(b""), "line 0: empty file: no cues");
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(err(&big), "line 0: file of 65 MiB is over the 64 MiB limit");
    }
}
