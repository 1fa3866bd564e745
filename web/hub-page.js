/* SPDX-License-Identifier: MIT */
/*
 * The Hub page: collects a workspace's credentials and posts them to
 * /hub/api/link with the connect-session token (from this page's URL) and
 * the CSRF token the server put into the page. Errors show beside the field
 * they concern. Everything the server sends back is shown with textContent.
 * On success an embedding page is told with postMessage, and only origins
 * the project allows (plus our own) can receive it.
 */
(function () {
  'use strict';

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') || '' : '';
  }

  var token = new URLSearchParams(window.location.search).get('token') || '';
  var csrf = meta('moelink-csrf');
  var state = meta('moelink-state');
  var origins = meta('moelink-origins').split(' ').filter(Boolean);
  var form = document.getElementById('link-form');
  var button = document.getElementById('connect');
  var buttonText = document.getElementById('connect-text');
  var FIELDS = ['workspace_id', 'data_key', 'general_key', 'data_center',
    'push_key', 'inform_key', 'personalize_key', 'db_name'];
  var LEGACY = ['push_key', 'inform_key', 'personalize_key', 'db_name'];
  var PAGE_ERRORS = {
    session_expired: 'This link has expired. Ask the person who sent it for a new link.',
    session_spent: 'This link was already used to connect an account. Ask for a new link to connect another one.',
    invalid_token: 'This link is not valid. Check that you copied all of it, or ask for a new link.',
    missing_token: 'This page needs a link with a token. Ask for a new link.'
  };

  function tell(message) {
    if (window.parent === window) {
      return;
    }
    var targets = origins.concat([window.location.origin]);
    targets.forEach(function (origin) {
      try {
        window.parent.postMessage(message, origin);
      } catch (e) {
        /* an origin that is not the parent's: nothing to do */
      }
    });
  }

  function pageError(text) {
    var el = document.getElementById('page-error');
    el.textContent = text;
    el.hidden = false;
    form.hidden = true;
  }

  function setFieldError(name, text) {
    var field = form.querySelector('[data-field="' + name + '"]');
    var msg = document.getElementById(name + '-error');
    var input = document.getElementById(name);
    if (!field || !msg || !input) {
      return false;
    }
    field.classList.toggle('invalid', !!text);
    msg.textContent = text || '';
    if (text) {
      input.setAttribute('aria-invalid', 'true');
    } else {
      input.removeAttribute('aria-invalid');
    }
    if (text && LEGACY.indexOf(name) >= 0) {
      document.getElementById('legacy').open = true;
    }
    return true;
  }

  function clearErrors() {
    FIELDS.forEach(function (f) { setFieldError(f, ''); });
    var fe = document.getElementById('form-error');
    fe.hidden = true;
    fe.textContent = '';
  }

  function formError(text) {
    var fe = document.getElementById('form-error');
    fe.textContent = text;
    fe.hidden = false;
  }

  function busy(on) {
    button.disabled = on;
    button.classList.toggle('busy', on);
    buttonText.textContent = on ? 'Checking with MoEngage…' : 'Connect';
  }

  function value(name) {
    return document.getElementById(name).value.trim();
  }

  function showError(err) {
    var fields = err.fields || (err.field ? [err.field] : []);
    var shown = false;
    var message = err.message || 'Something went wrong. Try again.';
    if (PAGE_ERRORS[err.code]) {
      pageError(PAGE_ERRORS[err.code]);
      tell({ type: 'moelink:error', code: err.code });
      return;
    }
    fields.forEach(function (f, i) {
      var text = i === 0 ? message : 'Check this too: a workspace is only found on its own data center.';
      if (setFieldError(f, text)) {
        if (!shown) {
          document.getElementById(f).focus();
        }
        shown = true;
      }
    });
    if (!shown) {
      formError(message);
    }
  }

  function done(result) {
    form.hidden = true;
    FIELDS.forEach(function (f) { document.getElementById(f).value = ''; });
    document.getElementById('done-label').textContent = result.label || result.workspace_id;
    document.getElementById('done-ws').textContent = result.workspace_id;
    document.getElementById('done-dc').textContent = result.data_center +
      (result.region ? ' (' + result.region + ')' : '');
    document.getElementById('done').hidden = false;
    tell({ type: 'moelink:linked', account_id: result.account_id });
  }

  function localCheck(body) {
    var ok = true;
    if (!body.workspace_id) {
      setFieldError('workspace_id', 'Enter the Workspace ID (Settings → Account → APIs).');
      ok = false;
    }
    if (!body.data_key && !body.general_key) {
      setFieldError('data_key', 'Enter the Data API key, or one multi-permission key.');
      ok = false;
    }
    if (!body.data_center) {
      setFieldError('data_center', 'Choose the data center: the number in dashboard-0X.moengage.com.');
      ok = false;
    }
    return ok;
  }

  function submit(ev) {
    ev.preventDefault();
    clearErrors();
    var body = {};
    FIELDS.forEach(function (f) {
      var v = value(f);
      if (v) {
        body[f] = v;
      }
    });
    if (!localCheck(body)) {
      return;
    }
    busy(true);
    fetch('/hub/api/link', {
      method: 'POST',
      credentials: 'omit',
      headers: {
        'Content-Type': 'application/json',
        'X-Hub-Session-Token': token,
        'X-CSRF-Token': csrf
      },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (data) {
        return { ok: resp.ok, data: data };
      }, function () {
        return { ok: false, data: { error: { message: 'Unexpected answer from the server (HTTP ' + resp.status + ').' } } };
      });
    }).then(function (r) {
      busy(false);
      if (r.ok) {
        done(r.data);
      } else {
        showError((r.data && r.data.error) || {});
      }
    }, function () {
      busy(false);
      formError('Could not reach the server. Check your connection and try again.');
    });
  }

  if (window.parent !== window) {
    document.body.classList.add('embedded');
  }
  if (state !== 'open') {
    pageError(PAGE_ERRORS[state] || 'This link cannot be used. Ask for a new link.');
    tell({ type: 'moelink:error', code: state });
    return;
  }
  form.addEventListener('submit', submit);
  FIELDS.forEach(function (f) {
    document.getElementById(f).addEventListener('input', function () {
      setFieldError(f, '');
    });
  });
  fetch('/hub/api/session', {
    credentials: 'omit',
    headers: { 'X-Hub-Session-Token': token }
  }).then(function (resp) {
    return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
  }).then(function (r) {
    if (!r.ok) {
      showError((r.data && r.data.error) || {});
      return;
    }
    if (r.data.origin_owner_name) {
      document.getElementById('owner-name').textContent = r.data.origin_owner_name;
      document.getElementById('for-owner').hidden = false;
    }
  }, function () { /* the form still works */ });
  tell({ type: 'moelink:ready' });
}());
