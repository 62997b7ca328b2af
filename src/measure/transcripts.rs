//! A deterministic generator of realistic WebVTT transcripts, for the scale benchmark: speech at
//! about 150 words a minute, cues of 2 to 8 seconds, 2 to 4 speakers in `<v Name>` voices, and
//! words drawn with a Zipf-like distribution from a list of common English words.

use crate::ingest::transcript::format_time;

/// Common English words, most frequent first (our own list): the rank is the Zipf rank.
const WORDS: &str = include_str!("transcript_words.txt");

const FIRST_NAMES: [&str; 12] = [
    "Alex", "Maria", "Sam", "Priya", "Jonas", "Keiko", "Tom", "Amara", "Luis", "Hannah", "Omar",
    "Grace",
];
const LAST_NAMES: [&str; 8] = [
    "Berg",
    "Okafor",
    "Lindqvist",
    "Tanaka",
    "Moreau",
    "Nowak",
    "Reyes",
    "Fischer",
];

/// Words spoken per second: 150 a minute.
const WORDS_PER_SECOND: f64 = 2.5;

/// xorshift64*: small, fast and good enough for test data; no crate needed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Mixed so that seeds 0, 1, 2 start far apart; never zero, which xorshift cannot leave.
        Rng((seed ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

/// Draws words with probability proportional to 1 / rank.
struct Vocabulary {
    words: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let words: Vec<&str> = WORDS.split_whitespace().collect();
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> &'static str {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = rng.unit() * total;
        let at = self.cumulative.partition_point(|&c| c < target);
        self.words[at.min(self.words.len() - 1)]
    }
}

/// WebVTT for an episode of `minutes` (meant for 30 to 120), the same text for the same seed.
pub fn generate_vtt(seed: u64, minutes: u32) -> String {
    let mut rng = Rng::new(seed);
    let vocabulary = Vocabulary::new();
    let speaker_count = 2 + rng.below(3);
    let mut speakers: Vec<String> = Vec::with_capacity(speaker_count);
    while speakers.len() < speaker_count {
        let name = format!(
            "{} {}",
            FIRST_NAMES[rng.below(FIRST_NAMES.len())],
            LAST_NAMES[rng.below(LAST_NAMES.len())]
        );
        if !speakers.contains(&name) {
            speakers.push(name);
        }
    }
    let length = f64::from(minutes) * 60.0;
    let mut out = String::with_capacity((length * 20.0) as usize);
    out.push_str("WEBVTT\n\n");
    let mut speaker = 0;
    let mut sentence_left = 0usize;
    let mut t = 0.0;
    while t < length {
        let duration = 2.0 + 6.0 * rng.unit();
        let pause = 0.1 + 0.3 * rng.unit();
        // The pause counts towards the rate: 150 words a minute of episode, not of speech.
        let words = (((duration + pause) * WORDS_PER_SECOND).round() as usize).max(1);
        if rng.unit() < 0.25 {
            speaker = (speaker + 1 + rng.below(speakers.len() - 1)) % speakers.len();
        }
        let mut text = String::with_capacity(words * 7);
        for _ in 0..words {
            if !text.is_empty() {
                text.push(' ');
            }
            let word = vocabulary.draw(&mut rng);
            if sentence_left == 0 {
                sentence_left = 4 + rng.below(16);
                let mut chars = word.chars();
                text.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                text.push_str(chars.as_str());
            } else {
                text.push_str(word);
            }
            sentence_left -= 1;
            if sentence_left == 0 {
                text.push(if rng.below(8) == 0 { '?' } else { '.' });
            } else if rng.below(12) == 0 {
                text.push(',');
            }
        }
        out.push_str(&format!(
            "{} --> {}\n<v {}>{}\n\n",
            format_time(t, '.'),
            format_time(t + duration, '.'),
            speakers[speaker],
            text
        ));
        t += duration + pause;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::transcript::read_transcript;

    #[test]
    fn realistic_rate_lengths_and_speakers() {
        let minutes = 30;
        let vtt = generate_vtt(7, minutes);
        assert_eq!(vtt, generate_vtt(7, minutes), "deterministic");
        assert_ne!(vtt, generate_vtt(8, minutes));
        let parsed = read_transcript(vtt.as_bytes(), "generated.vtt", None).unwrap();
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let cues = &parsed.value.cues;
        let words: usize = cues.iter().map(|c| c.text.split_whitespace().count()).sum();
        let rate = words as f64 / f64::from(minutes);
        assert!((135.0..=165.0).contains(&rate), "{rate} words a minute");
        for cue in cues {
            let length = cue.end - cue.start;
            assert!((2.0 - 1e-6..=8.0 + 1e-6).contains(&length), "{length}");
        }
        let mut speakers: Vec<&str> = cues.iter().filter_map(|c| c.speaker.as_deref()).collect();
        speakers.sort();
        speakers.dedup();
        assert!((2..=4).contains(&speakers.len()), "{speakers:?}");
        assert!(cues.last().is_some_and(|c| c.start > 29.0 * 60.0));
        // Zipf: the commonest word is far commoner than a rare one.
        let the = words_equal(cues, "the");
        assert!(the > words / 40, "{the} of {words}");
    }

    fn words_equal(cues: &[crate::episode::Cue], word: &str) -> usize {
        cues.iter()
            .flat_map(|c| c.text.split_whitespace())
            .filter(|w| {
                w.trim_end_matches([',', '.', '?'])
                    .eq_ignore_ascii_case(word)
            })
            .count()
    }
}
