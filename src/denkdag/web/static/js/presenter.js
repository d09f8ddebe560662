// The projector: swaps slides when the session moves, updates bars and counters live,
// and takes the facilitator's keys (arrows/space move, R reveal, L voting, F full screen).
"use strict";
(function () {
  const root = document.getElementById("presenter");
  if (!root) return;
  const code = root.dataset.code;
  const host = document.getElementById("slide-host");
  const answerCount = document.getElementById("answer-count");
  const answerCounter = document.getElementById("answer-counter");
  const joinedCount = document.getElementById("joined-count");

  function slide() { return host.querySelector("#slide"); }

  // The slide's fetch, kept at the session's state version by the live layer (js/live.js);
  // js/projector_fit.js fits whatever lands in the host to the stage, continuously.
  async function load() {
    // The breakdown toggle (?by=p1) stays on while the slides change.
    const by = new URLSearchParams(window.location.search).get("by");
    const query = by ? "?by=" + encodeURIComponent(by) : "";
    const was = DenkdagAnnounce.before(host);
    host.innerHTML = await Denkdag.fetchFragment("/p/" + code + "/slide" + query);
    DenkdagAnnounce.after(host, was, { focus: false });
    const current = slide();
    answerCounter.hidden = !current || current.dataset.asks !== "yes";
    if (current && current.dataset.respondents) answerCount.textContent = current.dataset.respondents;
    return current ? current.dataset.version : null;
  }

  function act(action) {
    const current = slide();
    Denkdag.control(code, action).catch(function (error) { console.warn(error.message); });
    return current;
  }

  function toggle(kind) {
    const current = slide();
    if (!current || current.dataset.kind === "info") return;
    if (kind === "reveal") act(current.dataset.revealed === "yes" ? "hide" : "reveal");
    else act(current.dataset.open === "yes" ? "close" : "open");
  }

  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(function () {});
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "ArrowRight" || key === "PageDown" || key === " ") { event.preventDefault(); act("next"); }
    else if (key === "ArrowLeft" || key === "PageUp") { event.preventDefault(); act("previous"); }
    else if (key === "r" || key === "R") toggle("reveal");
    else if (key === "l" || key === "L") toggle("open");
    else if (key === "f" || key === "F") fullscreen();
  });
  root.querySelector(".presenter-keys").addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "toggle-reveal") toggle("reveal");
    else if (action === "toggle-open") toggle("open");
    else if (action === "fullscreen") fullscreen();
    else act(action);
  });

  const first = slide();
  const view = Denkdag.keep(load, first ? first.dataset.version : null);
  Denkdag.connect("/api/v1/sessions/" + code + "/events", {
    state: function (state) {
      if (typeof state.joined === "number") joinedCount.textContent = String(state.joined);
      view.want(state.version);
    },
    tally: function (tally) {
      const current = slide();
      if (current && current.dataset.slide === tally.slide) answerCount.textContent = String(tally.respondents);
      Denkdag.updateBars(host, tally);
    },
    presence: function (presence) { joinedCount.textContent = String(presence.joined); },
    opinion: function () { /* drawn by kinds/opinions.js (the denkdag:opinion event) */ },
    questions: function () { /* drawn by qa_projector.js (the denkdag:questions event) */ },
    progress: function () { /* audience pace: drawn by pace.js (the denkdag:progress event) */ },
  });
})();
