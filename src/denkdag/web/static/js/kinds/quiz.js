// The quiz on a phone: sends the nickname the participant chose (PUT …/nickname) and
// then reloads the slide, which shows it (and, on a revealed question, the points).
// Everything else of the quiz is drawn by the server's partials.
"use strict";
(function () {
  const root = document.getElementById("phone");
  if (!root) return;
  const token = root.dataset.token;

  async function choose(form) {
    const input = form.querySelector('input[name="nickname"]');
    const notice = form.querySelector(".notice");
    const response = await fetch("/api/v1/sessions/" + encodeURIComponent(form.dataset.quizNickname) + "/nickname", {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ nickname: input.value }),
    });
    if (response.ok) {
      const chosen = (await response.json()).nickname;
      const mine = document.createElement("p");
      mine.className = "quiz-me small";
      mine.textContent = "✓ " + chosen;
      form.replaceWith(mine);
      return;
    }
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
    notice.textContent = detail;
    notice.hidden = false;
    input.focus();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-quiz-nickname]");
    if (!form) return;
    event.preventDefault();
    choose(form);
  });
})();
