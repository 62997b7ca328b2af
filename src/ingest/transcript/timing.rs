//! Timestamps as transcript files write them: `01:02:03.456`, `02:03.456`, SRT's commas, and the
//! non-conformant forms real files carry (`0.860`, `3:40.300`, `1:17:16`).

/// The latest start accepted: 100 hours. Past 24 hours is real (audiobooks, day-long live
/// streams); past 100 it is a broken timestamp, and accepting it would put a moment hours after
/// the episode ends.
pub const MAX_SECONDS: f64 = 100.0 * 3600.0;

/// Seconds from `[[h:]m:]s[.frac]`, the fraction after `.` or `,`; a leading `-` gives a
/// negative value (the caller warns). Minutes and seconds after a larger unit must be below 60.
pub fn parse_time(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let bad = || format!("bad time \"{text}\"");
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let Some((last, larger)) = parts.split_last() else {
        return Err(bad());
    };
    if larger.len() > 2 {
        return Err(bad());
    }
    let (whole, fraction) = match last.find(['.', ',']) {
        Some(at) => (&last[..at], Some(&last[at + 1..])),
        None => (*last, None),
    };
    let number = |s: &str| -> Option<u64> {
        // Nine digits keep every sum exact in an f64; longer is garbage anyway.
        (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let seconds = number(whole).ok_or_else(bad)?;
    let mut whole_seconds = seconds;
    let mut unit = 60;
    let mut below = seconds;
    for part in larger.iter().rev() {
        let value = number(part).ok_or_else(bad)?;
        // The unit below a larger one must stay below 60: `1:75` is a typo, not 2:15.
        if below >= 60 {
            return Err(bad());
        }
        whole_seconds += value * unit;
        unit *= 60;
        below = value;
    }
    let mut total = whole_seconds as f64;
    if let Some(fraction) = fraction {
        let digits = number(fraction).ok_or_else(bad)?;
        let scale = 10u64.pow(fraction.len() as u32);
        // One division of exact integers is correctly rounded: `3723.456` comes out as the same
        // f64 as the literal, and as `3723456.0 / 1000.0`.
        total = match whole_seconds
            .checked_mul(scale)
            .and_then(|w| w.checked_add(digits))
        {
            Some(n) if n < (1 << 53) => n as f64 / scale as f64,
            _ => total + digits as f64 / scale as f64,
        };
    }
    Ok(if negative { -total } else { total })
}

/// Start and end of a cue timing line `start --> end [settings]`.
pub fn parse_timing(line: &str) -> Result<(f64, f64), String> {
    let bad = || format!("bad timing {}", super::text::quoted(line.trim()));
    let (start, rest) = line.split_once("-->").ok_or_else(bad)?;
    // Cue settings (`align:start position:10%`) follow the end time after whitespace.
    let end = rest.split_whitespace().next().ok_or_else(bad)?;
    let start = parse_time(start).map_err(|_| bad())?;
    let end = parse_time(end).map_err(|_| bad())?;
    Ok((start, end))
}

/// The warning for a line that holds a cue's two times but no `-->` between them
/// (`00:00:30.000 00:00:32.000`), or `None` for any other line: a timing that lost its arrow
/// is reported as one, not as stray text.
pub fn arrowless(line: &str) -> Option<String> {
    let is_time = |word: &str| word.contains(':') && parse_time(word).is_ok();
    let mut words = line.split_whitespace();
    (!line.contains("->") && words.next().is_some_and(is_time) && words.any(is_time)).then(|| {
        format!(
            "bad timing {}: no \"-->\"",
            super::text::quoted(line.trim())
        )
    })
}

/// `HH:MM:SS.mmm` (with `,` for SRT), hours growing past two digits when needed.
pub fn format_time(seconds: f64, separator: char) -> String {
    let millis = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, rest) = (millis / 3_600_000, millis % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    format!("{h:02}:{m:02}:{s:02}{separator}{ms:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_real_files_use() {
        assert_eq!(parse_time("01:02:03.456"), Ok(3723.456));
        assert_eq!(parse_time("00:00:01,500"), Ok(1.5));
        assert_eq!(parse_time("02:03.400"), Ok(123.4));
        assert_eq!(parse_time("0.860"), Ok(0.86));
        assert_eq!(parse_time("3:40.300"), Ok(220.3));
        assert_eq!(parse_time("1:17:16"), Ok(4636.0));
        assert_eq!(parse_time("125:00:00.000"), Ok(450_000.0));
        assert_eq!(parse_time("75"), Ok(75.0));
        assert_eq!(parse_time("-00:00:01.000"), Ok(-1.0));
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "", "x", "1:75", "1:60:00", "1::2", "1.2.3", "1:2:3:4", "00:01.", "１:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_time("ab"), Err("bad time \"ab\"".to_string()));
    }

    #[test]
    fn timing_lines() {
        assert_eq!(
            parse_timing("00:01.000 --> 00:04.000 align:start line:0"),
            Ok((1.0, 4.0))
        );
        assert_eq!(parse_timing("0.860 --> 7.380"), Ok((0.86, 7.38)));
        assert_eq!(
            parse_timing("00:01 -> x"),
            Err("bad timing \"00:01 -> x\"".to_string())
        );
        assert!(parse_timing("00:01.000 --> ").is_err());
        assert_eq!(
            arrowless(" 00:00:30.000 00:00:32.000 align:start"),
            Some("bad timing \"00:00:30.000 00:00:32.000 align:start\": no \"-->\"".to_string())
        );
        assert_eq!(
            arrowless("00:30,000 - 00:32,000"),
            Some("bad timing \"00:30,000 - 00:32,000\": no \"-->\"".to_string())
        );
        for not_timing in [
            "10:30 is when we met",
            "1 2",
            "00:01 --> 00:02",
            "see 10:30 11:00",
        ] {
            assert_eq!(arrowless(not_timing), None, "{not_timing}");
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(format_time(3723.456, '.'), "01:02:03.456");
        assert_eq!(format_time(1.5, ','), "00:00:01,500");
        assert_eq!(format_time(101.0 * 3600.0, '.'), "101:00:00.000");
    }
}
