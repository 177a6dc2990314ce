// List filters: department, kind and text. The full list is already in the page; this script
// only hides rows, shows the count, and keeps the filter in the address so a view can be shared.
(function () {
  "use strict";
  var form = document.getElementById("list-filter");
  if (!form || !window.URLSearchParams || !history.replaceState) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-dept]"));
  var wraps = Array.prototype.slice.call(document.querySelectorAll(".table-wrap.filterable"));
  var count = document.getElementById("filter-count");
  var fields = { dept: form.elements.dept, kind: form.elements.kind, q: form.elements.q };

  function values() {
    return {
      dept: fields.dept ? fields.dept.value : "",
      kind: fields.kind ? fields.kind.value : "",
      q: fields.q ? fields.q.value.trim() : ""
    };
  }

  function apply(updateUrl) {
    var v = values();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!v.dept || row.getAttribute("data-dept") === v.dept) &&
        (!v.kind || row.getAttribute("data-kind") === v.kind) &&
        (!v.q || row.textContent.indexOf(v.q) !== -1);
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    wraps.forEach(function (wrap) {
      wrap.hidden = !wrap.querySelector("tr[data-dept]:not([hidden])");
    });
    count.textContent = shown === rows.length ? "共 " + rows.length + " 项，全部显示。"
      : "显示 " + shown + " 项（共 " + rows.length + " 项）。";
    if (updateUrl) {
      var url = new URL(location.href);
      Object.keys(v).forEach(function (key) {
        if (v[key]) url.searchParams.set(key, v[key]); else url.searchParams.delete(key);
      });
      history.replaceState(null, "", url);
    }
  }

  var params = new URLSearchParams(location.search);
  Object.keys(fields).forEach(function (key) {
    var field = fields[key];
    if (!field) return;
    var wanted = params.get(key);
    if (wanted && (field.tagName !== "SELECT" ||
        Array.prototype.some.call(field.options, function (o) { return o.value === wanted; }))) {
      field.value = wanted;
    }
    field.addEventListener(field.tagName === "SELECT" ? "change" : "input", function () { apply(true); });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
  form.hidden = false;
  apply(false);
})();
