// The staff page: talks to /api/staff with the HttpOnly session cookie and the CSRF header.
// Every value from the server is written with textContent, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const FLAG_LABELS = { overdue: "逾期未报", reminder_due: "需提醒", revocable: "可取消资格", terminated: "已终止",
    plaque_to_recover: "待收回牌匾", complaint_unreplied: "投诉超期未复" };
  const STATUSES = ["收到", "已受理", "不予受理", "处理中", "已办结", "已回复"];
  let me = null;

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)ew_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function say(text) { $("alert").textContent = ""; $("status").textContent = text; }
  function fail(text) { $("status").textContent = ""; $("alert").textContent = text; }
  function messages(body) {
    return (body && body.errors ? body.errors.map((e) => e.msg) : ["操作失败，请稍后重试"]).join("；");
  }
  async function api(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    if (opts.body) { opts.headers["Content-Type"] = "application/json"; opts.headers["X-CSRF-Token"] = csrf(); }
    const res = await fetch("/api/staff/" + path, opts);
    const body = await res.json().catch(() => null);
    if (res.status === 401 && path !== "login") { show(null); }
    if (!res.ok) { const err = new Error(messages(body)); err.body = body; throw err; }
    return body;
  }
  function cell(row, text) { const td = document.createElement("td"); td.textContent = text == null ? "" : String(text); row.appendChild(td); return td; }
  function button(label, onClick) { const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.addEventListener("click", onClick); return b; }
  function thisMonth(offset) { const d = new Date(); d.setMonth(d.getMonth() + offset); return d.toISOString().slice(0, 7); }

  function show(user) {
    me = user;
    $("login-section").hidden = !!user;
    $("work").hidden = !user;
    // Nothing of the previous session stays on screen (a shared office computer).
    ["flags-table", "audit-table"].forEach((id) => { $(id).hidden = true; $(id).querySelector("tbody").textContent = ""; });
    $("complaints").textContent = "";
    if (!user) { return; }
    $("who").textContent = user.username + "（" + (user.role === "office" ? "市级" : (user.district || "") + " 县区") + "）";
    $("office-only").hidden = user.role !== "office";
    document.querySelectorAll("option[data-office]").forEach((o) => { o.disabled = user.role !== "office"; });
    const sel = $("dl-district");
    sel.textContent = "";
    if (user.role === "office") { const all = document.createElement("option"); all.value = ""; all.textContent = "全部"; sel.appendChild(all); }
    (user.districts || []).forEach((d) => { const o = document.createElement("option"); o.value = d.id; o.textContent = d.name; sel.appendChild(o); });
    ["dl-from", "c-from", "a-from"].forEach((id) => { $(id).value = thisMonth(-1); });
    ["dl-to", "c-to", "a-to"].forEach((id) => { $(id).value = thisMonth(0); });
    $("ev-date").value = new Date().toISOString().slice(0, 10);
  }

  async function login(ev) {
    ev.preventDefault();
    const body = { username: $("username").value.trim(), password: $("password").value };
    if (!$("totp-row").hidden && $("totp").value) { body.totp = $("totp").value.trim(); }
    try {
      await api("login", { method: "POST", body: JSON.stringify(body) });
      $("password").value = ""; $("totp").value = "";
      show(await api("me"));
      say("登录成功");
      $("who").focus();
    } catch (err) {
      if (err.body && (err.body.errors || []).some((e) => (e.loc || []).includes("totp"))) { $("totp-row").hidden = false; $("totp").focus(); }
      fail(err.message);
    }
  }

  async function logout() {
    try { await api("logout", { method: "POST", body: "{}" }); } catch (err) { /* already signed out */ }
    show(null); say("已退出登录");
  }

  function download(ev) {
    ev.preventDefault();
    const q = new URLSearchParams(new FormData($("download-form")));
    if (!q.get("district")) { q.delete("district"); }
    // A plain navigation: the browser saves the file; the cookie authenticates the GET.
    window.location.href = "/api/staff/submissions?" + q.toString();
    say("正在下载……");
  }

  async function recordEvent(point, kind, date, reason, note) {
    const body = { kind: kind, date: date };
    if (reason) { body.reason = reason; }
    if (note) { body.note = note; }
    await api("points/" + encodeURIComponent(point) + "/events", { method: "POST", body: JSON.stringify(body) });
    say("已记录：" + point);
  }

  async function loadFlags() {
    try {
      const out = await api("flags");
      const tbody = $("flags-table").querySelector("tbody");
      tbody.textContent = "";
      out.flags.forEach((f) => {
        const tr = document.createElement("tr");
        cell(tr, FLAG_LABELS[f.kind] || f.kind);
        cell(tr, f.point_id || f.complaint_id);
        cell(tr, f.district || "");
        cell(tr, f.reason || f.key || (f.working_days ? f.working_days + " 个工作日未答复" : ""));
        const act = cell(tr, "");
        const today = new Date().toISOString().slice(0, 10);
        if (f.kind === "reminder_due") { act.appendChild(button("记录已提醒", () => recordEvent(f.point_id, "reminder", today).catch((e) => fail(e.message)))); }
        if (f.kind === "plaque_to_recover") { act.appendChild(button("记录牌匾已收回", () => recordEvent(f.point_id, "plaque_returned", today).catch((e) => fail(e.message)))); }
        tbody.appendChild(tr);
      });
      $("flags-table").hidden = false;
      say("共 " + out.flags.length + " 条预警");
    } catch (err) { fail(err.message); }
  }

  function complaintCard(c) {
    const box = document.createElement("div");
    box.className = "complaint";
    const h = document.createElement("h3");
    h.textContent = "投诉 " + c.complaint_id + "（" + (c.status || "") + "）";
    box.appendChild(h);
    [["被投诉单位", c.agency], ["投诉类别", c.category], ["事实和理由", c.description], ["投诉请求", c.request], ["已答复", c.reply]].forEach(([k, v]) => {
      if (!v) { return; }
      const p = document.createElement("p"); p.textContent = k + "：" + v; box.appendChild(p);
    });
    const form = document.createElement("form");
    const id = "r-" + c.complaint_id;
    const sl = document.createElement("label"); sl.htmlFor = id + "-s"; sl.textContent = "状态 ";
    const sel = document.createElement("select"); sel.id = id + "-s";
    STATUSES.forEach((s) => { const o = document.createElement("option"); o.value = s; o.textContent = s; o.selected = s === c.status; sel.appendChild(o); });
    const tl = document.createElement("label"); tl.htmlFor = id + "-t"; tl.textContent = "答复（投诉人凭回执码查看）";
    const ta = document.createElement("textarea"); ta.id = id + "-t"; ta.rows = 3; ta.cols = 60; ta.value = c.reply || "";
    const sub = document.createElement("button"); sub.type = "submit"; sub.textContent = "保存答复";
    [sl, sel, document.createElement("br"), tl, document.createElement("br"), ta, document.createElement("br"), sub].forEach((n) => form.appendChild(n));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("complaints/" + encodeURIComponent(c.complaint_id) + "/reply", { method: "POST", body: JSON.stringify({ status: sel.value, reply: ta.value }) });
        say("已保存投诉 " + c.complaint_id + " 的答复");
      } catch (err) { fail(err.message); }
    });
    box.appendChild(form);
    return box;
  }

  async function loadComplaints(ev) {
    ev.preventDefault();
    try {
      const out = await api("complaints?from=" + $("c-from").value + "&to=" + $("c-to").value);
      const list = $("complaints");
      list.textContent = "";
      out.complaints.forEach((c) => list.appendChild(complaintCard(c)));
      say("共 " + out.complaints.length + " 件投诉");
    } catch (err) { fail(err.message); }
  }

  async function loadAudit(ev) {
    ev.preventDefault();
    try {
      const out = await api("audit?from=" + $("a-from").value + "&to=" + $("a-to").value);
      const tbody = $("audit-table").querySelector("tbody");
      tbody.textContent = "";
      out.entries.forEach((e) => {
        const tr = document.createElement("tr");
        [e.at, e.actor, e.action, e.outcome, JSON.stringify(e.details || {})].forEach((v) => cell(tr, v));
        tbody.appendChild(tr);
      });
      $("audit-table").hidden = false;
      say("共 " + out.entries.length + " 条日志");
    } catch (err) { fail(err.message); }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("who").tabIndex = -1;
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("download-form").addEventListener("submit", download);
    $("load-flags").addEventListener("click", loadFlags);
    $("event-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      recordEvent($("ev-point").value.trim(), $("ev-kind").value, $("ev-date").value, $("ev-reason").value.trim(), $("ev-note").value.trim())
        .catch((e) => fail(e.message));
    });
    $("complaints-form").addEventListener("submit", loadComplaints);
    $("audit-form").addEventListener("submit", loadAudit);
    api("me").then(show).catch(() => show(null));
  });
})();
