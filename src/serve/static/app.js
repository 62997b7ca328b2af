// The search page: state in the URL, answers as you type, text always set as text (never as
// markup), so an episode's title or summary can run nothing.
"use strict";

const PAGE_SIZE = 10;
const $ = (id) => document.getElementById(id);
const box = $("q"), list = $("suggestions"), results = $("results"), statusLine = $("status");
let searchSeq = 0, suggestSeq = 0, typingTimer = 0, suggestTimer = 0, typing = false;

function readState() {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get("q") || "", podcast: p.get("podcast") || "", since: p.get("since") || "",
    until: p.get("until") || "", sort: p.get("sort") || "relevance",
    page: Math.max(1, parseInt(p.get("page") || "1", 10) || 1),
  };
}

function urlOf(s) {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  if (s.podcast) p.set("podcast", s.podcast);
  if (s.since) p.set("since", s.since);
  if (s.until) p.set("until", s.until);
  if (s.sort && s.sort !== "relevance") p.set("sort", s.sort);
  if (s.page > 1) p.set("page", String(s.page));
  const text = p.toString();
  return text ? "/?" + text : "/";
}

// Change the state: a new history entry (push) or the current one replaced, then search.
function go(change, push) {
  const s = Object.assign(readState(), change);
  const url = urlOf(s);
  if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  show(s);
}

async function api(path) {
  const headers = {};
  const key = localStorage.getItem("episearch-read-key");
  if (key) headers["Authorization"] = "Bearer " + key;
  const response = await fetch(path, { headers });
  if (response.status === 401) {
    $("key").hidden = false;
    throw new Error("this server needs its read key");
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || ("error " + response.status));
  return body;
}

// `text` with the byte ranges `ranges` (UTF-8 offsets, as the API gives them) in <mark>.
function highlighted(text, ranges) {
  const fragment = document.createDocumentFragment();
  const bytes = new TextEncoder().encode(text);
  const decode = (a, b) => new TextDecoder().decode(bytes.slice(a, b));
  let at = 0;
  for (const [start, end] of ranges || []) {
    if (start < at || end > bytes.length) continue;
    fragment.append(document.createTextNode(decode(at, start)));
    const mark = document.createElement("mark");
    mark.textContent = decode(start, end);
    fragment.append(mark);
    at = end;
  }
  fragment.append(document.createTextNode(decode(at, bytes.length)));
  return fragment;
}

