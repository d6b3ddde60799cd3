// Web console, browser side: polls background jobs, prints the report, goes back. No framework, no network but this server.
(function () {
  "use strict";

  function pollJob(box) {
    var statusUrl = box.getAttribute("data-job-status");
    var pageUrl = box.getAttribute("data-job-page");
    var bar = box.querySelector("progress");
    function field(name, value) {
      var el = box.querySelector('[data-field="' + name + '"]');
      if (el) { el.textContent = value; }
    }
    function tick() {
      fetch(statusUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          // A finished job, or a queued one that has started: the page shows the new state.
          if (job.state !== box.getAttribute("data-job-state")) { window.location.replace(pageUrl); return; }
          bar.value = job.percent;
          bar.textContent = job.percent + " %";
          field("done", job.done);
          field("total", job.total || "…");
          field("elapsed", Math.round(job.elapsed_s));
          field("current", job.current || "");
          window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-job-status]");
    var state = box ? box.getAttribute("data-job-state") : "";
    if (box && box.querySelector("progress") && (state === "running" || state === "queued")) { pollJob(box); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-back]"), function (b) {
      if (window.history.length > 1) {
        b.hidden = false;
        b.addEventListener("click", function () { window.history.back(); });
      }
    });
    // A form that takes a while: disable its button so it is not sent twice.
    Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (f) {
      f.addEventListener("submit", function () {
        var btn = f.querySelector("button[type=submit]");
        if (btn) { window.setTimeout(function () { btn.disabled = true; btn.textContent = "Đang xử lý…"; }, 0); }
      });
    });
  });
})();
