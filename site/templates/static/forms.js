// Submission forms work without this script; with it they get an idempotency key (a double click or
// a retry is stored once), more inspection rows, a print button, and a reminder to save the receipt.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");

  function randomKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function rowIsBlank(row) {
    var fields = row.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value.trim() !== "") { return false; }
    }
    return true;
  }

  function setUpInspections(form) {
    var box = form.querySelector("#inspections");
    var add = form.querySelector("[data-add-row]");
    var none = form.querySelector("#f-no_inspections");
    if (!box || !add) { return; }
    var rows = box.querySelectorAll("fieldset.inspection");
    for (var i = 1; i < rows.length; i++) { if (rowIsBlank(rows[i])) { rows[i].hidden = true; } }
    add.addEventListener("click", function () {
      var hidden = box.querySelector("fieldset.inspection[hidden]");
      if (!hidden) {
        var all = box.querySelectorAll("fieldset.inspection");
        var last = all[all.length - 1];
        var n = all.length;
        var html = last.outerHTML.split("inspections-" + (n - 1) + "-").join("inspections-" + n + "-");
        last.insertAdjacentHTML("afterend", html);
        hidden = box.lastElementChild;
        hidden.querySelector("legend").textContent = "第" + (n + 1) + "次检查";
        hidden.querySelectorAll("input, select, textarea").forEach(function (el) {
          if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
        });
        hidden.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
      }
      hidden.hidden = false;
      var first = hidden.querySelector("input, select");
      if (first) { first.focus(); }
    });
    if (none) {
      var sync = function () { box.hidden = none.checked; add.hidden = none.checked; };
      none.addEventListener("change", sync);
      sync();
    }
  }

  document.querySelectorAll("form[data-ew-form]").forEach(function (form) {
    var key = form.querySelector("input[name=idempotency_key]");
    if (key && !key.value) { key.value = randomKey(); }
    setUpInspections(form);
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var saved = document.querySelector("[data-saved-confirm] input");
  if (saved) {
    var warn = function (event) { event.preventDefault(); event.returnValue = ""; };
    window.addEventListener("beforeunload", warn);
    saved.addEventListener("change", function () {
      if (saved.checked) { window.removeEventListener("beforeunload", warn); }
      else { window.addEventListener("beforeunload", warn); }
    });
  }
})();
