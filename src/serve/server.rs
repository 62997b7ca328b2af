//! The server: its options, the router, the connection loop (a deadline on each request's
//! headers, graceful shutdown on SIGTERM or Ctrl-C) and the timer that shows new commits.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::state::{State, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT};
use super::{api, page, refresh, writes};
use crate::error::{io_message, Error, Result};
use crate::index::indexer::EpisodeIndex;
use crate::search::facets::FacetCounter;
use crate::search::suggest::Suggester;

/// The default address: this machine only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7780";
/// How often the index is asked for a newer commit (another process's `index`, a merge).
const RELOAD_EVERY: Duration = Duration::from_millis(250);
/// How long requests in flight are given to finish once a shutdown is asked for.
const DRAIN_DEADLINE: Duration = Duration::from_secs(30);
/// Only the page's own origin: its script, its style, its API calls.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How the server listens and what it allows.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// The key writes need (`Authorization: Bearer KEY`); none turns writes off.
    pub write_key: Option<String>,
    /// The key reads need, if any.
    pub read_key: Option<String>,
    pub max_body: usize,
    pub timeout: Duration,
    /// Refresh the remembered sources this often (`--refresh-every`).
    pub refresh_every: Option<Duration>,
    /// Where the server's log lines go (the background refresh's).
    pub log: fn(&str),
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            addr: DEFAULT_ADDR.parse().expect("a valid address"),
            write_key: None,
            read_key: None,
            max_body: DEFAULT_MAX_BODY,
            timeout: DEFAULT_TIMEOUT,
            refresh_every: None,
            log: |_| {},
        }
    }
}

fn router(state: Arc<State>, timeout: Duration) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .route("/healthz", get(api::healthz))
        .route("/api/search", get(api::search))
        .route("/api/suggest", get(api::suggest))
        .route("/api/stats", get(api::stats))
        .route("/api/episodes", axum::routing::post(writes::add))
        .route(
            "/api/episodes/{id}",
            get(api::episode).delete(writes::delete),
        )
        .route("/api/similar/{id}", get(api::similar))
        .fallback(api::not_found)
        .with_state(state)
        // The write handler reads its body against `--max-body` itself, to answer 413 in JSON.
        .layer(DefaultBodyLimit::disable())
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// Serve `index` until SIGTERM or Ctrl-C; `listening` is told the address once bound. On a
/// signal, no new connection is taken, requests in flight finish (a write commits), then it
/// returns.
pub fn run(
    index: EpisodeIndex,
    options: ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Invalid(format!("cannot start the server: {}", io_message(&e))))?;
    runtime.block_on(serve(index, options, listening))
}

async fn serve(
    index: EpisodeIndex,
    options: ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> Result<()> {
    let addr = options.addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Invalid(format!("cannot listen on {addr}: {}", io_message(&e))))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::Invalid(format!("cannot listen on {addr}: {}", io_message(&e))))?;
    let state = Arc::new(State {
        index,
        facets: FacetCounter::new(),
        suggester: Suggester::new(),
        write_key: options.write_key.clone(),
        read_key: options.read_key.clone(),
        max_body: options.max_body,
        writing: Mutex::new(()),
    });
    let warm = state.clone();
    tokio::task::spawn_blocking(move || {
        let _ = warm.suggester.warm(&warm.index);
    });
    let reloader = Arc::downgrade(&state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RELOAD_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = reloader.upgrade() else {
                return;
            };
            let _ = tokio::task::spawn_blocking(move || state.refresh()).await;
        }
    });
    if let Some(every) = options.refresh_every {
        refresh::spawn(&state, every, options.log);
    }
    let app = router(state, options.timeout);
    listening(local);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors and the like: wait, then take connections again.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    // A client has as long to send its headers as a request has to be answered.
                    .header_read_timeout(options.timeout);
                let connection = builder.serve_connection(
                    TokioIo::new(stream),
                    TowerToHyperService::new(app.clone()),
                );
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_DEADLINE, graceful.shutdown()).await;
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
