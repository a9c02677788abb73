// Samskab client glue for htmx 4 + hx-ws: resync on every (re)connect, command ids,
// retries of unacknowledged commands, error display, and a heartbeat for dead Wi-Fi.
// No user text is ever inserted as HTML here: the server renders and escapes everything.
(function () {
  "use strict";

  // Reconnect quickly: a tablet should be back within seconds after the Wi-Fi returns.
  // 4001 = server asks us to resync (we fell behind); 1009 = frame too big; 1012/1013 restart.
  htmx.config.ws = {
    reconnect: true,
    reconnectCodes: [1001, 1005, 1006, 1009, 1011, 1012, 1013, 1014, 4001],
    reconnectDelay: 300,
    reconnectMaxDelay: 2000,
    reconnectJitter: 0.3,
    pauseOnBackground: true,
    maxOutgoingMessagesQueueSize: 200,
  };

  var HEARTBEAT_MS = 10000;
  var DEAD_AFTER_MS = 25000;
  var PROBE_MS = 3000;      // back online: the old socket must answer a ping within this

  var live = null;          // the hx-ws:connect element
  var since = null;         // last seq applied
  var epoch = null;
  var connection = null;    // hx-ws's connection object (from htmx:ws:after:connection)
  var socket = null;
  var lastHeard = 0;
  var pending = new Map();  // command_id -> {data, form}

  function newCommandId() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.from(a, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function setConnection(state) {
    var el = document.getElementById("connection");
    if (!el) return;
    el.dataset.state = state;
    el.textContent = el.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
  }

  function flash(text) {
    var el = document.getElementById("flash");
    if (!el) return;
    el.textContent = text;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(function () { el.textContent = ""; }, 8000);
  }

  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(data);
      return true;
    }
    return false;
  }

  // Give up on a socket we no longer trust and reconnect now. A plain close() waits for the
  // server's closing handshake, which on a dead connection never comes: Chromium fires "close"
  // only after its 60 s handshake timeout, and hx-ws reconnects only on that event. So fire it
  // ourselves (1006, as the browser would): hx-ws schedules the reconnect. Then detach the old
  // socket from the connection, so that its real "close", whenever it comes, is ignored as stale
  // by hx-ws instead of scheduling a second reconnect.
  function abandon(s) {
    try { s.close(); } catch (e) { /* already closing */ }
    s.dispatchEvent(new CloseEvent("close", { code: 1006, wasClean: false }));
    if (connection && connection.socket === s) connection.socket = null;
  }

  function ownNotesStyle(me, role) {
    var sheet = new CSSStyleSheet();
    if (role === "facilitator") {
      sheet.replaceSync(".own-only{display:block}");
    } else if (me) {
      sheet.replaceSync('[data-author="' + CSS.escape(me) + '"] .own-only{display:block}');
    }
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    live = document.getElementById("live");
    if (!live) return;
    since = parseInt(live.dataset.since, 10);
    if (isNaN(since)) since = null;
    epoch = live.dataset.epoch || null;
    ownNotesStyle(live.dataset.me, live.dataset.role);
    setInterval(function () {
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - lastHeard > DEAD_AFTER_MS) {
        abandon(socket); // no word from the server: treat as dead, reconnect and resync
        return;
      }
      send('{"type":"ping"}');
    }, HEARTBEAT_MS);
  });

  // The browser knows about the network before the socket does. Offline: say so. Online again:
  // the old connection survives a short drop, but not a new address or access point; if it does
  // not answer a ping at once, reconnect instead of waiting half a minute for the heartbeat.
  window.addEventListener("offline", function () {
    if (live) setConnection("offline");
  });
  window.addEventListener("online", function () {
    var probed = socket;
    var asked = Date.now();
    if (!live || !send('{"type":"ping"}')) return; // not open: hx-ws is reconnecting already
    setTimeout(function () {
      if (socket === probed && lastHeard < asked && probed.readyState === WebSocket.OPEN) {
        abandon(probed);
      }
    }, PROBE_MS);
  });

  document.addEventListener("htmx:ws:after:connection", function (evt) {
    connection = evt.detail.connection;
    socket = connection.socket;
    lastHeard = Date.now();
    setConnection("online");
    // Say where we are first; then retry every command not yet acknowledged (same ids:
    // the server answers a repeated id with the first answer and never applies it twice).
    socket.send(JSON.stringify({ type: "hello", since: since, epoch: epoch }));
    pending.forEach(function (p) { socket.send(p.data); });
  });

  document.addEventListener("htmx:ws:close", function (evt) {
    setConnection(evt.detail.reason === "removed" || !navigator.onLine ? "offline" : "reconnecting");
    if (evt.detail.code === 4003 || evt.detail.code === 4004) {
      setConnection("closed");
    }
  });

  document.addEventListener("htmx:ws:before:message:outgoing", function (evt) {
    var msg = evt.detail.message;
    var values = msg.values;
    if (typeof values.text === "string" && values.text.trim() === "") {
      evt.detail.cancelled = true;
      return;
    }
    var cid = newCommandId();
    var body = { command_id: cid };
    Object.keys(values).forEach(function (k) { body[k] = values[k]; });
    msg.data = JSON.stringify(body);
    var form = evt.target.closest ? evt.target.closest("form") : null;
    pending.set(cid, { data: msg.data, form: form });
    if (form) form.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:ws:before:message:incoming", function (evt) {
    lastHeard = Date.now();
    var status = document.getElementById("connection");
    if (status && status.dataset.state === "offline" && navigator.onLine) setConnection("online");
    var data = evt.detail.message.data;
    var json;
    try { json = JSON.parse(data); } catch (e) { evt.detail.cancelled = true; return; }
    if (json.type === "events") {
      if (since !== null && json.seq <= since) { evt.detail.cancelled = true; return; } // seen
      if (since !== null && json.first !== undefined && json.first > since + 1 && socket) {
        evt.detail.cancelled = true; socket.close(); return; // a gap: reconnect and resync
      }
      since = json.seq; epoch = json.epoch;
    } else if (json.type === "snapshot") {
      since = json.seq; epoch = json.epoch;
    } else if (json.type === "ack" || json.type === "error") {
      var p = pending.get(json.command_id);
      if (p) {
        pending.delete(json.command_id);
        if (p.form) {
          p.form.removeAttribute("aria-busy");
          if (json.type === "ack") {
            var ta = p.form.querySelector("textarea");
            if (ta) ta.value = "";
          }
        }
      }
      if (json.type === "error") flash(json.message);
      evt.detail.cancelled = true;
    } else if (json.type === "pong") {
      evt.detail.cancelled = true;
    }
    if (live) { live.dataset.since = String(since); }
  });
})();
