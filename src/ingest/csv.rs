//! CSV with a header row: each row is a record whose columns are mapped like JSON fields.

use std::io::Read;

use serde_json::{Map, Value};

use super::json::episode_from_object;
use super::record::{FieldMap, RecordError, Sink};
use crate::error::Result;

/// Read CSV rows (the first row names the columns) and send one episode per row.
pub fn read(reader: impl Read, map: &FieldMap, sink: &mut Sink) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return sink(Err(csv_error(&e, 1))),
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line() as usize;
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line() as usize);
                let obj: Map<String, Value> = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.trim().to_string(), Value::String(v.to_string())))
                    .collect();
                sink(episode_from_object(&obj, map).map_err(|r| RecordError::new(line, r)))?;
            }
            Err(e) => {
                sink(Err(csv_error(&e, line)))?;
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    return Ok(());
                }
            }
        }
    }
}

fn csv_error(e: &csv::Error, fallback_line: usize) -> RecordError {
    let line = e.position().map_or(fallback_line, |p| p.line() as usize);
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    };
    RecordError::new(line, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_episodes_with_mapped_columns() {
        let input =
            "name,date_published,duration\nFirst,2026-01-02,1:00\n\"Second, with comma\",,90\n";
        let map = FieldMap::parse(&["title=name"]).unwrap();
        let mut out = Vec::new();
        read(input.as_bytes(), &map, &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        assert_eq!(out.len(), 2);
        let second = out[1].as_ref().unwrap();
        assert_eq!(second.title.as_deref(), Some("Second, with comma"));
        assert_eq!(second.duration, Some(90));
        assert_eq!(out[0].as_ref().unwrap().duration, Some(60));
    }

    #[test]
    fn bad_values_name_their_line() {
        let input = "title,date\nok,2026-01-01\nbad,someday\n";
        let mut out = Vec::new();
        read(input.as_bytes(), &FieldMap::default(), &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        let e = out[1].as_ref().unwrap_err();
        assert_eq!(
            e.located("x.csv"),
            "x.csv:3: field `date`: unrecognised date `someday`"
        );
    }
}
