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
    // "Thôi": close the <details> a form sits in (the void form, a sheet along the bottom on a phone).
    Array.prototype.forEach.call(document.querySelectorAll("[data-close-details]"), function (b) {
      var details = b.closest("details");
      if (!details) { return; }
      b.hidden = false;
      b.addEventListener("click", function () { details.open = false; });
    });
    // A button that posts the page's form (formmethod=post: writing a stick, confirming a session) and is
    // not a download: disabled once pressed so it is not sent twice.
    Array.prototype.forEach.call(document.querySelectorAll("button[formmethod=post]:not([data-download])"), function (b) {
      if (!b.form) { return; }
      b.form.addEventListener("submit", function (e) {
        if (e.submitter === b) { window.setTimeout(function () { b.disabled = true; b.textContent = "Đang xử lý…"; }, 0); }
      });
    });
    // A form that takes a while: disable its button so it is not sent twice.
    Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (f) {
      // A download leaves the page as it is: its button must stay usable.
      if (f.querySelector("[data-download]")) { return; }
      f.addEventListener("submit", function () {
        var btn = f.querySelector("button[type=submit]");
        if (btn) { window.setTimeout(function () { btn.disabled = true; btn.textContent = "Đang xử lý…"; }, 0); }
      });
    });
  });

  // Script form: the spoken form while staff type (the server's normaliser), and the id from the title.
  function slug(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase().slice(0, 64).replace(/-+$/, "");
  }
  function setupPreview(area) {
    var out = document.getElementById(area.getAttribute("data-preview-out"));
    var form = area.form;
    var timer = null;
    var sent = 0;
    function show(data) {
      out.querySelector('[data-out="spoken"]').textContent = data.spoken || "";
      var list = out.querySelector('[data-out="warnings"]');
      list.textContent = "";
      (data.uncertain || []).concat(data.warnings || []).forEach(function (w) {
        var li = document.createElement("li"); li.textContent = w; list.appendChild(li);
      });
    }
    function ask() {
      var body = new FormData();
      body.append("text", area.value);
      body.append("csrf_token", form.querySelector('[name="csrf_token"]').value);
      var mine = ++sent;
      fetch(area.getAttribute("data-preview"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === sent) { show(data); } })
        .catch(function () {});
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 350);
    });
  }
  function setupSlug(title) {
    var target = document.getElementById(title.getAttribute("data-slug-target"));
    var touched = target.value !== "" && target.value !== slug(title.value);
    target.addEventListener("input", function () { touched = true; });
    title.addEventListener("input", function () { if (!touched) { target.value = slug(title.value); } });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-preview]"), setupPreview);
    Array.prototype.forEach.call(document.querySelectorAll("[data-slug-target]"), setupSlug);
  });
})();
