//! The parts of the manual page that clap does not know: the query syntax, the environment, the
//! exit status, the files and a few examples, in roff. `cli::write_man` renders the rest.

/// Sections placed after the commands and their flags.
pub const EXTRA_SECTIONS: &str = r#".SH "QUERY SYNTAX"
.TP
\fBtech debt\fR
Episodes with any of the words. Those with all of them rank first, and those with the words
as a phrase above those.
.TP
\fB"tech debt"\fR
The exact phrase.
.TP
\fB+must \-exclude\fR
Require a word; exclude a word.
.TP
\fBa AND b\fR, \fBa OR b\fR, \fBNOT c\fR, \fB( )\fR
Boolean operators (upper case) and grouping.
.TP
\fBtitle:roadmap\fR
One field: \fBtitle\fR, \fBpodcast\fR, \fBsummary\fR, \fBdescription\fR or \fBoverview\fR.
.TP
\fBkubernetis\fR
A plain word no episode holds is corrected to the index's nearest word; stderr says
\fIshowing results for kubernetes\fR.
.TP
\fBk8s\fR
Also its synonyms (\fBkubernetes\fR), ranked below the word as typed. \fB\-\-synonyms\fR
adds groups of your own.
.PP
A query that does not parse (an unclosed quote, \fBtitle:\fR alone) is searched as its plain
words, with a one\-line warning on stderr. Queries with operators, quotes or fields are taken
literally: no tiers, corrections or synonyms.
.SH ENVIRONMENT
.TP
\fBEPISEARCH_INDEX\fR
The index folder, as \fB\-\-index\fR gives it (the flag wins). Default: \fIindex\fR.
.TP
\fBNO_COLOR\fR
When set and not empty, \fB\-\-color auto\fR prints no colour.
.TP
\fBEPISEARCH_WRITE_KEY\fR
The key \fBserve\fR asks of writes (\fIAuthorization: Bearer KEY\fR), unless
\fB\-\-write\-key\-file\fR gives one. With neither, writes are off (403).
.TP
\fBEPISEARCH_READ_KEY\fR
When set, every \fI/api/\fR path of \fBserve\fR asks for this key (or the write key).
.SH "EXIT STATUS"
.TP
\fB0\fR
Hits were found, or the command succeeded.
.TP
\fB1\fR
No hits (with a \fIdid you mean\fR line on stderr when one would help), or \fBindex\fR skipped
bad records (each reported as \fIpath:line: reason\fR; the good ones are indexed), or a feed of
\fBindex\fR or \fBrefresh\fR failed (each named with its reason; the others are indexed), or
a transcript or chapters file an episode links to could not be read or fetched (named with
its reason; the episode is indexed without it), or \fBremove\fR removed nothing.
.TP
\fB2\fR
An error: one line on stderr, \fIepisearch: cause\fR. A missing index, or one another
process is writing to, says what to do. A closed pipe exits 0 quietly.
.SH FILES
.TP
\fIindex/\fR
The default index folder. The first \fBsearch\fR builds it from \fIcorpus/\fR when it is
missing and no \fB\-\-index\fR was given.
.TP
\fIvocabulary\-N.fst\fR
Inside the index folder: the spelling vocabulary of commit N.
.TP
\fIsources\-N.json\fR
Inside the index folder: the remembered sources of commit N (URLs and paths given to
\fBindex\fR, with their ETag, Last\-Modified, last fetch, status and episodes).
.SH EXAMPLES
.TP
Index feeds and an export, then search:
.nf
episearch index feeds/ export.jsonl.gz
episearch search "tech debt"
.fi
.TP
Follow feeds: index an OPML list of them, then keep them up to date:
.nf
episearch index \-\-jobs 8 subscriptions.opml https://example.org/feed.xml
episearch sources
episearch refresh \-\-timeout 10s
episearch export \-\-opml > subscriptions.opml
episearch remove \-\-source https://example.org/feed.xml
.fi
.TP
Filter by date and podcast, newest first:
.nf
episearch search \-\-since 2026\-03 \-\-podcast "all things product" \-\-sort newest ai
.fi
.TP
JSON Lines for programs:
.nf
episearch search \-\-json "tech debt" | jq .title
.fi
.TP
Map the fields of another export:
.nf
episearch index \-\-map title=name \-\-map id=uuid export.jsonl
.fi
.TP
Install completions and this page:
.nf
episearch completions bash > ~/.local/share/bash\-completion/completions/episearch
episearch man > ~/.local/share/man/man1/episearch.1
.fi
"#;
