// Issue 21, how the form pages behave for a unit accountant: amounts, points and rates printed as
// the official form prints them while not being edited, long text boxes grown to their text, a link to a field
// (from the findings or the trace) landing on it, the export menu closing. No inline scripts.
(function () {
  "use strict";

  // 1550.785 → "1,550.79": two decimals, half-up, thousands separators; worked on the digits so
  // that no binary fraction rounds a half the wrong way. Anything not a plain number stays as typed.
  function decimalText(text, separators) {
    var t = String(text).replace(/,/g, "").trim();
    if (!/^-?\d+(\.\d+)?$/.test(t)) return text;
    var negative = t.charAt(0) === "-";
    if (negative) t = t.slice(1);
    var parts = t.split("."), whole = parts[0], frac = parts[1] || "";
    if (frac.length > 2) {
      var cents = BigInt(whole + frac.slice(0, 2)) + (frac.charCodeAt(2) - 48 >= 5 ? 1n : 0n);
      var digits = cents.toString().padStart(3, "0");
      whole = digits.slice(0, -2); frac = digits.slice(-2);
    } else {
      frac = (frac + "00").slice(0, 2);
    }
    whole = whole.replace(/^0+(?=\d)/, "");
    if (separators) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var shown = whole + "." + frac;
    return negative && /[1-9]/.test(shown) ? "-" + shown : shown;
  }
  function amountText(text) { return decimalText(text, true); }
  // Points as the form prints them: "7" → "7.00" (no separators, as the engine's scores).
  function scoreText(text) { return decimalText(text, false); }
  // A rate: "48" or "48%" → "48.00%"; anything else stays as typed.
  function percentText(text) {
    var t = String(text).trim().replace(/[%％]$/, "").trim();
    return /^-?[\d,]+(\.\d+)?$/.test(t) ? decimalText(t, false) + "%" : text;
  }
  var PRINTED = { amount: amountText, score: scoreText, percent: percentText };
  window.jixiaoAmountText = amountText;
  window.jixiaoPrintedText = function (kind, text) { return PRINTED[kind](text); };

  // The kind of a figure box whose value is printed while not being edited ("" for the others).
  function printedKind(el) {
    if (!el || el.tagName !== "INPUT" || !el.classList.contains("cell-input")) return "";
    for (var kind in PRINTED) { if (el.classList.contains(kind)) return kind; }
    return "";
  }
  function showPrinted(el) {
    if (document.activeElement === el) return;
    var raw = el.hasAttribute("data-raw") ? el.getAttribute("data-raw") : el.value;
    el.setAttribute("data-raw", raw);
    el.value = rejected(el) ? raw : PRINTED[printedKind(el)](raw);
  }
  // An entry the server refused ("-1" for a score) is shown as typed beside its message, never
  // dressed as a figure of the form.
  function rejected(el) {
    var message = document.getElementById(el.getAttribute("aria-describedby") || "");
    return el.getAttribute("aria-invalid") === "true" || !!(message && message.textContent.trim());
  }
  function showRejected() {
    document.querySelectorAll("input.cell-input[data-raw]").forEach(function (el) {
      if (printedKind(el) && document.activeElement !== el && rejected(el)) el.value = el.getAttribute("data-raw");
    });
  }
  function fitText(el) { el.style.height = "auto"; el.style.height = (el.scrollHeight + el.offsetHeight - el.clientHeight) + "px"; }
  function dress(root) {
    // Only inputs fresh from the server (no data-raw yet) hold the raw figure to format.
    (root || document).querySelectorAll("input.cell-input:not([data-raw])").forEach(function (el) {
      if (printedKind(el)) showPrinted(el);
    });
    (root || document).querySelectorAll("textarea.cell-input.wrap").forEach(fitText);
  }
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (!printedKind(el) || !el.hasAttribute("data-raw")) return;
    // The entry put back is selected whole, as tabbing into a box selects it: what is typed replaces
    // it rather than being appended (a click still places the caret where it points).
    el.value = el.getAttribute("data-raw");
    el.select();
  });
  document.addEventListener("focusout", function (e) {
    var el = e.target;
    var kind = printedKind(el);
    if (kind) { el.setAttribute("data-raw", el.value); el.value = PRINTED[kind](el.value); }
  });
  document.addEventListener("input", function (e) {
    if (e.target.classList && e.target.classList.contains("wrap")) fitText(e.target);
  });
  // A long text box takes Enter as a move to the cell below, like the single-line ones (app.js).
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== "Enter" || el.tagName !== "TEXTAREA" || !el.classList.contains("wrap")) return;
    e.preventDefault();
    var all = Array.from(document.querySelectorAll("input.cell-input, textarea.cell-input, select"));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    var td = el.closest("td"), tr = el.closest("tr"), table = el.closest("table");
    if (td && tr && table) {
      var col = Array.from(tr.children).indexOf(td), rows = Array.from(table.querySelectorAll("tbody tr"));
      for (var k = rows.indexOf(tr) + (e.shiftKey ? -1 : 1); k >= 0 && k < rows.length; k += e.shiftKey ? -1 : 1) {
        var next = rows[k].children[col] && rows[k].children[col].querySelector("input.cell-input, textarea.cell-input, select");
        if (next) { next.focus(); return; }
      }
    }
    var j = all.indexOf(el);
    if (j >= 0 && j + 1 < all.length) all[j + 1].focus();
  });
  document.addEventListener("htmx:afterSettle", function () { dress(document); showRejected(); });

  // Landing on a field: the element of the hash (an input "f-…", or a computed figure "fig-…"),
  // scrolled to the middle, focused and marked until the next landing.
  function target(id) {
    var el = document.getElementById(id);
    if (!el && id.indexOf("f-") === 0) el = document.getElementById("fig-" + id.slice(2));
    if (el && el.classList.contains("figcell")) el = el.querySelector("button") || el;
    return el;
  }
  function land() {
    if (!location.hash) return;
    var el = target(decodeURIComponent(location.hash.slice(1)));
    if (!el) return;
    document.querySelectorAll(".landed").forEach(function (x) { x.classList.remove("landed"); });
    var details = el.closest("details");
    if (details) details.open = true;
    el.scrollIntoView({ block: "center" });
    el.classList.add("landed");
    if (el.focus) el.focus({ preventScroll: true });
  }
  window.addEventListener("hashchange", land);

  document.addEventListener("click", function (e) {
    // A link inside the trace dialog to a field: close the dialog, then land (the same hash twice
    // fires no hashchange, so land here).
    var link = e.target.closest && e.target.closest("dialog a[href*='#']");
    if (link) {
      var dialog = link.closest("dialog"), url = new URL(link.href, location.href);
      if (dialog && dialog.open) dialog.close();
      if (url.pathname === location.pathname) {
        e.preventDefault();
        if (location.hash === url.hash) land(); else location.hash = url.hash;
      }
      return;
    }
    // The export menu closes after a choice and on a click anywhere else.
    document.querySelectorAll("details.export[open]").forEach(function (menu) {
      var inside = menu.contains(e.target);
      if (!inside || (e.target.closest && e.target.closest("a, button.link"))) {
        if (!(inside && e.target.closest("summary"))) menu.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") document.querySelectorAll("details.export[open]").forEach(function (m) { m.open = false; });
  });

  // 采用参考值: the engine's reading entered in an empty judged field, one field or a whole table at a
  // time, only when asked; each entry is saved like a typed one (the edits queue in order).
  function adopt(button, then) {
    var input = document.getElementById(button.getAttribute("data-for"));
    if (!input || input.value.trim() !== "") { if (then) then(); return; }
    input.value = button.getAttribute("data-value");
    input.removeAttribute("data-raw");
    if (then) input.addEventListener("htmx:afterRequest", function () { then(); }, { once: true });
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  // One after another: each save carries the draft's number the one before it returned.
  function adoptAll(buttons) {
    var next = buttons.shift();
    if (next) adopt(next, function () { adoptAll(buttons); });
  }
  function offerTables() {
    document.querySelectorAll("table.form-table").forEach(function (table) {
      var wrap = table.closest(".table-wrap"), old = wrap && wrap.querySelector(".adopt-all");
      // the readings to adopt (data-for), not the 采用计算数 buttons of stated figures
      var n = table.querySelectorAll("button.adopt[data-for]").length;
      if (old && n < 2) old.remove();
      if (!wrap || n < 2) return;
      if (!old) {
        old = document.createElement("button");
        old.type = "button";
        old.className = "button secondary small adopt-all";
        wrap.insertBefore(old, table);
      }
      old.textContent = "本表未填的得分全部采用参考值（" + n + "处）";
    });
  }
  document.addEventListener("click", function (e) {
    var one = e.target.closest && e.target.closest("button.adopt[data-for]");
    if (one) { adopt(one); return; }
    var all = e.target.closest && e.target.closest("button.adopt-all");
    if (all) {
      adoptAll(Array.from(all.closest(".table-wrap").querySelectorAll("table.form-table button.adopt[data-for]")));
    }
  });
  document.addEventListener("htmx:afterSettle", offerTables);

  // A comment is being written on a field: the field stays marked while the reviewer types in the
  // panel, so the reviewer sees which one it is (app.js fills the panel).
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".comment-btn");
    if (!button) return;
    document.querySelectorAll(".commenting").forEach(function (x) { x.classList.remove("commenting"); });
    (button.closest("td") || button.parentElement).classList.add("commenting");
  });

  document.addEventListener("DOMContentLoaded", function () { dress(document); land(); offerTables(); });
})();
