//! Seeded synthetic episodes for scale runs: titles drawn from real titles' words, bodies from
//! real sentences, so term frequencies look like the source corpus. No crates: xorshift64*.

use chrono::{DateTime, Utc};
use episearch::Episode;

/// A xorshift64* generator: fast, seeded, reproducible across machines.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `lo..hi` (`hi > lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next_u64() as usize % items.len()]
    }
}

/// Makes episodes from the vocabulary and sentences of a source corpus.
pub struct Generator {
    seed: u64,
    /// Every title word occurrence, so common words stay common.
    title_words: Vec<String>,
    sentences: Vec<String>,
}

/// Sentences to draw from when no corpus is at hand (written for this purpose).
const BUILTIN: &str =
    "Our guest explains how small teams ship reliable software without burning out. \
We talk about tech debt, code review and the habits that keep a product healthy. \
The hosts compare three approaches to remote work and what each costs a company. \
A historian walks us through the spread of the printing press across Europe. \
Why black holes bend light, and how astronomers took the first image of one. \
Climate scientists discuss sea ice, ocean currents and the summer heat records. \
A chef shares recipes for bread, fermented vegetables and a quick tomato soup. \
We answer listener questions about saving money, index funds and retirement plans. \
The episode covers training neural networks on small data sets with careful validation. \
Two coaches debate whether young athletes should specialise early in one sport. \
An interview about mental health, sleep and the science of building better routines. \
The team reviews the latest phones, laptops and the state of open source operating systems.";

impl Generator {
    /// From real episodes: their title words and the sentences of their bodies.
    pub fn from_episodes(episodes: &[Episode], seed: u64) -> Generator {
        let mut title_words = Vec::new();
        let mut sentences = Vec::new();
        for e in episodes {
            if let Some(t) = &e.title {
                title_words.extend(t.split_whitespace().map(str::to_string));
            }
            for body in [&e.summary, &e.overview, &e.description]
                .into_iter()
                .flatten()
            {
                sentences.extend(split_sentences(body));
            }
        }
        if title_words.is_empty() || sentences.is_empty() {
            return Generator::builtin(seed);
        }
        Generator {
            seed,
            title_words,
            sentences,
        }
    }

    /// From a few built-in sentences (a fresh clone without the shared datasets).
    pub fn builtin(seed: u64) -> Generator {
        let sentences = split_sentences(BUILTIN);
        let title_words = BUILTIN.split_whitespace().map(str::to_string).collect();
        Generator {
            seed,
            title_words,
            sentences,
        }
    }

    /// Episode number `i`: the same `(seed, i)` always gives the same episode.
    pub fn episode(&self, i: u64) -> Episode {
        let mut rng = Rng::new(self.seed ^ i.wrapping_mul(0x1000_0000_01b3));
        let words = rng.range(3, 10) as usize;
        let title = (0..words)
            .map(|_| rng.pick(&self.title_words).as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let summary = self.paragraph(&mut rng, 2, 7);
        // Half the episodes carry a longer description as well.
        let description = (rng.range(0, 2) == 1).then(|| self.paragraph(&mut rng, 3, 10));
        // 2010-01-01 to 2026-01-01.
        let secs = rng.range(1_262_304_000, 1_767_225_600) as i64;
        Episode {
            id: Some(format!("synth-{}-{i}", self.seed)),
            podcast: Some(format!("synthetic show {}", rng.range(0, 20_000))),
            title: Some(title),
            date: DateTime::<Utc>::from_timestamp(secs, 0),
            duration: Some(rng.range(300, 7_200)),
            summary: Some(summary),
            description,
            overview: None,
            url: Some(format!("https://example.org/episodes/{i}")),
            language: Some("en".into()),
            ..Episode::default()
        }
    }

    /// `lo..hi` random sentences.
    fn paragraph(&self, rng: &mut Rng, lo: u64, hi: u64) -> String {
        let n = rng.range(lo, hi) as usize;
        (0..n)
            .map(|_| rng.pick(&self.sentences).as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The first `n` episodes.
    pub fn episodes(&self, n: usize) -> Vec<Episode> {
        (0..n as u64).map(|i| self.episode(i)).collect()
    }
}

/// Sentences of a text: split after `.`, `!` or `?` followed by a space; very short or very
/// long pieces dropped.
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(1) {
        if matches!(bytes[i], b'.' | b'!' | b'?') && bytes[i + 1].is_ascii_whitespace() {
            push_sentence(&mut out, &text[start..=i]);
            start = i + 1;
        }
    }
    push_sentence(&mut out, &text[start..]);
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if (20..=400).contains(&s.len()) {
        out.push(s);
    }
}
