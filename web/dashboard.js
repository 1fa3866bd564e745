/* SPDX-License-Identifier: MIT */
/*
 * The dashboard: sign-in, the Accounts page (re-verify, edit label,
 * delete), "Link account" (a connect session opened in the embedded Hub)
 * and "Create auth link". It calls the REST API with its HttpOnly session
 * cookie and sends the CSRF token from /dashboard/api/me on every change.
 * All data goes into the page with textContent, never as HTML.
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

  function flash(text, kind) {
    var f = $('flash');
    f.textContent = text;
    f.className = 'alert' + (kind ? ' alert-' + kind : '');
    f.hidden = !text;
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
      td.appendChild(el('span', 'reason', a.status_reasons[0].description));
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
    box.appendChild(actionButton('Edit', null, function () { edit(a); }));
    box.appendChild(actionButton('Delete', 'btn-danger', function () { remove(a); }));
    act.appendChild(box);
    tr.appendChild(act);
    return tr;
  }

  function loadAccounts() {
    return api('GET', '/accounts?page=' + page + '&page_size=' + PAGE_SIZE).then(function (r) {
      if (!r.ok) { flash(errText(r), 'error'); return; }
      var rows = $('acc-rows');
      rows.textContent = '';
      r.data.data.forEach(function (a) { rows.appendChild(row(a)); });
      $('empty').hidden = r.data.total > 0;
      $('acc-table').hidden = r.data.total === 0;
      var pages = Math.max(1, Math.ceil(r.data.total / PAGE_SIZE));
      $('pager').hidden = pages <= 1;
      $('pageinfo').textContent = 'Page ' + page + ' of ' + pages;
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
    $('url-copy').addEventListener('click', function () {
      var v = $('url-value').value;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(v).then(function () { $('url-copy').textContent = 'Copied'; });
      } else {
        $('url-value').select();
      }
    });
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
