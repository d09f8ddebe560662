// Moderation on the facilitator's remote: an open answer's hide/show and highlight, and a
// word cloud's hide / show again, through the JSON API; the list (answers or words) is
// kept current as answers arrive (tally events).
"use strict";
(function () {
  const root = document.getElementById("remote");
  if (!root) return;
  const code = root.dataset.code;
  let pending = null;

  async function reload() {
    const html = await Denkdag.fetchFragment("/c/" + code);
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("moderation");
    const current = document.getElementById("moderation");
    if (fresh && current) current.replaceWith(fresh);
  }

  function soon() {
    if (pending) return;
    pending = window.setTimeout(function () { pending = null; reload().catch(function () {}); }, 300);
  }

  root.addEventListener("submit", async function (event) {
    const form = event.target;
    const flag = form.dataset.moderate;
    if (!flag) return;
    event.preventDefault();
    const slide = form.querySelector('input[name="slide"]').value;
    const on = form.querySelector('input[name="on"]').value === "yes";
    const base = "/api/v1/sessions/" + encodeURIComponent(code) + "/slides/" + encodeURIComponent(slide);
    let url, body;
    if (flag === "word") {
      url = base + "/words";
      body = { word: form.querySelector('input[name="word"]').value, hidden: on };
    } else {
      url = base + "/answers/" + encodeURIComponent(form.action.split("/").pop());
      body = {};
      body[flag] = on;
    }
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
      window.alert(detail);
    }
    await reload();
  });

  document.addEventListener("denkdag:tally", function (event) {
    const section = document.getElementById("moderation");
    if (section && event.detail && event.detail.slide === section.dataset.slide) soon();
  });
})();
