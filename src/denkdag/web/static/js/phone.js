// The participant's phone: follows the presenter, answers with one tap, shows results.
"use strict";
(function () {
  const root = document.getElementById("phone");
  if (!root) return;
  const code = root.dataset.code;
  const token = root.dataset.token;
  const host = document.getElementById("slide-host");
  let shownVersion = null;
  let loading = null;

  function currentSlide() { return host.querySelector("#slide"); }

  let again = false; // a change arrived while a fragment was loading: load once more

  async function refresh() {
    if (loading) { again = true; return loading; }
    loading = (async function () {
      try {
        // At audience pace the phone stays on the participant's own slide (js/pace.js).
        const pace = host.querySelector(".pace-nav");
        const own = pace ? "?slide=" + encodeURIComponent(pace.dataset.slide) : "";
        const was = DenkdagAnnounce.before(host);
        host.innerHTML = await Denkdag.fetchFragment("/j/" + code + "/slide" + own);
        DenkdagAnnounce.after(host, was, { focus: true });
        const slide = currentSlide();
        shownVersion = slide ? slide.dataset.version : null;
      } finally {
        loading = null;
        if (again) { again = false; refresh(); }
      }
    })();
    return loading;
  }

  function showNotice(form, text, kind) {
    let notice = form.querySelector(".notice");
    if (!notice) {
      notice = document.createElement("p");
      notice.setAttribute("role", "status");
      form.appendChild(notice);
    }
    notice.className = "notice " + kind;
    notice.textContent = text;
  }

  async function send(form, value) {
    const slideId = form.querySelector('input[name="slide"]').value;
    const response = await fetch("/api/v1/sessions/" + code + "/slides/" + encodeURIComponent(slideId) + "/response", {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ value: value }),
    });
    if (response.ok) {
      for (const el of form.querySelectorAll(".choice")) {
        const input = el.querySelector("input");
        const key = input ? input.value : el.value;
        const chosen = Array.isArray(value) ? value.includes(key) : value === key;
        el.classList.toggle("chosen", chosen);
        if (el.tagName === "BUTTON") el.setAttribute("aria-pressed", chosen ? "true" : "false");
      }
      showNotice(form, form.closest("#phone").dataset.savedText || "✓", "saved");
      document.dispatchEvent(new CustomEvent("denkdag:answered", { detail: { slide: slideId } }));
      return;
    }
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
    showNotice(form, detail, "error");
    if (response.status === 409) refresh();
  }
  window.Denkdag.sendAnswer = send; // for the inputs of other kinds (kinds/phone_inputs.js)

  host.addEventListener("click", function (event) {
    const button = event.target.closest("button.choice");
    if (!button || !button.form || button.form.dataset.multiple === "yes") return;
    event.preventDefault();
    send(button.form, button.value);
  });
  host.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset.multiple !== "yes") return;
    event.preventDefault();
    const values = Array.from(form.querySelectorAll('input[name="value"]:checked')).map(function (i) { return i.value; });
    send(form, values);
  });
  host.addEventListener("change", function (event) {
    const label = event.target.closest("label.choice");
    if (label) label.classList.toggle("chosen", event.target.checked);
  });

  const first = currentSlide();
  shownVersion = first ? first.dataset.version : null;
  Denkdag.connect("/api/v1/sessions/" + code + "/events", {
    state: function (state) {
      if (String(state.version) !== shownVersion) refresh();
    },
    tally: function (tally) { Denkdag.updateBars(host, tally); },
    opinion: function () { /* drawn by kinds/opinions.js (the denkdag:opinion event) */ },
    statements: function () { /* a statement round's: kinds/rounds.js */ },
  });
})();
