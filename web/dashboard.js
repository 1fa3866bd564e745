/* SPDX-License-Identifier: MIT */
/*
 * The dashboard: sign-in, the Accounts page (re-verify, deactivate or
 * activate, edit label, delete), "Link account" (a connect session opened
 * in the embedded Hub) and "Create auth link". Under each account its
 * delivery (GET /events/stats): counters, last error, a chart of delivered
 * per minute (inline SVG built with DOM calls), its Segment write keys
 * (created and shown once, listed by prefix, revoked) and its dead letters
 * with "Replay". It calls the REST API with its HttpOnly session cookie and
 * sends the CSRF token from /dashboard/api/me on every change. All data
 * goes into the page with textContent, never as HTML.
 */
(function () {
  'use strict';

  var me = null;
  var page = 1;
  var PAGE_SIZE = 25;
  var SIGNIN_MSG = {
    invalid: 'That sign-in link is not valid.',
    expired: 'That sign-in link has expired. Run moelink serve on an empty database again, or sign in with an API key.',
    used: 'That sign-in link was already used. Sign in with an API key or the admin password.'
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function api(method, path, body) {
    var headers = {};
    if (me && me.csrf_token) { headers['X-CSRF-Token'] = me.csrf_token; }
    if (me && me.project_id && me.projects) { headers['X-Moelink-Project'] = me.project_id; }
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    return fetch(path, {
      method: method,
      credentials: 'same-origin',
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (resp) {
      return resp.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
        if (resp.status === 401 && path !== '/dashboard/api/me' && path !== '/dashboard/api/signin') {
          showSignin('Your session has ended. Sign in again.');
        }
        return { ok: resp.ok, status: resp.status, data: data };
      });
    });
  }

  function errText(r) {
    return (r.data && r.data.error && r.data.error.message) || ('Request failed (HTTP ' + r.status + ').');
  }

  function flashIn(id, text, kind) {
    var f = $(id);
    f.textContent = text;
    f.className = 'alert' + (kind ? ' alert-' + kind : '');
    f.hidden = !text;
  }

  function flash(text, kind) { flashIn('flash', text, kind); }

  // A "Copy" button for a read-only input.
  function copyValue(inputId, button) {
    var v = $(inputId).value;
    if (navigator.clipboard) {
      navigator.clipboard.writeText(v).then(function () { button.textContent = 'Copied'; });
    } else {
      $(inputId).select();
    }
  }

  function fmtTime(iso, dateOnly) {
    if (!iso) { return 'Never'; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    var opts = dateOnly ? { month: 'short', day: 'numeric' } :
      { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
    if (d.getFullYear() !== new Date().getFullYear()) { opts.year = 'numeric'; }
    return d.toLocaleString(undefined, opts);
  }

  function showSignin(msg) {
    me = null;
    $('accounts').hidden = true;
    $('nav').hidden = true;
    $('signin').hidden = false;
    var m = $('signin-msg');
    m.textContent = msg || '';
    m.hidden = !msg;
  }

  function showApp() {
    $('signin').hidden = true;
    $('accounts').hidden = false;
    $('nav').hidden = false;
    $('who').textContent = me.subject === 'admin' ? 'Admin' : 'Project key';
    $('project-name').textContent = 'Project: ' + me.project_name;
    var sel = $('project');
    sel.textContent = '';
    if (me.projects && me.projects.length > 1) {
      me.projects.forEach(function (p) {
        var o = el('option', null, p.name);
        o.value = p.id;
        o.selected = p.id === me.project_id;
        sel.appendChild(o);
      });
      sel.hidden = false;
    } else {
      sel.hidden = true;
    }
    loadAccounts();
    loadSettings();
  }

  function loadMe(projectId) {
    var headers = {};
    if (projectId) { headers['X-Moelink-Project'] = projectId; }
    return fetch('/dashboard/api/me', { credentials: 'same-origin', headers: headers }).then(function (resp) {
      return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { showSignin(signinHashMessage()); return; }
      me = r.data;
      showApp();
    }, function () { showSignin('Could not reach the server.'); });
  }

  function signinHashMessage() {
    var m = /signin=(\w+)/.exec(window.location.hash);
    if (!m) { return ''; }
    history.replaceState(null, '', '/dashboard');
    return SIGNIN_MSG[m[1]] || '';
  }

  function statusCell(a) {
    var td = el('td');
    td.setAttribute('data-th', 'Status');
    td.appendChild(el('span', 'badge badge-' + a.status, a.status));
    if (a.status !== 'active' && a.status_reasons && a.status_reasons.length) {
      td.appendChild(el('span', 'reason reason-' + a.status, a.status_reasons[0].description));
    }
    return td;
  }

  function cell(th, cls, text) {
    var td = el('td', cls, text);
    td.setAttribute('data-th', th);
    return td;
  }

  function actionButton(text, cls, fn) {
    var b = el('button', 'btn btn-small' + (cls ? ' ' + cls : ''), text);
    b.type = 'button';
    b.addEventListener('click', fn);
    return b;
  }

  function row(a) {
    var tr = el('tr');
    tr.dataset.id = a.id;
    var label = cell('Label', 'label', a.label || a.workspace_id);
    label.appendChild(el('span', 'owner', a.origin_owner_name));
    tr.appendChild(label);
    tr.appendChild(cell('Workspace ID', 'mono', a.workspace_id));
    tr.appendChild(cell('Data center', null, a.data_center + (a.region ? ' · ' + a.region : '')));
    tr.appendChild(statusCell(a));
    tr.appendChild(cell('Created', 'when', fmtTime(a.created_at, true)));
    tr.appendChild(cell('Last verified', 'when', fmtTime(a.last_verified_at)));
    var act = el('td');
    var box = el('div', 'row-actions');
    box.appendChild(actionButton('Re-verify', null, function (ev) { verify(a, ev.currentTarget); }));
    var on = a.status === 'inactive';
    box.appendChild(actionButton(on ? 'Activate' : 'Deactivate', null, function (ev) { setActive(a, on, ev.currentTarget); }));
    box.appendChild(actionButton('Edit', null, function () { edit(a); }));
    box.appendChild(actionButton('Delete', 'btn-danger', function () { remove(a); }));
    act.appendChild(box);
    tr.appendChild(act);
    return tr;
  }

  // ---- delivery: stats, chart, write keys, dead letters ------------------

  var SVGNS = 'http://www.w3.org/2000/svg';
  var STATS_EVERY_MS = 15000;
  var CHART_W = 180;
  var CHART_H = 40;

  function num(n) { return Number(n || 0).toLocaleString(); }

  function accName(a) { return a.label || a.workspace_id; }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }

  // "14:05" for the minute `ago` minutes before now.
  function minuteLabel(ago) {
    var d = new Date(Date.now() - ago * 60000);
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }

  // Delivered per minute as bars, oldest first; the last bar is this minute.
  function chart(perMinute) {
    var n = perMinute.length;
    var peak = Math.max.apply(null, perMinute.concat([0]));
    var total = perMinute.reduce(function (x, y) { return x + y; }, 0);
    var bw = CHART_W / Math.max(n, 1);
    var s = svg('svg', {
      'class': 'chart', role: 'img', width: CHART_W, height: CHART_H + 1,
      viewBox: '0 0 ' + CHART_W + ' ' + (CHART_H + 1),
      'data-total': total, 'data-peak': peak
    });
    s.setAttribute('aria-label', 'Delivered per minute over the last ' + n + ' minutes: ' +
      num(total) + ' in all, at most ' + num(peak) + ' in one minute');
    s.appendChild(svg('line', { 'class': 'axis', x1: 0, x2: CHART_W, y1: CHART_H + 0.5, y2: CHART_H + 0.5 }));
    perMinute.forEach(function (v, i) {
      if (!v) { return; }
      var h = Math.max(1, Math.round(v / peak * CHART_H));
      var bar = svg('rect', {
        'class': 'bar', x: (i * bw + 0.5).toFixed(2), y: CHART_H - h,
        width: Math.max(bw - 1, 1).toFixed(2), height: h, 'data-minute': i, 'data-value': v
      });
      var tip = document.createElementNS(SVGNS, 'title');
      tip.textContent = minuteLabel(n - 1 - i) + ': ' + num(v) + ' delivered';
      bar.appendChild(tip);
      s.appendChild(bar);
    });
    return s;
  }

  function deliveryRow(a, ncols) {
    var tr = el('tr', 'delivery');
    tr.dataset.account = a.id;
    tr.hidden = true;
    var td = el('td');
    td.colSpan = ncols;
    td.appendChild(el('div', 'delivery-box'));
    tr.appendChild(td);
    tr.account = a;
    return tr;
  }

  function count(dl, name, value, cls) {
    var d = el('div', cls);
    d.appendChild(el('dt', null, name));
    d.appendChild(el('dd', null, num(value)));
    dl.appendChild(d);
  }

  function lastError(s) {
    var p = el('p', 'last-error');
    if (!s.last_error) {
      p.textContent = 'No delivery errors.';
      return p;
    }
    // Still failing unless something was delivered after the error.
    var failing = !s.last_delivered_at || Date.parse(s.last_error_at) > Date.parse(s.last_delivered_at);
    p.classList.toggle('failing', failing);
    p.appendChild(el('span', 'when', 'Last error · ' + fmtTime(s.last_error_at)));
    p.appendChild(el('span', 'msg', s.last_error));
    return p;
  }

  function fillDelivery(tr, s) {
    var a = tr.account;
    var box = tr.querySelector('.delivery-box');
    box.textContent = '';
    var fig = el('figure', 'chart-box');
    fig.appendChild(chart(s.delivered_per_minute || []));
    fig.appendChild(el('figcaption', null, 'Delivered per minute, last hour'));
    box.appendChild(fig);
    var dl = el('dl', 'counts');
    count(dl, 'Queued', s.queued);
    count(dl, 'Delivered', s.delivered);
    count(dl, 'Retried', s.retried);
    count(dl, 'Dead-lettered', s.dead_lettered, s.dead_letters > 0 ? 'bad' : null);
    box.appendChild(dl);
    box.appendChild(lastError(s));
    var act = el('div', 'row-actions');
    act.appendChild(actionButton('Write keys', null, function () { openWriteKeys(a); }));
    act.appendChild(actionButton('Dead letters (' + num(s.dead_letters) + ')', null, function () { openDead(a); }));
    box.appendChild(act);
    tr.hidden = false;
  }

  // Fill every delivery row of the page; rows stay hidden when the
  // delivery pipeline is not running (503).
  function loadStats() {
    return api('GET', '/events/stats').then(function (r) {
      if (!r.ok) { return; }
      var byId = {};
      r.data.data.forEach(function (s) { byId[s.account_id] = s; });
      Array.prototype.forEach.call(document.querySelectorAll('#acc-rows tr.delivery'), function (tr) {
        var s = byId[tr.dataset.account];
        var seen = JSON.stringify(s || null);
        if (!s || tr.dataset.seen === seen) { return; }
        tr.dataset.seen = seen;
        fillDelivery(tr, s);
      });
    });
  }

  var keysOf = null;

  function openWriteKeys(a) {
    keysOf = a;
    $('key-account').textContent = accName(a);
    $('key-new').hidden = true;
    $('key-value').value = '';
    flashIn('key-error', '');
    $('dlg-key').showModal();
    listWriteKeys(a);
  }

  function createWriteKey() {
    var a = keysOf;
    var button = $('key-create');
    button.disabled = true;
    api('POST', '/accounts/' + encodeURIComponent(a.id) + '/write_keys').then(function (r) {
      button.disabled = false;
      if (!r.ok) { flashIn('key-error', errText(r), 'error'); return; }
      $('key-value').value = r.data.write_key;
      $('key-copy').textContent = 'Copy';
      $('key-new').hidden = false;
      $('key-value').select();
      listWriteKeys(a);
    });
  }

  function listWriteKeys(a) {
    return api('GET', '/accounts/' + encodeURIComponent(a.id) + '/write_keys').then(function (r) {
      var ul = $('key-list');
      ul.textContent = '';
      if (!r.ok) { flashIn('key-error', errText(r), 'error'); return; }
      $('key-none').hidden = r.data.data.length > 0;
      r.data.data.forEach(function (k) {
        var li = el('li', k.revoked_at ? 'revoked' : null);
        li.appendChild(el('code', null, k.prefix + '…'));
        li.appendChild(el('span', 'when', k.revoked_at ? 'revoked ' + fmtTime(k.revoked_at) :
          'created ' + fmtTime(k.created_at)));
        if (!k.revoked_at) {
          li.appendChild(actionButton('Revoke', 'btn-danger', function () { revokeWriteKey(a, k); }));
        }
        ul.appendChild(li);
      });
    });
  }

  function revokeWriteKey(a, k) {
    if (!window.confirm('Revoke ' + k.prefix + '…? Libraries that send it are refused (401) from now on.')) {
      return;
    }
    api('DELETE', '/accounts/' + encodeURIComponent(a.id) + '/write_keys/' + encodeURIComponent(k.id)).then(function (r) {
      if (!r.ok) { flashIn('key-error', errText(r), 'error'); return; }
      listWriteKeys(a);
    });
  }

  var dead = { account: null, next: null };

  function openDead(a) {
    dead.account = a;
    $('dead-sub').textContent = accName(a) + ': elements MoEngage refused for good, with its reason. ' +
      'Replay sends them again, at the end of the queue, once the cause is fixed.';
    flashIn('dead-flash', '');
    $('dead-rows').textContent = '';
    $('dlg-dead').showModal();
    loadDead(null);
  }

  function deadRow(d) {
    var tr = el('tr');
    tr.dataset.id = d.id;
    var what = cell('Element', 'element');
    what.appendChild(el('span', 'badge badge-inactive', d.kind));
    if (d.customer_id) { what.appendChild(el('span', 'mono cid', d.customer_id)); }
    var payload = el('details');
    payload.appendChild(el('summary', null, 'Payload'));
    payload.appendChild(el('pre', 'payload', JSON.stringify(d.payload, null, 2)));
    what.appendChild(payload);
    tr.appendChild(what);
    var why = cell("MoEngage's reason", 'why', d.reason);
    var m = d.moengage || {};
    var detail = [m.status ? 'HTTP ' + m.status : '', m.type || '', m.request_id ? 'request ' + m.request_id : '']
      .filter(Boolean).join(' · ');
    if (detail) { why.appendChild(el('span', 'owner', detail)); }
    tr.appendChild(why);
    tr.appendChild(cell('Attempts', null, d.attempts));
    tr.appendChild(cell('Dead since', 'when', fmtTime(d.created_at)));
    var act = el('td');
    act.appendChild(actionButton('Replay', null, function () { replay({ ids: [d.id] }); }));
    tr.appendChild(act);
    return tr;
  }

  function loadDead(after) {
    var path = '/deadletters?limit=50&account_id=' + encodeURIComponent(dead.account.id) +
      (after ? '&after=' + after : '');
    return api('GET', path).then(function (r) {
      if (!r.ok) { flashIn('dead-flash', errText(r), 'error'); return; }
      if (!after) { $('dead-rows').textContent = ''; }
      r.data.data.forEach(function (d) { $('dead-rows').appendChild(deadRow(d)); });
      dead.next = r.data.next_after;
      $('dead-more').hidden = !dead.next;
      $('dead-empty').hidden = r.data.total > 0;
      $('dead-table').hidden = r.data.total === 0;
      $('dead-replay-all').disabled = r.data.total === 0;
      $('dead-replay-all').textContent = 'Replay all (' + num(r.data.total) + ')';
    });
  }

  function replay(body) {
    api('POST', '/deadletters/replay', body).then(function (r) {
      if (!r.ok) { flashIn('dead-flash', errText(r), 'error'); return; }
      flashIn('dead-flash', 'Replayed ' + num(r.data.replayed) + (r.data.replayed === 1 ? ' element' : ' elements') +
        ': back in the queue for MoEngage.', 'ok');
      loadDead(null);
      loadStats();
    });
  }

  function loadAccounts() {
    return api('GET', '/accounts?page=' + page + '&page_size=' + PAGE_SIZE).then(function (r) {
      if (!r.ok) { flash(errText(r), 'error'); return; }
      var rows = $('acc-rows');
      rows.textContent = '';
      var ncols = $('acc-table').tHead.rows[0].cells.length;
      r.data.data.forEach(function (a) {
        var tr = row(a);
        tr.classList.add('acc');
        rows.appendChild(tr);
        rows.appendChild(deliveryRow(a, ncols));
      });
      loadStats();
      $('empty').hidden = r.data.total > 0;
      $('acc-table').hidden = r.data.total === 0;
      // Past the server's count limit the total is a lower bound.
      var pages = Math.max(1, Math.ceil(r.data.total / PAGE_SIZE));
      var more = r.data.total_capped ? '+' : '';
      $('pager').hidden = pages <= 1 && !r.data.next_page;
      $('pageinfo').textContent = 'Page ' + page + ' of ' +
        (page > pages ? page : pages) + more;
      $('prev').disabled = page <= 1;
      $('next').disabled = !r.data.next_page;
    });
  }

  function verify(a, button) {
    button.disabled = true;
    button.textContent = 'Checking…';
    api('POST', '/accounts/' + encodeURIComponent(a.id) + '/verify').then(function (r) {
      if (!r.ok) {
        flash(errText(r), 'error');
      } else if (r.data.status === 'active') {
        flash('“' + (r.data.label || r.data.workspace_id) + '” is working: MoEngage accepted its keys.', 'ok');
      } else {
        flash('MoEngage refused “' + (r.data.label || r.data.workspace_id) + '”: ' +
          ((r.data.status_reasons[0] || {}).description || r.data.status), 'error');
      }
      return loadAccounts();
    });
  }

  // Deactivate: nothing is sent to MoEngage for the account and its events
  // wait in the outbox. Activate: the server checks the keys with MoEngage
  // first, then the waiting events go out.
  function setActive(a, on, button) {
    var name = a.label || a.workspace_id;
    if (!on && !window.confirm('Deactivate “' + name + '”? Calls for it are refused and its events wait in the outbox until you activate it again.')) {
      return;
    }
    button.disabled = true;
    button.textContent = on ? 'Checking…' : 'Deactivating…';
    api('PATCH', '/accounts/' + encodeURIComponent(a.id), { status: on ? 'active' : 'inactive' }).then(function (r) {
      if (!r.ok) {
        flash(errText(r), 'error');
      } else if (on) {
        flash('“' + name + '” is active again: MoEngage accepted its keys, and events that waited are on their way.', 'ok');
      } else {
        flash('“' + name + '” is inactive: nothing is sent to MoEngage for it until you activate it.', 'ok');
      }
      return loadAccounts();
    });
  }

  var editing = null;
  function edit(a) {
    editing = a;
    $('e-label').value = a.label;
    setErr('e-label-error', '');
    $('dlg-edit').showModal();
  }

  function remove(a) {
    if (!window.confirm('Delete “' + (a.label || a.workspace_id) + '”? Its stored keys are erased; linking it again needs the keys.')) {
      return;
    }
    api('DELETE', '/accounts/' + encodeURIComponent(a.id)).then(function (r) {
      flash(r.ok ? 'Deleted “' + (a.label || a.workspace_id) + '”.' : errText(r), r.ok ? 'ok' : 'error');
      return loadAccounts();
    });
  }

  function setErr(id, text) {
    var e = $(id);
    e.textContent = text || '';
    var field = e.closest('.field');
    if (field) { field.classList.toggle('invalid', !!text); }
  }

  var sessionMode = 'link';
  function openSession(mode) {
    sessionMode = mode;
    $('dlg-session-title').textContent = mode === 'link' ? 'Link account' : 'Create auth link';
    $('dlg-session-sub').textContent = mode === 'link' ?
      'Who is this workspace for? Then enter its MoEngage details in the Hub.' :
      'Who is the link for? They enter the MoEngage details themselves.';
    $('s-expiry-field').hidden = mode === 'link';
    $('s-submit').textContent = mode === 'link' ? 'Open the Hub' : 'Create link';
    $('s-error').hidden = true;
    setErr('s-owner-id-error', '');
    setErr('s-owner-name-error', '');
    $('dlg-session').showModal();
  }

  function submitSession(ev) {
    ev.preventDefault();
    var body = {
      origin_owner_id: $('s-owner-id').value.trim(),
      origin_owner_name: $('s-owner-name').value.trim()
    };
    var label = $('s-label').value.trim();
    if (label) { body.label = label; }
    body.expires_in = sessionMode === 'link' ? 3600 : parseInt($('s-expiry').value, 10);
    setErr('s-owner-id-error', body.origin_owner_id ? '' : 'Enter an owner ID.');
    setErr('s-owner-name-error', body.origin_owner_name ? '' : 'Enter an owner name.');
    if (!body.origin_owner_id || !body.origin_owner_name) { return; }
    api('POST', '/connect_sessions', body).then(function (r) {
      if (!r.ok) {
        var e = $('s-error');
        e.textContent = errText(r);
        e.hidden = false;
        return;
      }
      $('dlg-session').close();
      if (sessionMode === 'link') {
        window.MoelinkHub.open({
          token: r.data.token,
          baseUrl: window.location.origin,
          onLinked: function () {
            flash('Account linked.', 'ok');
            loadAccounts();
          },
          onClose: loadAccounts
        });
      } else {
        $('url-value').value = r.data.auth_link_url;
        $('url-expiry').textContent = 'on ' + fmtTime(r.data.expires_at);
        $('dlg-url').showModal();
        $('url-value').select();
      }
    });
  }

  function loadSettings() {
    api('GET', '/dashboard/api/settings').then(function (r) {
      if (r.ok) { $('origins').value = r.data.hub_frame_origins; }
    });
  }

  function saveSettings(ev) {
    ev.preventDefault();
    api('PUT', '/dashboard/api/settings', { hub_frame_origins: $('origins').value.trim() }).then(function (r) {
      setErr('origins-error', r.ok ? '' : errText(r));
      if (r.ok) {
        $('origins').value = r.data.hub_frame_origins;
        flash('Saved the allowed origins.', 'ok');
      }
    });
  }

  function signin(ev) {
    ev.preventDefault();
    var key = $('si-key').value.trim();
    var pass = $('si-pass').value;
    var body = key ? { api_key: key } : { password: pass };
    if (!key && !pass) {
      showSignin('Enter a project API key or the admin password.');
      return;
    }
    api('POST', '/dashboard/api/signin', body).then(function (r) {
      $('si-pass').value = '';
      $('si-key').value = '';
      if (!r.ok) { showSignin(errText(r)); return; }
      loadMe();
    });
  }

  function init() {
    $('signin-form').addEventListener('submit', signin);
    $('signout').addEventListener('click', function () {
      api('POST', '/dashboard/api/signout').then(function () { showSignin('Signed out.'); });
    });
    $('project').addEventListener('change', function (ev) { page = 1; loadMe(ev.target.value); });
    $('btn-link').addEventListener('click', function () { openSession('link'); });
    $('btn-authlink').addEventListener('click', function () { openSession('authlink'); });
    $('session-form').addEventListener('submit', submitSession);
    $('s-cancel').addEventListener('click', function () { $('dlg-session').close(); });
    $('url-close').addEventListener('click', function () { $('dlg-url').close(); });
    $('url-copy').addEventListener('click', function (ev) { copyValue('url-value', ev.currentTarget); });
    $('key-copy').addEventListener('click', function (ev) { copyValue('key-value', ev.currentTarget); });
    $('key-close').addEventListener('click', function () { $('dlg-key').close(); });
    $('key-create').addEventListener('click', createWriteKey);
    // The key leaves the page when its dialog closes, however it closes.
    $('dlg-key').addEventListener('close', function () { $('key-value').value = ''; });
    $('dead-close').addEventListener('click', function () { $('dlg-dead').close(); });
    $('dead-more').addEventListener('click', function () { loadDead(dead.next); });
    $('dead-replay-all').addEventListener('click', function () {
      replay({ account_id: dead.account.id });
    });
    window.setInterval(function () {
      if (me && !$('accounts').hidden && document.visibilityState === 'visible') { loadStats(); }
    }, STATS_EVERY_MS);
    $('edit-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var label = $('e-label').value.trim();
      if (!label) { setErr('e-label-error', 'Enter a label.'); return; }
      api('PATCH', '/accounts/' + encodeURIComponent(editing.id), { label: label }).then(function (r) {
        if (!r.ok) { setErr('e-label-error', errText(r)); return; }
        $('dlg-edit').close();
        flash('Saved.', 'ok');
        loadAccounts();
      });
    });
    $('e-cancel').addEventListener('click', function () { $('dlg-edit').close(); });
    $('settings-form').addEventListener('submit', saveSettings);
    $('prev').addEventListener('click', function () { if (page > 1) { page--; loadAccounts(); } });
    $('next').addEventListener('click', function () { page++; loadAccounts(); });
    loadMe();
  }

  init();
}());
