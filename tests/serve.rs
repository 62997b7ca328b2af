//! `episearch serve` driven over HTTP as a client would: the API's answers, limits, keys and
//! errors; writes and commits by another process showing up; hostile requests; SIGTERM. Every
//! server listens on 127.0.0.1, port 0, and is killed when its test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::{json_lines, Workspace};

/// Episodes in JSON Lines: two podcasts over three years, one long episode, one unrelated.
pub const EPISODES: &str = r#"{"id": "kube-1", "podcast": "Cloud Talk", "title": "Kubernetes at scale", "date": "2024-05-01", "duration": 1800, "summary": "Running kubernetes clusters at scale with autoscaling and operators.", "url": "https://example.com/kube-1"}
{"id": "kube-2", "podcast": "Cloud Talk", "title": "Kubernetes operators explained", "date": "2025-02-10", "duration": 2400, "summary": "Operators extend kubernetes clusters with custom controllers and autoscaling hooks."}
{"id": "kube-3", "podcast": "Ops Hour", "title": "Kubernetes cost control", "date": "2025-06-01", "duration": 3600, "summary": "Cutting the cost of kubernetes clusters: autoscaling, spot nodes and operators."}
{"id": "db-1", "podcast": "Ops Hour", "title": "Postgres vacuum deep dive", "date": "2023-01-01", "duration": 600, "summary": "How postgres vacuum reclaims space and why autovacuum falls behind."}
{"id": "db-2", "podcast": "Ops Hour", "title": "Postgres replication", "date": "2025-09-09", "duration": 900, "summary": "Streaming replication, failover and read replicas in postgres."}
"#;

/// An episode page whose title and summary hold markup: shown as text, it runs nothing.
pub const HOSTILE_PAGE: &str = "Evil Feed\n\n<script>window.xss=1</script> kubernetes trick\n\nPublished 3 Mar 2025\n\nDuration: 60\n\n<img src=x onerror=\"window.xss=2\"> kubernetes clusters in a hostile feed.\n";

/// A running `episearch serve`, killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
}

/// An answer: status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Server {
    pub fn start(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_with_log(ws, args, env).0
    }

    /// The server, and the lines it writes to stderr after `listening on`.
    pub fn start_with_log(
        ws: &Workspace,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (Server, mpsc::Receiver<String>) {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("episearch"));
        cmd.current_dir(ws.dir.path())
            .env_remove("EPISEARCH_INDEX")
            .env_remove("EPISEARCH_WRITE_KEY")
            .env_remove("EPISEARCH_READ_KEY")
            .arg("--index")
            .arg(ws.index_dir())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start episearch serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Read to the end, whether anyone listens or not, so the server never blocks on a
            // full pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("serve printed no `listening on` line");
            }
        };
        let base = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        (Server { child, base }, rx)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .build();
        let mut request = agent.request(method, &format!("{}{path}", self.base));
        for (k, v) in headers {
            request = request.set(k, v);
        }
        let result = match body {
            Some(body) => request.send_string(body),
            None => request.call(),
        };
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        Answer {
            status: response.status(),
            body: response.into_string().unwrap_or_default(),
        }
    }

    pub fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[], None)
    }

    /// Wait for the process to exit (at most 60 s); its exit code.
    pub fn wait(mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A workspace with `EPISODES` indexed.
pub fn indexed() -> Workspace {
    let ws = Workspace::new();
    ws.write("episodes.jsonl", EPISODES);
    let r = ws.run(&["index", "episodes.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    ws
}

fn ids(hits: &Value) -> Vec<String> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn search_answers_with_the_hits_of_search_json_the_total_and_facets() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let a = server.get("/api/search?q=kubernetes&limit=2&facets=podcast,year");
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    assert_eq!(v["query"], "kubernetes");
    assert_eq!(v["total"], 3);
    assert_eq!(v["corrected"], Value::Null);
    assert!(v["took_us"].is_u64());
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["corrected", "facets", "hits", "query", "took_us", "total"]
    );
    // The hits are exactly what `search --json` prints.
    let cli = json_lines(
        &ws.run(&["search", "--json", "--limit", "2", "kubernetes"])
            .stdout,
    );
    assert_eq!(v["hits"], Value::Array(cli));
    // Counted over all three matches, not the page of two.
    assert_eq!(
        v["facets"]["podcast"],
        json!([{"value": "Cloud Talk", "count": 2}, {"value": "Ops Hour", "count": 1}])
    );
    assert_eq!(
        v["facets"]["year"],
        json!([{"value": "2025", "count": 2}, {"value": "2024", "count": 1}])
    );
}

#[test]
fn search_filters_sorts_pages_and_corrects_like_the_cli() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let hits = |path: &str| {
        let a = server.get(path);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        ids(&a.json()["hits"])
    };
    assert_eq!(
        hits("/api/search?q=kubernetes&sort=newest"),
        ["kube-3", "kube-2", "kube-1"]
    );
    assert_eq!(
        hits("/api/search?q=kubernetes&sort=oldest&offset=1&limit=1"),
        ["kube-2"]
    );
    assert_eq!(
        hits("/api/search?q=kubernetes&podcast=ops+hour"),
        ["kube-3"]
    );
    assert_eq!(
        hits("/api/search?q=kubernetes&since=2025&until=2025-03"),
        ["kube-2"]
    );
    assert_eq!(
        hits("/api/search?q=postgres&min_duration=10:00&max_duration=900&sort=oldest"),
        ["db-1", "db-2"]
    );
    let v = server.get("/api/search?q=kubernetis").json();
    assert_eq!(v["corrected"], "kubernetes");
    assert_eq!(v["hits"][0]["corrected"], "kubernetes");
    assert_eq!(v["total"], 3);
    let v = server.get("/api/search?q=").json();
    assert_eq!(
        (v["total"].clone(), v["hits"].clone()),
        (json!(0), json!([]))
    );
}

