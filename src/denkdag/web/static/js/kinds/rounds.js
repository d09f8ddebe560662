// Statement rounds (domain/kinds/statement_round.py), live on three screens:
// - the phone votes on ONE statement at a time through the JSON API and swaps in the next
//   one the server chose, writes statements, changes earlier votes, and fetches a new card
//   when the room's statements change (`statements` event) while it had none left;
// - the projector redraws its figures, newest statements and most agreed / divided
//   statements from each `tally` event of the round;
// - the remote reloads its (server-rendered, escaped) moderation list on `statements`
//   and `tally` events, and sends approve / hide with fetch.
// Participant text only ever goes into the page as textContent.
"use strict";
(function () {
  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function el(name, attributes, text) {
    const node = document.createElement(name);
    for (const key of Object.keys(attributes || {})) node.setAttribute(key, String(attributes[key]));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function detailOf(response) {
    try { return (await response.json()).detail || response.statusText; } catch (e) { return response.statusText; }
  }

  // --- the phone ----------------------------------------------------------------------
  const phone = document.getElementById("phone");
  const host = document.getElementById("slide-host");
  if (phone && host) {
    const code = phone.dataset.code;
    const token = phone.dataset.token;
    let fetching = null;

    const round = function () { return host.querySelector("#round"); };
    const api = function (section) {
      return "/api/v1/sessions/" + encodeURIComponent(code) + "/slides/" + encodeURIComponent(section.dataset.slide) + "/statements";
    };
    const call = async function (method, url, body) {
      const response = await fetch(url, {
        method: method,
        headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token, "Accept": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) {
        const error = new Error(await detailOf(response));
        error.status = response.status;
        throw error;
      }
      return response.json();
    };

    const notice = function (container, text, kind) {
      let p = container.querySelector(".notice.js");
      if (!p) {
        p = el("p", { role: "status" });
        container.appendChild(p);
      }
      p.className = "notice js " + kind;
      p.textContent = text;
    };

    const stanceButtons = function (section, fieldset, chosen, small) {
      for (const stance of ["agree", "disagree", "pass"]) {
        const button = el("button", { type: "submit", name: "value", value: stance, "class": "round-stance stance-" + stance + (small ? " small" : "") }, section.dataset[stance + "Label"]);
        if (chosen !== undefined) {
          button.classList.toggle("chosen", chosen === stance);
          button.setAttribute("aria-pressed", chosen === stance ? "true" : "false");
        }
        fieldset.appendChild(button);
      }
    };

    const voteForm = function (section, statementId, kind, chosen) {
      const form = el("form", {
        method: "post",
        action: "/j/" + code + "/statements/" + section.dataset.slide + "/" + statementId + "/vote",
        "class": kind === "vote" ? "round-vote" : "round-change",
        "data-round": kind,
      });
      form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrf() }));
      const fieldset = el("fieldset");
      if (section.dataset.open !== "yes") fieldset.disabled = true;
      fieldset.appendChild(el("legend", { "class": "visually-hidden" }, section.dataset.legend));
      stanceButtons(section, fieldset, chosen, kind !== "vote");
      form.appendChild(fieldset);
      return form;
    };

    const drawProgress = function (section, next) {
      const text = section.querySelector(".round-progress-text");
      if (text) text.textContent = (section.dataset.progressTemplate || "{voted} / {total}").replace("{voted}", String(next.voted)).replace("{total}", String(next.total));
      const fill = section.querySelector(".round-meter-fill");
      if (fill) { fill.dataset.voted = String(next.voted); fill.dataset.total = String(next.total); meter(fill); }
    };

    const drawCard = function (section, next) {
      section.dataset.open = next.open ? "yes" : "no";
      const card = section.querySelector("#round-card");
      card.replaceChildren();
      if (next.statement) {
        const quote = el("blockquote", { "class": "statement round-statement", "data-id": next.statement.id });
        quote.appendChild(el("bdi", {}, next.statement.text));
        card.append(quote, voteForm(section, next.statement.id, "vote"));
      } else {
        card.appendChild(el("p", { "class": "notice round-done" }, next.total ? section.dataset.doneText : section.dataset.emptyText));
      }
      drawProgress(section, next);
    };

    const remember = function (section, statementId, text, vote) {
      // The participant's own votes, to change later: kept in the <details> list.
      let details = section.querySelector(".round-mine");
      if (!details) {
        details = el("details", { "class": "round-mine" });
        details.append(el("summary"), el("ol", { "class": "round-mine-list" }));
        section.appendChild(details);
      }
      const list = details.querySelector(".round-mine-list");
      let item = list.querySelector('.round-mine-item[data-id="' + CSS.escape(statementId) + '"]');
      if (!item) {
        item = el("li", { "class": "round-mine-item", "data-id": statementId });
        const p = el("p", { "class": "round-mine-text" });
        p.appendChild(el("bdi", {}, text));
        item.append(p, voteForm(section, statementId, "change", vote));
        list.appendChild(item);
      } else {
        for (const button of item.querySelectorAll(".round-stance")) {
          button.classList.toggle("chosen", button.value === vote);
          button.setAttribute("aria-pressed", button.value === vote ? "true" : "false");
        }
      }
      details.querySelector("summary").textContent = section.dataset.mineText + " (" + list.children.length + ")";
    };

    const fetchNext = function (section) {
      if (fetching) return fetching;
      fetching = call("GET", api(section) + "/next").then(function (next) { drawCard(section, next); }).catch(function () {}).finally(function () { fetching = null; });
      return fetching;
    };

    host.addEventListener("submit", async function (event) {
      const form = event.target;
      const kind = form.dataset.round;
      const section = form.closest("#round");
      if (!kind || !section) return;
      event.preventDefault();
      const button = event.submitter;
      try {
        if (kind === "write") {
          const field = form.querySelector("textarea");
          const written = await call("POST", api(section), { text: field.value });
          field.value = "";
          count(field);
          notice(form, written.status === "pending" ? section.dataset.pendingText : section.dataset.addedText, "saved");
          if (written.status === "approved" && !section.querySelector(".round-vote")) fetchNext(section);
          return;
        }
        if (!button || !button.value) return;
        const id = form.action.split("/").slice(-2)[0];
        const statementId = decodeURIComponent(id);
        const text = kind === "vote"
          ? section.querySelector(".round-statement bdi").textContent
          : form.closest(".round-mine-item").querySelector("bdi").textContent;
        for (const b of form.querySelectorAll("button")) b.disabled = true;
        const result = await call("PUT", api(section) + "/" + encodeURIComponent(statementId) + "/vote", { value: button.value });
        remember(section, statementId, text, result.vote);
        if (kind === "vote") drawCard(section, result.next);
        else { for (const b of form.querySelectorAll("button")) b.disabled = false; drawProgress(section, result.next); }
      } catch (error) {
        for (const b of form.querySelectorAll("button")) b.disabled = false;
        notice(kind === "vote" ? section.querySelector("#round-card") : form, error.message, "error");
        if (error.status === 404) fetchNext(section); // hidden meanwhile: offer the next one
      }
    });

    const count = function (field) {
      const counter = field.form && field.form.querySelector(".round-counter");
      if (!counter) return;
      counter.textContent = (counter.dataset.template || "{count} / {max}").replace("{count}", String(field.value.length)).replace("{max}", field.getAttribute("maxlength") || "");
    };
    host.addEventListener("input", function (event) {
      if (event.target.matches('form[data-round="write"] textarea')) count(event.target);
    });

    document.addEventListener("denkdag:statements", function (event) {
      const section = round();
      if (!section || !event.detail || event.detail.slide !== section.dataset.slide) return;
      if (!section.querySelector(".round-vote")) fetchNext(section);
      else call("GET", api(section) + "/next").then(function (next) { drawProgress(section, next); }).catch(function () {});
    });
  }

  function meter(fill) {
    const total = Number(fill.dataset.total) || 0;
    const voted = Number(fill.dataset.voted) || 0;
    fill.parentElement.dataset.full = total && voted >= total ? "yes" : "no";
    // Width as an SVG-free, CSP-safe step class (no inline style): 0, 10, … 100 %.
    const step = total ? Math.round((10 * voted) / total) * 10 : 0;
    fill.className = "round-meter-fill step-" + step;
  }
  function meters() { for (const fill of document.querySelectorAll(".round-meter-fill")) meter(fill); }
  if (host) new MutationObserver(meters).observe(host, { childList: true });
  meters();

  // --- the projector ------------------------------------------------------------------
  function fillList(board, selector, ids, byId, line) {
    const list = board.querySelector(selector);
    if (!list) return;
    list.replaceChildren();
    for (const id of ids || []) {
      const statement = byId.get(id);
      if (!statement) continue;
      const item = el("li", { "class": "round-item", "data-id": id });
      item.appendChild(el("bdi", {}, statement.text));
      if (line) item.append(" ", line(statement));
      list.appendChild(item);
    }
    const none = list.nextElementSibling;
    if (none && none.classList.contains("round-none")) none.hidden = list.children.length > 0;
  }

  document.addEventListener("denkdag:tally", function (event) {
    const tally = event.detail;
    if (!tally || !Array.isArray(tally.statements)) return;
    for (const board of document.querySelectorAll('.round-board[data-slide="' + CSS.escape(tally.slide) + '"]')) {
      const byId = new Map(tally.statements.map(function (s) { return [s.id, s]; }));
      board.querySelector(".round-statements-count").textContent = String(tally.statement_count);
      board.querySelector(".round-votes-count").textContent = String(tally.votes);
      board.querySelector(".round-voters-count").textContent = String(tally.respondents);
      fillList(board, ".round-newest-list", tally.newest, byId);
      fillList(board, ".round-agreed", tally.most_agreed, byId, function (s) {
        return el("span", { "class": "round-share share-agree" }, s.agree_share + "% " + board.dataset.agree);
      });
      fillList(board, ".round-divided", tally.most_divided, byId, function (s) {
        const split = el("span", { "class": "round-split" });
        split.append(el("span", { "class": "round-share share-agree" }, s.agree_share + "%"), " / ",
          el("span", { "class": "round-share share-disagree" }, s.disagree_share + "%"));
        return split;
      });
    }
  });

  // --- the remote's moderation list ---------------------------------------------------
  let reloading = null;
  let pending = null;
  async function reloadModeration() {
    const section = document.getElementById("round-moderation");
    if (!section || reloading) return;
    reloading = Denkdag.fetchFragment("/c/" + encodeURIComponent(section.dataset.code) + "/statements/" + encodeURIComponent(section.dataset.slide))
      .then(function (html) { section.innerHTML = html; })
      .catch(function () {})
      .finally(function () { reloading = null; });
  }
  function soon() {
    if (pending) return;
    pending = window.setTimeout(function () { pending = null; reloadModeration(); }, 250);
  }
  document.addEventListener("denkdag:statements", function (event) {
    const section = document.getElementById("round-moderation");
    if (section && event.detail && event.detail.slide === section.dataset.slide) soon();
  });
  document.addEventListener("denkdag:tally", function (event) {
    const section = document.getElementById("round-moderation");
    if (section && event.detail && event.detail.slide === section.dataset.slide) soon();
  });
  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (form.dataset.round !== "moderate") return;
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      body: new URLSearchParams(new FormData(form)),
    });
    if (!response.ok && !response.redirected) window.alert(await detailOf(response));
    reloadModeration();
  });
})();
