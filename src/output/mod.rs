//! Printers: hits and stats as text for people or JSON Lines for programs, over any `Write`.
//! It may not search, write or decide anything (what matches, the exit code): it formats.

pub mod json;
pub mod text;

/// Whether text output carries ANSI colour or visible markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// `783` → `13:03`, `3723` → `1:02:03`.
pub fn format_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Bytes in the largest whole unit: `12.3 KiB`.
pub fn format_size(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(format_duration(783), "13:03");
        assert_eq!(format_duration(3723), "1:02:03");
        assert_eq!(format_duration(5), "0:05");
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(12_595), "12.3 KiB");
    }
}
