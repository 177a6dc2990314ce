// Full-text search over the site's own Pagefind index (no other host is contacted).
// Without JavaScript the search page still offers the lists and the data downloads.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const PAGE = 10;  // results fetched at a time: each result's text is a separate small download
let pagefind = null;
let pending = [];
let query = "";

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
    pagefind = pagefind || await import("/pagefind/pagefind.js");
    const found = await pagefind.search(query);
    pending = found.results.slice();
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
