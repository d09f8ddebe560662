// Phone inputs read by JavaScript: a kind's phone form names its reader in
// data-kind-form (ratings, words, text, places), never its kind. Every form also works as
// a plain form post (the kind's read_form); with JavaScript it is sent through the JSON
// API (phone.js's Denkdag.sendAnswer), places are given by tapping the options in order
// (with undo and start again, by keyboard too), and text being typed survives a slide
// refresh.
"use strict";
(function () {
  const host = document.getElementById("slide-host");
  if (!host) return;
  const drafts = new Map(); // "slide/field/index" -> text typed but not sent

  function slideOf(form) { return form.querySelector('input[name="slide"]').value; }

  const READ = {
    ratings: function (form) {
      const value = {};
      for (const input of form.querySelectorAll('input[type="radio"]:checked')) {
        value[input.name.replace(/^item-/, "")] = Number(input.value);
      }
      return value;
    },
    words: function (form) {
      return Array.from(form.querySelectorAll('input[name="word"]')).map(function (i) { return i.value; })
        .filter(function (word) { return word.trim() !== ""; });
    },
    text: function (form) { return form.querySelector('textarea[name="text"]').value; },
    places: function (form) {
      const placed = [];
      for (const select of form.querySelectorAll("select")) {
        if (select.value) placed.push({ id: select.name.replace(/^rank-/, ""), place: Number(select.value) });
      }
      placed.sort(function (a, b) { return a.place - b.place; });
      return placed.map(function (p) { return p.id; });
    },
  };

  host.addEventListener("submit", function (event) {
    const form = event.target;
    const reader = form.dataset.kindForm;
    if (!READ[reader] || !window.Denkdag.sendAnswer) return;
    event.preventDefault();
    const slide = slideOf(form);
    for (const key of Array.from(drafts.keys())) if (key.startsWith(slide + "/")) drafts.delete(key);
    window.Denkdag.sendAnswer(form, READ[reader](form));
  });

  // Character counter of open answers, and drafts of typed text.
  function count(textarea) {
    const counter = textarea.form && textarea.form.querySelector(".text-counter");
    if (!counter) return;
    const template = counter.dataset.template || "{count} / {max}";
    counter.textContent = template.replace("{count}", String(textarea.value.length)).replace("{max}", counter.dataset.max);
  }
  function fieldKey(field) {
    const siblings = Array.from(field.form.querySelectorAll('[name="' + field.name + '"]'));
    return slideOf(field.form) + "/" + field.name + "/" + siblings.indexOf(field);
  }
  host.addEventListener("input", function (event) {
    const field = event.target;
    if (!field.form || !READ[field.form.dataset.kindForm]) return;
    if (field.matches("textarea, input[type=text]")) drafts.set(fieldKey(field), field.value);
    if (field.matches("textarea")) count(field);
  });

  // Places by tapping: the number selects stay the truth (and the no-JS form).
  function places(form) {
    return Array.from(form.querySelectorAll(".rank-option")).map(function (row) {
      return { row: row, select: row.querySelector("select"), button: row.querySelector(".rank-tap") };
    });
  }
  function showPlaces(form) {
    for (const option of places(form)) {
      const place = option.select.value;
      option.button.querySelector(".rank-badge").textContent = place;
      option.button.classList.toggle("placed", !!place);
      option.button.setAttribute("aria-pressed", place ? "true" : "false");
    }
  }
  function enhance() {
    for (const form of host.querySelectorAll('form[data-kind-form="places"]')) {
      if (form.classList.contains("taps")) continue;
      form.classList.add("taps");
      for (const el of form.querySelectorAll(".rank-tap, .rank-tools, .rank-help-taps")) el.hidden = false;
      for (const el of form.querySelectorAll(".rank-help-form")) el.hidden = true;
      showPlaces(form);
    }
    for (const field of host.querySelectorAll("form[data-kind-form] textarea, form[data-kind-form] input[type=text]")) {
      const draft = drafts.get(fieldKey(field));
      if (draft !== undefined && !field.disabled) field.value = draft;
      if (field.matches("textarea")) count(field);
    }
  }
  host.addEventListener("click", function (event) {
    const form = event.target.closest('form[data-kind-form="places"]');
    if (!form) return;
    const options = places(form);
    const taken = options.map(function (o) { return Number(o.select.value) || 0; });
    const tap = event.target.closest(".rank-tap");
    if (tap) {
      const option = options.find(function (o) { return o.button === tap; });
      if (option && !option.select.value) option.select.value = String(Math.max(0, ...taken) + 1);
    } else if (event.target.closest(".rank-undo")) {
      const last = Math.max(0, ...taken);
      for (const o of options) if (Number(o.select.value) === last) o.select.value = "";
    } else if (event.target.closest(".rank-reset")) {
      for (const o of options) o.select.value = "";
    } else {
      return;
    }
    showPlaces(form);
  });

  new MutationObserver(enhance).observe(host, { childList: true });
  enhance();
})();
