// Full-text search over the site's own Pagefind index (no other host is contacted).
// Without JavaScript the search page still offers the lists and the data downloads.
// The index is in parts (a change re-indexes only its part): /pagefind/ holds the script and the
// site's other pages, /pagefind/parts.json lists the parts merged into it (Pagefind's mergeIndex).
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const PAGE = 10;  // results fetched at a time: each result's text is a separate small download
let pagefind = null;
let pending = [];
let query = "";
let parts = 0;  // index parts merged into the primary one

function excerptNodes(html) {
  // Pagefind's excerpt is escaped text with <mark> around the hits: keep only text and marks.
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = document.createElement("p");
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

function summary(total) {
  const shown = list.children.length;
  if (!total) return `没有找到与“${query}”相关的内容。请换一个词，或按下面的清单查找。`;
  return `“${query}”找到 ${total} 条结果` + (shown < total ? `，已显示 ${shown} 条。` : "。");
}

async function showMore(total) {
  const batch = pending.splice(0, PAGE);
  const data = await Promise.all(batch.map((r) => r.data()));
  for (const hit of data) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = hit.url;
    link.textContent = (hit.meta && hit.meta.title) || hit.url;
    li.append(link, excerptNodes(hit.excerpt || ""));
    list.append(li);
  }
  list.hidden = list.children.length === 0;
  more.hidden = pending.length === 0;
  status.textContent = summary(total);
}

const more = document.createElement("button");
more.type = "button";
more.className = "search-more";
more.textContent = "显示更多结果";
more.hidden = true;

async function loadPagefind() {
  const found = await import("/pagefind/pagefind.js");
  const listing = await fetch("/pagefind/parts.json", { cache: "no-cache" });
  if (!listing.ok) throw new Error(`parts.json: ${listing.status}`);
  const listed = (await listing.json()).parts;
  await Promise.all(listed.map((part) => found.mergeIndex(part, { baseUrl: "/" })));
  parts = listed.length;
  return found;
}

function queryWords(text) {
  // The words Pagefind searches for, split as it splits them (Intl.Segmenter for Chinese).
  if (typeof Intl.Segmenter === "undefined") return text.split(/\s+/).filter(Boolean);
  const words = [];
  for (const { segment } of new Intl.Segmenter("zh-CN", { granularity: "word" }).segment(text)) {
    const word = segment.replace(/[\p{P}\s]/gu, "").toLocaleLowerCase();
    if (word) words.push(word);
  }
  return words;
}

async function search(text) {
  // Each index leaves out a query word it does not contain, so a part lacking one word would
  // match pages on the others alone. Keep only pages that contain every word found anywhere on
  // the site: the results one index over the whole site gives.
  const found = await pagefind.search(text);
  const words = queryWords(text);
  if (parts === 0 || words.length < 2 || /^\s*".+"\s*$/.test(text)) return found.results;
  let allowed = null;
  for (const word of words) {
    const ids = new Set((await pagefind.search(word)).results.map((r) => r.id));
    if (ids.size === 0) continue;  // nowhere on the site: left out, as one index leaves it out
    allowed = allowed === null ? ids : new Set([...allowed].filter((id) => ids.has(id)));
  }
  return allowed === null ? found.results : found.results.filter((r) => allowed.has(r.id));
}

async function run(text) {
  query = text;
  list.replaceChildren();
  list.hidden = true;
  more.hidden = true;
  if (!query) {
    status.textContent = "";
    return;
  }
  status.textContent = "正在搜索…";
  try {
    pagefind = pagefind || await loadPagefind();
    pending = await search(query);
    const total = pending.length;
    more.onclick = () => showMore(total);
    await showMore(total);
  } catch (err) {
    status.textContent = "搜索暂时不可用，请按下面的清单查找或下载数据。";
  }
}

if (form && input && status && list) {
  document.getElementById("search-nojs").hidden = true;
  list.after(more);
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);  // a search can be shared as a link
    run(query);
  });
  run(input.value.trim());
}
