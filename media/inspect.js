// The inspect view's script: renders state sent by the extension; asks for the raw token only on a click.
(function () {
  const vscode = acquireVsCodeApi();
  const words = JSON.parse(document.getElementById('words').textContent);
  const byId = (id) => document.getElementById(id);
  let state = null;
  let revealed = null;

  const time = (ms) => (ms ? new Date(ms).toLocaleString() : '–');
  const countdown = (ms) => {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
    const ss = String(total % 60).padStart(2, '0');
    return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  };

  function row(cells) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.appendChild(td);
    }
    return tr;
  }

  function fill(tbodyId, rows) {
    const body = byId(tbodyId);
    if (rows.length) return body.replaceChildren(...rows.map(row));
    const empty = row([words.none]);
    empty.firstChild.colSpan = body.closest('table').querySelectorAll('th').length;
    body.replaceChildren(empty);
  }

  function tick() {
    if (!state || !state.expiresAt || state.state !== 'valid') {
      byId('countdown').textContent = state && state.state === 'expired' ? words.expiredNow : '–';
      return;
    }
    const left = state.expiresAt - Date.now();
    byId('countdown').textContent = left > 0 ? countdown(left) : words.expiredNow;
  }

  function render() {
    const app = state.app;
    if (app) byId('app').textContent = `${app.label} · ${app.appKey}`;
    const badge = byId('state');
    badge.textContent = words.state[state.state] || state.state;
    badge.dataset.state = state.state;
    byId('token').textContent = revealed || state.maskedToken || '–';
    const hasToken = Boolean(state.maskedToken);
    byId('reveal').disabled = !hasToken;
    byId('copy').disabled = !hasToken;
    byId('refresh').disabled = !app;
    byId('obtainedAt').textContent = time(state.obtainedAt);
    byId('expiresAt').textContent = time(state.expiresAt);
    byId('source').textContent = state.source ? words.source[state.source] : '–';
    byId('lastRefreshAt').textContent = time(state.lastRefreshAt);
    byId('lastError').textContent = state.lastError || '–';
    fill('fetches', state.fetches.map((f) => [time(f.at), words.trigger[f.trigger] || f.trigger, words.outcome[f.outcome] + (f.errorKind ? ` (${f.errorKind})` : ''), `${f.latencyMs} ms`]));
    fill('toolCalls', state.toolCalls.map((c) => [new Date(c.time).toLocaleString(), c.tool, c.app || '–', words.decision[c.decision] || c.decision, c.rule, `${c.durationMs} ms`]));
    tick();
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'state') {
      // A new token makes an earlier reveal stale.
      if (state && state.maskedToken !== message.maskedToken) revealed = null;
      state = message;
      render();
    } else if (message.type === 'revealed') {
      revealed = message.token;
      byId('token').textContent = revealed;
      byId('reveal').textContent = words.hide;
    }
  });

  byId('reveal').addEventListener('click', () => {
    if (revealed) {
      revealed = null;
      byId('reveal').textContent = byId('reveal').dataset.label;
      render();
    } else {
      vscode.postMessage({ type: 'reveal' });
    }
  });
  byId('reveal').dataset.label = byId('reveal').textContent;
  byId('copy').addEventListener('click', () => vscode.postMessage({ type: 'copy' }));
  byId('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  setInterval(tick, 1000);
  vscode.postMessage({ type: 'ready' });
})();
