// The phone's Q&A page: sends questions and votes without reloading, and redraws the
// list from the live `questions` event. Participant text only ever goes in as textContent.
"use strict";
(function () {
  const root = document.getElementById("qa-phone");
  if (!root) return;
  const code = root.dataset.code;
  const token = root.dataset.token;
  const list = document.getElementById("qa-list");
  const askForm = document.getElementById("qa-ask");
  const api = "/api/v1/sessions/" + encodeURIComponent(code) + "/questions";
  const voted = new Set();
  for (const item of list.querySelectorAll(".qa-item")) {
    const button = item.querySelector("button");
    if (button && button.getAttribute("aria-pressed") === "true") voted.add(Number(item.dataset.id));
  }

  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function notice(form, text, kind) {
    let p = form.querySelector(".notice.js");
    if (!p) {
      p = document.createElement("p");
      p.setAttribute("role", "status");
      form.appendChild(p);
    }
    p.className = "notice js " + kind;
    p.textContent = text;
  }

  async function call(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { /* no body */ }
    if (!response.ok) throw new Error((data && data.detail) || response.statusText);
    return data;
  }

  function item(q) {
    const li = document.createElement("li");
    li.className = "qa-item" + (q.answered ? " answered" : "");
    li.id = "question-" + q.id;
    li.dataset.id = String(q.id);
    const p = document.createElement("p");
    p.className = "qa-text";
    const bdi = document.createElement("bdi");
    bdi.textContent = q.text;
    p.appendChild(bdi);
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/j/" + code + "/questions/" + q.id + "/vote";
    form.className = "qa-vote";
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "csrf_token";
    hidden.value = csrf();
    const button = document.createElement("button");
    button.type = "submit";
    const mine = voted.has(q.id);
    button.setAttribute("aria-pressed", mine ? "true" : "false");
    button.textContent = mine ? root.dataset.unvoteText : root.dataset.voteText;
    const count = document.createElement("span");
    count.className = "qa-votes";
    const strong = document.createElement("strong");
    strong.textContent = String(q.votes);
    const word = document.createElement("span");
    count.append(strong, " ", word);
    votesWord(word, q.votes);
    form.append(hidden, button, count);
    if (q.answered) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = root.dataset.answeredText;
      form.append(" ", badge);
    }
    li.append(p, form);
    return li;
  }

  function draw(board) {
    list.replaceChildren(...board.questions.map(item));
    const empty = document.getElementById("qa-empty");
    if (empty) empty.hidden = board.questions.length > 0;
  }

  // The asker's own question waiting for approval, listed for them alone (as the page does).
  function waiting(question) {
    const mine = document.getElementById("qa-waiting-list");
    if (!mine) return;
    const li = document.createElement("li");
    li.className = "qa-item waiting";
    const text = document.createElement("p");
    text.className = "qa-text";
    const bdi = document.createElement("bdi");
    bdi.textContent = question.text;
    text.appendChild(bdi);
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = mine.dataset.badge;
    li.append(text, badge);
    mine.appendChild(li);
    mine.closest("section").hidden = false;
  }

  // "1 stem", "2 stemmen": the word agrees with the number (the language's plural rules).
  const plural = new Intl.PluralRules(document.documentElement.lang || "en");
  function votesWord(word, votes) {
    if (word) word.textContent = plural.select(votes) === "one" ? root.dataset.voteOne : root.dataset.voteOther;
  }

  if (askForm) {
    // How much of the 280 characters is used, so nothing is cut off unseen.
    askForm.addEventListener("input", function () {
      const counter = askForm.querySelector(".text-counter");
      const typed = askForm.querySelector("textarea").value.length;
      if (counter) counter.textContent = counter.dataset.template.replace("{count}", String(typed)).replace("{max}", counter.dataset.max);
    });
    askForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      const text = askForm.querySelector("textarea");
      try {
        const question = await call(api, { text: text.value });
        text.value = "";
        askForm.dispatchEvent(new Event("input")); // the counter back to 0
        notice(askForm, question.status === "pending" ? root.dataset.pendingText : "✓", "saved");
        if (question.status === "pending") waiting(question);
      } catch (error) {
        notice(askForm, error.message, "error");
      }
    });
  }

  list.addEventListener("submit", async function (event) {
    const form = event.target.closest("form.qa-vote");
    if (!form) return;
    event.preventDefault();
    const id = Number(form.closest(".qa-item").dataset.id);
    try {
      const result = await call(api + "/" + id + "/vote");
      if (result.voted) voted.add(id); else voted.delete(id);
      const button = form.querySelector("button");
      button.setAttribute("aria-pressed", result.voted ? "true" : "false");
      button.textContent = result.voted ? root.dataset.unvoteText : root.dataset.voteText;
      form.querySelector(".qa-votes strong").textContent = String(result.votes);
      votesWord(form.querySelector(".qa-votes strong + span"), result.votes);
    } catch (error) {
      notice(form, error.message, "error");
    }
  });

  Denkdag.connect("/api/v1/sessions/" + encodeURIComponent(code) + "/events", {
    questions: draw,
  });
  // Questions asked while the stream was away: the list is fetched again (retried by the
  // live layer, js/live.js, when that fails too).
  const board = Denkdag.keep(async function () {
    const response = await fetch(api, { headers: { "Authorization": "Bearer " + token } });
    if (response.status >= 500) throw new Error("questions " + response.status); // retried
    if (!response.ok) return null; // refused: nothing to show
    draw(await response.json());
    return null;
  }, null);
  document.addEventListener("denkdag:reconnected", board.refresh);
})();
