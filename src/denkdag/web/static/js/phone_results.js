// A phone in a session whose results show once its participant answered
// (`phone_results: after-answer`). The live stream has one payload for every phone, so it
// carries no counts then; this phone fetches its own slide's results from the server
// (which decides, domain/visibility.py): right after its answer, and again at most every
// few seconds while answers arrive. Only the results are swapped, never the answer form.
"use strict";
(function () {
  const root = document.getElementById("phone");
  if (!root || root.dataset.phoneResults !== "after-answer") return;
  const host = document.getElementById("slide-host");
  const code = root.dataset.code;
  const GAP_MS = 3000;
  const PARTS = [".results", ".kind-results"];
  let last = 0;
  let timer = null;

  function current() { return host.querySelector("#slide"); }

  async function load() {
    timer = null;
    last = Date.now();
    const slide = current();
    if (!slide || !slide.dataset.slide) return;
    const pace = host.querySelector(".pace-nav");
    const own = pace ? "?slide=" + encodeURIComponent(pace.dataset.slide) : "";
    const page = document.createElement("template");
    page.innerHTML = await Denkdag.fetchFragment("/j/" + code + "/slide" + own);
    const fresh = page.content.querySelector("#slide");
    if (!fresh || fresh.dataset.slide !== slide.dataset.slide || current() !== slide) return;
    for (const kind of PARTS) {
      for (const part of fresh.querySelectorAll(kind + "[data-slide]")) {
        const old = slide.querySelector(kind + '[data-slide="' + CSS.escape(part.dataset.slide) + '"]');
        if (old) old.replaceWith(part);
        else slide.appendChild(part);
      }
    }
  }

  function soon() {
    if (!timer) timer = window.setTimeout(load, Math.max(0, GAP_MS - (Date.now() - last)));
  }

  document.addEventListener("denkdag:answered", function () { load().catch(function () {}); });
  document.addEventListener("denkdag:tally", function (event) {
    const slide = current();
    const shown = slide && slide.querySelector(PARTS.join(", "));
    if (shown && event.detail && event.detail.slide === slide.dataset.slide) soon();
  });
})();
