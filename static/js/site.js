// PhotoMania progressive enhancements. Every page works without this file; it adds
// live job status, copy-to-clipboard, delete confirmation and a before/after slider.
(function () {
  "use strict";

  // Copy buttons: <button data-copy-target="input-id" data-copy-status="live-region-id"
  // data-copy-message="What the live region announces">.
  function initCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy-target"));
        if (!input) return;
        var done = function () {
          var label = button.textContent;
          button.textContent = "Copied!";
          var status = document.getElementById(button.getAttribute("data-copy-status"));
          if (status) status.textContent = button.getAttribute("data-copy-message") || "Link copied to the clipboard.";
          setTimeout(function () { button.textContent = label; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
        } else {
          input.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
        }
      });
    });
  }

  // Forms that delete something ask first: <form data-confirm="Delete this?">.
  function initConfirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  // Job page: poll the JSON job endpoint with the session cookie; reload when it finishes.
  function initJobPolling() {
    var box = document.querySelector("[data-job-poll-url]");
    if (!box) return;
    var url = box.getAttribute("data-job-poll-url");
    var statusEl = box.querySelector("[data-job-status]");
    var elapsedEl = box.querySelector("[data-job-elapsed]");
    var started = Date.now();
    var delay = 800;
    var detailEl = box.querySelector("[data-job-detail]");
    var bar = box.querySelector("[data-job-progress]");
    var steps = box.querySelectorAll("li[data-stage]");
    var labels = {
      queued: "Waiting in the queue…",
      fetching: "Loading your photo…",
      processing: "Applying the effect…",
      storing: "Saving the result…"
    };

    // The heading, the detail line, the bar and the step list follow the job's stage and progress.
    var pill = document.querySelector("[data-job-pill]");
    var statusNames = { PENDING: "Pending", PROCESSING: "Processing" };

    function showProgress(job) {
      var known = typeof job.progress === "number";
      if (pill && statusNames[job.status]) {
        pill.textContent = statusNames[job.status];
        pill.className = "status status-" + job.status;
      }
      if (statusEl && labels[job.stage]) {
        statusEl.textContent = labels[job.stage] + (job.stage === "processing" && known ? " " + job.progress + "%" : "");
      }
      box.setAttribute("data-stage", job.stage);
      if (bar) {
        if (known) bar.value = job.progress; else bar.removeAttribute("value");
      }
      steps.forEach(function (step) {
        if (step.getAttribute("data-stage") === job.stage) step.setAttribute("aria-current", "step");
        else step.removeAttribute("aria-current");
      });
      if (detailEl) {
        var ahead = job.queuePosition ? job.queuePosition - 1 : null;
        detailEl.textContent = ahead === null ? "This usually takes a few seconds."
          : ahead === 0 ? "Your photo is next."
          : ahead + " photo" + (ahead === 1 ? "" : "s") + " ahead of yours.";
      }
    }

    setInterval(function () {
      if (elapsedEl) elapsedEl.textContent = Math.round((Date.now() - started) / 1000) + " s";
    }, 1000);

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          var job = body && body.data;
          if (job && job.status) {
            box.setAttribute("data-status", job.status);
            showProgress(job);
            if (job.status === "COMPLETED" || job.status === "FAILED") {
              if (statusEl) statusEl.textContent = job.status === "COMPLETED" ? "Done! Loading the result…" : "The job failed.";
              window.location.reload();
              return;
            }
          }
          delay = Math.min(delay * 1.3, 3000);
          setTimeout(poll, delay);
        })
        .catch(function () { delay = Math.min(delay * 2, 5000); setTimeout(poll, delay); });
    }
    setTimeout(poll, delay);
  }

  // Before/after slider: a range input reveals the "after" image over the "before" one.
  function initSliders() {
    document.querySelectorAll("[data-compare-slider]").forEach(function (slider) {
      var layer = slider.querySelector(".after-layer");
      var range = slider.parentElement.querySelector("input[type=range]");
      if (!layer || !range) return;
      slider.hidden = false;
      range.hidden = false;
      var update = function () { layer.style.clipPath = "inset(0 " + (100 - range.value) + "% 0 0)"; };
      range.addEventListener("input", update);
      update();
    });
  }

  // Phone header: the menu button shows and hides the main links (wide screens always show them).
  function initMenu() {
    var button = document.querySelector("[data-menu-button]");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    var header = button.closest(".site-header");
    header.classList.add("has-menu");
    button.hidden = false;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") { set(false); button.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMenu();
    initCopyButtons();
    initConfirmForms();
    initJobPolling();
    initSliders();
  });
})();
