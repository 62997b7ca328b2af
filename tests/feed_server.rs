//! A small HTTP/1.1 server for the sources tests, on 127.0.0.1 and a port of its own: it serves
//! feeds with real ETag / Last-Modified handling (304s), and misbehaves on request: redirects
//! and their loops, error statuses, a body cut short, a byte a second, a gzip bomb, a body of
//! 1 GiB made as it is sent. It stops when dropped; each connection ends when its client goes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a path answers.
#[derive(Clone)]
pub enum Mode {
    /// The body, with its validators: 304 when the request's match.
    Feed,
    /// 302 to this path.
    Redirect(String),
    /// This status, a short body.
    Status(u16, &'static str),
    /// Content-Length of the whole, half of it sent, then the connection closed.
    CutShort,
    /// Headers, then one byte of the body a second.
    Slow,
    /// `Content-Encoding: gzip` over 128 MiB of zeros (128 KiB on the wire).
    GzipBomb,
    /// A 1 GiB body, made as it is sent.
    Huge,
}

struct Route {
    mode: Mode,
    body: Vec<u8>,
    content_type: String,
    /// Bumped on every change: the ETag and Last-Modified follow it.
    version: u64,
}

#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hits {
    /// Answers with a body (200).
    pub full: u64,
    /// 304s.
    pub not_modified: u64,
    /// Every request.
    pub all: u64,
}

#[derive(Default)]
struct Routes {
    routes: HashMap<String, Route>,
    hits: HashMap<String, Hits>,
    /// Requests still to answer before a pause starts (see `pause_after`).
    delay: Duration,
    user_agents: Vec<String>,
}

pub struct FeedServer {
    addr: SocketAddr,
    routes: Arc<Mutex<Routes>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl FeedServer {
    pub fn start() -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let routes = Arc::new(Mutex::new(Routes::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (routes, stop) = (routes.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let routes = routes.clone();
                    std::thread::spawn(move || {
                        let _ = answer(stream, &routes);
                    });
                }
            })
        };
        FeedServer {
            addr,
            routes,
            stop,
            accept: Some(accept),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serve `body` at `path` as a feed (a change bumps its validators).
    pub fn feed(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.route(path, Mode::Feed, body.into(), "application/rss+xml");
    }

    pub fn route(&self, path: &str, mode: Mode, body: Vec<u8>, content_type: &str) {
        let mut routes = self.routes.lock().unwrap();
        let version = routes.routes.get(path).map_or(1, |r| r.version + 1);
        routes.routes.insert(
            path.to_string(),
            Route {
                mode,
                body,
                content_type: content_type.to_string(),
                version,
            },
        );
    }

    /// Every answer waits this long first (a slow-ish server).
    pub fn delay(&self, delay: Duration) {
        self.routes.lock().unwrap().delay = delay;
    }

    pub fn hits(&self, path: &str) -> Hits {
        self.routes
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or_default()
    }

    pub fn total_hits(&self) -> Hits {
        let routes = self.routes.lock().unwrap();
        routes.hits.values().fold(Hits::default(), |a, h| Hits {
            full: a.full + h.full,
            not_modified: a.not_modified + h.not_modified,
            all: a.all + h.all,
        })
    }

    pub fn user_agents(&self) -> Vec<String> {
        self.routes.lock().unwrap().user_agents.clone()
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn etag(version: u64, body: &[u8]) -> String {
    let mut hash = 0xcbf29ce484222325u64;
    for &b in body {
        hash = (hash ^ b as u64).wrapping_mul(0x100000001b3);
    }
    format!("\"v{version}-{hash:x}\"")
}

fn last_modified(version: u64) -> String {
    let date = chrono::DateTime::from_timestamp(1_700_000_000 + version as i64 * 3600, 0).unwrap();
    date.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn answer(stream: TcpStream, routes: &Mutex<Routes>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let mut out = stream;
    let (route, delay) = {
        let mut routes = routes.lock().unwrap();
        if let Some(agent) = headers.get("user-agent") {
            routes.user_agents.push(agent.clone());
        }
        routes.hits.entry(path.clone()).or_default().all += 1;
        let route = routes.routes.get(&path).map(|r| {
            (
                r.mode.clone(),
                r.body.clone(),
                r.content_type.clone(),
                r.version,
            )
        });
        (route, routes.delay)
    };
    if !delay.is_zero() {
        std::thread::sleep(delay);
    }
    let Some((mode, body, content_type, version)) = route else {
        return write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"
        );
    };
    let count = |f: fn(&mut Hits)| f(routes.lock().unwrap().hits.entry(path.clone()).or_default());
    match mode {
        Mode::Feed => {
            let tag = etag(version, &body);
            let date = last_modified(version);
            let fresh = headers.get("if-none-match") == Some(&tag)
                || (!headers.contains_key("if-none-match")
                    && headers.get("if-modified-since") == Some(&date));
            if fresh {
                count(|h| h.not_modified += 1);
                return write!(
                    out,
                    "HTTP/1.1 304 Not Modified\r\nETag: {tag}\r\nLast-Modified: {date}\r\nConnection: close\r\n\r\n"
                );
            }
            count(|h| h.full += 1);
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nETag: {tag}\r\nLast-Modified: {date}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body)
        }
        Mode::Redirect(to) => write!(
            out,
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Mode::Status(code, reason) => write!(
            out,
            "HTTP/1.1 {code} {reason}\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops\n"
        ),
        Mode::CutShort => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body[..body.len() / 2])?;
            out.flush()?;
            out.shutdown(std::net::Shutdown::Both)
        }
        Mode::Slow => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            let started = Instant::now();
            for byte in &body {
                out.write_all(std::slice::from_ref(byte))?;
                out.flush()?;
                std::thread::sleep(Duration::from_secs(1));
                if started.elapsed() > Duration::from_secs(30) {
                    break;
                }
            }
            Ok(())
        }
        Mode::GzipBomb => {
            let bomb = gzip_bomb();
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bomb.len()
            )?;
            out.write_all(bomb)
        }
        Mode::Huge => {
            let size: u64 = 1 << 30;
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
            )?;
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0u64;
            while sent < size {
                out.write_all(&chunk)?;
                sent += chunk.len() as u64;
            }
            Ok(())
        }
    }
    .map(|_| {
        // Let the client read everything before the socket closes.
        let _ = out.flush();
        let mut rest = Vec::new();
        let _ = reader
            .get_mut()
            .set_read_timeout(Some(Duration::from_millis(50)));
        let _ = reader.read_to_end(&mut rest);
    })
}

/// 128 MiB of zeros, gzipped once for every test.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..128 {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    })
}

/// A small RSS feed: `items` episodes of podcast `name`, item `n` titled "NAME episode n".
pub fn rss(name: &str, items: usize) -> String {
    rss_with(name, items, |_| None)
}

/// `rss`, with item `n`'s description replaced where `edit(n)` says.
pub fn rss_with(name: &str, items: usize, edit: impl Fn(usize) -> Option<String>) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{name}</title><language>en</language>\n"
    );
    for n in 0..items {
        let description = edit(n).unwrap_or_else(|| {
            format!("Talk number {n} of {name} about gardening, compilers and weather.")
        });
        out.push_str(&format!(
            "<item><title>{name} episode {n}</title><guid>{name}-{n}</guid><pubDate>Mon, 0{} Jan 2024 10:00:00 GMT</pubDate><description>{description}</description></item>\n",
            1 + n % 9
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}
