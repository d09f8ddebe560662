// The opinion map, live: each `opinion` event (heard as the `denkdag:opinion` DOM event that
// live.js dispatches) redraws the server-rendered map in place: dots coloured by group,
// group labels with sizes, and the statements that unite and divide the room. On a phone
// whose facilitator allows it, the phone's own dot is fetched and highlighted. Statement
// text is only ever set with textContent; nothing here uses inline styles.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_LISTED = 3;
  const MAX_REPRESENTATIVE = 2;

  function svgNode(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const key of Object.keys(attributes)) node.setAttribute(key, String(attributes[key]));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function groupClass(group) { return "group-" + (group === null || group === undefined ? "none" : group); }

  function drawDots(board, view) {
    const dots = board.querySelector(".opinion-dots");
    const labels = board.querySelector(".opinion-labels");
    if (!dots || !labels) return;
    dots.replaceChildren();
    for (const dot of view.dots || []) {
      dots.appendChild(svgNode("circle", { "class": "opinion-dot " + groupClass(dot.group), cx: dot.x, cy: dot.y, r: 1.6 }));
    }
    labels.replaceChildren();
    for (const group of view.groups || []) {
      const members = (view.dots || []).filter(function (dot) { return dot.group === group.group; });
      if (!members.length) continue;
      const cx = members.reduce(function (sum, dot) { return sum + dot.x; }, 0) / members.length;
      const cy = members.reduce(function (sum, dot) { return sum + dot.y; }, 0) / members.length;
      labels.appendChild(svgNode("text", {
        "class": "opinion-label " + groupClass(group.group), x: Math.min(88, Math.max(12, cx)).toFixed(1), y: Math.max(8, cy - 6).toFixed(1), "text-anchor": "middle",
      }, group.label + " · " + group.size));
    }
    const count = board.querySelector(".opinion-voters");
    if (count) count.textContent = String((view.dots || []).length);
  }

  function statementItem(board, statement, withShare) {
    const item = document.createElement("li");
    item.className = "opinion-statement" + (statement.direction ? " direction-" + statement.direction : "");
    const text = document.createElement("bdi");
    text.textContent = statement.statement;
    item.appendChild(text);
    if (withShare) item.append(" ", share(board, statement));
    return item;
  }

  function share(board, statement) {
    const span = document.createElement("span");
    span.className = "opinion-share";
    const word = statement.direction === "disagree" ? board.dataset.disagree : board.dataset.agree;
    span.textContent = statement.share + "% " + word;
    return span;
  }

  function fillList(board, selector, statements, withShare) {
    const list = board.querySelector(selector);
    if (!list) return;
    list.replaceChildren();
    for (const statement of (statements || []).slice(0, MAX_LISTED)) list.appendChild(statementItem(board, statement, withShare));
    const none = list.parentElement.querySelector(".opinion-none");
    if (none) none.hidden = list.children.length > 0;
  }

  function fillGroups(board, groups) {
    const list = board.querySelector(".opinion-groups");
    if (!list) return;
    list.replaceChildren();
    for (const group of groups || []) {
      const item = document.createElement("li");
      item.className = "opinion-group " + groupClass(group.group);
      const name = document.createElement("strong");
      name.className = "group-text-" + group.group;
      name.textContent = board.dataset.group + " " + group.label;
      const size = document.createElement("span");
      size.className = "muted";
      size.textContent = "(" + group.size + ")";
      item.append(name, " ", size);
      // pol.is' best-agree statement first, then the representative ones.
      const best = group.best_agree;
      const reps = (group.representative || []).filter(function (s) { return !best || s.slide !== best.slide; });
      const listed = (best ? [best] : []).concat(reps).slice(0, MAX_REPRESENTATIVE);
      for (const statement of listed) {
        const rep = document.createElement("span");
        rep.className = "opinion-rep direction-" + statement.direction + (statement === best ? " opinion-best" : "");
        const text = document.createElement("bdi");
        text.textContent = statement.statement;
        rep.append(text, " ", share(board, statement));
        item.append(" ", rep);
      }
      list.appendChild(item);
    }
  }

  function drawOwn(board, me) {
    const layer = board.querySelector(".opinion-own");
    const line = board.querySelector(".opinion-you");
    if (!layer) return;
    layer.replaceChildren();
    const placed = me && me.shown && me.included;
    if (placed) {
      layer.appendChild(svgNode("circle", { "class": "opinion-me", cx: me.x, cy: me.y, r: 3.2 }));
      layer.appendChild(svgNode("text", { "class": "opinion-me-label", x: me.x, y: me.y - 4.5, "text-anchor": "middle" }, board.dataset.youText));
    }
    if (!line) return;
    line.hidden = !placed;
    line.replaceChildren();
    if (!placed) return;
    if (me.label) {
      const label = document.createElement("strong");
      label.className = "group-text-" + me.group;
      label.textContent = me.label;
      line.append(board.dataset.yourGroupText + " ", label);
    } else {
      line.textContent = board.dataset.noGroupText;
    }
  }

  async function fetchOwn(board) {
    const phone = document.getElementById("phone");
    if (!phone) return;
    const response = await fetch("/api/v1/sessions/" + encodeURIComponent(phone.dataset.code) + "/opinions/me", {
      credentials: "same-origin",
      headers: { "Authorization": "Bearer " + phone.dataset.token, "Accept": "application/json" },
    });
    if (response.ok) drawOwn(board, await response.json());
  }

  function draw(board, view) {
    if (typeof view.number === "number") {
      if (view.number < Number(board.dataset.number || 0)) return; // an older map, late
      board.dataset.number = String(view.number);
    }
    const waiting = board.querySelector(".opinion-waiting");
    const layout = board.querySelector(".opinion-layout");
    if (waiting) waiting.hidden = !!view.drawn;
    if (layout) layout.hidden = !view.drawn;
    const now = board.querySelector(".opinion-voters-now");
    if (now) now.textContent = String(view.voters || 0);
    drawDots(board, view);
    fillList(board, ".opinion-consensus", view.consensus, true);
    fillList(board, ".opinion-divisive", view.divisive, false);
    fillGroups(board, view.groups);
    if (board.dataset.own === "yes") fetchOwn(board).catch(function () { /* keep the last dot */ });
  }

  document.addEventListener("denkdag:opinion", function (event) {
    const view = event.detail;
    if (!view || view.shown === false && !("dots" in view)) return;
    for (const board of document.querySelectorAll(".opinion-board")) {
      // Hidden results stay hidden; revealing re-renders the slide with the latest map.
      if (board.dataset.revealed !== "yes") continue;
      draw(board, view);
    }
  });

  window.DenkdagOpinions = { draw: draw };
})();