function duration(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

// Only web links leave the page; anything else (a `javascript:` url) opens the stored episode.
function linkOf(hit) {
  try {
    const url = new URL(hit.url);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch (e) { /* no url, or not one */ }
  return "/api/episodes/" + encodeURIComponent(hit.id);
}

// Where in the episode the words were said: each moment's time (a link that starts playback
// there, when the episode has a web address), its speaker and its words; and the chapter
// whose title matched.
function spoken(hit) {
  const parts = [];
  if (hit.chapter) {
    parts.push(element("p", { className: "chapter",
      textContent: `chapter ${duration(Math.floor(hit.chapter.start))}  ${hit.chapter.title}` }));
  }
  if (!hit.moments || !hit.moments.length) return parts;
  const items = hit.moments.map((m) => {
    const clock = duration(Math.floor(m.start));
    let at = element("span", { className: "clock", textContent: clock });
    const href = webLink(m.url);
    if (href) {
      at = element("a", { href, className: "clock", textContent: clock,
        ariaLabel: `play from ${clock}` });
    }
    const words = [];
    if (m.speaker) words.push(element("span", { className: "speaker", textContent: m.speaker + ": " }));
    words.push(highlighted(m.text, m.highlights));
    if (m.chapter) words.push(element("span", { className: "in-chapter", textContent: `  [${m.chapter}]` }));
    return element("p", { className: "moment" }, [at, " ", element("span", {}, words)]);
  });
  parts.push(element("div", { className: "moments", role: "group",
    ariaLabel: "moments where the words are said" }, items));
  return parts;
}

function webLink(text) {
  try {
    const url = new URL(text);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch (e) { /* not a url */ }
  return "";
}

function element(tag, props, children) {
  const el = document.createElement(tag);
  Object.assign(el, props || {});
  for (const child of children || []) el.append(child);
  return el;
}

async function show(s) {
  box.value = s.q;
  $("since").value = s.since;
  $("until").value = s.until;
  $("sort").value = s.sort;
  document.title = s.q ? s.q + " · episearch" : "episearch";
  const seq = ++searchSeq;
  if (!s.q.trim()) {
    results.replaceChildren();
    $("facets").replaceChildren();
    $("pages").replaceChildren();
    statusLine.textContent = "";
    return;
  }
  const p = new URLSearchParams({ q: s.q, limit: String(PAGE_SIZE),
    offset: String((s.page - 1) * PAGE_SIZE), sort: s.sort, facets: "podcast,year" });
  for (const name of ["podcast", "since", "until"]) if (s[name]) p.set(name, s[name]);
  let answer;
  try {
    answer = await api("/api/search?" + p.toString());
  } catch (e) {
    if (seq === searchSeq) statusLine.textContent = e.message;
    return;
  }
  if (seq !== searchSeq) return;
  const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
  let line = answer.total === 1 ? "1 episode" : `${answer.total} episodes`;
  if (answer.total > PAGE_SIZE) line += ` · page ${s.page} of ${pages}`;
  if (answer.corrected) line += ` · showing results for “${answer.corrected}”`;
  statusLine.textContent = line;
  results.replaceChildren(...answer.hits.map((hit) => {
    const title = element("a", { href: linkOf(hit), className: "result" },
      [highlighted(hit.title || "(untitled)", hit.title ? hit.title_highlights : [])]);
    const meta = [hit.podcast, hit.date && hit.date.slice(0, 10),
      hit.duration != null && duration(hit.duration)].filter(Boolean).join(" · ");
    return element("li", {}, [
      element("h3", {}, [title]),
      element("p", { className: "meta", textContent: meta }),
      element("p", { className: "snippet" }, [highlighted(hit.snippet, hit.highlights)]),
      ...spoken(hit),
    ]);
  }));
  showFacets(s, answer.facets || {});
  const nav = [];
  if (s.page > 1) nav.push(element("button", { type: "button", textContent: "← Previous",
    onclick: () => go({ page: s.page - 1 }, true) }));
  if (s.page < pages) nav.push(element("button", { type: "button", textContent: "Next →",
    onclick: () => go({ page: s.page + 1 }, true) }));
  $("pages").replaceChildren(...nav);
}

function showFacets(s, facets) {
  const groups = [];
  const group = (heading, values, pressed, choose) => {
    if (!values || values.length === 0) return;
    const items = values.map((v) => element("li", {}, [element("button", {
      type: "button", className: "facet",
      onclick: () => choose(v.value, pressed(v.value)),
    }, [element("span", { textContent: v.value }), element("span", { className: "count", textContent: String(v.count) })])]));
    items.forEach((li, i) => li.firstChild.setAttribute("aria-pressed", String(pressed(values[i].value))));
    groups.push(element("h2", { textContent: heading }), element("ul", {}, items));
  };
  group("Podcast", facets.podcast, (v) => s.podcast.toLowerCase() === v.toLowerCase(),
    (v, on) => go({ podcast: on ? "" : v, page: 1 }, true));
  group("Year", facets.year, (v) => s.since === v && s.until === v,
    (v, on) => go(on ? { since: "", until: "", page: 1 } : { since: v, until: v, page: 1 }, true));
  $("facets").replaceChildren(...groups);
}

// Suggestions under the box.
function hideSuggestions() {
  list.hidden = true;
  list.replaceChildren();
  box.setAttribute("aria-expanded", "false");
}

async function suggest(text) {
  const seq = ++suggestSeq;
  if (!text.trim()) return hideSuggestions();
  let answer;
  try {
    answer = await api("/api/suggest?q=" + encodeURIComponent(text));
  } catch (e) {
    return hideSuggestions();
  }
  if (seq !== suggestSeq || document.activeElement !== box) return;
  const items = answer.suggestions.map((text, i) => element("li", {
    id: "suggestion-" + i, textContent: text,
    onmousedown: (event) => { event.preventDefault(); choose(text); },
  }));
  items.forEach((li) => li.setAttribute("role", "option"));
  list.replaceChildren(...items);
  list.hidden = items.length === 0;
  box.setAttribute("aria-expanded", String(items.length > 0));
}

function choose(text) {
  hideSuggestions();
  typing = false;
  go({ q: text, page: 1 }, true);
}

box.addEventListener("input", () => {
  clearTimeout(typingTimer);
  clearTimeout(suggestTimer);
  const text = box.value;
  suggestTimer = setTimeout(() => suggest(text), 120);
  typingTimer = setTimeout(() => {
    // The first search of a burst of typing is a new history entry; the rest replace it.
    go({ q: text, page: 1 }, !typing);
    typing = true;
  }, 250);
});

box.addEventListener("keydown", (event) => {
  const options = [...list.children];
  const current = options.findIndex((li) => li.getAttribute("aria-selected") === "true");
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (!list.hidden && options.length > 0) {
      const next = event.key === "ArrowDown" ? Math.min(current + 1, options.length - 1) : current - 1;
      options.forEach((li, i) => li.setAttribute("aria-selected", String(i === next)));
      if (next >= 0) box.setAttribute("aria-activedescendant", options[next].id);
      else box.removeAttribute("aria-activedescendant");
    } else if (event.key === "ArrowDown") {
      const first = results.querySelector("a.result");
      if (first) first.focus();
    }
  } else if (event.key === "Enter") {
    event.preventDefault();
    clearTimeout(typingTimer);
    clearTimeout(suggestTimer);
    if (current >= 0) return choose(options[current].textContent);
    hideSuggestions();
    typing = false;
    go({ q: box.value, page: 1 }, true);
  } else if (event.key === "Escape") {
    hideSuggestions();
  }
});
box.addEventListener("blur", () => { hideSuggestions(); typing = false; });

for (const id of ["since", "until", "sort"]) {
  $(id).addEventListener("change", () => go({ [id]: $(id).value.trim(), page: 1 }, true));
}
$("search").addEventListener("submit", (event) => event.preventDefault());
$("key").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem("episearch-read-key", $("key-input").value.trim());
  $("key").hidden = true;
  show(readState());
});

// `/` focuses the box; arrows move through the results; Enter opens one (it is a link).
document.addEventListener("keydown", (event) => {
  const active = document.activeElement;
  const editing = active && (active.tagName === "INPUT" || active.tagName === "SELECT");
  if (event.key === "/" && !editing) {
    event.preventDefault();
    box.focus();
    box.select();
    return;
  }
  if (active && active.classList && active.classList.contains("result") &&
      (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    const links = [...results.querySelectorAll("a.result")];
    const i = links.indexOf(active) + (event.key === "ArrowDown" ? 1 : -1);
    if (i < 0) box.focus(); else if (i < links.length) links[i].focus();
  }
});

window.addEventListener("popstate", () => show(readState()));
show(readState());
