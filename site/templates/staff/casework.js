// Casework on the staff page: nominations and designation, verification, transfers, commendations,
// and a point's timeline. Talks to /api/staff like staff.js (cookie session + CSRF header); every
// value from the server is written with textContent. Cleared whenever the work area is hidden.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const STAGES = { nominated: "已提名", checked: "已审查", approved: "联席会议已通过", rejected: "未通过", designated: "已授牌" };
  const MANUAL = { credit_china: "已查“信用中国”：未列入失信被执行人等黑名单", representative: "法定代表人（实控人）无涉嫌犯罪、无重大信用风险",
    accidents: "两年内无重大安全、环境、食品药品事故和重大税收违法", penalties: "两年内无大额罚款、没收、停产停业、暂扣吊销许可证执照等处罚" };
  const OUTCOMES = { confirmed: "属实", corrected: "经核查已更正", unfounded: "不属实" };
  const TSTATUS = { transferred: "已转交", answered: "部门已答复", rectified: "已整改", closed: "已办结" };
  let me = null;
  let point = "";

  function csrf() { const m = document.cookie.match(/(?:^|;\s*)ew_csrf=([^;]+)/); return m ? decodeURIComponent(m[1]) : ""; }
  function say(text) { $("alert").textContent = ""; $("status").textContent = text; }
  function fail(text) { $("status").textContent = ""; $("alert").textContent = text; }
  async function api(path, body) {
    const opts = { credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.method = "POST"; opts.body = JSON.stringify(body);
      opts.headers["Content-Type"] = "application/json"; opts.headers["X-CSRF-Token"] = csrf();
    }
    const res = await fetch("/api/staff/" + path, opts);
    const out = await res.json().catch(() => null);
    if (!res.ok) { throw new Error(out && out.errors ? out.errors.map((e) => e.msg).join("；") : "操作失败，请稍后重试"); }
    return out;
  }
  function el(tag, text, attrs) {
    const n = document.createElement(tag);
    if (text != null) { n.textContent = String(text); }
    Object.entries(attrs || {}).forEach(([k, v]) => { n.setAttribute(k, v); });
    return n;
  }
  function labelled(id, label, input) {
    const p = el("p"); input.id = id; p.append(el("label", label, { for: id }), " ", input); return p;
  }
  function input(name, type, extra) { return Object.assign(el("input", null, { name: name, type: type || "text" }), extra || {}); }
  function table(caption, heads) {
    const t = el("table"); t.append(el("caption", caption));
    const tr = el("tr"); heads.forEach((h) => tr.append(el("th", h, { scope: "col" })));
    const thead = el("thead"); thead.append(tr); t.append(thead, el("tbody"));
    return t;
  }
  function row(t, cells) { const tr = el("tr"); cells.forEach((c) => { const td = el("td"); td.append(c == null ? "" : c); tr.append(td); }); t.tBodies[0].append(tr); return tr; }
  function go(href) { window.location.href = href; say("正在下载……"); }

  // A form's fields as the API expects them: numbers as numbers, checkboxes as booleans,
  // "a.b" names as nested objects, empty text left out.
  function bodyOf(form) {
    const body = {};
    Array.from(form.elements).forEach((e) => {
      if (!e.name) { return; }
      let value;
      if (e.type === "checkbox") { value = e.checked; } else if (e.type === "number") { value = e.value === "" ? null : Number(e.value); } else { value = e.value.trim(); }
      if (value === "" || value === null) { return; }
      const [head, tail] = e.name.split(".");
      if (tail) { body[head] = body[head] || {}; body[head][tail] = value; } else { body[head] = value; }
    });
    return body;
  }

  function fillDistricts() {
    document.querySelectorAll("select[data-districts]").forEach((sel) => {
      sel.textContent = "";
      (me.districts || []).forEach((d) => sel.append(Object.assign(el("option", d.name), { value: d.id })));
    });
    document.querySelectorAll("[data-office-only]").forEach((n) => { n.hidden = me.role !== "office"; });
    const today = new Date().toISOString().slice(0, 10);
    $("cf-date").value = today; $("cm-to").value = today; $("cm-from").value = today.slice(0, 4) + "-01-01";
  }

  function reset() {
    me = null; point = "";
    ["nominations", "verifications", "transfers"].forEach((id) => { $(id).textContent = ""; });
    $("timeline-table").tBodies[0].textContent = "";
    $("point-work").hidden = true;
    document.querySelectorAll("#casework form").forEach((f) => f.reset());
  }

  // -- nominations ------------------------------------------------------------------------------
  function checkForm(n) {
    const f = el("form");
    Object.entries(MANUAL).forEach(([key, label]) => {
      const id = "mc-" + n.nomination_id + "-" + key;
      const box = input("confirmed", "checkbox", { value: key, id: id });
      f.append(box, " ", el("label", label, { for: id }), el("br"));
    });
    f.append(el("button", "资格审查", { type: "submit" }));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const confirmed = Array.from(f.querySelectorAll("input:checked")).map((b) => b.value);
      try { await api("nominations/" + n.nomination_id + "/check", { confirmed: confirmed }); say("已完成资格审查"); await loadNominations(); } catch (e) { fail(e.message); }
    });
    return f;
  }
  function decisionForm(n) {
    const f = el("form");
    f.append(labelled("dm-" + n.nomination_id, "联席会议", input("meeting")));
    ["approved", "rejected"].forEach((d) => {
      const b = el("button", d === "approved" ? "通过" : "不通过", { type: "button" });
      b.addEventListener("click", async () => {
        try { await api("nominations/" + n.nomination_id + "/decision", { decision: d, meeting: f.elements.meeting.value.trim() }); say("已记录联席会议决定"); await loadNominations(); } catch (e) { fail(e.message); }
      });
      f.append(b, " ");
    });
    return f;
  }
  function designateForm(n) {
    const f = el("form");
    const id = n.nomination_id;
    f.append(labelled("dp-" + id, "监测点编号", input("point_id")), labelled("dq-" + id, "牌匾编号", input("plaque_no")),
      labelled("dd-" + id, "授牌日期", input("designated_on", "date")), labelled("dr-" + id, "起报月份", input("reporting_from", "month")),
      el("button", "授牌", { type: "submit" }));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const out = await api("nominations/" + id + "/designate", bodyOf(f));
        const box = el("p", null, { class: "access-code" });
        box.append("已授牌 " + out.point.point_id + "。访问码（只显示这一次，请抄送企业）：", el("strong", out.access_code));
        f.replaceWith(box);
        say("已授牌：" + out.point.point_id);
      } catch (e) { fail(e.message); }
    });
    return f;
  }
  function checkSummary(c) {
    if (!c) { return ""; }
    const lines = c.refusals.map((r) => "不符合：" + r.msg).concat(c.unchecked.map((u) => "待人工核实：" + u.label));
    return (c.eligible ? "符合条件" : "未通过") + (lines.length ? "（" + lines.join("；") + "）" : "");
  }
  async function loadNominations() {
    const out = await api("nominations");
    const t = table("提名（" + out.nominations.length + " 件）", ["企业", "县（市、区）", "阶段", "审查结果", "办理"]);
    out.nominations.forEach((n) => {
      const act = el("div");
      if (n.stage === "nominated" || n.stage === "checked") { act.append(checkForm(n)); }
      if (me.role === "office" && n.stage === "checked" && n.check && n.check.eligible) { act.append(decisionForm(n)); }
      if (me.role === "office" && n.stage === "approved") { act.append(designateForm(n)); }
      if (n.point_id) { act.append("监测点 " + n.point_id); }
      row(t, [n.enterprise_name + "（" + n.uscc + "）", n.district, STAGES[n.stage] || n.stage, checkSummary(n.check), act]);
    });
    $("nominations").textContent = ""; $("nominations").append(t);
  }

  // -- one point ----------------------------------------------------------------------------------
  function verificationBox(v) {
    const box = el("div", null, { class: "case-box" });
    box.append(el("h5", v.month + " 月报核查（" + (v.status === "open" ? "进行中" : "已办结：" + (OUTCOMES[v.outcome] || "")) + "）"));
    (v.requests || []).forEach((r) => {
      const p = el("p", "材料要求：" + r.text + (r.answered_at ? "；监测点答复：" + (r.answer || "") : "；尚未答复"));
      (r.attachments || []).forEach((a) => {
        const href = "/api/staff/points/" + encodeURIComponent(point) + "/verifications/" + v.verify_id + "/attachments/" + a.attachment_id;
        p.append(" ", el("a", "附件：" + a.name + "（" + a.size + " 字节）", { href: href }));
      });
      box.append(p);
    });
    if (v.status !== "open") { return box; }
    const base = "points/" + encodeURIComponent(point) + "/verifications/" + v.verify_id;
    const ask = el("form");
    ask.append(labelled("rq-" + v.verify_id, "要求提供的材料", input("text")), labelled("rd-" + v.verify_id, "提交期限", input("due", "date")),
      el("button", "要求提供材料", { type: "submit" }));
    ask.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await api(base + "/requests", bodyOf(ask)); say("已发出材料要求"); await loadPoint(); } catch (e) { fail(e.message); }
    });
    const end = el("form");
    const sel = el("select", null, { name: "outcome" });
    Object.entries(OUTCOMES).forEach(([k, v2]) => sel.append(Object.assign(el("option", v2), { value: k })));
    end.append(labelled("oc-" + v.verify_id, "核查结论", sel), labelled("on-" + v.verify_id, "说明", input("note")),
      el("button", "记录结论", { type: "submit" }));
    end.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await api(base + "/outcome", bodyOf(end)); say("已记录核查结论"); await loadPoint(); } catch (e) { fail(e.message); }
    });
    box.append(ask, end);
    return box;
  }
  async function loadPoint() {
    const enc = encodeURIComponent(point);
    const out = await api("points/" + enc + "/timeline");
    const tbody = $("timeline-table").tBodies[0];
    tbody.textContent = "";
    out.timeline.forEach((e) => row($("timeline-table"), [e.at, e.category, e.title, e.by, e.detail]));
    $("timeline-point").textContent = out.point.point_id + " " + (out.point.enterprise_name || "");
    const vs = await api("points/" + enc + "/verifications");
    $("verifications").textContent = "";
    vs.verifications.forEach((v) => $("verifications").append(verificationBox(v)));
    $("point-work").hidden = false;
  }

  // -- transfers ----------------------------------------------------------------------------------
  function progressForm(t) {
    const f = el("form");
    const sel = el("select", null, { name: "status" });
    ["answered", "rectified", "closed"].forEach((k) => sel.append(Object.assign(el("option", TSTATUS[k]), { value: k })));
    f.append(labelled("ps-" + t.transfer_id, "进展", sel), labelled("pa-" + t.transfer_id, "部门答复", input("answer")),
      labelled("pr-" + t.transfer_id, "整改情况", input("rectification")), el("button", "记录进展", { type: "submit" }));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await api("transfers/" + t.transfer_id + "/progress", bodyOf(f)); say("已记录转交进展"); await loadTransfers(); } catch (e) { fail(e.message); }
    });
    return f;
  }
  async function loadTransfers() {
    const out = await api("transfers");
    const t = table("办理中的转交（" + out.transfers.length + " 件）", ["监测点/投诉", "问题线索", "转交部门", "期限", "状态", "办理"]);
    out.transfers.forEach((x) => {
      const status = (TSTATUS[x.status] || x.status) + (x.overdue ? "（已逾期）" : "");
      row(t, [x.point_id || ("投诉 " + x.complaint_id), x.clue, x.department, x.deadline, status, progressForm(x)]);
    });
    $("transfers").textContent = ""; $("transfers").append(t);
  }

  // -- wiring ---------------------------------------------------------------------------------------
  function bindPosts() {
    document.querySelectorAll("#casework form[data-api]").forEach((f) => {
      f.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const body = bodyOf(f);
        if (f.id === "transfer-form") { body.point_id = point; }
        try {
          await api(f.dataset.api.replace("{point}", encodeURIComponent(point)), body);
          say("已保存");
          if (f.id === "nominate-form") { f.reset(); fillDistricts(); await loadNominations(); } else { await loadPoint(); }
          if (f.id === "transfer-form") { await loadTransfers(); }
        } catch (e) { fail(e.message); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    bindPosts();
    $("load-nominations").addEventListener("click", () => loadNominations().then(() => say("已刷新提名列表")).catch((e) => fail(e.message)));
    $("load-transfers").addEventListener("click", () => loadTransfers().then(() => say("已刷新转交列表")).catch((e) => fail(e.message)));
    $("point-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      point = $("cw-point").value.trim();
      loadPoint().then(() => say("已载入 " + point + " 的办理记录")).catch((e) => { $("point-work").hidden = true; fail(e.message); });
    });
    $("timeline-xlsx").addEventListener("click", () => go("/api/staff/points/" + encodeURIComponent(point) + "/timeline?format=xlsx"));
    $("commended-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      go("/api/staff/commendations?" + new URLSearchParams(new FormData($("commended-form"))).toString());
    });
    // staff.js shows and hides the work area on sign-in and sign-out: follow it.
    new MutationObserver(() => {
      if ($("work").hidden) { reset(); return; }
      api("me").then((user) => { me = user; fillDistricts(); }).catch(() => reset());
    }).observe($("work"), { attributes: true, attributeFilter: ["hidden"] });
  });
})();
