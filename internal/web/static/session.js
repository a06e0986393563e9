// Warns before a session ends for want of use. The server ends a session
// unused for data-idle seconds; any request renews it. Two minutes before
// (a quarter of the time if shorter) the warning shows with a button that
// renews the session without leaving the page; pages that save drafts
// save one then (event "haven:idle-warning"), and tell this script when
// they reached the server (event "haven:contact").
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  var stay = document.getElementById("session-stay");
  if (!box || !stay || !window.fetch) { return; }
  var idle = parseInt(box.getAttribute("data-idle"), 10);
  if (!(idle > 0)) { return; }
  var lead = Math.min(120, Math.floor(idle / 4));
  var timer = null;
  function arm() {
    clearTimeout(timer);
    box.hidden = true;
    timer = setTimeout(warn, (idle - lead) * 1000);
  }
  function warn() {
    box.hidden = false;
    stay.focus();
    document.dispatchEvent(new CustomEvent("haven:idle-warning"));
  }
  stay.addEventListener("click", function () {
    fetch("/api/v1/me", { credentials: "same-origin" }).then(function (r) { if (r.ok) { arm(); } });
  });
  document.addEventListener("haven:contact", arm);
  arm();
})();
