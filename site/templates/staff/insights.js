// Sends a finding's transfer as JSON with the session's CSRF token (the page works read-only without it).
(function () {
  "use strict";
  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)ew_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function say(id, text) { document.getElementById(id).textContent = text; }
  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains("transfer")) return;
    event.preventDefault();
    say("alert", ""); say("status", "");
    const body = { department: form.department.value || null,
      discipline: Boolean(form.discipline && form.discipline.checked), working_days: parseInt(form.working_days.value, 10) || 10 };
    const r = await fetch(form.action, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() }, body: JSON.stringify(body) });
    const data = await r.json().catch(function () { return {}; });
    if (r.ok && data.ok) {
      say("status", "已转交，转交编号 " + data.transfer.transfer_id + "，办理期限 " + data.transfer.deadline);
      form.replaceWith(document.createTextNode("已转交（转交编号 " + data.transfer.transfer_id + "）。"));
    } else {
      say("alert", (data.errors || []).map(function (e) { return e.msg; }).join("；") || "转交失败，请稍后重试");
    }
  });
})();
