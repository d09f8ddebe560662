// Denkdag live client: one EventSource per page, reopened with backoff when it fails,
// plus the helpers every page shares (fragments, bars, control requests).
"use strict";

window.Denkdag = (function () {
  function connect(url, handlers) {
    let source = null;
    let lastId = null;
    let delay = 500;
    const status = document.getElementById("live-status");

    function setStatus(text) { if (status) status.textContent = text; }

    function open() {
      const full = lastId ? url + (url.includes("?") ? "&" : "?") + "last_event_id=" + encodeURIComponent(lastId) : url;
      source = new EventSource(full);
      source.onopen = function () { delay = 500; setStatus(""); };
      for (const name of Object.keys(handlers)) {
        source.addEventListener(name, function (event) {
          if (event.lastEventId) lastId = event.lastEventId;
          let data = null;
          try { data = JSON.parse(event.data); } catch (e) { return; }
          handlers[name](data);
          // Other scripts on the page (kinds/*.js) hear the same events without a second stream.
          document.dispatchEvent(new CustomEvent("denkdag:" + name, { detail: data }));
        });
      }
      // The session was deleted (on any instance): stop listening and reload, so the
      // server's own page says so in the reader's language.
      source.addEventListener("deleted", function () {
        source.close();
        window.location.reload();
      });
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) {
          // The browser gives up after a non-200 answer (a 503, say): reopen ourselves.
          setStatus("…");
          window.setTimeout(open, delay);
          delay = Math.min(delay * 2, 10000);
        }
      };
    }
    open();
    return { close: function () { if (source) source.close(); } };
  }

  async function fetchFragment(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (!response.ok) throw new Error("fragment " + response.status);
    return response.text();
  }

  function updateBars(root, tally) {
    if (!root || !tally || !tally.counts) return;
    const results = root.querySelector('.results[data-slide="' + CSS.escape(tally.slide) + '"]');
    if (!results) return;
    const total = tally.respondents || 0;
    for (const row of results.querySelectorAll(".bar")) {
      const count = tally.counts[row.dataset.key] || 0;
      const pct = total ? Math.round((100 * count) / total) : 0;
      row.querySelector(".bar-fill").setAttribute("width", String(pct));
      row.querySelector(".bar-pct").textContent = pct + "%";
      row.querySelector(".bar-count").textContent = String(count);
    }
  }

  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  async function control(code, action, slide) {
    const body = { action: action };
    if (slide) body.slide = slide;
    const response = await fetch("/api/v1/sessions/" + encodeURIComponent(code) + "/control", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
      throw new Error(detail);
    }
    return response.json();
  }

  return { connect: connect, fetchFragment: fetchFragment, updateBars: updateBars, control: control };
})();
