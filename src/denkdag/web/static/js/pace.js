// Audience pace (a survey): on the phone, previous/next move through the slides in the
// page (the links work without JavaScript too) and the progress line counts answers; on
// the projector, the numbers of the progress view follow the `progress` events.
"use strict";
(function () {
  const phone = document.getElementById("phone");
  const host = document.getElementById("slide-host");
  if (!host) return;

  function nav() { return host.querySelector(".pace-nav"); }

  // Only the last slide asked for is shown: two quick taps can get their pages back in
  // either order, and an older one must not replace a newer one.
  let latest = 0;

  async function show(slideId) {
    const code = phone.dataset.code;
    const mine = ++latest;
    const fragment = await Denkdag.fetchFragment("/j/" + code + "/slide?slide=" + encodeURIComponent(slideId));
    if (mine !== latest) return;
    host.innerHTML = fragment;
    window.history.replaceState(null, "", "/j/" + code + "?slide=" + encodeURIComponent(slideId));
    const title = host.querySelector(".slide-title");
    if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    window.scrollTo(0, 0);
  }

  if (phone) {
    host.addEventListener("click", function (event) {
      const link = event.target.closest(".pace-nav a[data-slide]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      show(link.dataset.slide).catch(function () { window.location.href = link.href; });
    });
    document.addEventListener("denkdag:answered", function (event) {
      const bar = nav();
      if (!bar || bar.dataset.slide !== event.detail.slide || bar.dataset.hadAnswer === "yes") return;
      bar.dataset.hadAnswer = "yes";
      const answered = Number(bar.dataset.answered) + 1;
      bar.dataset.answered = String(answered);
      bar.querySelector(".pace-bar").value = answered;
      bar.querySelector(".pace-answered").textContent = bar.dataset.textAnswered
        .replace("{answered}", String(answered)).replace("{questions}", bar.dataset.questions);
    });
    return;
  }

  // The projector's progress view.
  function setJoined(joined) {
    const view = host.querySelector(".pace-progress");
    if (!view) return;
    view.querySelector("#pace-joined").textContent = String(joined);
    for (const bar of view.querySelectorAll(".pace-slide-bar")) bar.max = Math.max(1, joined);
  }
  document.addEventListener("denkdag:progress", function (event) {
    const data = event.detail;
    const view = host.querySelector(".pace-progress");
    if (!view || !data) return;
    view.querySelector("#pace-finished").textContent = String(data.finished);
    setJoined(data.joined);
    for (const row of view.querySelectorAll(".pace-slide")) {
      const count = (data.slides || {})[row.dataset.slide] || 0;
      row.querySelector(".pace-slide-bar").value = count;
      row.querySelector(".pace-slide-count strong").textContent = String(count);
    }
  });
  document.addEventListener("denkdag:presence", function (event) {
    if (event.detail && typeof event.detail.joined === "number") setJoined(event.detail.joined);
  });
})();
