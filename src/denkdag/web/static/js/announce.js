// What a screen reader hears when the slide changes: the new slide's title, said
// politely (aria-live) on the projector and the phone; on the phone the focus also moves
// to the new slide's heading, so the reader continues from there instead of from the top
// of the page. A redraw of the same slide (opened, closed, revealed) puts the focus back
// where it was. Called around a fragment swap: `before(host)`, swap, `after(host, was)`.
"use strict";
window.DenkdagAnnounce = (function () {
  function shown(host) {
    const slide = host.querySelector("#slide");
    return slide ? slide.dataset.slide || "" : null;
  }

  function before(host) {
    const active = document.activeElement;
    const inside = active && active !== host && host.contains(active);
    return {
      slide: shown(host),
      focus: inside && active.id ? active.id : null,
      heading: Boolean(inside && active.matches(".slide-title")),
    };
  }

  function focusHeading(heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function after(host, was, options) {
    const now = shown(host);
    if (now === was.slide) {
      const again = was.focus && document.getElementById(was.focus);
      const heading = was.heading && host.querySelector("#slide .slide-title");
      if (again) again.focus();
      else if (heading) focusHeading(heading);
      return;
    }
    const heading = host.querySelector("#slide .slide-title");
    const live = document.getElementById("slide-announcer");
    if (heading && live) {
      live.textContent = (live.dataset.template || "{title}").replace("{title}", heading.textContent.trim());
    }
    if (heading && options && options.focus) focusHeading(heading);
  }

  // The word after a live counter agrees with its number: `<strong>1</strong> <span
  // data-plural data-one="answer" data-other="answers">`, by the page language's plural
  // rules (French says "0 réponse"), as the server's ngettext wrote it first. A word whose
  // number is elsewhere names it: `data-count-of="pace-joined"` (the id of the number).
  function plurals() {
    const rules = new Intl.PluralRules(document.documentElement.lang || "en");
    for (const word of document.querySelectorAll("[data-plural]")) {
      const number = word.dataset.countOf ? document.getElementById(word.dataset.countOf) : word.previousElementSibling;
      const n = number ? parseInt(number.textContent, 10) : NaN;
      if (!isNaN(n)) word.textContent = rules.select(n) === "one" ? word.dataset.one : word.dataset.other;
    }
  }
  for (const name of ["state", "tally", "presence", "progress", "questions", "opinion"]) {
    document.addEventListener("denkdag:" + name, function () { window.setTimeout(plurals, 0); });
  }

  return { before: before, after: after, plurals: plurals };
})();
