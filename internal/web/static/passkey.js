// Passkeys (WebAuthn): the browser half of registering a passkey and of
// signing in with one. A button with data-passkey="create" or "get" asks
// data-begin for the options, lets the authenticator answer, puts the
// answer in its form's credential field and submits the form; the server
// checks everything. Without WebAuthn the passkey parts stay hidden.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }
  function b64d(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function b64e(buf) {
    var bytes = new Uint8Array(buf), bin = '';
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function ids(list) {
    (list || []).forEach(function (c) { c.id = b64d(c.id); });
  }
  function answer(cred) {
    var r = cred.response, out = {id: cred.id, rawId: b64e(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}};
    if (r.attestationObject) {
      out.response = {attestationObject: b64e(r.attestationObject), clientDataJSON: b64e(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : []};
    } else {
      out.response = {authenticatorData: b64e(r.authenticatorData), clientDataJSON: b64e(r.clientDataJSON),
        signature: b64e(r.signature), userHandle: r.userHandle ? b64e(r.userHandle) : null};
    }
    return JSON.stringify(out);
  }
  document.querySelectorAll('[data-passkey-part]').forEach(function (el) { el.hidden = false; });
  document.querySelectorAll('button[data-passkey]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var form = btn.form, status = form.querySelector('[data-passkey-status]');
      if (!form.reportValidity()) { return; }
      if (status) { status.hidden = true; }
      btn.disabled = true;
      fetch(btn.getAttribute('data-begin'), {method: 'POST', credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (r) {
          if (!r.ok) { throw new Error('begin ' + r.status); }
          return r.json();
        })
        .then(function (opts) {
          var pk = opts.publicKey;
          pk.challenge = b64d(pk.challenge);
          if (btn.getAttribute('data-passkey') === 'create') {
            pk.user.id = b64d(pk.user.id);
            ids(pk.excludeCredentials);
            return navigator.credentials.create({publicKey: pk});
          }
          ids(pk.allowCredentials);
          return navigator.credentials.get({publicKey: pk});
        })
        .then(function (cred) {
          form.querySelector('input[name=credential]').value = answer(cred);
          form.submit();
        })
        .catch(function () {
          btn.disabled = false;
          if (status) { status.hidden = false; }
        });
    });
  });
})();
