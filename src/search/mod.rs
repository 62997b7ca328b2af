//! Answering a query: parsing and compiling it, plain-word tiers, spelling, synonyms, the
//! any-field union, equal scores, and the highlights of each hit.
//! It may not write the index (it reads it through `index`) nor print: it returns data.

mod any_field;
mod explain;
pub mod facets;
pub mod filters;
mod function_words;
pub mod moments;
pub mod options;
mod plain;
pub mod query;
pub mod results;
pub mod similar;
pub mod snippet;
pub mod spelling;
pub mod suggest;
pub mod synonyms;
mod ties;
mod word_list;

pub use options::{Period, SearchOptions, SortOrder};
pub use results::{Explanation, Hit, SearchResults, TierMatch, WordMatch};
