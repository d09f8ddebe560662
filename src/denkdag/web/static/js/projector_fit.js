// The projector always fits: whatever the slide holds, and however it grows while the
// room answers, nothing is cut off under the join bar or beyond the stage.
//
// Whenever the slide area changes (a new slide, answers arriving, a reveal, an image that
// loaded, a window resized: MutationObserver and ResizeObserver, not only on load), the
// slide's text shrinks step by step until it fits (nothing past the slide area, nothing
// cut at the foot of a box that clips, such as the answer wall: whole cards only), but
// never so far that room-read text drops under 28 CSS px at 1920 px wide (in proportion
// on other screens). If it still does not fit, its lists (an answer wall, options, bars,
// statements) are cut into pages that take turns every few seconds, with "1 / 3" at the
// foot of the slide.
// On a slide that asks nothing, a running countdown becomes a big clock in the slide's
// clock space (.break-clock). presenter.js swaps the slides; this module only measures.
"use strict";
(function () {
  const stage = document.querySelector(".stage");
  const host = document.getElementById("slide-host");
  if (!stage || !host) return;
  const clock = document.getElementById("countdown");

  const ROOM_TEXT_PX = 28; // the smallest text the back row reads, at DESIGN_WIDTH
  const DESIGN_WIDTH = 1920;
  const STEP = 4; // percent per shrinking step
  const LOWEST = 50; // percent: never smaller, whatever the text sizes say
  const PAGE_MS = 8000;
  // Lists that may be cut into pages.
  const PAGEABLE = [
    ".wall", "ol.options", "table.bars > tbody", ".round-list", ".pace-slides",
    ".scale-results", ".opinion-statements ol", ".opinion-groups",
  ].join(", ");
  const IGNORED = ".slide-number, .visually-hidden, .break-clock";

  let scheduled = false;
  let paging = null; // {lists, size, count, shown}: the lists cut into pages, and the page shown

  function slide() { return host.querySelector("#slide"); }

  function roomMinimum() {
    return ROOM_TEXT_PX * (stage.getBoundingClientRect().width / DESIGN_WIDTH);
  }

  // Whether any visible part of the slide reaches past the slide area (the join bar
  // starts where the area ends) or past its sides, or is cut off at the foot of a box of
  // the slide that clips (`overflow: hidden`: the answer wall gives up its height to the
  // page marker and hides what is below): half a card is as lost as one under the bar.
  function overflows(current) {
    const box = host.getBoundingClientRect();
    const padding = parseFloat(getComputedStyle(host).paddingBottom) || 0;
    const bottom = box.bottom - padding + 1;
    const right = box.right + 1;
    const clipping = [];
    for (const element of current.querySelectorAll("*")) {
      if (element.closest(IGNORED)) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      if (rect.bottom > bottom || rect.right > right || rect.left < box.left - 1) return true;
      // A box of a pixel that clips is a visually hidden one (the drawn cloud's word list):
      // nothing in it is meant to be seen.
      if (rect.height > 1 && getComputedStyle(element).overflowY !== "visible") clipping.push([element, rect]);
    }
    return clipping.some(function (clip) { return cutOff(clip[0], clip[1]); });
  }

  // Whether something drawn inside `clip` reaches below its inner edge, where it is cut.
  function cutOff(clip, rect) {
    const edge = rect.bottom - (parseFloat(getComputedStyle(clip).borderBottomWidth) || 0) + 1;
    for (const element of clip.querySelectorAll("*")) {
      if (element.closest(IGNORED)) continue;
      const inner = element.getBoundingClientRect();
      if (inner.width === 0 && inner.height === 0) continue;
      if (inner.bottom > edge) return true;
    }
    return false;
  }

  // The smallest font size (px) of the text on the slide, as it is drawn now.
  function smallestText(current) {
    let smallest = Infinity;
    const walker = document.createTreeWalker(current, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const parent = node.parentElement;
      if (!parent || parent.closest(IGNORED) || parent.closest("svg")) continue;
      if (parent.getClientRects().length === 0) continue; // not drawn
      smallest = Math.min(smallest, parseFloat(getComputedStyle(parent).fontSize));
    }
    return smallest;
  }

  function items(list) {
    return Array.from(list.children).filter(function (item) {
      return !item.hidden || item.dataset.paged === "yes";
    });
  }

  function unpage(current) {
    for (const item of current.querySelectorAll('[data-paged="yes"]')) {
      item.hidden = false;
      delete item.dataset.paged;
    }
    paging = null;
  }

  function pageCount(lists, size) {
    return Math.max.apply(null, lists.map(function (list) { return Math.ceil(items(list).length / size); }));
  }

  // Page `page` of every list, `size` items each: a list with fewer pages starts over.
  function showPage(lists, size, page) {
    for (const list of lists) {
      const all = items(list);
      const own = Math.ceil(all.length / size);
      const start = (page % own) * size;
      all.forEach(function (item, position) {
        const out = position < start || position >= start + size;
        item.hidden = out;
        if (out) item.dataset.paged = "yes";
        else delete item.dataset.paged;
      });
    }
  }

  function everyPageFits(current, lists, size) {
    const count = pageCount(lists, size);
    for (let page = 0; page < count; page += 1) {
      showPage(lists, size, page);
      if (overflows(current)) return false;
    }
    return true;
  }

  // The most items per page (the same for every list, so lists take turns together)
  // with which every page fits; a binary search, since fewer items never take more room.
  function pageSize(current, lists) {
    let low = 1;
    let high = Math.max.apply(null, lists.map(function (list) { return items(list).length; })) - 1;
    let best = 1;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      if (everyPageFits(current, lists, middle)) { best = middle; low = middle + 1; }
      else high = middle - 1;
    }
    return best;
  }

  // "1 / 3" at the foot of the slide: part of the slide's flow, so pages are measured
  // with it in place.
  function addMarker(current) {
    let marker = current.querySelector(".page-marker");
    if (!marker) {
      marker = document.createElement("p");
      marker.className = "page-marker";
      marker.setAttribute("aria-hidden", "true");
      marker.textContent = "1 / 1";
      current.appendChild(marker);
    }
    return marker;
  }

  function showMarker(current) {
    const marker = current && current.querySelector(".page-marker");
    if (!marker) return;
    if (!paging || paging.count < 2) { marker.remove(); return; }
    marker.textContent = (paging.shown + 1) + " / " + paging.count;
  }

  function placeClock(current) {
    if (!clock) return;
    const space = current && current.querySelector(".break-clock");
    const onBreak = !!space && !clock.hidden && space.getClientRects().length > 0;
    stage.classList.toggle("on-break", onBreak);
    if (!onBreak) {
      for (const name of ["left", "top", "width", "height", "fontSize"]) clock.style[name] = "";
      return;
    }
    const area = space.getBoundingClientRect();
    const origin = stage.getBoundingClientRect();
    clock.style.left = (area.left - origin.left) + "px";
    clock.style.top = (area.top - origin.top) + "px";
    clock.style.width = area.width + "px";
    clock.style.height = area.height + "px";
    clock.style.fontSize = Math.max(16, Math.min(area.height / 1.5, area.width / 4.2)) + "px";
  }

  function fit() {
    scheduled = false;
    const current = slide();
    if (!current) return;
    const previous = paging && current.contains(paging.lists[0]) ? paging.shown : 0;
    unpage(current);
    const stale = current.querySelector(".page-marker");
    if (stale) stale.remove();
    current.style.fontSize = "";
    placeClock(current);
    if (overflows(current)) {
      const smallest = smallestText(current);
      const floor = Math.max(LOWEST, Math.min(100, Math.ceil((100 * roomMinimum()) / smallest)));
      let size = 100;
      while (size - STEP >= floor && overflows(current)) {
        size -= STEP;
        current.style.fontSize = size + "%";
      }
      const lists = Array.from(current.querySelectorAll(PAGEABLE))
        .filter(function (list) { return list.getClientRects().length > 0 && items(list).length > 1; })
        .sort(function (a, b) { return items(b).length - items(a).length; });
      if (lists.length && overflows(current)) {
        addMarker(current);
        const size = pageSize(current, lists);
        const count = pageCount(lists, size);
        paging = { lists: lists, size: size, count: count, shown: previous % count };
        showPage(lists, size, paging.shown);
      }
      placeClock(current);
    }
    showMarker(current);
    observer.takeRecords(); // our own changes are not news
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(fit);
  }

  function turnPages() {
    if (paging && paging.count > 1) {
      paging.shown = (paging.shown + 1) % paging.count;
      showPage(paging.lists, paging.size, paging.shown);
    }
    showMarker(slide());
    observer.takeRecords();
  }

  const observer = new MutationObserver(schedule);
  observer.observe(host, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["hidden", "class"] });
  if (clock) observer.observe(clock, { attributes: true, attributeFilter: ["hidden"] });
  new ResizeObserver(schedule).observe(host);
  host.addEventListener("load", schedule, true); // images
  if (document.fonts) document.fonts.ready.then(schedule);
  window.setInterval(turnPages, PAGE_MS);
  // For other scripts and the browser tests: fit now, turn to the next page now.
  window.DenkdagProjector = { fit: fit, turn: turnPages };
  schedule();
})();
