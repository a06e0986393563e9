// Live screening: when a fact changes, the form is sent for screening only
// (nothing is stored) and the panel's contents are replaced. The live
// region itself stays in place, so screen readers announce the new
// summary; the details keep their open state. Without scripts the "Check
// screening" button does the same with a full page.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  var panel = document.getElementById("screening-panel");
  if (!form || !panel || !window.fetch || !window.FormData) { return; }
  var timer = null;
  var seq = 0;
  // A child (under 18 by the stated age) needs no consent: the identity
  // part shows as soon as the age is typed.
  var age = document.getElementById("f-age");
  function childAge() {
    var n = parseInt(age.value, 10);
    form.classList.toggle("child-age", /^\s*\d+\s*$/.test(age.value) && n < 18);
  }
  if (age) { age.addEventListener("input", childAge); childAge(); }
  function refresh() {
    var data = new FormData(form);
    data.set("action", "screen");
    var mine = ++seq;
    fetch(form.getAttribute("action"), {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "X-Haven-Fragment": "screening" }
    }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html === null || mine !== seq) { return; }
      var tpl = document.createElement("template");
      tpl.innerHTML = html.trim();
      var fresh = tpl.content.getElementById("screening-panel");
      document.dispatchEvent(new CustomEvent("haven:contact"));
      if (!fresh) { return; }
      var live = document.getElementById("screening-live");
      var freshLive = fresh.querySelector("#screening-live");
      if (live && freshLive && live.innerHTML !== freshLive.innerHTML) { live.innerHTML = freshLive.innerHTML; }
      var old = document.getElementById("screening-details");
      var det = fresh.querySelector("#screening-details");
      if (det) {
        if (old) { det.open = old.open; old.replaceWith(det); } else { live.after(det); }
      } else if (old) { old.remove(); }
    }).catch(function () { /* the button still works */ });
  }
  // Drafts: on the referral form, what has been typed is saved (sealed, on
  // the server) a moment after each change and when the session is about
  // to end, so that a session that ends mid-interview loses nothing.
  var drafting = form.getAttribute("action") === "/referrals/new";
  var draftTimer = null;
  function saveDraft() {
    clearTimeout(draftTimer);
    var data = new FormData(form);
    data.set("action", "draft");
    fetch("/referrals/new", {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "X-Haven-Fragment": "draft" }
    }).then(function (r) {
      if (r.ok) { form.setAttribute("data-draft-saved", String(Date.now())); document.dispatchEvent(new CustomEvent("haven:contact")); }
    }).catch(function () { /* the Save draft button still works */ });
  }
  if (drafting) {
    form.addEventListener("input", function () { clearTimeout(draftTimer); draftTimer = setTimeout(saveDraft, 800); });
    form.addEventListener("change", function () { clearTimeout(draftTimer); draftTimer = setTimeout(saveDraft, 800); });
    document.addEventListener("haven:idle-warning", saveDraft);
  }
  form.addEventListener("change", function (e) {
    // Identifying fields never leave the page for a live preview.
    if (e.target && e.target.closest && e.target.closest("#f-identity")) { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
