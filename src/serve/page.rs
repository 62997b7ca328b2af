//! The search page: three static files compiled into the binary (no build step, no CDN).

use axum::http::header;
use axum::response::{IntoResponse, Response};

const INDEX_HTML: &str = include_str!("static/index.html");
const APP_JS: &str = include_str!("static/app.js");
const STYLE_CSS: &str = include_str!("static/style.css");

fn file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn index() -> Response {
    file("text/html; charset=utf-8", INDEX_HTML)
}

pub async fn script() -> Response {
    file("text/javascript; charset=utf-8", APP_JS)
}

pub async fn style() -> Response {
    file("text/css; charset=utf-8", STYLE_CSS)
}
