//! What a request asks, read from its query string and checked against the limits, and the one
//! error type every handler answers with (`{"error": "..."}` and a status).

use std::collections::HashMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::episode::parse_duration;
use crate::search::facets::Facet;
use crate::search::moments::DEFAULT_MOMENTS;
use crate::search::options::{Period, SearchOptions, SortOrder};

/// The longest query (`q`) accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1_000;
/// The most hits one page may ask for (`limit`).
pub const MAX_LIMIT: usize = 100;
/// The deepest page (`offset`).
pub const MAX_OFFSET: usize = 10_000;

/// An answer other than success: a status and a one-line, lower-case reason.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: message.into(),
        }
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            message: message.into(),
        }
    }
    /// A fault of the server or its index, not of the request.
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e.to_string(),
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> ApiError {
        match e {
            crate::Error::Invalid(message) => ApiError::bad_request(message),
            crate::Error::IndexLocked { .. } => ApiError {
                status: StatusCode::CONFLICT,
                message: e.to_string(),
            },
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message }).to_string();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The parameters of a query string, decoded (bad percent-encoding is read as it stands), each
/// given at most once.
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
        let mut map = HashMap::new();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let name = name.into_owned();
            if map.contains_key(&name) {
                return Err(ApiError::bad_request(format!(
                    "parameter `{}` is given more than once",
                    clip(&name)
                )));
            }
            map.insert(name, value.into_owned());
        }
        Ok(Params(map))
    }

    /// A parameter's value; an empty one counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A whole number from 0 to `max`, `default` when absent.
    pub fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} `{}`: expected a whole number from 0 to {max}",
                        clip(v)
                    ))
                }),
        }
    }

    /// The query text `q`, within `MAX_QUERY_BYTES`.
    pub fn query(&self) -> Result<String, ApiError> {
        let q = self.get("q").unwrap_or("");
        if q.len() > MAX_QUERY_BYTES {
            return Err(ApiError::bad_request(format!(
                "q is {} bytes long: at most {MAX_QUERY_BYTES} are accepted",
                q.len()
            )));
        }
        Ok(q.to_string())
    }
}

/// Input quoted in a message, cut short: a message is one line, whatever was sent.
pub fn clip(s: &str) -> String {
    let clipped: String = s.chars().filter(|c| !c.is_control()).take(60).collect();
    if clipped.len() < s.len() && s.chars().count() > 60 {
        format!("{clipped}…")
    } else {
        clipped
    }
}

/// The most moments a hit carries over the API.
pub const MAX_MOMENTS: usize = 10;

/// What `/api/search` is asked.
pub struct SearchRequest {
    pub options: SearchOptions,
    pub facets: Vec<Facet>,
}

impl SearchRequest {
    pub fn parse(params: &Params) -> Result<SearchRequest, ApiError> {
        let period = |name: &str| -> Result<Option<Period>, ApiError> {
            params
                .get(name)
                .map(|v| {
                    Period::parse(v).map_err(|_| {
                        ApiError::bad_request(format!(
                            "{name} `{}`: expected YYYY, YYYY-MM or YYYY-MM-DD",
                            clip(v)
                        ))
                    })
                })
                .transpose()
        };
        let length = |name: &str| -> Result<Option<u64>, ApiError> {
            params
                .get(name)
                .map(|v| {
                    parse_duration(v).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "{name} `{}`: expected seconds, MM:SS or H:MM:SS",
                            clip(v)
                        ))
                    })
                })
                .transpose()
        };
        let sort = match params.get("sort") {
            None | Some("relevance") => SortOrder::Relevance,
            Some("newest") => SortOrder::Newest,
            Some("oldest") => SortOrder::Oldest,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "sort `{}`: expected relevance, newest or oldest",
                    clip(other)
                )))
            }
        };
        let explain = match params.get("explain") {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "explain `{}`: expected true or false",
                    clip(other)
                )))
            }
        };
        let facets = match params.get("facets") {
            None => Vec::new(),
            Some(list) => Facet::parse_list(list)?,
        };
        Ok(SearchRequest {
            options: SearchOptions {
                query: params.query()?,
                limit: params.number("limit", 10, MAX_LIMIT)?,
                offset: params.number("offset", 0, MAX_OFFSET)?,
                since: period("since")?.map(|p| p.start),
                until: period("until")?.map(|p| p.end),
                podcast: params.get("podcast").map(str::to_string),
                min_duration: length("min_duration")?,
                max_duration: length("max_duration")?,
                sort,
                explain,
                moments: params.number("moments", DEFAULT_MOMENTS, MAX_MOMENTS)?,
                speaker: params.get("speaker").map(str::to_string),
                language: params.get("language").map(str::to_string),
                ..SearchOptions::default()
            },
            facets,
        })
    }
}
