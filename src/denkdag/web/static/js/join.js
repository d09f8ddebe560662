// Joining by link or QR code takes no extra tap when scripts run: submit the join form.
"use strict";
(function () {
  const form = document.getElementById("join-form");
  // A session with personal invitation codes waits for the participant to type theirs.
  const needsCode = form && form.querySelector("[name=invitation]");
  if (form && !needsCode && !sessionStorage.getItem("denkdag-joining")) {
    sessionStorage.setItem("denkdag-joining", "1");
    window.setTimeout(function () { sessionStorage.removeItem("denkdag-joining"); }, 5000);
    form.submit();
  }
})();
