/* SPDX-License-Identifier: MIT */
/*
 * moelink Hub embed (served at /hub.js). Opens the Hub for a connect-session
 * token in an iframe, as a modal or inside an element of your page.
 *
 *   <script src="https://YOUR-MOELINK/hub.js"></script>
 *   <script>
 *     // token: from POST /connect_sessions, made by YOUR backend
 *     var hub = MoelinkHub.open({
 *       token: token,
 *       onLinked: function (msg) { console.log('linked', msg.account_id); },
 *       onClose: function () {}
 *     });
 *     // hub.close() removes it.
 *   </script>
 *
 * Options: token (required), baseUrl (defaults to where this script came
 * from), container (an element: embed inline instead of a modal),
 * closeOnLinked (close the modal 1.5 s after a link; default false),
 * onLinked, onError ({code}), onClose.
 * Your origin must be in the project's allowed origins (dashboard settings
 * or `--frame-origins`), or the browser refuses to show the Hub framed.
 */
(function (w, d) {
  'use strict';

  var scriptBase = '';
  if (d.currentScript && d.currentScript.src) {
    scriptBase = new URL(d.currentScript.src, w.location.href).origin;
  }

  function style(el, props) {
    Object.keys(props).forEach(function (k) { el.style[k] = props[k]; });
  }

  function open(opts) {
    opts = opts || {};
    if (!opts.token) {
      throw new Error('MoelinkHub.open: a connect-session token is required');
    }
    var origin = opts.baseUrl ? new URL(opts.baseUrl, w.location.href).origin : (scriptBase || w.location.origin);
    var iframe = d.createElement('iframe');
    var overlay = null;
    var closed = false;

    iframe.src = origin + '/hub?token=' + encodeURIComponent(opts.token);
    iframe.title = 'Connect MoEngage';
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    style(iframe, { border: '0', width: '100%', height: '100%', display: 'block', background: '#fff' });

    function close() {
      if (closed) {
        return;
      }
      closed = true;
      w.removeEventListener('message', onMessage);
      d.removeEventListener('keydown', onKey);
      if (overlay) {
        overlay.remove();
      } else {
        iframe.remove();
      }
      if (opts.onClose) {
        opts.onClose();
      }
    }

    function onMessage(ev) {
      if (ev.origin !== origin || ev.source !== iframe.contentWindow) {
        return;
      }
      var m = ev.data;
      if (!m || typeof m.type !== 'string') {
        return;
      }
      if (m.type === 'moelink:linked') {
        if (opts.onLinked) {
          opts.onLinked({ type: m.type, account_id: String(m.account_id) });
        }
        if (opts.closeOnLinked) {
          w.setTimeout(close, 1500);
        }
      } else if (m.type === 'moelink:error' && opts.onError) {
        opts.onError({ type: m.type, code: String(m.code) });
      }
    }

    function onKey(ev) {
      if (ev.key === 'Escape' && overlay) {
        close();
      }
    }

    w.addEventListener('message', onMessage);
    if (opts.container) {
      opts.container.appendChild(iframe);
    } else {
      overlay = d.createElement('div');
      overlay.setAttribute('role', 'dialog');
      overlay.setAttribute('aria-modal', 'true');
      overlay.setAttribute('aria-label', 'Connect MoEngage');
      style(overlay, { position: 'fixed', inset: '0', background: 'rgba(15,23,42,.55)', zIndex: '2147483000',
        display: 'flex', alignItems: 'center', justifyContent: 'center', padding: '16px' });
      var box = d.createElement('div');
      style(box, { position: 'relative', width: '100%', maxWidth: '560px', height: 'min(760px, 100%)',
        borderRadius: '12px', overflow: 'hidden', boxShadow: '0 20px 50px rgba(0,0,0,.3)', background: '#fff' });
      var x = d.createElement('button');
      x.type = 'button';
      x.textContent = '×';
      x.setAttribute('aria-label', 'Close');
      style(x, { position: 'absolute', top: '8px', right: '10px', zIndex: '1', border: '0', background: 'transparent',
        fontSize: '26px', lineHeight: '1', cursor: 'pointer', color: '#475569' });
      x.addEventListener('click', close);
      overlay.addEventListener('click', function (ev) {
        if (ev.target === overlay) {
          close();
        }
      });
      d.addEventListener('keydown', onKey);
      box.appendChild(x);
      box.appendChild(iframe);
      overlay.appendChild(box);
      d.body.appendChild(overlay);
    }
    return { close: close, iframe: iframe };
  }

  w.MoelinkHub = { open: open };
}(window, document));
