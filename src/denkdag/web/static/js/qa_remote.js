// The facilitator's Q&A moderation list: redrawn (server-rendered, escaped) on every live
// `questions` event; the buttons are plain forms, sent with fetch to stay on the page.
"use strict";
(function () {
  const root = document.getElementById("qa-remote");
  if (!root) return;
  const code = root.dataset.code;
  const host = document.getElementById("qa-remote-host");
  let loading = null;

  async function redraw() {
    if (loading) return loading;
    loading = (async function () {
      try {
        host.innerHTML = await Denkdag.fetchFragment("/c/" + code + "/questions?fragment=true");
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

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
})();
