// A file field shows the chosen file's name beside its Chinese 选择文件 button (the native control,
// hidden, speaks the browser's language). Loaded once per field; binds each field once.
(function () {
  "use strict";
  function bind() {
    document.querySelectorAll("input[data-file-pick]").forEach(function (input) {
      if (input.dataset.bound) return;
      input.dataset.bound = "1";
      input.addEventListener("change", function () {
        var shown = document.getElementById(input.id + "-name");
        var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        if (shown) shown.textContent = names.length ? names.join("、") : "未选择文件";
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind); else bind();
})();
