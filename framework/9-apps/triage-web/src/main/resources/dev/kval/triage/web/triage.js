// The triage dashboard's only script (served as /triage/triage.js; the page's CSP forbids inline script).
// Test names and host classes come from data-* attributes and are only ever used as text: KTAP names are
// chosen by the kernel under test. The API token lives in this page's memory (the input), never in storage.
'use strict';
(function () {
  // an older dashboard kept the token in localStorage: take it out of there
  try { localStorage.removeItem('kval-token'); } catch (e) { /* storage disabled */ }
  const tokenInput = document.getElementById('token');

  async function send(method, url, body) {
    const r = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + tokenInput.value },
      body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) { alert(method + ' ' + url + ': ' + r.status + ' ' + await r.text()); return; }
    location.reload();
  }

  function quarantine(test, hostClass) {
    const budget = prompt('Failure-rate budget for ' + test + ' (0..1)', '0.2');
    if (budget === null) return;
    const reason = prompt('Reason (bug link, observation)', '');
    if (reason === null) return;
    send('POST', '/api/quarantine', { test, hostClass, budget: parseFloat(budget), reason, createdBy: 'dashboard' });
  }

  document.querySelectorAll('button.quarantine').forEach(b =>
    b.addEventListener('click', () => quarantine(b.dataset.test, b.dataset.hostClass)));
  document.querySelectorAll('button.unquarantine').forEach(b =>
    b.addEventListener('click', () => send('DELETE', '/api/quarantine/' + encodeURIComponent(b.dataset.id))));
})();
