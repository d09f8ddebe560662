// Live results of the scale, word-cloud, open-answer and ranking kinds, on the projector
// and on phones: each `tally` event (heard as the `denkdag:tally` DOM event that live.js
// dispatches) updates the server-rendered results in place. Participant text is only ever
// set with textContent. Hidden open answers are never drawn (a participant's stream never
// carries them; the presenter's facilitator stream marks them `hidden`).
"use strict";
(function () {
  // A mean or an average rank as the page's language writes it ("3,5" in Dutch and French).
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  function oneDecimal(value) { return numbers.format(value); }

  function containers(slideId, kind) {
    return document.querySelectorAll('.kind-results[data-kind="' + kind + '"][data-slide="' + CSS.escape(slideId) + '"]');
  }

  function updateScale(root, tally) {
    if (!Array.isArray(tally.items)) return;
    for (const item of tally.items) {
      const section = root.querySelector('.scale-item[data-item="' + CSS.escape(item.id) + '"]');
      if (!section) continue;
      const counts = item.counts || {};
      const rated = Object.values(counts).reduce(function (a, b) { return a + b; }, 0);
      // The tallest column is the most given rating (scaled to the maximum, not the total).
      const most = Math.max(0, ...Object.values(counts));
      for (const column of section.querySelectorAll(".scale-column")) {
        const count = counts[column.dataset.value] || 0;
        const pct = most ? Math.round((100 * count) / most) : 0;
        column.querySelector(".scale-count").textContent = String(count);
        const rect = column.querySelector(".scale-fill");
        rect.setAttribute("y", String(100 - pct));
        rect.setAttribute("height", String(pct));
      }
      section.querySelector(".scale-mean-value").textContent = typeof item.mean === "number" ? oneDecimal(item.mean) : "–";
      section.querySelector(".scale-rated").textContent = String(rated);
    }
  }

  function updateRanking(root, tally) {
    if (!tally.average_rank || !Array.isArray(tally.order)) return;
    const body = root.querySelector("tbody");
    const n = Number(root.dataset.options) || tally.order.length;
    for (const id of tally.order) {
      const row = body.querySelector('.rank-row[data-key="' + CSS.escape(id) + '"]');
      if (!row) continue;
      const rank = tally.average_rank[id];
      const pct = typeof rank === "number" ? Math.round((100 * (n - rank + 1)) / n) : 0;
      row.querySelector(".bar-fill").setAttribute("width", String(pct));
      row.querySelector(".rank-average").textContent = typeof rank === "number" ? oneDecimal(rank) : "–";
      body.appendChild(row); // best first
    }
  }

  function updateWall(root, tally) {
    if (!Array.isArray(tally.answers)) return;
    const wall = root.querySelector(".wall");
    const cards = new Map();
    for (const card of wall.querySelectorAll(".wall-card")) cards.set(card.dataset.id, card);
    let previous = null;
    let shown = 0;
    for (const answer of tally.answers) {
      if (answer.hidden) continue;
      const id = String(answer.id);
      let card = cards.get(id);
      if (!card) {
        card = document.createElement("li");
        card.className = "wall-card";
        card.dataset.id = id;
        card.appendChild(document.createElement("bdi"));
      }
      cards.delete(id);
      const text = card.querySelector("bdi");
      if (text.textContent !== answer.text) text.textContent = answer.text;
      card.classList.toggle("highlighted", !!answer.highlighted);
      const wanted = previous ? previous.nextSibling : wall.firstChild;
      if (card !== wanted) wall.insertBefore(card, wanted);
      previous = card;
      shown += 1;
    }
    for (const card of cards.values()) card.remove();
    const empty = root.querySelector(".wall-empty");
    if (empty) empty.hidden = shown > 0;
  }

  function updateCloud(root, tally) {
    if (!Array.isArray(tally.cloud)) return;
    const list = root.querySelector(".cloud-words");
    if (list) {
      list.replaceChildren();
      for (const entry of tally.cloud) {
        const li = document.createElement("li");
        li.className = "cloud-word";
        li.dataset.word = entry.word;
        li.dataset.count = String(entry.count);
        const text = document.createElement("bdi");
        text.textContent = entry.text;
        const count = document.createElement("span");
        count.className = "cloud-count";
        count.textContent = String(entry.count);
        li.append(text, " ", count);
        list.appendChild(li);
      }
    }
    const empty = root.querySelector(".cloud-empty");
    if (empty) empty.hidden = tally.cloud.length > 0;
    if (window.DenkdagCloud) window.DenkdagCloud.draw(root, tally.slide, tally.cloud);
  }

  const UPDATE = { scale: updateScale, ranking: updateRanking, open: updateWall, wordcloud: updateCloud };

  document.addEventListener("denkdag:tally", function (event) {
    const tally = event.detail;
    if (!tally || !tally.slide) return;
    for (const kind of Object.keys(UPDATE)) {
      for (const root of containers(tally.slide, kind)) UPDATE[kind](root, tally);
    }
  });

  // Clouds the server rendered as a list are drawn once the fragment is on the page.
  function drawClouds() {
    if (!window.DenkdagCloud) return;
    for (const root of document.querySelectorAll('.kind-results[data-kind="wordcloud"]')) {
      if (root.dataset.drawn === "yes") continue;
      root.dataset.drawn = "yes";
      window.DenkdagCloud.draw(root, root.dataset.slide, window.DenkdagCloud.entriesFromList(root));
    }
  }
  const host = document.getElementById("slide-host");
  if (host) new MutationObserver(drawClouds).observe(host, { childList: true });
  drawClouds();
})();
