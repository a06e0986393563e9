// The print button: shown only where a script can print; without one the
// browser's own print command prints the same page (see the print styles).
(function () {
  "use strict";
  var b = document.getElementById("print-letter");
  if (!b || !window.print) { return; }
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
})();
