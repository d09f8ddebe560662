// The profile questions on the phone: answers go through the API
// (PUT /api/v1/sessions/{code}/profile), then on to the session. Choosing an option only
// marks it: the answer goes when Continue is pressed (arrow keys walk the options without
// storing whichever they pass). Without this script the same form posts as it is.
"use strict";
(function () {
  const root = document.getElementById("profile");
  const form = document.getElementById("profile-form");
  if (!root || !form || !root.dataset.token) return;
  const code = root.dataset.code;
  const notice = form.querySelector(".notice");
  let sending = false;

  function answers(skip) {
    const chosen = {};
    if (skip) return chosen;
    for (const fieldset of form.querySelectorAll("fieldset[data-question]")) {
      const picked = fieldset.querySelector("input:checked");
      chosen[fieldset.dataset.question] = picked && picked.value ? picked.value : null;
    }
    return chosen;
  }

  async function send(skip) {
    if (sending) return;
    sending = true;
    try {
      const response = await fetch("/api/v1/sessions/" + encodeURIComponent(code) + "/profile", {
        method: "PUT",
        headers: { "Content-Type": "application/json", "Authorization": "Bearer " + root.dataset.token },
        body: JSON.stringify({ answers: answers(skip) }),
      });
      if (response.ok) {
        window.location.replace("/j/" + encodeURIComponent(code));
        return;
      }
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
      notice.className = "notice error";
      notice.textContent = detail;
      notice.hidden = false;
    } catch (e) {
      form.submit(); // the network call failed: let the plain form try
    } finally {
      sending = false;
    }
  }

  form.addEventListener("change", function (event) {
    const label = event.target.closest("label.choice");
    if (!label) return;
    for (const other of label.closest("fieldset").querySelectorAll("label.choice")) {
      other.classList.toggle("chosen", other === label);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(Boolean(event.submitter && event.submitter.name === "skip"));
  });
})();
