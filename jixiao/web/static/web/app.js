// jixiao workspace behaviour: keyboard movement between cells, the trace dialog, figure references,
// confirmations, and the review panel's field comments. No inline scripts (CSP-friendly).
(function () {
  "use strict";
  function inputsOf(table) { return Array.from(table.querySelectorAll("input.cell-input, textarea.cell-input, select")); }

  // Enter moves to the cell below (Shift+Enter: above), as in a spreadsheet; Tab keeps its usual order.
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== "Enter" || !el.classList || !el.classList.contains("cell-input") || el.tagName === "TEXTAREA") return;
    var td = el.closest("td"), tr = el.closest("tr"), table = el.closest("table");
    if (!td || !tr || !table) return;
    e.preventDefault();
    el.dispatchEvent(new Event("change", { bubbles: true }));
    var col = Array.from(tr.children).indexOf(td);
    var rows = Array.from(table.querySelectorAll("tbody tr"));
    var i = rows.indexOf(tr);
    for (var k = i + (e.shiftKey ? -1 : 1); k >= 0 && k < rows.length; k += e.shiftKey ? -1 : 1) {
      var cell = rows[k].children[col];
      var next = cell && cell.querySelector("input.cell-input, textarea.cell-input, select");
      if (next) { next.focus(); if (next.select) next.select(); return; }
    }
    var all = inputsOf(document), j = all.indexOf(el);
    if (j >= 0 && j + 1 < all.length) all[j + 1].focus();
  });

  // A figure's trace opens in a dialog once its content has arrived.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "trace-body") {
      var d = document.getElementById("trace");
      if (d && !d.open) d.showModal();
    }
  });
  // Keep every hidden version field in step with the draft after an edit.
  document.addEventListener("htmx:afterSettle", function () {
    var v = document.getElementById("ws-version");
    if (v) document.querySelectorAll("input.ver").forEach(function (x) { x.value = v.value; });
  });
  // Each field remembers the draft version its value was last seen at (data-seen): an edit says so,
  // and the server refuses it when someone changed that field since — even after this page saved
  // other fields and moved its page version on.
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.dataset && elt.dataset.seen) e.detail.parameters.seen = elt.dataset.seen;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || !e.detail.successful) return;
    var version = xhr.getResponseHeader("X-Draft-Version"), id = xhr.getResponseHeader("X-Draft-Field");
    var field = id && document.getElementById(decodeURIComponent(id));
    if (version && field) field.dataset.seen = version;
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var t = e.detail.target;
    if (t && t.classList && t.classList.contains("figcell")) {
      t.classList.remove("highlight"); void t.offsetWidth; t.classList.add("highlight");
    }
  });

  // Insert a figure reference {{名称}} at the cursor of the prose field, then save it.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest(".insert-ref");
    if (b) {
      var sel = document.getElementById(b.dataset.select);
      var ta = document.getElementById(sel.dataset.target);
      var token = "{{" + sel.value + "}}";
      var s = ta.selectionStart != null ? ta.selectionStart : ta.value.length, en = ta.selectionEnd != null ? ta.selectionEnd : s;
      ta.value = ta.value.slice(0, s) + token + ta.value.slice(en);
      ta.focus(); ta.selectionStart = ta.selectionEnd = s + token.length;
      ta.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var c = e.target.closest && e.target.closest(".comment-btn");
    if (c) {
      document.getElementById("comment-path").value = c.dataset.path;
      document.getElementById("comment-label").textContent = c.dataset.label || unnamedField();
      var t = document.getElementById("comment-text"); t.focus();
      return;
    }
    var f = e.target.closest && e.target.closest("[data-confirm]");
    if (f && !window.confirm(f.dataset.confirm)) { e.preventDefault(); }
  });

  // A field without a label is described by the form that holds it, never by its internal path.
  function unnamedField() {
    var title = document.getElementById("form-title");
    var form = title ? title.textContent.trim() : "";
    return form ? "「" + form + "」中的某个字段" : "本表中的某个字段";
  }

  // A server error or a lost connection: say so where the saves are reported; the typed text stays in the field.
  function say(text) {
    var m = document.getElementById("ws-message");
    if (m) { m.textContent = text; m.className = "ws-message error"; }
  }
  document.addEventListener("htmx:responseError", function () { say("保存失败：服务器出错。您填写的内容仍在输入框中，请稍后再试。"); });
  document.addEventListener("htmx:sendError", function () { say("保存失败：无法连接服务器。您填写的内容仍在输入框中，请检查网络后再试。"); });

  // Following a finding's link scrolls to the field and marks it.
  function mark() {
    if (!location.hash) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el) { el.scrollIntoView({ block: "center" }); el.classList.add("highlight"); if (el.focus) el.focus({ preventScroll: true }); }
  }
  window.addEventListener("hashchange", mark);

  // The versions page: 总分 by version (ECharts, vendored), from a json_script block.
  window.addEventListener("load", function () {
    var el = document.getElementById("version-chart"), data = document.getElementById("version-chart-data");
    if (!el || !data || !window.echarts) return;
    var rows = JSON.parse(data.textContent);
    window.echarts.init(el).setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.version; }) },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min - 5)); }, max: 100 },
      tooltip: { trigger: "axis" },
      series: [{ type: "line", name: "自评表总分", data: rows.map(function (r) { return r.total; }), label: { show: true } }]
    });
  });
  document.addEventListener("DOMContentLoaded", mark);
})();
