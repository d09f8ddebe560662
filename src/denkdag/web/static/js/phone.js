// The participant's phone: follows the presenter, answers with one tap, shows results.
"use strict";
(function () {
  const root = document.getElementById("phone");
  if (!root) return;
  const code = root.dataset.code;
  const token = root.dataset.token;
  const host = document.getElementById("slide-host");
  function currentSlide() { return host.querySelector("#slide"); }

  // The slide's fetch, kept at the session's state version by the live layer (js/live.js).
  // A slide this phone has not answered is the room's part of the slide (`?room=yes`,
  // rendered once for every phone); its own answer, if any, is on a page of its own.
  let heardSlide = null;
  async function load() {
    // At audience pace the phone stays on the participant's own slide (js/pace.js).
    const pace = host.querySelector(".pace-nav");
    let query = "";
    if (pace) query = "?slide=" + encodeURIComponent(pace.dataset.slide);
    else if (heardSlide !== null && !answers.has(heardSlide)) query = "?room=yes";
    const html = await Denkdag.fetchFragment("/j/" + code + "/slide" + query);
    const was = DenkdagAnnounce.before(host);
    host.innerHTML = html;
    DenkdagAnnounce.after(host, was, { focus: true });
    Denkdag.ownForms(host);
    const slide = currentSlide();
    if (slide) showPending(slide.dataset.slide);
    return slide ? slide.dataset.version : null;
  }
  function refresh() { return view.refresh(); }

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

  // A queued answer refused after its slide left the screen: said above the slide.
  function refusedElsewhere(detail) {
    let box = document.getElementById("live-refusal");
    if (!box) {
      box = document.createElement("p");
      box.id = "live-refusal";
      box.className = "notice error";
      box.setAttribute("role", "alert");
      host.parentNode.insertBefore(box, host);
    }
    box.textContent = detail;
  }

  // What a freshly drawn slide says of this phone's answer still on its way, or of one
  // the server refused (its reason stays until the next answer to that slide).
  const refusals = {};
  function showPending(slideId) {
    const form = formOf(slideId);
    if (!form) return;
    if (answers.waiting(slideId) !== undefined) showNotice(form, texts.queued, "queued");
    else if (refusals[slideId]) showNotice(form, refusals[slideId], "error");
  }

  function formOf(slideId) {
    for (const input of host.querySelectorAll('form input[name="slide"]')) {
      if (input.value === slideId) return input.form;
    }
    return null;
  }

  function markChosen(form, value) {
    for (const el of form.querySelectorAll(".choice")) {
      const input = el.querySelector("input");
      const key = input ? input.value : el.value;
      const chosen = Array.isArray(value) ? value.includes(key) : value === key;
      el.classList.toggle("chosen", chosen);
      if (el.tagName === "BUTTON") el.setAttribute("aria-pressed", chosen ? "true" : "false");
    }
  }

  // An answer is "sending" until the server's 200, then "saved"; with the network away it
  // is "not sent yet" and goes out by itself (the live layer's queue); a refusal says why.
  const texts = {
    saved: root.dataset.savedText || "✓",
    sending: root.dataset.sendingText || "…",
    queued: root.dataset.queuedText || "…",
  };
  const answers = Denkdag.answers(code, token, (root.dataset.answered || "").split(" ").filter(Boolean), {
    sending: function (slideId) {
      const form = formOf(slideId);
      if (form) showNotice(form, texts.sending, "sending");
    },
    queued: function (slideId) {
      const form = formOf(slideId);
      if (form) showNotice(form, texts.queued, "queued");
    },
    saved: function (slideId, value) {
      const form = formOf(slideId);
      if (form) {
        markChosen(form, value);
        showNotice(form, texts.saved, "saved");
      }
      document.dispatchEvent(new CustomEvent("denkdag:answered", { detail: { slide: slideId } }));
    },
    refused: function (slideId, detail, status) {
      refusals[slideId] = detail;
      const form = formOf(slideId);
      if (form) showNotice(form, detail, "error");
      else refusedElsewhere(detail);
      if (status === 409) refresh();
    },
  });

  function send(form, value) {
    const slideId = form.querySelector('input[name="slide"]').value;
    delete refusals[slideId];
    answers.send(slideId, value);
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
  if (first) heardSlide = first.dataset.slide;
  const view = Denkdag.keep(load, first ? first.dataset.version : null);
  if (first) showPending(first.dataset.slide);
  Denkdag.connect("/api/v1/sessions/" + code + "/events", {
    state: function (state) {
      if (state.current_slide !== undefined) heardSlide = state.current_slide;
      view.want(state.version);
    },
    tally: function (tally) { Denkdag.updateBars(host, tally); },
    opinion: function () { /* drawn by kinds/opinions.js (the denkdag:opinion event) */ },
    statements: function () { /* a statement round's: kinds/rounds.js */ },
  });
})();
