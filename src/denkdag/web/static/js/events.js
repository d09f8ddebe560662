// Event pages: the organiser's live dashboard (polls the dashboard JSON), the side-by-side
// view (polls its HTML fragment), colour pickers beside the colour fields, poster printing.
// Polling stops while the tab is hidden and backs off when the server does not answer.
"use strict";
(function () {
  const PERIOD = 2000;

  function poll(fetchOnce) {
    let delay = PERIOD;
    function tick() {
      if (document.hidden) { window.setTimeout(tick, PERIOD); return; }
      fetchOnce().then(function () {
        delay = PERIOD;
      }, function () {
        delay = Math.min(delay * 2, 30000);
      }).finally(function () { window.setTimeout(tick, delay); });
    }
    window.setTimeout(tick, PERIOD);
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }

  // live dashboard ----------------------------------------------------------------------
  const live = document.getElementById("event-live");
  if (live) {
    const note = document.getElementById("live-note");
    const words = live.dataset;
    function field(card, name) { return card.querySelector('[data-field="' + name + '"]'); }
    function show(node, visible) { if (node) node.hidden = !visible; }
    function update(state) {
      for (const room of state.sessions) {
        const card = live.querySelector('.room-card[data-code="' + room.code + '"]');
        if (!card) { window.location.reload(); return; }  // a session was added
        field(card, "slide").textContent = room.slide ? room.slide.title : words.none;
        field(card, "position").textContent = room.slide ? room.slide.position + "/" + room.slide.count : "";
        const badge = field(card, "open");
        badge.textContent = room.open ? words.open : words.closed;
        badge.classList.toggle("is-open", room.open);
        badge.classList.toggle("is-closed", !room.open);
        show(badge, room.asks);
        show(field(card, "revealed"), room.revealed);
        field(card, "joined").textContent = String(room.joined);
        field(card, "answers").textContent = String(room.answers || 0);
        show(field(card, "answers-box"), room.asks);
        const meter = field(card, "meter");
        meter.max = Math.max(room.joined, 1);
        meter.value = room.answers || 0;
        show(meter, room.asks);
      }
      if (note) note.classList.remove("stale");
    }
    poll(function () {
      return getJson(live.dataset.source).then(update, function (error) {
        if (note) note.classList.add("stale");
        throw error;
      });
    });
  }

  // side by side ------------------------------------------------------------------------
  const shared = document.getElementById("shared");
  if (shared) {
    poll(function () {
      return fetch(shared.dataset.source, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.body;
        // Move the bars to their new widths (the CSS transition animates them) instead of
        // replacing the markup, unless the questions themselves changed.
        const oldKeys = Array.from(shared.querySelectorAll(".shared-question")).map(function (q) { return q.dataset.key; }).join("|");
        const newKeys = Array.from(fresh.querySelectorAll(".shared-question")).map(function (q) { return q.dataset.key; }).join("|");
        const oldRooms = shared.querySelectorAll(".compare-room").length;
        const newRooms = fresh.querySelectorAll(".compare-room").length;
        if (oldKeys !== newKeys || oldRooms !== newRooms) {
          shared.replaceChildren(...Array.from(fresh.childNodes));
          return;
        }
        // The word after a count comes along: the server wrote it for the new number.
        const figures = ".bar-fill, .bar-pct, .bar-count, .respondents, .respondents-word";
        const oldFigures = shared.querySelectorAll(figures);
        const newFigures = fresh.querySelectorAll(figures);
        oldFigures.forEach(function (node, i) {
          const other = newFigures[i];
          if (!other) return;
          if (node.classList.contains("bar-fill")) node.setAttribute("width", other.getAttribute("width"));
          else node.textContent = other.textContent;
        });
      });
    });
  }

  // colour fields get a picker beside them ------------------------------------------------
  document.querySelectorAll("input.colour-text").forEach(function (text) {
    const picker = document.createElement("input");
    picker.type = "color";
    picker.className = "colour-picker";
    picker.setAttribute("aria-label", text.labels && text.labels[0] ? text.labels[0].textContent : "colour");
    function sync() {
      let v = text.value.trim();
      if (!v.startsWith("#")) v = "#" + v;
      if (/^#[0-9a-fA-F]{3}$/.test(v)) v = "#" + v.slice(1).split("").map(function (c) { return c + c; }).join("");
      if (/^#[0-9a-fA-F]{6}$/.test(v)) picker.value = v.toLowerCase();
    }
    sync();
    text.addEventListener("input", sync);
    picker.addEventListener("input", function () { text.value = picker.value; });
    text.insertAdjacentElement("afterend", picker);
    text.parentElement.classList.add("colour-field");
  });

  // poster -------------------------------------------------------------------------------
  const print = document.getElementById("print-poster");
  if (print) print.addEventListener("click", function () { window.print(); });
})();
