// Slide countdowns on the projector, the phone and the remote (domain/timer.py).
// The server sends each timer's end as an absolute time together with its own clock
// (`server_time`), so the offset between the two clocks is taken out: a phone whose
// clock is minutes off still shows the room's countdown. The ticking time is a
// role=timer (never read out by itself); the status line speaks only at the moments that
// matter: started, one minute left, ten seconds left, paused, time's up.
"use strict";
(function () {
  let timers = [];
  let offset = 0; // server clock minus this clock, in seconds
  let seen = null; // the countdown element whose data we read (the remote redraws it)
  const spoken = {}; // slide id → the moments already announced for its current run

  function box() { return document.getElementById("countdown"); }
  function status() { return document.getElementById("countdown-status"); }
  function now() { return Date.now() / 1000 + offset; }

  function take(data) {
    if (!data || !Array.isArray(data.timers)) return;
    timers = data.timers;
    if (typeof data.server_time === "number" && data.server_time > 0) {
      offset = data.server_time - Date.now() / 1000;
    }
  }

  function readBox(el) {
    seen = el;
    try { take(JSON.parse(el.dataset.timers || "{}")); } catch (e) { /* keep the last */ }
  }

  function shownSlide() {
    const slide = document.querySelector("#slide");
    if (slide) return slide.dataset.slide;
    const holder = document.querySelector("[data-countdown-slide]"); // the remote
    return holder ? holder.dataset.countdownSlide : "";
  }

  function clock(seconds) {
    const total = Math.max(0, Math.ceil(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  }

  function say(el, key, text) {
    const line = status();
    if (!line || !text) return;
    line.textContent = text.replace("{time}", key);
  }

  // Announce a moment once per run of a timer (a run = its end time, or its pause).
  function moment(el, timer, name, text, time) {
    const run = timer.slide + "@" + (timer.ends_at || "p" + timer.remaining);
    const done = spoken[timer.slide] && spoken[timer.slide].run === run ? spoken[timer.slide] : { run: run, said: {} };
    spoken[timer.slide] = done;
    if (done.said[name]) return;
    done.said[name] = true;
    say(el, time || "", text);
  }

  function draw() {
    const el = box();
    if (!el) return;
    if (el !== seen) readBox(el);
    const slideId = shownSlide();
    const timer = timers.find(function (t) { return t.slide === slideId; });
    if (!timer) {
      el.hidden = true;
      return;
    }
    const left = timer.running ? timer.ends_at - now() : timer.remaining;
    const ended = left <= 0;
    el.hidden = false;
    el.classList.toggle("paused", !timer.running && !ended);
    el.classList.toggle("urgent", timer.running && !ended && left <= 10);
    el.classList.toggle("ended", ended);
    el.querySelector(".countdown-time").textContent = clock(ended ? 0 : left);
    const state = el.querySelector(".countdown-state");
    const d = el.dataset;
    if (ended) {
      state.textContent = timer.closes ? d.textClosed : d.textUp;
      moment(el, timer, "up", timer.closes ? d.textClosed : d.textUp);
    } else if (!timer.running) {
      state.textContent = d.textPaused;
      moment(el, timer, "paused", d.textPaused);
    } else {
      state.textContent = "";
      if (left > timer.duration - 2) moment(el, timer, "started", d.textStarted, clock(left));
      else if (left <= 10.5) moment(el, timer, "ten", d.textTen);
      else if (left <= 60.5 && timer.duration > 90) moment(el, timer, "minute", d.textMinute);
    }
  }

  document.addEventListener("denkdag:state", function (event) { take(event.detail); draw(); });
  // The facilitator's keys on the projector: T starts (or resumes) or pauses, + adds 30 s.
  const presenter = document.getElementById("presenter");
  if (presenter && window.Denkdag) {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const timer = timers.find(function (t) { return t.slide === shownSlide(); });
      const running = timer && timer.running && timer.ends_at > now();
      let action = null;
      if (event.key === "t" || event.key === "T") action = running ? "timer-pause" : "timer-start";
      else if (event.key === "+") action = "timer-add";
      if (!action) return;
      event.preventDefault();
      Denkdag.control(presenter.dataset.code, action).catch(function (error) { console.warn(error.message); });
    });
  }
  // A new slide swapped in (the phone's or the projector's #slide-host): draw before the
  // next paint, so the last slide's countdown never lingers above the new slide and then
  // vanishes, moving its buttons under a finger about to tap.
  const host = document.getElementById("slide-host");
  if (host && window.MutationObserver) new MutationObserver(draw).observe(host, { childList: true });
  const first = box();
  if (first) readBox(first);
  draw();
  window.setInterval(draw, 250);
})();
