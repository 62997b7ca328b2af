//! The HTTP client: one GET of a URL, conditional when validators are known, with the limits a
//! fetch of someone else's server needs (timeouts, at most 5 redirects and no loop, a cap on
//! the decompressed body). Feeds use it; so can any other file fetched by URL.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::time::{Duration, Instant};

use http_client::http::StatusCode;
use http_client::Agent;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("episearch/", env!("CARGO_PKG_VERSION"));

/// How a fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The whole fetch, redirects and body included (`--timeout`).
    pub timeout: Duration,
    /// Opening the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// The largest body accepted, counted after decompression: a gzip bomb is refused, not
    /// inflated.
    pub max_body: u64,
    /// Redirects followed at most.
    pub max_redirects: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body: 64 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// What a server said last time, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A body fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The URL it came from, after redirects.
    pub url: String,
    pub bytes: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
}

/// The outcome of a GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: what was fetched before is still current.
    NotModified,
    Body(Body),
}

/// A fetch that failed: the URL and the cause, shown as one lower-case line
/// (`https://x/feed.xml: HTTP 404 Not Found`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub url: String,
    pub cause: String,
    /// The host (`name:port`) no connection could be made to (not found, refused, or silent
    /// for the connect time): other URLs of it will fare no better for now.
    pub unreachable: Option<String>,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.cause)
    }
}

impl std::error::Error for FetchError {}

/// A reusable HTTP client (its connections are kept between requests, and it may be shared
/// between threads).
#[derive(Clone)]
pub struct Fetcher {
    agent: Agent,
    options: FetchOptions,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Fetcher {
        let config = Agent::config_builder()
            .user_agent(USER_AGENT)
            // Redirects are followed here, to count them and to see a loop for what it is.
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            .build();
        Fetcher {
            agent: config.into(),
            options,
        }
    }

    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// GET `url`; with `validators`, conditionally (`If-None-Match`, `If-Modified-Since`).
    pub fn get(&self, url: &str, validators: Option<&Validators>) -> Result<Fetched, FetchError> {
        let fail = |cause: String| FetchError {
            url: url.to_string(),
            cause,
            unreachable: None,
        };
        let started = Instant::now();
        let mut current = url.to_string();
        let mut seen = HashSet::from([current.clone()]);
        let mut redirects = 0;
        loop {
            if !current.starts_with("http://") && !current.starts_with("https://") {
                return Err(fail(format!("not an http or https URL: {current}")));
            }
            let mut request = self.agent.get(&current);
            if let Some(v) = validators {
                if let Some(etag) = &v.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(date) = &v.last_modified {
                    request = request.header("If-Modified-Since", date);
                }
            }
            let remaining = self.options.timeout.saturating_sub(started.elapsed());
            if remaining.is_zero() {
                return Err(fail(self.timed_out()));
            }
            let mut response = request
                .config()
                .timeout_global(Some(remaining))
                .build()
                .call()
                .map_err(|e| FetchError {
                    unreachable: unreachable(&e).then(|| host(&current)),
                    ..fail(self.cause(&e))
                })?;
            let status = response.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if status.is_redirection() {
                let location = header(&response, "location").ok_or_else(|| {
                    fail(format!("HTTP {} without a Location", status_line(status)))
                })?;
                let next = join(&current, &location);
                if !seen.insert(next.clone()) {
                    return Err(fail("redirect loop".into()));
                }
                redirects += 1;
                if redirects > self.options.max_redirects {
                    return Err(fail(format!(
                        "more than {} redirects",
                        self.options.max_redirects
                    )));
                }
                current = next;
                continue;
            }
            if !status.is_success() {
                return Err(fail(format!("HTTP {}", status_line(status))));
            }
            let etag = header(&response, "etag");
            let last_modified = header(&response, "last-modified");
            let content_type = header(&response, "content-type");
            let bytes = self.read_body(&mut response, started).map_err(&fail)?;
            return Ok(Fetched::Body(Body {
                url: current,
                bytes,
                etag,
                last_modified,
                content_type,
            }));
        }
    }

