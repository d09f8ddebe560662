// The facilitator's remote (phone or laptop), and the speaker notes window: buttons call
// the control API and the page redraws itself from the server (its own address,
// `data-page`) whenever the session changes, from here or elsewhere.
"use strict";
(function () {
  const root = document.getElementById("remote");
  if (!root) return;
  const code = root.dataset.code;
  const page = root.dataset.page || "/c/" + code;
  // The remote's page (or the notes window), kept at the session's state version by the
  // live layer (js/live.js).
  async function load() {
    const html = await Denkdag.fetchFragment(page);
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.getElementById("remote");
    if (!fresh) return null;
    root.innerHTML = fresh.innerHTML;
    return fresh.dataset.version;
  }
  const view = Denkdag.keep(load, root.dataset.version);
  function redraw() { return view.refresh(); }

  root.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset.moderate) return; // an answer's moderation: kinds/moderation.js
    if (form.dataset.round) return; // a statement's moderation: kinds/rounds.js
    const actionInput = form.querySelector('input[name="action"]');
    if (!actionInput) return; // a plain form, posted as it is (the room settings)
    const action = actionInput.value;
    const slideInput = form.querySelector('input[name="slide"]');
    event.preventDefault();
    Denkdag.control(code, action, slideInput ? slideInput.value : null).then(redraw).catch(function (error) {
      window.alert(error.message);
    });
  });

  Denkdag.connect("/api/v1/sessions/" + code + "/events", {
    state: function (state) { view.want(state.version); },
    tally: function () { /* heard by kinds/moderation.js through the denkdag:tally event */ },
    statements: function () { /* a statement round's: kinds/rounds.js */ },
    presence: function (presence) {
      const joined = document.getElementById("joined-count");
      if (joined) joined.textContent = String(presence.joined);
    },
  });
})();
