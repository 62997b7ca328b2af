//! Live sources against a real HTTP server on 127.0.0.1 (`feed_server`): feed URLs, OPML
//! lists, the remembered list, refresh by conditional GET, removal, and every way a server can
//! misbehave, each named in one line with nothing already indexed lost.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::feed_server::{rss, rss_with, FeedServer, Mode};
use crate::serve::Server;
use crate::util::{json_lines, shared, Workspace};

/// `sources --json`, parsed.
fn sources(ws: &Workspace) -> Vec<Value> {
    let r = ws.run(&["sources", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    json_lines(&r.stdout)
}

/// The ids `search --json` finds for `query` (up to 100).
fn found(ws: &Workspace, query: &str) -> Vec<String> {
    let r = ws.run(&["search", "--json", "-n", "100", query]);
    let mut ids: Vec<String> = json_lines(&r.stdout)
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn opml(urls: &[String]) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head/><body>\n<outline text=\"podcasts\">\n");
    for url in urls {
        out.push_str(&format!(
            "  <outline type=\"rss\" text=\"x\" xmlUrl=\"{url}\"/>\n"
        ));
    }
    out.push_str("</outline>\n</body></opml>\n");
    out
}

#[test]
fn a_feed_url_is_indexed_remembered_and_fetched_with_our_user_agent() {
    let server = FeedServer::start();
    server.feed("/alpha.xml", rss("Alpha", 3));
    let ws = Workspace::new();
    let url = server.url("/alpha.xml");
    let r = ws.run(&["index", &url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("indexed 1 files: 3 added, 0 updated"),
        "{}",
        r.stderr
    );
    let list = sources(&ws);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["source"], url.as_str());
    assert_eq!(list[0]["podcast"], "Alpha");
    assert_eq!(list[0]["episodes"], 3);
    assert_eq!(list[0]["status"], "ok");
    assert!(list[0]["etag"].as_str().unwrap().starts_with("\"v1-"));
    assert_eq!(list[0]["last_modified"], "Tue, 14 Nov 2023 23:13:20 GMT");
    assert!(list[0]["last_fetch"].is_string());
    assert_eq!(found(&ws, "gardening").len(), 3);
    let agents = server.user_agents();
    assert_eq!(
        agents,
        vec![format!("episearch/{}", env!("CARGO_PKG_VERSION"))]
    );
}

#[test]
fn an_unchanged_feed_costs_one_304_and_a_changed_one_is_upserted_keeping_dropped_episodes() {
    let server = FeedServer::start();
    server.feed("/beta.xml", rss("Beta", 3));
    let ws = Workspace::new();
    let url = server.url("/beta.xml");
    assert_eq!(ws.run(&["index", &url]).code, 0);

    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "refreshed 1 sources: 1 not modified, 0 failed; 0 added, 0 updated, 0 unchanged in "
        ),
        "{}",
        r.stderr
    );
    assert_eq!(server.hits("/beta.xml").not_modified, 1);
    assert_eq!(sources(&ws)[0]["status"], "not modified");

    // The feed drops item 0, edits item 1 and gains item 3.
    let changed = rss_with("Beta", 4, |n| {
        (n == 1).then(|| "Talk number 1, now about volcanoes and their moods, a longer text than before.".to_string())
    })
    .replace(
        "<item><title>Beta episode 0</title><guid>Beta-0</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><description>Talk number 0 of Beta about gardening, compilers and weather.</description></item>\n",
        "",
    );
    server.feed("/beta.xml", changed);
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "refreshed 1 sources: 0 not modified, 0 failed; 1 added, 1 updated, 1 unchanged in "
        ),
        "{}",
        r.stderr
    );
    assert_eq!(found(&ws, "volcanoes"), vec!["Beta-1"]);
    // Feeds keep only their latest items: the one that dropped out stays.
    assert_eq!(found(&ws, "Beta episode 0")[0], "Beta-0");
    let list = sources(&ws);
    assert_eq!(list[0]["episodes"], 4);
    assert_eq!(list[0]["status"], "ok");
    assert!(list[0]["etag"].as_str().unwrap().starts_with("\"v2-"));
}

