//! Queries as people type them: function words earn nothing on their own, long queries count
//! the words an episode holds, and `--explain` says why a hit ranks where it does.

use crate::util::{earned_tiers, json_lines, Workspace};

const EPISODES: [&str; 6] = [
    r#"{"id":"about","title":"What Is It About?","summary":"Listener mail, read aloud."}"#,
    r#"{"id":"refused","title":"The Man Who Refused","summary":"A reporter who never answered a single email for a decade."}"#,
    r#"{"id":"who","title":"The Who at Woodstock","summary":"A concert film."}"#,
    r#"{"id":"coins","title":"Bitcoin, Bitcoin, Bitcoin","summary":"Bitcoin prices this week."}"#,
    r#"{"id":"power","title":"Power to the People","summary":"How much energy mining cryptocurrency uses, and a guest grilled on it."}"#,
    r#"{"id":"garden","title":"Gardening","summary":"Growing tomatoes in a small yard."}"#,
];

fn workspace() -> Workspace {
    let ws = Workspace::new();
    let input = ws.write("episodes.jsonl", EPISODES.join("\n"));
    let r = ws.run(&["index", input.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    ws
}

fn ids(ws: &Workspace, query: &str) -> Vec<String> {
    let r = ws.run(&["search", "--json", "--", query]);
    json_lines(&r.stdout)
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn function_words_earn_nothing_on_their_own() {
    let ws = workspace();
    // "What Is It About?" holds four of the words, all of them function words: no hit.
    assert_eq!(ids(&ws, "what is it about email"), ["refused"]);
    assert_eq!(
        ids(&ws, "the guy who would not answer his email"),
        ["refused"]
    );
    // Function words alone are searched as typed, and count inside a quoted phrase.
    assert_eq!(ids(&ws, "the who")[0], "who");
    assert_eq!(ids(&ws, "\"the man who\""), ["refused"]);
    // A word in capitals is a name, not a function word.
    assert_eq!(ids(&ws, "who woodstock"), ["who"]);
    assert_eq!(ids(&ws, "WHO woodstock"), ["who", "refused"]);
}

#[test]
fn asides_colons_and_words_quoted_alone_read_as_a_sentence() {
    let ws = workspace();
    // Taken literally, as they were, these matched "What Is It About?" on its four function
    // words first, or warned that `about:` names no field.
    for query in [
        "what is it (the email) about",
        "what is it about: \"email\"",
        "what is it - about (e.g. email",
    ] {
        let r = ws.run(&["search", "--json", "--", query]);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{query}");
        let found: Vec<String> = json_lines(&r.stdout)
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(found, ["refused"], "{query}");
    }
    // A quoted phrase, an operator or a field keeps a query literal: function words count.
    assert_eq!(ids(&ws, "\"what is it\" (email)"), ["about", "refused"]);
    assert_eq!(ids(&ws, "title:about (email)"), ["about", "refused"]);
}

#[test]
fn a_long_query_ranks_the_episode_holding_most_of_its_words_first() {
    let ws = workspace();
    assert_eq!(
        ids(
            &ws,
            "grilling a guest about how much energy bitcoin mining uses"
        ),
        ["power", "coins"]
    );
}

#[test]
fn explain_shows_tiers_words_fields_and_function_words() {
    let ws = workspace();
    let r = ws.run(&["search", "--explain", "what is it about email"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "\
1. The Man Who Refused
   A reporter who never answered a single **email** for a decade.
   why: 1.22 = phrase no (the words are not together as typed), words 1.22
     email: summary 1.22
     function words, which score nothing on their own: what, is, it, about
"
    );

    let r = ws.run(&[
        "search",
        "--json",
        "--explain",
        "grilling a guest about how much energy bitcoin mining uses",
    ]);
    let hits = json_lines(&r.stdout);
    let x = &hits[0]["explain"];
    assert_eq!(x["long"], true);
    assert_eq!(x["literal"], false);
    assert_eq!(
        x["function_words"],
        serde_json::json!(["a", "about", "how", "much"])
    );
    let tiers = earned_tiers(x);
    assert_eq!(tiers, [("every word", false), ("phrase", false)]);
    assert_eq!(x["tiers"][0]["why"], "misses bitcoin");
    let words: Vec<(&str, Vec<&str>, bool)> = x["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["word"].as_str().unwrap(),
                w["fields"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect(),
                w["coordination"].as_f64().unwrap() > 0.0,
            )
        })
        .collect();
    assert_eq!(
        words,
        [
            ("grilling", vec!["summary"], true),
            ("guest", vec!["summary"], true),
            ("energy", vec!["summary"], true),
            ("bitcoin", vec![], false),
            ("mining", vec!["summary"], true),
            ("uses", vec!["summary"], true),
        ]
    );
    // The score is the words' BM25 and coordination, and nothing else.
    let total: f64 = x["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w["coordination"].as_f64().unwrap()
                + w["fields"]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|v| v.as_f64().unwrap())
                    .sum::<f64>()
        })
        .sum();
    let score = hits[0]["score"].as_f64().unwrap();
    assert!((total - score).abs() < 1e-3, "{total} against {score}");

    // Not asked for, not there; a query taken literally says so.
    let r = ws.run(&["search", "--json", "email"]);
    assert!(json_lines(&r.stdout)[0].get("explain").is_none());
    let r = ws.run(&["search", "--explain", "title:refused"]);
    assert_eq!(
        r.stdout.lines().nth(2),
        Some("   why: 2.85: BM25 of the query taken literally (operators, quotes or fields: no tiers)")
    );
}

#[test]
fn an_explanation_adds_up_to_the_score_synonyms_included() {
    let ws = Workspace::new();
    ws.index_corpus();
    let r = ws.run(&["search", "--json", "--explain", "tech debt"]);
    for hit in json_lines(&r.stdout) {
        let x = &hit["explain"];
        let words: f64 = x["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                w["coordination"].as_f64().unwrap()
                    + w["fields"]
                        .as_object()
                        .unwrap()
                        .values()
                        .map(|v| v.as_f64().unwrap())
                        .sum::<f64>()
            })
            .sum();
        let tiers: f64 = x["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["earned"] == true)
            .map(|t| t["bonus"].as_f64().unwrap())
            .sum();
        let score = hit["score"].as_f64().unwrap();
        assert!(
            (words + tiers - score).abs() < 1e-2,
            "{} + {} against {score}: {x}",
            words,
            tiers
        );
    }
    let first = &json_lines(&r.stdout)[0]["explain"]["words"];
    assert_eq!(first[2]["word"], "technic (synonym)");
}
