// The facilitator's Q&A moderation list: redrawn (server-rendered, escaped) on every live
// `questions` event; the buttons are plain forms, sent with fetch to stay on the page.
"use strict";
(function () {
  const root = document.getElementById("qa-remote");
  if (!root) return;
  const code = root.dataset.code;
  const host = document.getElementById("qa-remote-host");
  // The list's fetch, retried by the live layer (js/live.js) when it fails.
  const view = Denkdag.keep(async function () {
    host.innerHTML = await Denkdag.fetchFragment("/c/" + code + "/questions?fragment=true");
    return null;
  }, null);
  function redraw() { return view.refresh(); }

  host.addEventListener("submit", async function (event) {
    const form = event.target;
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      body: new URLSearchParams(new FormData(form)),
    });
    if (response.ok) redraw();
  });

  Denkdag.connect("/api/v1/sessions/" + encodeURIComponent(code) + "/events", {
    questions: redraw,
  });
  // Questions asked while the stream was away: the list is fetched again.
  document.addEventListener("denkdag:reconnected", redraw);
})();
