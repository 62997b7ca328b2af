//! Plain-text transcripts: one untimed cue per paragraph.

use crate::episode::Transcript;

use super::cues::{numbered_lines, CueSink, Parsed, TranscriptError};

/// Read plain text (already decoded): paragraphs are separated by blank lines; each becomes a
/// cue at 0 s, and the transcript is marked untimed so no moment is offered from it.
pub fn read(text: &str) -> Result<Parsed<Transcript>, TranscriptError> {
    let mut sink = CueSink::default();
    let mut paragraph = String::new();
    let mut first_line = 0;
    for (n, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                sink.push(first_line, 0.0, 0.0, None, &paragraph);
                paragraph.clear();
            }
            continue;
        }
        if paragraph.is_empty() {
            first_line = n;
        }
        paragraph.push_str(line);
        paragraph.push('\n');
    }
    if !paragraph.is_empty() {
        sink.push(first_line, 0.0, 0.0, None, &paragraph);
    }
    sink.finish(false, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_become_untimed_cues() {
        let parsed = read("\n\nFirst  paragraph\nwraps here.\n\n\n Second one \n").unwrap();
        assert!(!parsed.value.timed);
        let cues: Vec<_> = parsed
            .value
            .cues
            .iter()
            .map(|c| (c.start, c.text.as_str()))
            .collect();
        assert_eq!(
            cues,
            [(0.0, "First paragraph wraps here."), (0.0, "Second one")]
        );
    }
}
