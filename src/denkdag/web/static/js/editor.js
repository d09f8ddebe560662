// The session editor: a slide list (drag, or Alt+↑/↓ to reorder), the selected slide as a
// form (editor_form.js) or as its deck text ("advanced"), saved as the facilitator types,
// and the slide as the projector shows it. Both views show the same slide as last saved:
// switching loses nothing, and is refused while a refused change is still on screen.
// Every change names the deck version it was made on; a stale one comes back 409 with the
// deck as it is now, and the editor shows both texts. Requests go one at a time, in order.
"use strict";
(function () {
  const root = document.getElementById("editor");
  if (!root) return;
  const code = root.dataset.code;
  const base = "/e/" + encodeURIComponent(code);
  const data = JSON.parse(root.dataset.deck);
  const text = JSON.parse(root.dataset.text);
  const kinds = data.kinds;
  const hints = data.hints;
  const list = document.getElementById("slide-list");
  const area = document.getElementById("slide-text");
  const infoArea = document.getElementById("info-text");
  const status = document.getElementById("save-status");
  const slideError = document.getElementById("slide-error");
  const infoError = document.getElementById("info-error");
  const preview = document.getElementById("preview");
  const undoButton = document.getElementById("undo");
  const conflict = document.getElementById("conflict");
  const formView = document.getElementById("form-view");
  const textView = document.getElementById("text-view");
  const viewNote = document.getElementById("view-note");
  const DELAY = 700;
  const VIEW_KEY = "denkdag.editor.view";
  const slideForm = window.DenkdagSlideForm.create(formView, data.forms, text, formChanged);
  let view = "form";
  try { if (window.localStorage.getItem(VIEW_KEY) === "text") view = "text"; } catch (e) { /* storage off */ }

  let deck = data;             // the deck as last confirmed by the server
  let selected = deck.slides.length ? deck.slides[0].id : null;
  let pending = null;          // {kind: "slide"|"info"|"form", id, text|form} waiting to be saved
  let timer = null;
  let queue = Promise.resolve();
  let mine = null;             // my text refused by a conflict: {kind, id, text}

  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = text[state] || state;
  }

  function slideById(id) { return deck.slides.find(function (s) { return s.id === id; }) || null; }

  // --- the list ------------------------------------------------------------------------

  function renderList() {
    list.textContent = "";
    deck.slides.forEach(function (slide, index) {
      const item = document.createElement("li");
      item.dataset.id = slide.id;
      item.draggable = true;
      item.className = "editor-item" + (slide.id === selected ? " selected" : "");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "pick";
      pick.setAttribute("aria-current", slide.id === selected ? "true" : "false");
      const number = document.createElement("span");
      number.className = "number";
      number.textContent = String(index + 1);
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = slide.title;
      const kind = document.createElement("span");
      kind.className = "kind-tag";
      kind.textContent = kinds[slide.kind] || slide.kind;
      pick.append(number, title, kind);
      pick.addEventListener("click", function () { select(slide.id); });
      item.append(pick);
      list.append(item);
    });
    undoButton.disabled = !deck.can_undo;
    document.getElementById("editor-title").textContent = titleOf(deck.info);
    renderImage();
  }

  function titleOf(info) {
    const line = info.split("\n").find(function (l) { return l.startsWith("title:"); });
    return line ? line.slice(6).trim().replace(/^"(.*)"$/, "$1") : "";
  }

  function select(id) {
    flush();
    selected = id;
    const slide = slideById(id);
    area.value = slide ? slide.text : "";
    area.disabled = !slide;
    slideError.hidden = true;
    viewNote.hidden = true;
    if (slide) slideForm.load(slide.form);
    document.getElementById("syntax-hint").textContent = slide ? (hints[slide.kind] || "") : "";
    renderList();
    refreshPreview();
  }

  async function refreshPreview() {
    if (!selected) { preview.textContent = ""; return; }
    const wanted = selected;
    try {
      const response = await fetch(base + "/preview/" + encodeURIComponent(wanted), {
        credentials: "same-origin", headers: { "Accept": "text/html" },
      });
      if (response.ok && wanted === selected) preview.innerHTML = await response.text();
    } catch (e) { /* the next save refreshes it */ }
  }

  // --- talking to the server -------------------------------------------------------------

  async function send(method, path, body, keepalive) {
    const response = await fetch(base + path, {
      method: method,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { /* an empty or HTML answer */ }
    return { status: response.status, ok: response.ok, body: payload };
  }

  // Adopt the server's deck; keep what the facilitator typed since the request left.
  function adopt(next, theirs) {
    deck = next;
    if (!slideById(selected)) selected = deck.slides.length ? deck.slides[0].id : null;
    const slide = slideById(selected);
    // Not while the facilitator types in it: the server writes settings in its own way
    // (defaults left out), and a rewritten box would move the cursor.
    // A co-facilitator's change (`theirs`) replaces the box whenever nothing of ours waits.
    const mineWaiting = pending && pending.kind === "slide" && pending.id === selected;
    const typing = mineWaiting || (!theirs && document.activeElement === area);
    if (!typing && slide && area.value !== slide.text) {
      const caret = area.selectionStart;
      area.value = slide.text;
      if (document.activeElement === area) area.setSelectionRange(caret, caret);
    } else if (!slide) area.value = "";
    // The form likewise: not while a change of ours waits or the facilitator is in it
    // (its own state is newer), nor over a refused change still shown at its field.
    const formWaiting = pending && pending.kind === "form" && pending.id === selected;
    const inForm = formView.contains(document.activeElement);
    if (slide && !formWaiting && (theirs || !inForm) && !slideForm.hasError()) slideForm.load(slide.form);
    if (!(pending && pending.kind === "info") && (theirs || document.activeElement !== infoArea)) infoArea.value = deck.info;
    document.getElementById("syntax-hint").textContent = slide ? (hints[slide.kind] || "") : "";
    renderList();
  }

  let busy = 0;

  function run(job) {
    queue = queue.then(async function () {
      busy += 1;
      try { await job(); } finally { busy -= 1; }
    }).catch(function () { setStatus("error"); showError(slideError, text.offline); });
    return queue;
  }

  // A co-facilitator's change (every change tells the screens): fetch the deck and show it,
  // unless a change of ours is on its way (its answer brings the newest deck anyway).
  async function pull() {
    if (pending || busy) return;
    try {
      const response = await fetch(base + "/deck", { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!response.ok) return;
      const next = await response.json();
      if (next.version > deck.version && !pending && !busy) {
        adopt(next, true);
        refreshPreview();
      }
    } catch (e) { /* the next event tries again */ }
  }

  function showError(element, message) {
    element.textContent = message || "";
    element.hidden = !message;
  }

  function handle(result, what) {
    if (result.ok) {
      adopt(result.body);
      if (!pending) setStatus("saved");
      conflict.hidden = true;
      return true;
    }
    if (result.status === 409 && result.body.conflict) {
      mine = what || null;
      adopt(result.body);
      const slide = what && what.kind === "slide" ? slideById(what.id) : null;
      if (what && what.kind === "slide") area.value = slide ? slide.text : "";
      if (what && what.kind === "info") infoArea.value = deck.info;
      if (what && what.kind === "form") { const theirs = slideById(what.id); if (theirs) slideForm.load(theirs.form); }
      document.getElementById("conflict-mine").textContent = what ? (what.kind === "form" ? slideForm.summary(what.form) : what.text) : "";
      document.getElementById("conflict-keep").hidden = !what;
      conflict.hidden = false;
      setStatus("conflict");
      refreshPreview();
      return false;
    }
    setStatus("error");
    if (what && what.kind === "form") {
      slideForm.clearErrors();
      slideForm.showError(result.body.field, result.body.message || result.body.detail || String(result.status));
      return false;
    }
    const target = what && what.kind === "info" ? infoError : slideError;
    showError(target, result.body.detail || String(result.status));
    return false;
  }

  function pathOf(what) {
    if (what.kind === "info") return "/info";
    return "/slides/" + encodeURIComponent(what.id) + (what.kind === "form" ? "/form" : "");
  }

  // What a save sends: the text typed, or the form as it is when the save leaves.
  function bodyOf(what) {
    if (what.kind !== "form") return { version: deck.version, text: what.text };
    if (!what.form) what.form = slideForm.value();
    return Object.assign({ version: deck.version }, what.form);
  }

  function saveNow(keepalive) {
    if (timer) { window.clearTimeout(timer); timer = null; }
    const what = pending;
    if (!what) return queue;
    if (keepalive) {
      // The page is going away: start the request now (keepalive lets it finish), not
      // behind the queue, which may never run again.
      pending = null;
      send("PUT", pathOf(what), bodyOf(what), true).then(function (result) { handle(result, what); });
      return queue;
    }
    return run(async function () {
      if (pending === what) pending = null;
      setStatus("saving");
      const result = await send("PUT", pathOf(what), bodyOf(what), false);
      if (handle(result, what)) {
        showError(what.kind === "info" ? infoError : slideError, "");
        if (what.kind === "form" && what.id === selected && !pending) slideForm.clearErrors();
        if (what.kind !== "info" && what.id === selected) refreshPreview();
      }
    });
  }

  function flush(keepalive) { if (pending) saveNow(keepalive); }

  function typed(kind, id, value) {
    pending = { kind: kind, id: id, text: value };
    setStatus("unsaved");
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () { saveNow(false); }, DELAY);
  }

  // The form changed: save it like typing (a move, a removal or a new kind at once);
  // a value outside its limits is shown at its field and not sent.
  function formChanged(now, invalid) {
    if (invalid || !selected) return;
    pending = { kind: "form", id: selected };
    setStatus("unsaved");
    if (timer) window.clearTimeout(timer);
    if (now) saveNow(false);
    else timer = window.setTimeout(function () { saveNow(false); }, DELAY);
  }

  // --- the two views of the slide: form, deck text ---------------------------------------

  function showView(next, remember) {
    view = next;
    formView.hidden = view !== "form";
    textView.hidden = view !== "text";
    document.getElementById("view-form").setAttribute("aria-pressed", String(view === "form"));
    document.getElementById("view-text").setAttribute("aria-pressed", String(view === "text"));
    if (remember) { try { window.localStorage.setItem(VIEW_KEY, view); } catch (e) { /* storage off */ } }
  }

  function switchView(next) {
    if (next === view) return;
    const refused = view === "form" ? slideForm.hasError() : !slideError.hidden;
    if (refused) { showError(viewNote, text.view_blocked); return; }
    showError(viewNote, "");
    flush();
    run(async function () {
      const slide = slideById(selected);
      if (slide) { area.value = slide.text; slideForm.load(slide.form); }
      showView(next, true);
    });
  }

  document.getElementById("view-form").addEventListener("click", function () { switchView("form"); });
  document.getElementById("view-text").addEventListener("click", function () { switchView("text"); });

  function change(method, path, body, after) {
    flush();
    return run(async function () {
      setStatus("saving");
      const result = await send(method, path, Object.assign({ version: deck.version }, body));
      if (result.status === 409 && result.body.confirm) {
        if (!window.confirm(result.body.detail || text.confirm_delete)) { setStatus("saved"); return; }
        return change(method, path, Object.assign({}, body, { confirm: true }), after);
      }
      if (handle(result, null) && after) after(result.body);
      refreshPreview();
    });
  }

  function move(id, step) {
    const ids = deck.slides.map(function (s) { return s.id; });
    const from = ids.indexOf(id);
    const to = from + step;
    if (from < 0 || to < 0 || to >= ids.length) return;
    ids.splice(from, 1);
    ids.splice(to, 0, id);
    change("PUT", "/order", { order: ids }, function () {
      const button = list.querySelector('li[data-id="' + CSS.escape(id) + '"] .pick');
      if (button && document.activeElement !== area) button.focus();
    });
  }

  // --- the slide's image: pick or drop a file, describe it, upload -----------------------
  // The server checks and re-encodes it (formats/images.py); the checks here only spare a
  // facilitator the wait for an upload that would be refused anyway.

  const imageFile = document.getElementById("image-file");
  const imageAlt = document.getElementById("image-alt");
  const imageAdd = document.getElementById("image-add");
  const imageRemove = document.getElementById("image-remove");
  const imageThumb = document.getElementById("image-thumb");
  const imageStatus = document.getElementById("image-status");
  const imageError = document.getElementById("image-error");
  const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
  const IMAGE_BYTES = 2000000;
  let chosen = null;           // {slide, file, preview}: picked, waiting for its alt text

  function renderImage() {
    const slide = slideById(selected);
    if (chosen && chosen.slide !== selected) { chosen = null; imageStatus.textContent = ""; }
    const shown = chosen ? chosen.preview : (slide && slide.image) || "";
    imageThumb.hidden = !shown;
    if (shown && imageThumb.getAttribute("src") !== shown) imageThumb.src = shown;
    if (!shown) imageThumb.removeAttribute("src");
    imageThumb.alt = !chosen && slide && slide.image ? slide.alt : "";
    imageRemove.hidden = !(slide && slide.image) || !!chosen;
    imageAdd.disabled = !chosen;
    if (!chosen && document.activeElement !== imageAlt) imageAlt.value = slide && slide.image ? slide.alt : "";
  }

  function choose(file) {
    showError(imageError, "");
    if (!selected || !file) return;
    if (file.type && IMAGE_TYPES.indexOf(file.type) < 0) { showError(imageError, text.image_type); return; }
    if (file.size > IMAGE_BYTES) { showError(imageError, text.image_too_large); return; }
    const forSlide = selected;
    const reader = new FileReader();
    reader.onload = function () {
      if (forSlide !== selected) return;
      chosen = { slide: forSlide, file: file, preview: String(reader.result) };
      imageAlt.value = "";
      renderImage();
      imageStatus.textContent = text.image_ready;
      imageAlt.focus();
    };
    reader.readAsDataURL(file);
  }

  function upload() {
    if (!chosen) return;
    const alt = imageAlt.value.replace(/\s+/g, " ").trim();
    if (!alt) { showError(imageError, text.image_alt); imageAlt.focus(); return; }
    const job = chosen;
    flush();
    run(async function () {
      setStatus("saving");
      imageAdd.disabled = true;
      imageStatus.textContent = text.image_uploading;
      const form = new FormData();
      form.append("version", String(deck.version));
      form.append("alt", alt);
      form.append("image", job.file, job.file.name || "image");
      const response = await fetch(base + "/slides/" + encodeURIComponent(job.slide) + "/image", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf() },
        body: form,
      });
      let payload = {};
      try { payload = await response.json(); } catch (e) { /* an empty or HTML answer */ }
      imageStatus.textContent = "";
      const result = { status: response.status, ok: response.ok, body: payload };
      if (result.ok || (result.status === 409 && result.body.conflict)) {
        if (result.ok && chosen === job) chosen = null;
        if (handle(result, null)) showError(imageError, "");
        refreshPreview();
        return;
      }
      setStatus("saved");
      imageAdd.disabled = !chosen;
      showError(imageError, result.status === 413 ? text.image_too_large : (result.body.detail || String(result.status)));
    });
  }

  imageFile.addEventListener("change", function () {
    if (imageFile.files && imageFile.files.length) choose(imageFile.files[0]);
    imageFile.value = "";
  });
  imageAdd.addEventListener("click", upload);
  imageAlt.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && chosen) { event.preventDefault(); upload(); }
  });
  // A new description of the image on the slide: its `alt:` line, saved like typing.
  imageAlt.addEventListener("change", function () {
    const slide = slideById(selected);
    if (chosen || !slide || !slide.image) return;
    const value = imageAlt.value.replace(/\s+/g, " ").trim();
    if (!value) { showError(imageError, text.image_alt); imageAlt.value = slide.alt; return; }
    showError(imageError, "");
    if (!/^alt:.*$/m.test(area.value)) return;
    area.value = area.value.replace(/^alt:.*$/m, function () { return "alt: " + value; });
    typed("slide", selected, area.value);
  });
  imageRemove.addEventListener("click", function () {
    if (selected) change("POST", "/slides/" + encodeURIComponent(selected) + "/image/remove", {});
  });

  function hasFiles(event) {
    return !!event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") >= 0;
  }
  [document.getElementById("image-drop"), preview].forEach(function (zone) {
    zone.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("dropping");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dropping"); });
    zone.addEventListener("drop", function (event) {
      zone.classList.remove("dropping");
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.stopPropagation();
      if (event.dataTransfer.files.length) choose(event.dataTransfer.files[0]);
    });
  });
  // A file dropped beside the drop zones must not replace the editor with the file.
  window.addEventListener("dragover", function (event) { if (hasFiles(event)) event.preventDefault(); });
  window.addEventListener("drop", function (event) { if (hasFiles(event)) event.preventDefault(); });

  // --- events ----------------------------------------------------------------------------

  area.addEventListener("input", function () { if (selected) typed("slide", selected, area.value); });
  infoArea.addEventListener("input", function () { typed("info", null, infoArea.value); });
  infoArea.addEventListener("blur", function () { flush(); });

  document.getElementById("add-slide").addEventListener("click", function () {
    const kind = document.getElementById("add-kind").value;
    change("POST", "/slides", { kind: kind, after: selected }, function (body) {
      select(body.slide);
      if (view === "form") { slideForm.focus(); return; }
      area.focus();
      area.select();
    });
  });
  document.getElementById("duplicate-slide").addEventListener("click", function () {
    if (selected) change("POST", "/slides/" + encodeURIComponent(selected) + "/duplicate", {}, function (body) { select(body.slide); });
  });
  document.getElementById("delete-slide").addEventListener("click", function () {
    if (selected) change("POST", "/slides/" + encodeURIComponent(selected) + "/delete", {}, function () { select(selected); });
  });
  document.getElementById("move-up").addEventListener("click", function () { if (selected) move(selected, -1); });
  document.getElementById("move-down").addEventListener("click", function () { if (selected) move(selected, 1); });
  undoButton.addEventListener("click", function () { change("POST", "/undo", {}, function () { select(selected); }); });

  document.getElementById("conflict-keep").addEventListener("click", function () {
    if (!mine) return;
    if (mine.kind === "slide") { select(mine.id); area.value = mine.text; }
    else if (mine.kind === "form") { select(mine.id); slideForm.load(mine.form); }
    else infoArea.value = mine.text;
    pending = mine;
    mine = null;
    conflict.hidden = true;
    saveNow(false);
  });
  document.getElementById("conflict-close").addEventListener("click", function () { mine = null; conflict.hidden = true; setStatus("saved"); });

  root.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    if (!selected || event.target === infoArea || event.target === imageAlt) return;
    event.preventDefault();
    move(selected, event.key === "ArrowUp" ? -1 : 1);
  });

  // Drag and drop: the dragged slide goes where it is dropped.
  let dragged = null;
  list.addEventListener("dragstart", function (event) {
    const item = event.target.closest("li[data-id]");
    if (!item) return;
    dragged = item.dataset.id;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
    item.classList.add("dragging");
  });
  list.addEventListener("dragover", function (event) { if (dragged) event.preventDefault(); });
  list.addEventListener("drop", function (event) {
    event.preventDefault();
    const target = event.target.closest("li[data-id]");
    if (!dragged || !target || target.dataset.id === dragged) { dragged = null; renderList(); return; }
    const ids = deck.slides.map(function (s) { return s.id; });
    const from = ids.indexOf(dragged);
    const to = ids.indexOf(target.dataset.id);
    ids.splice(from, 1);
    ids.splice(to, 0, dragged);
    dragged = null;
    change("PUT", "/order", { order: ids });
  });
  list.addEventListener("dragend", function () { dragged = null; renderList(); });

  // No work lost: save at once when the tab is hidden or closed (keepalive outlives the page).
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(true); });
  window.addEventListener("pagehide", function () { flush(true); });
  window.addEventListener("beforeunload", function () { flush(true); });

  infoArea.value = deck.info;
  document.getElementById("view-switch").hidden = false;
  showView(view, false);
  select(selected);
  if (window.Denkdag) window.Denkdag.connect("/api/v1/sessions/" + encodeURIComponent(code) + "/events", { state: pull });
})();