    /// The body, decompressed, at most `max_body` bytes, within the time left.
    fn read_body(
        &self,
        response: &mut http_client::http::Response<http_client::Body>,
        started: Instant,
    ) -> Result<Vec<u8>, String> {
        let max = self.options.max_body;
        let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
        let mut bytes = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if started.elapsed() >= self.options.timeout {
                return Err(self.timed_out());
            }
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_cause(&e)),
            };
            if bytes.len() as u64 + n as u64 > max {
                return Err(format!("body over {} after decompression", size(max)));
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        Ok(bytes)
    }

    fn timed_out(&self) -> String {
        format!("timed out after {}", seconds(self.options.timeout))
    }

    /// A client error as a cause.
    fn cause(&self, e: &http_client::Error) -> String {
        use http_client::Error as E;
        match e {
            E::Timeout(_) => self.timed_out(),
            E::Io(io) => self.io_cause(io),
            E::HostNotFound => "host not found".into(),
            E::ConnectionFailed => "connection failed".into(),
            E::BodyExceedsLimit(_) => format!(
                "body over {} after decompression",
                size(self.options.max_body)
            ),
            other => crate::error::message(&other.to_string()),
        }
    }

    /// An error while reading, as a cause: a timeout, a body cut short, or the error itself.
    fn io_cause(&self, e: &std::io::Error) -> String {
        if let Some(inner) = e
            .get_ref()
            .and_then(|i| i.downcast_ref::<http_client::Error>())
        {
            return self.cause(inner);
        }
        match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => self.timed_out(),
            std::io::ErrorKind::UnexpectedEof => "the body stopped before its end".into(),
            std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
            std::io::ErrorKind::ConnectionReset => "the connection was reset".into(),
            _ => crate::error::message(&e.to_string()),
        }
    }
}

/// True when the error says no connection could be made at all.
fn unreachable(e: &http_client::Error) -> bool {
    use http_client::{Error as E, Timeout};
    use std::io::ErrorKind as K;
    match e {
        E::HostNotFound | E::ConnectionFailed => true,
        E::Timeout(Timeout::Resolve | Timeout::Connect) => true,
        E::Io(io) => {
            matches!(
                io.kind(),
                K::ConnectionRefused | K::HostUnreachable | K::NetworkUnreachable
            )
            // The system's resolver failing: the kind it gives is not a public one.
            || io.to_string().starts_with("failed to lookup address information")
        }
        _ => false,
    }
}

/// A URL past its scheme: `name:port/path?query`.
fn after_scheme(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// The `name:port` of a URL, lower-cased.
pub fn host(url: &str) -> String {
    let rest = after_scheme(url);
    rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].to_ascii_lowercase()
}

/// The path of a URL, without its query, whose name may tell its format (`feed.xml`).
pub fn path(url: &str) -> &str {
    let rest = after_scheme(url);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    &path[..path.find(['?', '#']).unwrap_or(path.len())]
}

fn header(response: &http_client::http::Response<http_client::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `404 Not Found`.
fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// `64 MiB`, `512 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// `30 s`, `1.5 s`.
pub fn seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{secs:.1} s")
    }
}

/// A `Location` (or any relative link) resolved against the URL it was given for.
pub fn join(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    if let Some(net) = location.strip_prefix("//") {
        return format!("{scheme}://{net}");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = &rest[authority_end..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let dir = if dir.is_empty() { "/" } else { dir };
    format!("{scheme}://{authority}{dir}{location}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_splits_into_its_host_and_path() {
        let url = "https://Example.org:8443/shows/feed.xml?page=2#top";
        assert_eq!(host(url), "example.org:8443");
        assert_eq!(path(url), "/shows/feed.xml");
        assert_eq!((host("http://a.b"), path("http://a.b")), ("a.b".into(), ""));
    }

    #[test]
    fn locations_are_resolved_against_the_url() {
        let base = "http://127.0.0.1:80/a/feed.xml?x=1";
        assert_eq!(join(base, "https://b/c"), "https://b/c");
        assert_eq!(join(base, "//h/p"), "http://h/p");
        assert_eq!(join(base, "/root"), "http://127.0.0.1:80/root");
        assert_eq!(join(base, "other.xml"), "http://127.0.0.1:80/a/other.xml");
        assert_eq!(join("http://h", "x"), "http://h/x");
    }

    #[test]
    fn sizes_and_durations_read_as_people_write_them() {
        assert_eq!(size(64 << 20), "64 MiB");
        assert_eq!(size(4096), "4 KiB");
        assert_eq!(size(1000), "1000 bytes");
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
