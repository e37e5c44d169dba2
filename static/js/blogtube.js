// BlogTube's only script: what htmx does not do by itself.
(function () {
  "use strict";

  // When a socket drops, say so and poll the same regions over HTTP until it is back.
  // Elements with data-poll-url answer with the socket's own out-of-band fragments.
  let pollTimer = null;
  const openSockets = new Set();

  function badge(show) {
    const el = document.getElementById("connection-badge");
    if (el) el.hidden = !show;
  }

  function poll() {
    document.querySelectorAll("[data-poll-url]").forEach(function (el) {
      // Regions answer with out-of-band fragments (swap none) or with themselves.
      const swap = el.dataset.pollSwap || "none";
      htmx.ajax("GET", el.dataset.pollUrl, { source: el, target: el, swap: swap });
    });
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    openSockets.add(event.detail.elt);
    badge(false);
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  });

  document.addEventListener("htmx:wsClose", function (event) {
    openSockets.delete(event.detail.elt);
    // A close code of 4xxx is final (the job is gone): nothing to reconnect to.
    const code = event.detail.event && event.detail.event.code;
    if (code >= 4000 && code < 5000) return;
    badge(true);
    if (!pollTimer) pollTimer = setInterval(poll, 3000);
  });

  // The dashboard socket pushes the live rows this page shows, and only those (a row pushed
  // to a page without it is an htmx error): it is told their ids when it opens and whenever
  // a swap changes them.
  let dashboard = null;
  let watched = null;

  function tellWatched() {
    if (!dashboard) return;
    const ids = Array.from(document.querySelectorAll("[data-live-row]"), function (el) {
      return el.id;
    }).sort();
    const key = ids.join(" ");
    if (key === watched) return;
    watched = key;
    dashboard.send(JSON.stringify({ watch: ids }));
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    if (!event.detail.elt.hasAttribute("data-dashboard-socket")) return;
    dashboard = event.detail.socketWrapper;
    watched = null; // a new connection knows nothing yet
    tellWatched();
  });
  document.addEventListener("htmx:afterSettle", tellWatched);

  // The dashboard socket says when jobs were created; tables listening refetch themselves.
  document.addEventListener("htmx:wsAfterMessage", function (event) {
    if (String(event.detail.message).indexOf("data-jobs-added") !== -1) {
      htmx.trigger(document.body, "jobs-added");
    }
  });

  // Copy buttons: data-copy-target is a selector of the element whose text to copy.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy-target]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copyTarget);
    if (!source) return;
    const text = "value" in source ? source.value : source.textContent;
    navigator.clipboard.writeText(text).then(function () {
      const label = button.textContent;
      button.textContent = "Copied ✓";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // Bulk selection: a header checkbox toggles every row checkbox of its table.
  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll(all.dataset.selectAll).forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // Dismiss a toast.
  document.addEventListener("click", function (event) {
    const close = event.target.closest(".toast-close");
    if (close) close.closest(".toast").remove();
  });
})();
