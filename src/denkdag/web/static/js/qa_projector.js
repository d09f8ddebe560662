// The projector's Q&A banner: the question the facilitator put on screen, from the live
// `questions` event (heard through presenter.js's stream) and once on load.
"use strict";
(function () {
  const banner = document.getElementById("qa-banner");
  if (!banner) return;
  const text = banner.querySelector(".qa-banner-text");
  const votes = banner.querySelector(".qa-banner-votes strong");

  function show(board) {
    const question = board && board.on_screen;
    banner.hidden = !question;
    if (!question) return;
    text.textContent = question.text;
    votes.textContent = String(question.votes);
    if (window.DenkdagAnnounce) window.DenkdagAnnounce.plurals(); // "1 vote", "2 votes"
  }

  document.addEventListener("denkdag:questions", function (event) { show(event.detail); });
  // Once on load, and again when the stream comes back (retried by js/live.js).
  const board = Denkdag.keep(async function () {
    const response = await fetch("/api/v1/sessions/" + encodeURIComponent(banner.dataset.code) + "/questions", {
      credentials: "same-origin",
    });
    if (response.status >= 500) throw new Error("questions " + response.status); // retried
    if (!response.ok) return null; // refused: nothing to show
    show(await response.json());
    return null;
  }, null);
  board.refresh();
  document.addEventListener("denkdag:reconnected", board.refresh);
})();