#[test]
fn an_opml_list_fetches_every_feed_and_names_each_one_that_failed() {
    let server = FeedServer::start();
    for name in ["One", "Two", "Three"] {
        server.feed(&format!("/{name}.xml"), rss(name, 2));
    }
    server.route(
        "/typed.xml",
        Mode::Feed,
        rss("Typed", 2).into_bytes(),
        "text/html; charset=utf-8",
    );
    server.route("/moved.xml", Mode::Redirect("/One.xml".into()), vec![], "");
    server.route("/gone.xml", Mode::Status(404, "Not Found"), vec![], "");
    server.route(
        "/broken.xml",
        Mode::Status(500, "Internal Server Error"),
        vec![],
        "",
    );
    server.route("/loop-a", Mode::Redirect("/loop-b".into()), vec![], "");
    server.route("/loop-b", Mode::Redirect("/loop-a".into()), vec![], "");
    server.route(
        "/half.xml",
        Mode::CutShort,
        rss("Half", 50).into_bytes(),
        "application/rss+xml",
    );
    server.route(
        "/page.html",
        Mode::Feed,
        b"not a feed, just words\nand more words\n".to_vec(),
        "text/plain",
    );
    let urls: Vec<String> = [
        "/One.xml",
        "/gone.xml",
        "/Two.xml",
        "/broken.xml",
        "/loop-a",
        "/half.xml",
        "/Three.xml",
        "/typed.xml",
        "/moved.xml",
        "/page.html",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let ws = Workspace::new();
    ws.write("subs.opml", opml(&urls));
    let r = ws.run(&["index", "--jobs", "3", "subs.opml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut failures: Vec<&str> = r.stderr.lines().skip(1).collect();
    failures.sort();
    let mut expected = vec![
        format!("episearch: {}: HTTP 404 Not Found", urls[1]),
        format!("episearch: {}: HTTP 500 Internal Server Error", urls[3]),
        format!("episearch: {}: redirect loop", urls[4]),
        format!("episearch: {}: the body stopped before its end", urls[5]),
        format!(
            "episearch: {}: not an episode format (Content-Type text/plain)",
            urls[9]
        ),
    ];
    expected.sort();
    assert_eq!(failures, expected, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("indexed 5 files: 8 added"),
        "{}",
        r.stderr
    );
    let list = sources(&ws);
    assert_eq!(list.len(), 10);
    let by_url = |u: &str| list.iter().find(|s| s["source"] == u).unwrap().clone();
    assert_eq!(by_url(&urls[0])["episodes"], 2);
    assert_eq!(
        by_url(&urls[7])["episodes"],
        2,
        "content decides, not the type"
    );
    assert_eq!(by_url(&urls[8])["episodes"], 2, "a redirect is followed");
    assert_eq!(by_url(&urls[1])["episodes"], 0);
    assert_eq!(
        by_url(&urls[1])["status"],
        format!("{}: HTTP 404 Not Found", urls[1])
    );
}

#[test]
fn a_server_sending_a_byte_a_second_is_given_up_on_at_the_timeout() {
    let server = FeedServer::start();
    server.route(
        "/slow.xml",
        Mode::Slow,
        rss("Slow", 5).into_bytes(),
        "application/rss+xml",
    );
    let ws = Workspace::new();
    let url = server.url("/slow.xml");
    let started = Instant::now();
    let r = ws.run(&["index", "--timeout", "2s", &url]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().last().unwrap(),
        format!("episearch: {url}: timed out after 2 s")
    );
}

#[test]
fn a_gzip_bomb_and_a_gigabyte_body_are_refused_not_inflated() {
    let server = FeedServer::start();
    server.route("/bomb.xml", Mode::GzipBomb, vec![], "application/rss+xml");
    server.route("/huge.xml", Mode::Huge, vec![], "application/rss+xml");
    let ws = Workspace::new();
    let (bomb, huge) = (server.url("/bomb.xml"), server.url("/huge.xml"));
    let started = Instant::now();
    let r = ws.run(&["index", &bomb, &huge]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut failures: Vec<&str> = r.stderr.lines().skip(1).collect();
    failures.sort();
    assert_eq!(
        failures,
        vec![
            format!("episearch: {bomb}: body over 64 MiB after decompression"),
            format!("episearch: {huge}: body over 64 MiB after decompression"),
        ]
    );
}

#[test]
fn a_failed_refresh_names_the_source_and_loses_nothing() {
    let server = FeedServer::start();
    server.feed("/gamma.xml", rss("Gamma", 4));
    let ws = Workspace::new();
    let url = server.url("/gamma.xml");
    assert_eq!(ws.run(&["index", &url]).code, 0);
    server.route(
        "/gamma.xml",
        Mode::Status(500, "Internal Server Error"),
        vec![],
        "",
    );
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().last().unwrap(),
        format!("episearch: {url}: HTTP 500 Internal Server Error")
    );
    assert_eq!(found(&ws, "gardening").len(), 4);
    let list = sources(&ws);
    assert_eq!(list[0]["episodes"], 4);
    assert_eq!(
        list[0]["status"],
        format!("{url}: HTTP 500 Internal Server Error")
    );
    // The validators of the last good fetch are kept: back to normal, it is one 304 again.
    server.feed("/gamma.xml", rss("Gamma", 4));
    server.feed("/gamma.xml", rss("Gamma", 4));
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(found(&ws, "gardening").len(), 4);
}

#[test]
fn local_paths_are_read_again_only_when_their_size_or_time_changed() {
    let ws = Workspace::new();
    let feed = ws.write("feeds/delta.xml", rss("Delta", 2));
    assert_eq!(ws.run(&["index", "feeds"]).code, 0);
    let list = sources(&ws);
    assert_eq!(
        list[0]["source"],
        ws.path("feeds")
            .canonicalize()
            .unwrap()
            .display()
            .to_string()
    );
    assert_eq!(list[0]["episodes"], 2);
    let r = ws.run(&["refresh"]);
    assert!(
        r.stderr.starts_with("refreshed 1 sources: 1 not modified"),
        "{}",
        r.stderr
    );
    std::fs::write(&feed, rss("Delta", 3)).unwrap();
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "refreshed 1 sources: 0 not modified, 0 failed; 1 added, 0 updated, 2 unchanged"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(sources(&ws)[0]["episodes"], 3);
}

#[test]
fn remove_by_source_podcast_and_id_says_how_many_went() {
    let server = FeedServer::start();
    server.feed("/a.xml", rss("Apples", 3));
    server.feed("/b.xml", rss("Bananas", 2));
    let ws = Workspace::new();
    let (a, b) = (server.url("/a.xml"), server.url("/b.xml"));
    assert_eq!(ws.run(&["index", &a, &b]).code, 0);
    assert_eq!(found(&ws, "gardening").len(), 5);

    let r = ws.run(&["remove", "--id", "Apples-0", "nope"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "removed 1 episode\n"));
    let r = ws.run(&["remove", "--podcast", "bananas"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "removed 2 episodes\n"));
    assert_eq!(found(&ws, "gardening"), vec!["Apples-1", "Apples-2"]);
    let list = sources(&ws);
    assert_eq!(
        (list[0]["episodes"].clone(), list[1]["episodes"].clone()),
        (2.into(), 0.into())
    );

    let r = ws.run(&["remove", "--source", &a]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "removed 2 episodes\n"));
    assert!(found(&ws, "gardening").is_empty());
    let list = sources(&ws);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["source"], b.as_str());
    let r = ws.run(&["remove", "--source", &a]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!("episearch: no source `{a}`: `episearch sources` lists them\n")
    );
}

#[test]
fn export_opml_writes_the_feeds_back_for_another_index() {
    let server = FeedServer::start();
    server.feed("/a.xml", rss("Apples & Pears", 1));
    server.feed("/b.xml", rss("Bananas", 1));
    let ws = Workspace::new();
    let urls = [server.url("/a.xml"), server.url("/b.xml")];
    ws.write("subs.opml", opml(&urls));
    assert_eq!(ws.run(&["index", "subs.opml"]).code, 0);
    let r = ws.run(&["export", "--opml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("text=\"Apples &amp; Pears\""),
        "{}",
        r.stdout
    );
    let other = Workspace::new();
    other.write("again.opml", &r.stdout);
    assert_eq!(other.run(&["index", "again.opml"]).code, 0);
    let strip = |list: Vec<Value>| -> Vec<(Value, Value, Value)> {
        list.into_iter()
            .map(|s| {
                (
                    s["source"].clone(),
                    s["podcast"].clone(),
                    s["episodes"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(strip(sources(&other)), strip(sources(&ws)));
}

/// `sources --json` without the times of the fetches.
fn settled(ws: &Workspace) -> Vec<Value> {
    sources(ws)
        .into_iter()
        .map(|mut s| {
            s.as_object_mut().unwrap().remove("last_fetch");
            s
        })
        .collect()
}

#[test]
fn a_refresh_killed_mid_way_converges_when_run_again() {
    let server = FeedServer::start();
    let feeds = 40;
    let urls: Vec<String> = (0..feeds)
        .map(|n| {
            let path = format!("/f{n}.xml");
            server.feed(&path, rss(&format!("Show{n}"), 3));
            server.url(&path)
        })
        .collect();
    let (calm, killed) = (Workspace::new(), Workspace::new());
    for ws in [&calm, &killed] {
        ws.write("subs.opml", opml(&urls));
        assert_eq!(ws.run(&["index", "subs.opml"]).code, 0);
    }
    // Every feed gains an item and edits another.
    for n in 0..feeds {
        let name = format!("Show{n}");
        server.feed(
            &format!("/f{n}.xml"),
            rss_with(&name, 4, |i| {
                (i == 0).then(|| {
                    format!(
                        "{name} now talks of comets, at much more length than it ever did before"
                    )
                })
            }),
        );
    }
    let calm_run = calm.run(&["refresh"]);
    assert_eq!(calm_run.code, 0, "{}", calm_run.stderr);
    assert!(
        calm_run.stderr.starts_with(&format!(
            "refreshed {feeds} sources: 0 not modified, 0 failed; {feeds} added, {feeds} updated"
        )),
        "{}",
        calm_run.stderr
    );

    server.delay(Duration::from_millis(40));
    let before = server.total_hits().all;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("episearch"))
        .arg("--index")
        .arg(killed.index_dir())
        .args(["refresh", "--jobs", "2"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.total_hits().all < before + feeds as u64 / 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let finished_already = child.try_wait().unwrap().is_some();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !finished_already,
        "the refresh ended before it could be killed"
    );
    server.delay(Duration::ZERO);
    let r = killed.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Once more each: every feed is now one 304 in both, so their lists compare whole.
    for ws in [&calm, &killed] {
        let r = ws.run(&["refresh"]);
        assert!(
            r.stderr
                .starts_with(&format!("refreshed {feeds} sources: {feeds} not modified")),
            "{}",
            r.stderr
        );
    }
    assert_eq!(settled(&killed), settled(&calm));
    assert_eq!(found(&killed, "comets"), found(&calm, "comets"));
    assert_eq!(found(&calm, "comets").len(), feeds);
    let stats = |ws: &Workspace| ws.run(&["stats", "--json"]).stdout;
    let episodes = |s: String| serde_json::from_str::<Value>(&s).unwrap()["episodes"].clone();
    assert_eq!(episodes(stats(&killed)), episodes(stats(&calm)));
}

#[test]
fn the_shared_feeds_by_url_index_as_from_disk() {
    let Some(dir) = shared("feeds") else {
        return;
    };
    let server = FeedServer::start();
    let mut urls = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    names.sort();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        server.feed(&format!("/{name}"), std::fs::read(path).unwrap());
        urls.push(server.url(&format!("/{name}")));
    }
    let (by_url, from_disk) = (Workspace::new(), Workspace::new());
    by_url.write("feeds.opml", opml(&urls));
    // The feeds alone: the chapters they link are on the internet, which tests never reach.
    let r = by_url.run(&["index", "--fetch-links", "never", "feeds.opml"]);
    let d = from_disk.run(&["index", dir.to_str().unwrap()]);
    assert_eq!(r.code, d.code, "{}\n{}", r.stderr, d.stderr);
    let stats = |ws: &Workspace| {
        serde_json::from_str::<Value>(&ws.run(&["stats", "--json"]).stdout).unwrap()
    };
    assert_eq!(stats(&by_url)["episodes"], stats(&from_disk)["episodes"]);
    assert_eq!(stats(&by_url)["podcasts"], stats(&from_disk)["podcasts"]);
    let list = sources(&by_url);
    assert_eq!(list.len(), 17);
    let daily = list
        .iter()
        .find(|s| s["source"].as_str().unwrap().ends_with("/the-daily.xml"))
        .unwrap();
    assert_eq!(daily["podcast"], "The Daily");
    assert_eq!(found(&by_url, "bankrupt"), found(&from_disk, "bankrupt"));
}

/// `episearch serve` refreshing its sources every `every`, and the lines of its stderr after
/// `listening on`.
fn serving(ws: &Workspace, every: &str) -> (Server, mpsc::Receiver<String>) {
    Server::start_with_log(ws, &["--refresh-every", every], &[])
}

/// Whether `wanted` came within a minute, and the other lines before it.
fn wait_for_line(lines: &mpsc::Receiver<String>, wanted: &str) -> (bool, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match lines.recv_timeout(Duration::from_secs(1)) {
            Ok(line) if line == wanted => return (true, seen),
            Ok(line) => seen.push(line),
            Err(_) => {}
        }
    }
    (false, seen)
}

#[test]
fn serve_refreshes_the_sources_in_the_background() {
    let server = FeedServer::start();
    server.feed("/live.xml", rss("Live", 2));
    let ws = Workspace::new();
    let url = server.url("/live.xml");
    assert_eq!(ws.run(&["index", &url]).code, 0);
    server.feed("/live.xml", rss("Live", 3));
    let (server, lines) = serving(&ws, "300ms");
    let wanted = "episearch: refresh: 1 sources, 0 not modified, 0 failed: 1 added, 0 updated";
    let (_, seen) = wait_for_line(&lines, wanted);
    drop(server);
    assert!(
        seen.iter().all(|l| l.starts_with("listening on")),
        "{seen:?}"
    );
    assert_eq!(found(&ws, "gardening").len(), 3, "{seen:?}");
    assert_eq!(sources(&ws)[0]["episodes"], 3);
}

#[test]
fn serve_says_when_a_refresh_meets_the_writer_held_by_another_process() {
    let server = FeedServer::start();
    server.feed("/held.xml", rss("Held", 1));
    let ws = Workspace::new();
    assert_eq!(ws.run(&["index", &server.url("/held.xml")]).code, 0);
    // An import from a standard input that stays open holds the writer until it is killed.
    let mut holder = std::process::Command::new(assert_cmd::cargo::cargo_bin("episearch"))
        .arg("--index")
        .arg(ws.index_dir())
        .args(["index", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (server, lines) = serving(&ws, "200ms");
    let wanted = format!(
        "episearch: refresh skipped: {} is locked: another episearch process is writing to it; try again when it is done",
        ws.index_dir().display()
    );
    let (saw, _) = wait_for_line(&lines, &wanted);
    drop(server);
    let _ = holder.kill();
    let _ = holder.wait();
    assert!(saw, "no line `{wanted}`");
}

#[test]
fn a_feed_served_gzipped_as_a_file_is_read_and_a_packed_bomb_refused() {
    use std::io::Write as _;
    let gzip = |data: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    };
    let server = FeedServer::start();
    server.route(
        "/packed.xml.gz",
        Mode::Feed,
        gzip(rss("Packed", 2).as_bytes()),
        "application/gzip",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..65 {
        gz.write_all(&zeros).unwrap();
    }
    server.route(
        "/bomb.gz",
        Mode::Feed,
        gz.finish().unwrap(),
        "application/gzip",
    );
    let ws = Workspace::new();
    let (packed, bomb) = (server.url("/packed.xml.gz"), server.url("/bomb.gz"));
    let r = ws.run(&["index", &packed, &bomb]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().skip(1).collect::<Vec<_>>(),
        vec![format!(
            "episearch: {bomb}: body over 64 MiB after decompression"
        )]
    );
    assert_eq!(found(&ws, "gardening").len(), 2);
}

#[test]
fn a_broken_opml_list_is_one_line_with_its_place_and_sources_prints_for_people() {
    let ws = Workspace::new();
    ws.write(
        "bad.opml",
        "<opml>\n<body>\n<outline xmlUrl=\"http://127.0.0.1:1/x\">\n</body>\n</opml>\n",
    );
    let r = ws.run(&["index", "bad.opml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().last().unwrap(),
        "episearch: bad.opml:4: ill-formed document: expected `</outline>`, but `</body>` was found"
    );
    let server = FeedServer::start();
    server.feed("/e.xml", rss("Echo", 2));
    let url = server.url("/e.xml");
    assert_eq!(ws.run(&["index", &url]).code, 0);
    let r = ws.run(&["sources"]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], url);
    assert!(
        lines[1].starts_with("  Echo · 2 episodes · "),
        "{}",
        r.stdout
    );
    assert!(lines[1].ends_with(" · ok"), "{}", r.stdout);
}
