// The editor's form for one slide: kind, title, text, options (each a title and a
// description; added, removed, moved by drag or by the ↑/↓ buttons and Alt+↑/↓), the
// statement, and the kind's settings as controls with their limits. What it shows comes
// from the server's description of each kind (`forms`: parts, settings, a new slide's
// form), so a new kind gets its form without a line here. It only holds and shows the
// form: editor.js saves it (PUT …/form) and hands back the server's errors by field.
"use strict";
(function () {
  function create(container, forms, texts, changed) {
    // Texts every slide has besides its kind's parts, each a textarea after the settings:
    // [form key, label].
    const SLIDE_TEXTS = [["notes", texts.notes]];
    let form = null;             // the form as shown: {kind, title, text, statement, options, settings}
    let sentRows = [];           // the option rows of the last `value()`, by position sent
    let dragged = null;

    function el(tag, attrs, children) {
      const node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (key) {
        const value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = value;
        else if (key === "className") node.className = value;
        else node.setAttribute(key, value === true ? "" : value);
      });
      (children || []).forEach(function (child) { if (child) node.append(child); });
      return node;
    }

    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
    }

    function errorSlot(field) {
      return el("p", { className: "field-error", id: "error-" + field, "data-error-for": field, role: "alert", hidden: true });
    }

    function field(id, label, control, errorFor, hint) {
      control.id = id;
      control.setAttribute("aria-describedby", "error-" + errorFor + (hint ? " " + id + "-hint" : ""));
      return el("div", { className: "form-field", "data-field": errorFor }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { className: "muted small", id: id + "-hint", text: hint }) : null,
        control,
        errorSlot(errorFor),
      ]);
    }

    function touched() { clearErrors(); changed(false); }

    function textInput(value, multiline, rows, onInput) {
      // A box tall enough for what it holds (up to 8 lines), so a description is read whole.
      const shown = multiline ? Math.min(8, Math.max(rows || 3, (value || "").split("\n").length + Math.floor((value || "").length / 45))) : 0;
      const input = multiline ? el("textarea", { rows: String(shown) }) : el("input", { type: "text" });
      input.value = value || "";
      input.addEventListener("input", function () { onInput(input.value); touched(); });
      return input;
    }

    // --- parts ---------------------------------------------------------------------------

    function kindField() {
      const select = el("select", {});
      const names = Object.keys(forms);
      if (names.indexOf(form.kind) < 0) names.unshift(form.kind);
      names.forEach(function (name) {
        select.append(el("option", { value: name, text: forms[name] ? forms[name].label : name }));
      });
      select.value = form.kind;
      select.addEventListener("change", function () { switchKind(select.value); });
      return field("form-kind", texts.kind, select, "kind");
    }

    function optionRow(option, index, count) {
      const number = index + 1;
      const label = textInput(option.label, false, 0, function (v) { form.options[index].label = v; });
      label.id = "option-" + index + "-label";
      label.className = "option-label";
      label.setAttribute("maxlength", "300");
      label.setAttribute("aria-label", fill(texts.option_title, { n: number }));
      label.setAttribute("placeholder", fill(texts.option_title, { n: number }));
      const description = textInput(option.description, true, 2, function (v) { form.options[index].description = v; });
      description.id = "option-" + index + "-description";
      description.className = "option-description";
      description.setAttribute("aria-label", fill(texts.option_description, { n: number }));
      description.setAttribute("placeholder", texts.option_description_hint);
      const up = el("button", { type: "button", className: "option-up", "aria-label": fill(texts.option_up, { n: number }), text: "↑", disabled: index === 0 });
      const down = el("button", { type: "button", className: "option-down", "aria-label": fill(texts.option_down, { n: number }), text: "↓", disabled: index === count - 1 });
      const remove = el("button", { type: "button", className: "option-remove danger", "aria-label": fill(texts.option_remove, { n: number }), text: "✕" });
      up.addEventListener("click", function () { moveOption(index, -1, ".option-up"); });
      down.addEventListener("click", function () { moveOption(index, 1, ".option-down"); });
      remove.addEventListener("click", function () { removeOption(index); });
      // Only the handle drags, so text in the option's boxes can still be selected.
      const row = el("li", { className: "option-row", "data-index": String(index) }, [
        el("span", { className: "option-handle", draggable: "true", "aria-hidden": "true", text: "⠿" }),
        el("span", { className: "option-number", "aria-hidden": "true", text: String(number) }),
        el("div", { className: "option-inputs" }, [label, description, errorSlot("option-" + index)]),
        el("div", { className: "option-buttons" }, [up, down, remove]),
      ]);
      label.setAttribute("aria-describedby", "error-option-" + index);
      row.addEventListener("keydown", function (event) {
        if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
        event.preventDefault();
        event.stopPropagation();  // not the slide list's Alt+↑/↓
        const focused = document.activeElement && document.activeElement.className;
        moveOption(index, event.key === "ArrowUp" ? -1 : 1, focused ? "." + focused.split(" ")[0] : ".option-label");
      });
      return row;
    }

    function optionsField() {
      const list = el("ol", { className: "option-list", id: "form-options" });
      form.options.forEach(function (option, index) { list.append(optionRow(option, index, form.options.length)); });
      list.addEventListener("dragstart", function (event) {
        const row = event.target.closest && event.target.closest("li.option-row");
        if (!row) return;
        dragged = Number(row.dataset.index);
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", String(dragged));
        if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(row, 12, 12);
        row.classList.add("dragging");
      });
      list.addEventListener("dragover", function (event) { if (dragged !== null) event.preventDefault(); });
      list.addEventListener("drop", function (event) {
        if (dragged === null) return;
        event.preventDefault();
        event.stopPropagation();
        const target = event.target.closest("li.option-row");
        const from = dragged;
        dragged = null;
        if (!target) { render(); return; }
        const to = Number(target.dataset.index);
        if (to !== from) placeOption(from, to, null);
        else render();
      });
      list.addEventListener("dragend", function () { if (dragged !== null) { dragged = null; render(); } });
      const add = el("button", { type: "button", id: "form-add-option", text: texts.option_add });
      add.addEventListener("click", function () {
        form.options.push({ label: "", description: "" });
        render();
        const input = container.querySelector("#option-" + (form.options.length - 1) + "-label");
        if (input) input.focus();
      });
      return el("fieldset", { className: "form-options", "data-field": "options" }, [
        el("legend", { text: texts.options }),
        el("p", { className: "muted small", id: "options-help", text: texts.options_help }),
        list,
        errorSlot("options"),
        add,
      ]);
    }

    function placeOption(from, to, focusClass) {
      const moved = form.options.splice(from, 1)[0];
      form.options.splice(to, 0, moved);
      render();
      if (focusClass) {
        const row = container.querySelector('li.option-row[data-index="' + to + '"]');
        let target = row && row.querySelector(focusClass);
        if (target && target.disabled) target = row.querySelector(focusClass === ".option-up" ? ".option-down" : ".option-up");
        if (target) target.focus();
      }
      changed(true);
    }

    function moveOption(index, step, focusClass) {
      const to = index + step;
      if (to < 0 || to >= form.options.length) return;
      placeOption(index, to, focusClass);
    }

    function removeOption(index) {
      form.options.splice(index, 1);
      render();
      const rows = container.querySelectorAll("li.option-row .option-label");
      const next = rows[Math.min(index, rows.length - 1)];
      if (next) next.focus();
      else container.querySelector("#form-add-option").focus();
      changed(true);
    }

    function settingControl(setting) {
      const name = setting.name;
      const current = form.settings[name];
      const id = "setting-" + name;
      const set = function (value) {
        if (value === "" || value === null) delete form.settings[name];
        else form.settings[name] = value;
      };
      if (setting.control === "flag") {
        const box = el("input", { type: "checkbox", id: id, "aria-describedby": "error-" + id });
        const yes = ["yes", "true", "ja", "oui", "1"];
        box.checked = current === undefined ? setting["default"] === "yes" : yes.indexOf(String(current).toLowerCase()) >= 0;
        box.addEventListener("change", function () {
          const standard = setting["default"] === "yes";
          set(box.checked === standard ? "" : (box.checked ? "yes" : "no"));
          touched();
        });
        return el("div", { className: "form-field form-flag", "data-field": id }, [
          el("label", { for: id }, [box, document.createTextNode(" " + setting.label)]),
          errorSlot(id),
        ]);
      }
      if (setting.control === "choice") {
        const select = el("select", {});
        setting.choices.forEach(function (choice) { select.append(el("option", { value: choice[0], text: choice[1] })); });
        select.value = current || setting["default"];
        select.addEventListener("change", function () { set(select.value === setting["default"] ? "" : select.value); touched(); });
        return field(id, setting.label, select, id);
      }
      if (setting.control === "number") {
        const input = el("input", { type: "number", inputmode: "numeric", step: "1", min: setting.low, max: setting.high, placeholder: setting["default"] });
        input.value = current === undefined ? "" : current;
        const limits = fill(texts.number_range, { low: setting.low, high: setting.high });
        input.addEventListener("input", function () {
          clearErrors();
          if (!input.validity.valid) { showError(id, limits); changed(false, true); return; }
          set(input.value);
          changed(false);
        });
        return field(id, setting.label, input, id, limits);
      }
      const input = textInput(current, false, 0, function (v) { set(v); });
      return field(id, setting.label, input, id);
    }

    function render() {
      const active = document.activeElement && container.contains(document.activeElement) ? document.activeElement.id : null;
      container.textContent = "";
      if (!form) return;
      const kind = forms[form.kind] || { parts: ["text"], settings: [], asks: true };
      const parts = kind.parts;
      container.append(errorSlot("form"));
      container.append(kindField());
      const title = textInput(form.title, false, 0, function (v) { form.title = v; });
      title.setAttribute("maxlength", "300");
      title.required = true;
      container.append(field("form-title", texts.title, title, "title"));
      if (parts.indexOf("statement") >= 0) {
        container.append(field("form-statement", texts.statement, textInput(form.statement, true, 3, function (v) { form.statement = v; }), "statement"));
      }
      if (parts.indexOf("text") >= 0) {
        const structured = parts.indexOf("options") >= 0 || parts.indexOf("statement") >= 0;
        const hint = structured ? texts.prompt_hint : texts.text_hint;
        container.append(field("form-text", structured ? texts.prompt : texts.text, textInput(form.text, true, structured ? 2 : 5, function (v) { form.text = v; }), "text", hint));
      }
      if (parts.indexOf("options") >= 0) container.append(optionsField());
      const settings = kind.settings.filter(function (s) { return kind.asks || s.name !== "timer_closes"; });
      if (settings.length) {
        const box = el("fieldset", { className: "form-settings" }, [el("legend", { text: texts.settings })]);
        settings.forEach(function (setting) { box.append(settingControl(setting)); });
        container.append(box);
      }
      SLIDE_TEXTS.forEach(function (entry) {
        const key = entry[0];
        const input = textInput(form[key], true, 3, function (v) { form[key] = v; });
        container.append(field("form-" + key, entry[1], input, key));
      });
      if (active) {
        const again = document.getElementById(active);
        if (again) again.focus();
      }
    }

    // A new kind keeps what the slide has that the kind shows (title, text, options,
    // statement, common and shared settings) and takes the rest from a new slide's form.
    function switchKind(name) {
      const target = forms[name];
      if (!target) return;
      const starter = target.starter;
      const parts = target.parts;
      const names = target.settings.map(function (s) { return s.name; }).concat(["image", "alt"]);
      const settings = {};
      Object.keys(starter.settings).forEach(function (key) { settings[key] = starter.settings[key]; });
      Object.keys(form.settings).forEach(function (key) { if (names.indexOf(key) >= 0) settings[key] = form.settings[key]; });
      const options = form.options.filter(function (o) { return o.label.trim(); });
      const text = (form.text || "").trim();
      const next = { kind: name, title: form.title || starter.title, text: "", statement: "", options: [], settings: settings };
      if (parts.indexOf("statement") >= 0) next.statement = (form.statement || "").trim() || text || starter.statement;
      if (parts.indexOf("options") >= 0) next.options = options.length ? options.map(function (o) { return { label: o.label, description: o.description }; }) : starter.options;
      if (parts.indexOf("text") >= 0) {
        const used = parts.indexOf("statement") >= 0 && !form.statement;
        next.text = used ? "" : (text || (form.statement || "").trim() || (parts.indexOf("options") >= 0 ? "" : starter.text));
      }
      form = next;
      render();
      const select = container.querySelector("#form-kind");
      if (select) select.focus();
      changed(true);
    }

    // --- errors --------------------------------------------------------------------------

    function clearErrors() {
      container.querySelectorAll(".field-error").forEach(function (slot) { slot.hidden = true; slot.textContent = ""; });
      container.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    }

    function showError(name, message) {
      let fieldName = name || "form";
      const match = /^option-(\d+)$/.exec(fieldName);
      if (match && sentRows.length) fieldName = "option-" + sentRows[Number(match[1])];
      let slot = container.querySelector('[data-error-for="' + fieldName + '"]');
      if (!slot) slot = container.querySelector('[data-error-for="form"]');
      if (!slot) return;
      slot.textContent = message;
      slot.hidden = false;
      const holder = slot.closest("[data-field], li.option-row");
      const input = holder && holder.querySelector("input, textarea, select");
      if (input) input.setAttribute("aria-invalid", "true");
    }

    function value() {
      sentRows = [];
      const options = [];
      form.options.forEach(function (option, index) {
        if (!option.label.trim() && !option.description.trim()) return;  // an empty row is no option yet
        sentRows.push(index);
        options.push({ label: option.label, description: option.description });
      });
      const settings = {};
      Object.keys(form.settings).forEach(function (key) { settings[key] = String(form.settings[key]); });
      const sent = { kind: form.kind, title: form.title, text: form.text, statement: form.statement, options: options, settings: settings };
      SLIDE_TEXTS.forEach(function (entry) { sent[entry[0]] = form[entry[0]] || ""; });
      return sent;
    }

    return {
      load: function (next) {
        form = JSON.parse(JSON.stringify(next));
        render();
      },
      value: value,
      showError: showError,
      clearErrors: clearErrors,
      hasError: function () { return !!container.querySelector(".field-error:not([hidden])"); },
      focus: function () { const title = container.querySelector("#form-title"); if (title) { title.focus(); title.select(); } },
      summary: function (sent) {
        const lines = [sent.title];
        (sent.options || []).forEach(function (o) { lines.push("- " + o.label + (o.description ? ": " + o.description : "")); });
        if (sent.statement) lines.push(sent.statement);
        if (sent.text) lines.push(sent.text);
        return lines.join("\n");
      },
    };
  }

  window.DenkdagSlideForm = { create: create };
})();