#[test]
fn an_episode_is_served_whole_and_an_unknown_one_is_404() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let a = server.get("/api/episodes/kube-1");
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json(),
        json!({
            "id": "kube-1", "podcast": "Cloud Talk", "title": "Kubernetes at scale",
            "date": "2024-05-01T00:00:00Z", "duration": 1800,
            "summary": "Running kubernetes clusters at scale with autoscaling and operators.",
            "description": null, "overview": null, "url": "https://example.com/kube-1",
            "language": null
        })
    );
    let a = server.get("/api/episodes/nope");
    assert_eq!(
        (a.status, a.body.as_str()),
        (404, r#"{"error":"no episode with id `nope`"}"#)
    );
    let a = server.get("/api/episodes/%FF%FE");
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(
        a.json()["error"],
        "the episode id in the path is not valid UTF-8"
    );
}

#[test]
fn similar_finds_the_closest_episodes_never_itself() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let a = server.get("/api/similar/kube-2?limit=3");
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    let found = ids(&v["hits"]);
    assert!(!found.contains(&"kube-2".to_string()), "{found:?}");
    assert_eq!(found, ["kube-1", "kube-3"]);
    assert_eq!(v["hits"][0]["rank"], 1);
    let keys: Vec<&String> = v["hits"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 11, "{keys:?}");
    let a = server.get("/api/similar/nope");
    assert_eq!(
        (a.status, a.body.as_str()),
        (404, r#"{"error":"no episode with id `nope`"}"#)
    );
    // The CLI gives the same episodes.
    let r = ws.run(&["similar", "--json", "-n", "3", "kube-2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(Value::Array(json_lines(&r.stdout)), v["hits"]);
    let r = ws.run(&["similar", "nope"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (2, "episearch: no episode with id `nope`\n")
    );
}

#[test]
fn suggest_completes_the_last_word_and_titles_that_start_with_the_text() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let suggestions =
        |q: &str| server.get(&format!("/api/suggest?q={q}")).json()["suggestions"].clone();
    assert_eq!(
        suggestions("kubernetes+aut"),
        json!(["kubernetes autoscaling", "kubernetes autovacuum"])
    );
    assert_eq!(suggestions("postgres+r"), json!(["Postgres replication"]));
    assert_eq!(
        suggestions("Kubern"),
        json!([
            "kubernetes",
            "Kubernetes at scale",
            "Kubernetes cost control",
            "Kubernetes operators explained"
        ])
    );
    assert_eq!(suggestions(""), json!([]));
}

#[test]
fn markup_in_episode_text_is_answered_as_the_text_it_is() {
    let ws = indexed();
    ws.write("evil.txt", HOSTILE_PAGE);
    assert_eq!(ws.run(&["index", "evil.txt"]).code, 0);
    let server = Server::start(&ws, &[], &[]);
    let v = server.get("/api/search?q=hostile").json();
    assert_eq!(
        v["hits"][0]["title"],
        "<script>window.xss=1</script> kubernetes trick"
    );
    assert_eq!(
        v["hits"][0]["snippet"],
        "<img src=x onerror=\"window.xss=2\"> kubernetes clusters in a hostile feed."
    );
}

#[test]
fn stats_is_what_stats_json_prints_and_healthz_answers() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let a = server.get("/api/stats");
    assert_eq!(a.status, 200);
    let cli = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(a.json(), cli[0]);
    let a = server.get("/healthz");
    assert_eq!((a.status, a.body.as_str()), (200, "ok\n"));
}

#[test]
fn bad_requests_get_400_with_one_line_and_unknown_paths_404() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let error = |path: &str| {
        let a = server.get(path);
        (a.status, a.json()["error"].as_str().unwrap().to_string())
    };
    let bad = |m: &str| (400, m.to_string());
    assert_eq!(
        error("/api/search?q=a&limit=abc"),
        bad("limit `abc`: expected a whole number from 0 to 100")
    );
    assert_eq!(
        error("/api/search?q=a&limit=-1"),
        bad("limit `-1`: expected a whole number from 0 to 100")
    );
    assert_eq!(
        error("/api/search?q=a&offset=99999999999999999999999"),
        bad("offset `99999999999999999999999`: expected a whole number from 0 to 10000")
    );
    assert_eq!(
        error("/api/search?q=a&sort=best"),
        bad("sort `best`: expected relevance, newest or oldest")
    );
    assert_eq!(
        error("/api/search?q=a&since=March"),
        bad("since `March`: expected YYYY, YYYY-MM or YYYY-MM-DD")
    );
    assert_eq!(
        error("/api/search?q=a&max_duration=long"),
        bad("max_duration `long`: expected seconds, MM:SS or H:MM:SS")
    );
    assert_eq!(
        error("/api/search?q=a&facets=genre"),
        bad("unknown facet `genre`: expected podcast or year")
    );
    assert_eq!(
        error("/api/search?q=a&q=b"),
        bad("parameter `q` is given more than once")
    );
    let long = "x".repeat(1001);
    assert_eq!(
        error(&format!("/api/search?q={long}")),
        bad("q is 1001 bytes long: at most 1000 are accepted")
    );
    assert_eq!(
        error("/api/nothing"),
        (404, "no such path: /api/nothing".to_string())
    );
    let a = server.request("PUT", "/api/search", &[], Some("x"));
    assert_eq!(a.status, 405);
    // Bad percent-encoding is read as it stands: no error, no match.
    let a = server.get("/api/search?q=%E2%28%A1%zz");
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn writes_need_the_write_key_and_show_at_once() {
    let ws = indexed();
    let off = Server::start(&ws, &[], &[]);
    let a = off.request(
        "POST",
        "/api/episodes",
        &[("Authorization", "Bearer k")],
        Some("{}"),
    );
    assert_eq!(
        (a.status, a.body.as_str()),
        (
            403,
            r#"{"error":"writes are off: start serve with EPISEARCH_WRITE_KEY or --write-key-file"}"#
        )
    );
    drop(off);
    ws.write("key.txt", "s3cret\n");
    let server = Server::start(
        &ws,
        &["--write-key-file", "key.txt", "--max-body", "2000"],
        &[],
    );
    let auth = [("Authorization", "Bearer s3cret")];
    for headers in [vec![], vec![("Authorization", "Bearer wrong")]] {
        let a = server.request("POST", "/api/episodes", &headers, Some("{}"));
        assert_eq!(
            (a.status, a.body.as_str()),
            (
                401,
                r#"{"error":"a write needs the write key: Authorization: Bearer KEY"}"#
            )
        );
    }
    // JSON Lines: one new, one update of a stored episode, one bad line, one empty record.
    let body = concat!(
        r#"{"id": "new-1", "podcast": "Cloud Talk", "title": "Serverless kubernetes", "date": "2026-01-01", "summary": "Kubernetes without nodes."}"#,
        "\n",
        r#"{"id": "db-1", "summary": "How postgres vacuum reclaims space, and why autovacuum falls behind on busy tables."}"#,
        "\n",
        "{not json\n",
        r#"{"id": "empty"}"#,
        "\n",
    );
    let a = server.request("POST", "/api/episodes", &auth, Some(body));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.json(),
        json!({"added": 1, "updated": 1, "skipped": 2, "errors": ["body:3:2: key must be a string"]})
    );
    let v = server
        .get("/api/search?q=kubernetes&sort=newest&limit=1")
        .json();
    assert_eq!(
        (ids(&v["hits"]), v["total"].clone()),
        (vec!["new-1".to_string()], json!(4))
    );
    // A JSON array and a single object are read too. (A short prefix's completions, kept
    // until the index changes, follow the write.)
    let completions = || server.get("/api/suggest?q=arr").json()["suggestions"].clone();
    assert_eq!(completions(), json!([]));
    let a = server.request(
        "POST",
        "/api/episodes",
        &auth,
        Some(r#"[{"id": "a-1", "title": "Array one"}]"#),
    );
    assert_eq!(
        a.json(),
        json!({"added": 1, "updated": 0, "skipped": 0, "errors": []})
    );
    assert_eq!(completions(), json!(["array", "Array one"]));
    let a = server.request(
        "POST",
        "/api/episodes",
        &auth,
        Some(r#"{"id": "a-1", "title": "Array one"}"#),
    );
    assert_eq!(
        a.json(),
        json!({"added": 0, "updated": 0, "skipped": 1, "errors": []})
    );
    // Bad input is 400; a body over --max-body is 413.
    let a = server.request("POST", "/api/episodes", &auth, Some("hello"));
    assert_eq!(
        (a.status, a.json()["error"].clone()),
        (
            400,
            json!(
                "the body is not JSON: send episodes as a JSON object, a JSON array or JSON Lines"
            )
        )
    );
    let a = server.request("POST", "/api/episodes", &auth, Some("[1, 2"));
    assert_eq!(a.status, 400, "{}", a.body);
    let a = server.request("POST", "/api/episodes", &auth, Some(&"x".repeat(2001)));
    assert_eq!(
        (a.status, a.body.as_str()),
        (
            413,
            r#"{"error":"the body is larger than the limit of 2000 bytes (--max-body)"}"#
        )
    );
    // Delete.
    let a = server.request("DELETE", "/api/episodes/new-1", &[], None);
    assert_eq!(a.status, 401);
    let a = server.request("DELETE", "/api/episodes/new-1", &auth, None);
    assert_eq!((a.status, a.body.as_str()), (200, r#"{"deleted":"new-1"}"#));
    assert_eq!(server.get("/api/episodes/new-1").status, 404);
    let a = server.request("DELETE", "/api/episodes/new-1", &auth, None);
    assert_eq!(
        (a.status, a.body.as_str()),
        (404, r#"{"error":"no episode with id `new-1`"}"#)
    );
    // The writer was let go: another process can write now.
    ws.write(
        "more.jsonl",
        r#"{"id": "cli-1", "title": "From the command line"}"#,
    );
    let r = ws.run(&["index", "more.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_write_while_another_process_holds_the_writer_is_409_and_reads_go_on() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[("EPISEARCH_WRITE_KEY", "k")]);
    // An import reading an open stdin holds the index's writer until stdin closes.
    let mut import = Command::new(assert_cmd::cargo::cargo_bin("episearch"))
        .arg("--index")
        .arg(ws.index_dir())
        .args(["index", "--batch-seconds", "1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = import.stdin.take().unwrap();
    stdin
        .write_all(b"{\"id\": \"s-1\", \"title\": \"Streamed zeppelin\"}\n")
        .unwrap();
    stdin.flush().unwrap();
    // Its first commit shows in the server: the import holds the writer, stdin still open.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.get("/api/search?q=zeppelin").json()["total"] != 1 {
        assert!(Instant::now() < deadline, "the import never committed");
        std::thread::sleep(Duration::from_millis(50));
    }
    let auth = [("Authorization", "Bearer k")];
    let body = r#"{"id": "w-1", "title": "Written"}"#;
    let a = server.request("POST", "/api/episodes", &auth, Some(body));
    assert_eq!(a.status, 409, "{}", a.body);
    let message = a.json()["error"].as_str().unwrap().to_string();
    assert!(
        message.ends_with(
            " is locked: another episearch process is writing to it; try again when it is done"
        ),
        "{message}"
    );
    assert_eq!(server.get("/api/search?q=kubernetes").status, 200);
    drop(stdin);
    assert!(import.wait().unwrap().success());
    let a = server.request("POST", "/api/episodes", &auth, Some(body));
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn a_read_key_guards_the_api_but_not_the_page_or_health() {
    let ws = indexed();
    let server = Server::start(
        &ws,
        &[],
        &[
            ("EPISEARCH_READ_KEY", "r3ad"),
            ("EPISEARCH_WRITE_KEY", "wr1te"),
        ],
    );
    let a = server.get("/api/search?q=kubernetes");
    assert_eq!(
        (a.status, a.body.as_str()),
        (
            401,
            r#"{"error":"this API needs its read key: Authorization: Bearer KEY"}"#
        )
    );
    for key in ["Bearer r3ad", "Bearer wr1te"] {
        let a = server.request(
            "GET",
            "/api/search?q=kubernetes",
            &[("Authorization", key)],
            None,
        );
        assert_eq!(a.status, 200);
    }
    // The read key does not write.
    let a = server.request(
        "POST",
        "/api/episodes",
        &[("Authorization", "Bearer r3ad")],
        Some("{}"),
    );
    assert_eq!(a.status, 401);
    assert_eq!(server.get("/").status, 200);
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn the_page_and_its_files_are_served_with_a_same_origin_policy() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
    ] {
        let r = agent.get(&format!("{}{path}", server.base)).call().unwrap();
        assert_eq!(r.header("content-type"), Some(kind));
        let csp = r.header("content-security-policy").unwrap().to_string();
        assert!(
            csp.starts_with(
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'"
            ),
            "{csp}"
        );
        let body = r.into_string().unwrap();
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path} loads from elsewhere"
        );
    }
}

#[test]
fn cli_search_prints_facets_after_the_hits() {
    let ws = indexed();
    let r = ws.run(&[
        "search",
        "--facets",
        "podcast,year",
        "-n",
        "1",
        "kubernetes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "1. **Kubernetes** at scale\n   Cloud Talk · 2024-05-01 · 30:00\n   Running **kubernetes** clusters at scale with autoscaling and operators.\n\n3 matched\npodcast: Cloud Talk (2), Ops Hour (1)\nyear: 2025 (2), 2024 (1)\n"
    );
    let r = ws.run(&[
        "search",
        "--json",
        "--facets",
        "year",
        "-n",
        "1",
        "kubernetes",
    ]);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        json!({"facets": {"year": [{"value": "2025", "count": 2}, {"value": "2024", "count": 1}]}})
    );
    let r = ws.run(&["search", "--facets", "genre", "kubernetes"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "episearch: --facets: unknown facet `genre`: expected podcast or year\n"
        )
    );
}

/// Send raw bytes and read until the server closes or 10 s pass; the status code, if any.
fn raw(addr: &str, bytes: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream.write_all(bytes).ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

#[test]
fn ten_thousand_hostile_requests_get_no_5xx_and_health_still_answers() {
    let ws = indexed();
    let server = Server::start(&ws, &["--timeout", "2"], &[("EPISEARCH_WRITE_KEY", "k")]);
    let addr = server.addr();
    // Slow clients: connections that send half a request and never finish it.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(b"GET /api/search?q=kube").unwrap();
        slow.push(s);
    }
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"POST /api/episodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Length: 100\r\n\r\n{").unwrap();
    slow.push(s);
    let pieces = [
        "q=%",
        "q=%zz",
        "q=%FF%FE",
        "q=%00",
        "limit=99999999999999999999",
        "limit=-5",
        "offset=18446744073709551616",
        "offset=-1",
        "limit=1e9",
        "q=a&q=b",
        "since=9999-99",
        "until=-2020",
        "min_duration=99999999999999:99",
        "max_duration=-1",
        "sort=%00",
        "facets=podcast,,year,",
        "facets=%FF",
        "podcast=%E2%80%AE",
        "q=title:",
        "q=\"unclosed",
        "q=a^1e40",
        "q=(((((",
        "q=NOT+NOT",
        "q=*",
        "limit=0",
        "offset=10000",
        "q=%F0%9F%92%A9",
    ];
    let paths = [
        "/api/search",
        "/api/suggest",
        "/api/similar/kube-1",
        "/api/episodes/%FF",
        "/api/nowhere",
        "/../etc/passwd",
        "/api/episodes/kube-1",
    ];
    let methods = ["GET", "POST", "DELETE", "PUT", "OPTIONS", "PATCH", "HEAD"];
    let mut agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut statuses = std::collections::BTreeMap::new();
    for i in 0..10_000 {
        let path = paths[next() % paths.len()];
        let query: Vec<&str> = (0..next() % 4)
            .map(|_| pieces[next() % pieces.len()])
            .collect();
        let method = methods[next() % methods.len()];
        let url = format!("{}{path}?{}", server.base, query.join("&"));
        let body = ["[", "{\"id\":", "\u{0}", "[[[[[[[[", "{}"][next() % 5];
        #[allow(clippy::result_large_err)]
        let send = |agent: &ureq::Agent| {
            let mut request = agent.request(method, &url);
            if i % 3 == 0 {
                request = request.set("Authorization", "Bearer k");
            }
            if method == "POST" {
                request.send_string(body)
            } else {
                request.call()
            }
        };
        // A server may close a connection after answering a request whose body it did not
        // read; the client's pool learns that only when it reuses the connection: once more,
        // on a new one.
        let result = match send(&agent) {
            Err(ureq::Error::Transport(_)) => {
                agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .build();
                send(&agent)
            }
            other => other,
        };
        let status = match result {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{method} {url}: {e}"),
        };
        assert!(status < 500, "{method} {url}: {status}");
        *statuses.entry(status).or_insert(0) += 1;
    }
    // 1 MB queries, and a request line longer than the server reads.
    let huge = format!(
        "GET /api/search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let status = raw(&addr, huge.as_bytes());
    assert!(status.is_none_or(|s| s < 500), "{status:?}");
    let a = server.request(
        "POST",
        "/api/episodes",
        &[("Authorization", "Bearer k")],
        Some(&format!("{{\"title\": \"{}\"}}", "q".repeat(1 << 20))),
    );
    assert!(a.status < 500, "{}", a.status);
    assert_eq!(raw(&addr, b"GARBAGE\r\n\r\n"), Some(400));
    assert!(
        statuses.contains_key(&200) && statuses.contains_key(&400),
        "{statuses:?}"
    );
    let a = server.get("/healthz");
    assert_eq!(a.status, 200);
    drop(slow);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_and_exits_0() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[("EPISEARCH_WRITE_KEY", "k")]);
    let addr = server.addr();
    // A write whose body is still arriving when the signal comes.
    let mut stream = TcpStream::connect(&addr).unwrap();
    let body = r#"{"id": "late-1", "title": "Arrived during shutdown"}"#;
    write!(
        stream,
        "POST /api/episodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.ends_with(r#"{"added":1,"updated":0,"skipped":0,"errors":[]}"#),
        "{answer}"
    );
    assert_eq!(server.wait(), Some(0));
    // The write was committed.
    let r = ws.run(&["search", "--json", "shutdown"]);
    assert_eq!(json_lines(&r.stdout)[0]["id"], "late-1");
}

#[test]
fn a_request_or_its_headers_slower_than_the_timeout_is_let_go_and_ctrl_c_exits_0() {
    let ws = indexed();
    let server = Server::start(&ws, &["--timeout", "1"], &[("EPISEARCH_WRITE_KEY", "k")]);
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"POST /api/episodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Length: 100\r\n\r\n{\"id\":")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A client that never finishes its headers is let go of after the same time: the server
    // closes the connection (an end of stream) well before this side's 5 s read timeout, and
    // before the 10 s the header read was given whatever `--timeout` said.
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    assert!(
        read.is_ok(),
        "the server kept a half-sent request open: {read:?}"
    );
    assert_eq!(server.get("/healthz").status, 200);
    let status = Command::new("kill")
        .args(["-INT", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(server.wait(), Some(0));
}

#[test]
fn a_commit_by_another_process_shows_without_a_restart_and_no_request_fails() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let before = server.get("/api/search?q=zeppelin").json();
    assert_eq!(before["total"], 0);
    let mut more = String::new();
    for i in 0..2000 {
        more.push_str(&format!(
            "{{\"id\": \"z-{i}\", \"podcast\": \"Airships\", \"title\": \"Zeppelin number {i}\", \"summary\": \"The zeppelin of the week.\"}}\n"
        ));
    }
    ws.write("more.jsonl", more);
    let mut index = Command::new(assert_cmd::cargo::cargo_bin("episearch"))
        .current_dir(ws.dir.path())
        .arg("--index")
        .arg(ws.index_dir())
        .args(["index", "more.jsonl"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Search all through the import, its commit and its merge; every request answers 200.
    let mut requests = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = server.get("/api/search?q=zeppelin+kubernetes&limit=3");
        assert_eq!(a.status, 200, "{}", a.body);
        requests += 1;
        if let Ok(Some(status)) = index.try_wait() {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "the import did not end");
    }
    assert!(requests > 0);
    // Then the server shows the new episodes within a second of the commit (it looks for
    // commits every 250 ms): the import's last commit is done when its process has ended.
    let committed = Instant::now();
    loop {
        let v = server.get("/api/search?q=zeppelin&limit=1").json();
        if v["total"] == 2000 {
            break;
        }
        assert!(
            committed.elapsed() < Duration::from_secs(1),
            "new episodes not shown a second after the commit: {v}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A WebDriver session on headless Chromium (Debian's `chromium` and `chromium-driver`),
/// spoken to over plain HTTP; chromedriver is killed on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// `None`, with the reason printed, when Chromium or chromedriver is not installed.
    fn start() -> Option<Browser> {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let driver = ["/usr/bin/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            println!("skipping: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while browser.call("GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        ));
        let session = browser
            .call(
                "POST",
                "/session",
                Some(json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {"binary": chromium, "args": args}
                }}})),
            )
            .expect("a browser session");
        browser.session = session["sessionId"].as_str().unwrap().to_string();
        Some(browser)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(60))
            .build();
        let request = agent.request(method, &format!("{}{path}", self.base));
        let result = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        match result {
            Ok(r) => Ok(r.into_json::<Value>().map_err(|e| e.to_string())?["value"].clone()),
            Err(ureq::Error::Status(code, r)) => {
                Err(format!("{code}: {}", r.into_string().unwrap_or_default()))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn session(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn open(&self, url: &str) {
        self.session("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Wait (at most 20 s) until `script` returns `want`.
    fn wait_for(&self, script: &str, want: Value) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.script(script);
            if got == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{script}: {got} instead of {want}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn find(&self, css: &str) -> String {
        let found = self.session(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT].as_str().unwrap().to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.session("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.session(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Press keys (WebDriver key codes: "\u{E015}" is ArrowDown) wherever the focus is.
    fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for key in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        self.session(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
    }

    fn screenshot(&self, name: &str) {
        let png = self.session("GET", "/screenshot", None);
        let bytes = base64_decode(png.as_str().unwrap());
        let path = crate::util::repo_path("target").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|c| !b"=\r\n".contains(c)).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | (value(c) as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn in_a_browser_typing_finds_facets_filter_pages_survive_reload_and_back_and_markup_runs_nothing() {
    let ws = indexed();
    let mut many = String::new();
    for i in 1..=14 {
        many.push_str(&format!(
            "{{\"id\": \"many-{i:02}\", \"podcast\": \"Many Kubes\", \"title\": \"Kubernetes weekly {i}\", \"date\": \"2022-01-{i:02}\", \"duration\": 300, \"summary\": \"This week in kubernetes, part {i}.\"}}\n"
        ));
    }
    ws.write("many.jsonl", many);
    ws.write("evil.txt", HOSTILE_PAGE);
    ws.write(
        "talk.vtt",
        "WEBVTT\n\n00:01:05.000 --> 00:01:09.000\n<v Ana>We paid down the zanzibar backlog.\n\n01:02:03.500 --> 01:02:08.000\n<v Ben>A zanzibar <b>&lt;img src=x onerror=window.xss=3&gt;</b> again.\n",
    );
    ws.write(
        "talk.jsonl",
        r#"{"id": "talk-1", "podcast": "Talks", "title": "A long talk", "summary": "Two people talk.", "url": "https://example.org/talk", "transcript": "talk.vtt"}"#,
    );
    assert_eq!(
        ws.run(&["index", "many.jsonl", "evil.txt", "talk.jsonl"])
            .code,
        0
    );
    let server = Server::start(&ws, &[], &[]);
    let Some(browser) = Browser::start() else {
        return;
    };
    let count = "return document.querySelectorAll('#results li').length";
    browser.open(&format!("{}/", server.base));
    // `/` focuses the box; typing answers without pressing Enter.
    browser.press("/");
    browser.wait_for("return document.activeElement.id", json!("q"));
    browser.type_into("#q", "kubernetes");
    browser.wait_for(count, json!(10));
    browser.wait_for(
        "return document.querySelector('#status').textContent",
        json!("18 episodes · page 1 of 2"),
    );
    browser.wait_for(
        "return document.querySelector('#results li mark').textContent.toLowerCase()",
        json!("kubernetes"),
    );
    // Suggestions appear under the box as it is typed.
    browser.type_into("#q", " wee");
    browser.wait_for(
        "return [...document.querySelectorAll('#suggestions li')].map(l => l.textContent).slice(0, 2)",
        json!(["kubernetes week", "kubernetes weekly"]),
    );
    browser.press("\u{E015}\u{E015}\u{E007}");
    browser.wait_for("return location.search", json!("?q=kubernetes+weekly"));
    browser.wait_for(
        "return document.querySelector('#results li h3').textContent",
        json!("Kubernetes weekly 14"),
    );
    browser.screenshot("serve-desktop.png");
    // A facet filters when clicked, and the URL says so.
    browser.open(&format!("{}/?q=kubernetes", server.base));
    browser.wait_for(count, json!(10));
    browser.wait_for(
        "return [...document.querySelectorAll('#facets button')].map(b => b.textContent)",
        json!([
            "Many Kubes14",
            "Cloud Talk2",
            "Ops Hour1",
            "202214",
            "20253",
            "20241"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()),
    );
    browser.click("#facets li:nth-child(3) button");
    browser.wait_for(
        "return location.search",
        json!("?q=kubernetes&podcast=Ops+Hour"),
    );
    browser.wait_for(
        "return [...document.querySelectorAll('#results h3')].map(h => h.textContent)",
        json!(["Kubernetes cost control"]),
    );
    // Paging, reload and back.
    browser.open(&format!("{}/?q=kubernetes&sort=oldest", server.base));
    browser.wait_for(count, json!(10));
    browser.click("#pages button");
    browser.wait_for(
        "return location.search",
        json!("?q=kubernetes&sort=oldest&page=2"),
    );
    browser.wait_for(count, json!(8));
    let page_two = json!([
        "Kubernetes weekly 11",
        "Kubernetes weekly 12",
        "Kubernetes weekly 13",
        "Kubernetes weekly 14",
        "Kubernetes at scale",
        "Kubernetes operators explained",
        "<script>window.xss=1</script> kubernetes trick",
        "Kubernetes cost control"
    ]);
    let titles = "return [...document.querySelectorAll('#results h3')].map(h => h.textContent)";
    browser.wait_for(titles, page_two.clone());
    browser.session("POST", "/refresh", Some(json!({})));
    browser.wait_for(titles, page_two.clone());
    browser.session("POST", "/back", Some(json!({})));
    browser.wait_for("return location.search", json!("?q=kubernetes&sort=oldest"));
    browser.wait_for(count, json!(10));
    browser.session("POST", "/forward", Some(json!({})));
    browser.wait_for(titles, page_two);
    // The sort and the date range, through their controls.
    browser.click("#sort option[value=newest]");
    browser.wait_for("return location.search", json!("?q=kubernetes&sort=newest"));
    browser.type_into("#since", "2025\u{E007}");
    browser.wait_for(
        "return location.search",
        json!("?q=kubernetes&since=2025&sort=newest"),
    );
    browser.wait_for(
        titles,
        json!([
            "Kubernetes cost control",
            "<script>window.xss=1</script> kubernetes trick",
            "Kubernetes operators explained"
        ]),
    );
    // Arrows move through the results; Enter opens one.
    browser.open(&format!("{}/?q=postgres&sort=oldest", server.base));
    browser.wait_for(count, json!(2));
    browser.click("#q");
    browser.press("\u{E015}\u{E015}");
    browser.wait_for(
        "return document.activeElement.textContent",
        json!("Postgres replication"),
    );
    browser.press("\u{E007}");
    browser.wait_for("return location.pathname", json!("/api/episodes/db-2"));
    // Markup in an episode is shown as its characters and runs nothing.
    browser.open(&format!("{}/?q=hostile", server.base));
    browser.wait_for(
        "return document.querySelector('#results h3').textContent",
        json!("<script>window.xss=1</script> kubernetes trick"),
    );
    browser.wait_for(
        "return document.querySelector('#results .snippet').textContent",
        json!("<img src=x onerror=\"window.xss=2\"> kubernetes clusters in a hostile feed."),
    );
    browser.wait_for(
        "return document.querySelectorAll('#results img, #results script').length",
        json!(0),
    );
    browser.wait_for("return typeof window.xss", json!("undefined"));
    // Moments: where the words were said, each a link that starts playback there; markup in
    // a transcript is shown as text too.
    browser.open(&format!("{}/?q=zanzibar", server.base));
    browser.wait_for(count, json!(1));
    browser.wait_for(
        "return [...document.querySelectorAll('#results .moment')].map(m => m.textContent)",
        json!([
            "1:05 Ana: We paid down the zanzibar backlog.",
            "1:02:03 Ben: A zanzibar <img src=x onerror=window.xss=3> again."
        ]),
    );
    browser.wait_for(
        "return [...document.querySelectorAll('#results .moment a')].map(a => a.getAttribute('href'))",
        json!(["https://example.org/talk#t=65", "https://example.org/talk#t=3723"]),
    );
    browser.wait_for(
        "return [...document.querySelectorAll('#results .moment mark')].map(m => m.textContent)",
        json!(["zanzibar", "zanzibar"]),
    );
    browser.wait_for(
        "return document.querySelectorAll('#results img, #results script').length",
        json!(0),
    );
    browser.wait_for("return typeof window.xss", json!("undefined"));
    browser.screenshot("serve-moments.png");
    // Phone width.
    browser.session(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    browser.open(&format!("{}/?q=kubernetes", server.base));
    browser.wait_for(count, json!(10));
    browser.wait_for(
        "return document.documentElement.scrollWidth <= window.innerWidth",
        json!(true),
    );
    browser.screenshot("serve-phone.png");
    // Moments fit the phone's width too.
    browser.open(&format!("{}/?q=zanzibar", server.base));
    browser.wait_for(
        "return document.querySelectorAll('#results .moment').length",
        json!(2),
    );
    browser.wait_for(
        "return document.documentElement.scrollWidth <= window.innerWidth",
        json!(true),
    );
    browser.screenshot("serve-moments-phone.png");
    // The dark colour scheme, when the system asks for it.
    browser.session(
        "POST",
        "/goog/cdp/execute",
        Some(json!({"cmd": "Emulation.setEmulatedMedia", "params": {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}})),
    );
    browser.wait_for(
        "return getComputedStyle(document.body).backgroundColor",
        json!("rgb(22, 23, 27)"),
    );
    browser.screenshot("serve-phone-dark.png");
}

#[test]
fn in_a_browser_the_page_asks_for_the_read_key_once() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[("EPISEARCH_READ_KEY", "r3ad")]);
    let Some(browser) = Browser::start() else {
        return;
    };
    let count = "return document.querySelectorAll('#results li').length";
    browser.open(&format!("{}/?q=kubernetes", server.base));
    browser.wait_for("return document.querySelector('#key').hidden", json!(false));
    browser.wait_for(
        "return document.querySelector('#status').textContent",
        json!("this server needs its read key"),
    );
    browser.type_into("#key-input", "r3ad\u{E007}");
    browser.wait_for(count, json!(3));
    browser.session("POST", "/refresh", Some(json!({})));
    browser.wait_for(count, json!(3));
    browser.wait_for("return document.querySelector('#key').hidden", json!(true));
}

#[test]
fn the_total_counts_exactly_what_the_ranking_query_matches() {
    let ws = indexed();
    let index = episearch::index::EpisodeIndex::open(&ws.index_dir()).unwrap();
    let counter = episearch::search::facets::FacetCounter::new();
    for q in [
        "kubernetes",
        "kubernetes clusters",
        "postgres operators",
        "k8s",
        "k8s clusters",
        "kubernetis",
        "\"kubernetes clusters\"",
        "title:postgres OR autoscaling",
        "db replication",
    ] {
        let options = episearch::search::SearchOptions::new(q);
        let counted = counter.count(&index, &options, &[]).unwrap().total;
        assert_eq!(
            counted as usize,
            index.count_by_ranking(&options).unwrap(),
            "{q}"
        );
    }
}

#[test]
fn search_explains_its_hits_when_asked_like_the_cli() {
    let ws = indexed();
    let server = Server::start(&ws, &[], &[]);
    let v = server
        .get("/api/search?q=kubernetes&limit=2&explain=true")
        .json();
    let cli = json_lines(
        &ws.run(&[
            "search",
            "--json",
            "--explain",
            "--limit",
            "2",
            "kubernetes",
        ])
        .stdout,
    );
    assert_eq!(v["hits"], Value::Array(cli));
    assert_eq!(v["hits"][0]["explain"]["words"][0]["word"], "kubernetes");
    let v = server.get("/api/search?q=kubernetes&limit=2").json();
    assert!(v["hits"][0].get("explain").is_none());
    let a = server.get("/api/search?q=kubernetes&explain=maybe");
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["error"], "explain `maybe`: expected true or false");
}
