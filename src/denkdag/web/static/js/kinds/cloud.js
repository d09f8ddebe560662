// Word clouds that grow without jumping: each word is placed once, on a spiral from the
// centre, in order of first appearance, and keeps that place; later only its size changes.
// When growing words would overlap, every word shrinks by the same factor (the cloud
// zooms out) instead of anything moving. Participant text goes in with textContent only.
"use strict";
window.DenkdagCloud = (function () {
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_WORDS = 200;
  const PAD = 6;
  const layouts = new Map(); // slide id -> { places: Map(word -> {x, y}), order: [] }
  let canvas = null;

  function fontSize(count) { return 20 * (1 + 0.75 * Math.log2(Math.max(1, count))); }

  function measure(text, size, family) {
    canvas = canvas || document.createElement("canvas");
    const ctx = canvas.getContext("2d");
    let width = text.length * size * 0.6;
    if (ctx) {
      ctx.font = "700 " + size + "px " + family;
      width = ctx.measureText(text).width;
    }
    return { w: width + PAD, h: size * 1.15 + PAD };
  }

  function overlaps(a, b) {
    return Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h;
  }

  // The largest factor (at most 1) by which every box can be scaled without overlaps.
  function fitScale(boxes) {
    let scale = 1;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const sx = Math.abs(a.x - b.x) / ((a.w + b.w) / 2);
        const sy = Math.abs(a.y - b.y) / ((a.h + b.h) / 2);
        scale = Math.min(scale, Math.max(sx, sy));
      }
    }
    return Math.max(scale, 0.05);
  }

  function place(box, boxes, scale) {
    const scaled = { w: box.w * scale, h: box.h * scale };
    for (let t = 0; t < 2000; t += 0.15) {
      const r = 4 * t;
      const candidate = { x: r * Math.cos(t), y: 0.55 * r * Math.sin(t), w: scaled.w, h: scaled.h };
      let free = true;
      for (const other of boxes) {
        if (overlaps(candidate, { x: other.x, y: other.y, w: other.w * scale, h: other.h * scale })) { free = false; break; }
      }
      if (free) return { x: candidate.x, y: candidate.y };
    }
    return { x: 0, y: 0 };
  }

  // entries: [{word, text, count}] in order of first appearance.
  function draw(container, slideId, entries) {
    const svg = container.querySelector("svg.cloud");
    if (!svg) return;
    const family = getComputedStyle(svg).fontFamily || "sans-serif";
    let layout = layouts.get(slideId);
    if (!layout) { layout = { places: new Map(), scale: 1 }; layouts.set(slideId, layout); }
    const shown = entries.slice(0, MAX_WORDS);
    const boxes = [];
    const fresh = [];
    for (const entry of shown) {
      const box = measure(entry.text, fontSize(entry.count), family);
      box.entry = entry;
      const spot = layout.places.get(entry.word);
      if (spot) { box.x = spot.x; box.y = spot.y; boxes.push(box); } else fresh.push(box);
    }
    let scale = fitScale(boxes);
    for (const box of fresh) {
      const spot = place(box, boxes, scale);
      layout.places.set(box.entry.word, spot);
      box.x = spot.x; box.y = spot.y;
      boxes.push(box);
      scale = fitScale(boxes);
    }
    layout.scale = scale;
    render(svg, boxes, scale);
    svg.toggleAttribute("hidden", boxes.length === 0); // an SVG element has no `hidden` property
    container.classList.toggle("drawn", boxes.length > 0);
  }

  function render(svg, boxes, scale) {
    const existing = new Map();
    for (const node of svg.querySelectorAll("text")) existing.set(node.dataset.word, node);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    boxes.forEach(function (box, index) {
      let node = existing.get(box.entry.word);
      if (!node) {
        node = document.createElementNS(SVG, "text");
        node.dataset.word = box.entry.word;
        node.setAttribute("text-anchor", "middle");
        node.setAttribute("dominant-baseline", "central");
        node.setAttribute("class", "cloud-text tone-" + (index % 5));
        svg.appendChild(node);
      }
      existing.delete(box.entry.word);
      node.textContent = box.entry.text;
      node.setAttribute("x", box.x.toFixed(1));
      node.setAttribute("y", box.y.toFixed(1));
      node.setAttribute("font-size", (fontSize(box.entry.count) * scale).toFixed(1));
      node.dataset.count = String(box.entry.count);
      minX = Math.min(minX, box.x - (box.w * scale) / 2);
      maxX = Math.max(maxX, box.x + (box.w * scale) / 2);
      minY = Math.min(minY, box.y - (box.h * scale) / 2);
      maxY = Math.max(maxY, box.y + (box.h * scale) / 2);
    });
    for (const node of existing.values()) node.remove();
    if (boxes.length) {
      // Centred on the spiral's origin, so the cloud does not slide as it grows on one side.
      const halfW = Math.max(Math.abs(minX), Math.abs(maxX), 80) + 10;
      const halfH = Math.max(Math.abs(minY), Math.abs(maxY), 40) + 10;
      svg.setAttribute("viewBox", [-halfW, -halfH, 2 * halfW, 2 * halfH].map(function (n) { return n.toFixed(1); }).join(" "));
    }
  }

  // The words as the server rendered them (a list), for the first drawing.
  function entriesFromList(container) {
    return Array.from(container.querySelectorAll("li.cloud-word")).map(function (li) {
      const text = li.querySelector("bdi");
      return { word: li.dataset.word, text: text ? text.textContent : "", count: Number(li.dataset.count) || 1 };
    });
  }

  function layoutOf(slideId) { return layouts.get(slideId) || null; }

  return { draw: draw, entriesFromList: entriesFromList, layoutOf: layoutOf };
})();
