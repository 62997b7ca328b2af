//! Text whose encoding is mostly, but not wholly, UTF-8: shared by the feed and transcript
//! readers.

/// UTF-8, except that bytes which are not are read as windows-1252 one by one instead of
/// becoming U+FFFD (feeds and transcripts: a stray Windows quote in a UTF-8 file is common).
pub(crate) fn utf8_lenient(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad_len = e.error_len().unwrap_or(bad.len()).max(1);
                let (decoded, _) =
                    encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bad[..bad_len]);
                out.push_str(&decoded);
                rest = &bad[bad_len..];
            }
        }
    }
}
