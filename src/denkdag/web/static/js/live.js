// Denkdag's client live layer: the one module every live screen (phone, projector, remote,
// Q&A) uses to talk to the server, so venue Wi-Fi that drops, a phone that sleeps or a
// server that answers 503 once never leaves a screen on a slide the server has left, and
// never shows "saved" for an answer the server does not hold.
//
// - connect(): the page's one EventSource. On any error it is closed and reopened here,
//   with exponential backoff and jitter (so a room of phones does not come back in one
//   wave), resuming after the last message heard (`last_event_id`): the server replays
//   what was missed, or sends a fresh `state`, which the screen reconciles with.
// - keep(): a screen's view (its slide fragment) kept at the session's state version: a
//   fetch that fails is retried with backoff and jitter until the screen shows a version
//   at least as new as the last one heard; retried at once when the stream comes back.
// - answers(): a phone's answers: "sending" until the server's 200, then "saved"; while
//   the network is away "not sent yet", queued in localStorage (kept across a reload) and
//   sent again with the same Idempotency-Key; a refusal drops it with its reason.
// - the connection state, visible and translated (#live-status, texts from the page).
"use strict";

window.Denkdag = (function () {
  const FIRST_DELAY = 500;
  const MAX_DELAY = 5000;
  let lost = false;
  let troubled = false;
  const reopeners = [];

  // connection state ---------------------------------------------------------------------

  function statusBox() { return document.getElementById("live-status"); }

  function showState() {
    const box = statusBox();
    if (!box) return;
    const down = lost || troubled;
    box.dataset.state = down ? "lost" : "ok";
    box.textContent = down ? (box.dataset.textLost || "…") : "";
    if (box.dataset.marker === "yes") box.title = down ? (box.dataset.textLost || "") : "";
  }

  function setLost(value) { lost = value; showState(); }
  function setTroubled(value) { troubled = value; showState(); }

  // Backoff with "equal jitter": half the step fixed, half random.
  function backoff(attempt) {
    const step = Math.min(FIRST_DELAY * Math.pow(2, attempt), MAX_DELAY);
    return step / 2 + Math.random() * (step / 2);
  }

  // the stream ---------------------------------------------------------------------------

  function connect(url, handlers) {
    let source = null;
    let lastId = null;
    let attempt = 0;
    let timer = null;
    let opened = false;
    let hiddenSince = 0;

    function open() {
      window.clearTimeout(timer);
      timer = null;
      if (source) source.close();
      const full = lastId ? url + (url.includes("?") ? "&" : "?") + "last_event_id=" + encodeURIComponent(lastId) : url;
      source = new EventSource(full);
      source.onopen = function () {
        attempt = 0;
        setLost(false);
        if (opened) {
          for (const again of reopeners) again();
          document.dispatchEvent(new CustomEvent("denkdag:reconnected"));
        }
        opened = true;
      };
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
        // Reopened here rather than by the browser, which gives up after a non-200 answer
        // and otherwise retries every phone of the room at the same moment.
        source.close();
        setLost(true);
        retry();
      };
    }

    function retry() {
      if (timer) return;
      timer = window.setTimeout(open, backoff(attempt));
      attempt += 1;
    }

    window.addEventListener("offline", function () { if (source) source.close(); setLost(true); retry(); });
    window.addEventListener("online", function () { attempt = 0; open(); });
    // A phone that slept may hold a connection that died silently: start afresh.
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { hiddenSince = Date.now(); return; }
      if (hiddenSince && Date.now() - hiddenSince > 10000) open();
    });
    open();
    return { close: function () { window.clearTimeout(timer); if (source) source.close(); } };
  }

  // a screen's view, kept at the session's state version ---------------------------------

  // `load()` fetches and shows the screen's view and resolves to the state version it
  // shows (null when it has none). `want(version)`: the stream heard `version`.
  function keep(load, shown) {
    let wanted = -1;
    let current = shown === null || shown === undefined || shown === "" ? -1 : Number(shown);
    let running = false;
    let again = false;
    let attempt = 0;
    let timer = null;

    async function run() {
      if (running) { again = true; return; }
      running = true;
      again = false;
      window.clearTimeout(timer);
      timer = null;
      let failed = false;
      try {
        const version = await load();
        if (version !== null && version !== undefined && version !== "") current = Number(version);
      } catch (e) {
        failed = true;
      }
      running = false;
      if (failed || current < wanted) {
        // A failed fetch, or a page older than the state heard (another instance not yet
        // in step): try again shortly, and show the screen is catching up.
        setTroubled(failed);
        timer = window.setTimeout(run, backoff(attempt));
        attempt += 1;
        return;
      }
      attempt = 0;
      setTroubled(false);
      if (again) run();
    }

    reopeners.push(function () { if (timer || current < wanted) run(); });
    window.addEventListener("online", function () { if (timer) run(); });
    return {
      want: function (version) {
        const v = Number(version);
        if (!Number.isNaN(v) && v > wanted) wanted = v;
        if (current < wanted) run();
      },
      refresh: run,
      shown: function () { return current; },
    };
  }

  async function fetchFragment(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (!response.ok) throw new Error("fragment " + response.status);
    return response.text();
  }

  // A shared fragment (the room's part of a slide) carries no reader's CSRF token: put
  // this page's own in its forms, so they also work when sent the plain way.
  function ownForms(root) {
    const token = csrf();
    if (!token) return;
    for (const input of root.querySelectorAll('input[name="csrf_token"]')) {
      if (!input.value) input.value = token;
    }
  }

  // a phone's answers ------------------------------------------------------------------

  // Refusals a retry cannot change: the answer is dropped and its reason shown.
  function refused(status) { return status >= 400 && status < 500 && status !== 408 && status !== 429; }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // `ui`: sending(slide), saved(slide, value), queued(slide, value),
  // refused(slide, detail, status): the page shows each state where it can.
  function answers(code, token, answered, ui) {
    const storeKey = "denkdag:outbox:" + code;
    const done = new Set(answered);
    const flying = new Set();
    let queue = {};
    let attempt = 0;
    let timer = null;
    try { queue = JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { queue = {}; }

    function persist() {
      try {
        if (Object.keys(queue).length) window.localStorage.setItem(storeKey, JSON.stringify(queue));
        else window.localStorage.removeItem(storeKey);
      } catch (e) { /* private mode: the queue lives as long as the page */ }
    }

    function later() {
      if (timer) return;
      timer = window.setTimeout(function () { timer = null; flush(); }, backoff(attempt));
      attempt += 1;
    }

    async function post(slide) {
      const entry = queue[slide];
      if (!entry || flying.has(slide)) return;
      flying.add(slide);
      let response = null;
      try {
        response = await fetch("/api/v1/sessions/" + encodeURIComponent(code) + "/slides/" + encodeURIComponent(slide) + "/response", {
          method: "PUT",
          headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": entry.key },
          body: JSON.stringify({ value: entry.value }),
        });
      } catch (e) {
        response = null; // the network is away
      } finally {
        flying.delete(slide);
      }
      const current = queue[slide];
      if (response && response.ok) {
        attempt = 0;
        done.add(slide);
        if (current && current.key === entry.key) { delete queue[slide]; persist(); }
        ui.saved(slide, entry.value);
      } else if (response && refused(response.status)) {
        let detail = response.statusText;
        try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
        if (current && current.key === entry.key) { delete queue[slide]; persist(); }
        ui.refused(slide, detail, response.status);
      } else {
        ui.queued(slide, entry.value);
        later();
      }
      // A newer answer given for this slide while this one was on its way.
      if (queue[slide] && queue[slide].key !== entry.key) post(slide);
    }

    function flush() {
      for (const slide of Object.keys(queue)) post(slide);
    }

    window.addEventListener("online", function () { attempt = 0; flush(); });
    reopeners.push(function () { attempt = 0; flush(); });
    flush();

    return {
      send: function (slide, value) {
        queue[slide] = { value: value, key: newKey() };
        persist();
        if (navigator.onLine === false) { ui.queued(slide, value); later(); return; }
        ui.sending(slide, value);
        post(slide);
      },
      // Whether the server holds an answer of this phone to `slide` (seen by this page).
      has: function (slide) { return done.has(slide); },
      // The answer to `slide` waiting to go out, if any.
      waiting: function (slide) { return queue[slide] ? queue[slide].value : undefined; },
    };
  }

  // helpers every page shares ---------------------------------------------------------

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

  return {
    connect: connect,
    keep: keep,
    answers: answers,
    fetchFragment: fetchFragment,
    ownForms: ownForms,
    updateBars: updateBars,
    control: control,
  };
})();
