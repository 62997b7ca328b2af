//! Small text helpers the readers share: whitespace tidying and quoting a line in a message.

/// Trim and collapse every run of whitespace (line breaks and no-break spaces included) into one
/// space.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A line quoted in a message, cut so one broken line cannot make a huge message.
pub fn quoted(line: &str) -> String {
    const MAX: usize = 60;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("\"{}...\"", &line[..cut]),
        None => format!("\"{line}\""),
    }
}
