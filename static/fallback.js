// Samskab's fallback for networks that block WebSockets (a municipal firewall or proxy that
// refuses the upgrade, or lets it through and then drops it). Loaded before hx-ws, it wraps
// window.WebSocket: a real socket is always tried first; when sockets keep failing before the
// server has said a word, the page asks for the same feed as server-sent events and sends its
// frames as HTTP POSTs, through an object with the WebSocket interface hx-ws and app.js use.
// The server treats both alike (docs/PROTOCOL.md, "Fallback transport"): same seq, resync on
// every reconnect with `since`, same command ids. Once on the fallback, the page keeps trying a
// real socket now and then, and goes back to it when it gets through.
(function () {
  "use strict";

  var Real = window.WebSocket;
  if (!Real || !window.EventSource || !window.fetch) return;

  var KEY = "samskab.transport";       // sessionStorage: this tab found sockets blocked
  var FAILURES_BEFORE_FALLBACK = 2;    // real sockets in a row that failed before any message
  var CONNECT_TIMEOUT_MS = 10000;      // a socket still connecting by then has failed
  var STREAM_DEAD_MS = 35000;          // the stream's keep-alive comes every 10 s
  var PROBE_DELAYS_MS = [5000, 30000, 120000, 300000];
  var LIVE_PATH = /^\/ws\/workshops\/[^/]+$/;

  var failures = 0;
  var proven = remembered();
  var probeTimer = null;
  var probeAttempt = 0;
  var current = null;                  // the fallback connection in use, if any

  function remembered() {
    try { return sessionStorage.getItem(KEY) === "fallback"; } catch (e) { return false; }
  }

  function remember(fallback) {
    try {
      if (fallback) sessionStorage.setItem(KEY, "fallback"); else sessionStorage.removeItem(KEY);
    } catch (e) { /* storage off: decide again on the next page */ }
  }

  // What the connection line says (static/app.js reads it): a facilitator should know.
  function setTransport(kind) {
    if (document.documentElement.dataset.transport === kind) return;
    document.documentElement.dataset.transport = kind;
    document.dispatchEvent(new CustomEvent("samskab:transport", { detail: { transport: kind } }));
  }

  // --- the real socket, watched -----------------------------------------------------------

  function watch(ws) {
    var heard = false;
    var counted = false;
    var timer = setTimeout(function () {
      if (ws.readyState === Real.CONNECTING) ws.close(); // fails it: close 1006 follows
    }, CONNECT_TIMEOUT_MS);
    ws.addEventListener("open", function () { clearTimeout(timer); });
    ws.addEventListener("message", function () {
      if (heard) return;
      heard = true;
      failures = 0;
      if (proven) { proven = false; remember(false); }
      setTransport("websocket");
    });
    ws.addEventListener("close", function (e) {
      clearTimeout(timer);
      // 1006 before the server said anything: refused, reset or silently dropped on the way.
      // A close code from the server (4003, 1012, ...) means sockets do get through, and with
      // the device offline nothing gets through: neither says anything about sockets.
      if (!heard && !counted && e.code === 1006 && navigator.onLine !== false) {
        counted = true;
        failures++;
      }
    });
  }

  // --- the fallback: server-sent events in, HTTP POST out ------------------------------------

  class FallbackSocket extends EventTarget {
    constructor(url) {
      super();
      this.url = url;
      this.protocol = "";
      this.extensions = "";
      this.binaryType = "blob";
      this.bufferedAmount = 0;
      this.readyState = 0;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      this._endpoint = new URL(url);
      this._endpoint.protocol = this._endpoint.protocol === "wss:" ? "https:" : "http:";
      this._endpoint.pathname += "/events";
      this._source = null;
      this._stream = null;
      this._outbox = [];
      this._posting = Promise.resolve();
      this._position = null;
      this._heard = Date.now();
      this._watchdog = null;
      // Open the stream at once, from where the page is (app.js keeps it on #live), and be
      // "open" only once the server has answered: as with a socket, "Live" means reached.
      var live = document.getElementById("live");
      var since = live && /^[0-9]+$/.test(live.dataset.since || "") ? parseInt(live.dataset.since, 10) : null;
      this._listen({ since: since, epoch: (live && live.dataset.epoch) || null });
    }

    send(data) {
      if (this.readyState === 0) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
      if (this.readyState !== 1) return;
      var msg = null;
      try { msg = JSON.parse(data); } catch (e) { /* sent as it is: the server says what is wrong */ }
      if (msg && msg.type === "hello") {
        // The stream was opened from this position already; from another one, open it again.
        if (this._position !== position(msg)) this._listen(msg);
        return;
      }
      this._outbox.push(String(data));
      this._flush();
    }

    close(code) {
      if (this.readyState >= 2) return;
      this._end(typeof code === "number" ? code : 1005);
    }

    // The stream, attached from `hello`'s position (the socket's `hello` is in its query).
    _listen(hello) {
      var self = this;
      if (this._source) this._source.close();
      this._stream = null;
      this._position = position(hello);
      var u = new URL(this._endpoint.href);
      if (hello.since !== null && hello.since !== undefined) u.searchParams.set("since", String(hello.since));
      if (hello.epoch) u.searchParams.set("epoch", hello.epoch);
      var source = new EventSource(u.href);
      this._source = source;
      function heard() { self._heard = Date.now(); }
      source.addEventListener("stream", function (e) {
        heard();
        self._stream = JSON.parse(e.data).stream;
        reached(self);
        if (self.readyState === 0) {
          self.readyState = 1;
          self._fire(new Event("open"));
        }
        self._flush();
      });
      source.addEventListener("message", function (e) {
        heard();
        self._deliver(e.data);
      });
      source.addEventListener("keepalive", heard);
      source.addEventListener("close", function (e) {
        reached(self);
        var code = 1006;
        try { code = JSON.parse(e.data).code; } catch (err) { /* keep 1006 */ }
        self._end(code);
      });
      // No EventSource retry of its own: hx-ws reconnects, and app.js says `hello` with `since`.
      source.addEventListener("error", function () { if (self._source === source) self._end(1006); });
      clearInterval(this._watchdog);
      this._heard = Date.now();
      this._watchdog = setInterval(function () {
        var limit = self.readyState === 0 ? CONNECT_TIMEOUT_MS : STREAM_DEAD_MS;
        if (Date.now() - self._heard > limit) self._end(1006);
      }, 1000);
    }

    // One POST at a time, in order, as frames go on a socket; each answer is a message.
    _flush() {
      var self = this;
      if (!this._stream) return; // until the stream names itself
      while (this._outbox.length) {
        var data = this._outbox.shift();
        this._posting = this._posting.then(this._post.bind(this, data, this._stream));
      }
      this._posting = this._posting.catch(function () { self._end(1006); });
    }

    _post(data, stream) {
      var self = this;
      if (this.readyState !== 1) return null;
      var target = this._endpoint.pathname + "/" + encodeURIComponent(stream);
      return fetch(target, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/json" },
        body: data
      }).then(function (res) {
        if (res.status === 204) return null;
        return res.text().then(function (text) {
          var answer = null;
          try { answer = JSON.parse(text); } catch (e) { /* a proxy's error page */ }
          if (!answer) { if (!res.ok) self._end(1006); return; }
          if (answer.close) { self._end(answer.close); return; }
          self._deliver(text);
        });
      });
      // A failed POST ends the connection: hx-ws reconnects and app.js sends what is pending
      // again, with the same command ids, so nothing is applied twice.
    }

    _deliver(data) {
      if (this.readyState !== 1) return;
      this._fire(new MessageEvent("message", { data: data }));
    }

    _end(code) {
      if (this.readyState === 3) return;
      this.readyState = 2;
      if (this._source) { this._source.close(); this._source = null; }
      clearInterval(this._watchdog);
      this._outbox.length = 0;
      if (current === this) current = null;
      var self = this;
      setTimeout(function () {
        self.readyState = 3;
        if (code === 1006) self._fire(new Event("error"));
        self._fire(new CloseEvent("close", { code: code, wasClean: code !== 1006 }));
      }, 0);
    }

    _fire(evt) {
      this.dispatchEvent(evt);
      var handler = this["on" + evt.type];
      if (typeof handler === "function") handler.call(this, evt);
    }
  }

  function position(hello) {
    var since = hello.since === null || hello.since === undefined ? "" : String(hello.since);
    return since + "/" + (hello.epoch || "");
  }

  // The server answered over the fallback: this network needs it (for this tab).
  function reached(socket) {
    failures = 0;
    if (!proven) { proven = true; remember(true); }
    setTransport("fallback");
    scheduleProbe(socket.url);
  }

  // --- now and then, try a real socket again (the firewall may open, or the tablet move) ----

  function scheduleProbe(url) {
    if (probeTimer) return;
    var delay = PROBE_DELAYS_MS[Math.min(probeAttempt, PROBE_DELAYS_MS.length - 1)];
    probeTimer = setTimeout(function () { probeTimer = null; probe(url); }, delay);
  }

  function probe(url) {
    probeAttempt++;
    var ws;
    try { ws = new Real(url); } catch (e) { scheduleProbe(url); return; }
    var done = false;
    var timer = setTimeout(function () { finish(false); }, CONNECT_TIMEOUT_MS);
    function finish(ok) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { ws.close(1000); } catch (e) { /* already closed */ }
      if (ok) backToSockets(); else if (proven) scheduleProbe(url);
    }
    ws.onopen = function () { ws.send(JSON.stringify({ type: "ping", t: Date.now() })); };
    ws.onmessage = function () { finish(true); };
    ws.onclose = function () { finish(false); };
  }

  function backToSockets() {
    proven = false;
    failures = 0;
    probeAttempt = 0;
    remember(false);
    // 1012, as a server restart says it: hx-ws reconnects, now with a real socket, and the
    // page catches up from `since`.
    if (current) current._end(1012);
  }

  // --- the WebSocket the page sees ------------------------------------------------------------

  function SamskabWebSocket(url, protocols) {
    var path = "";
    try { path = new URL(url, location.href).pathname; } catch (e) { /* the real one will say */ }
    if (LIVE_PATH.test(path) && (proven || failures >= FAILURES_BEFORE_FALLBACK)) {
      // A trial that does not reach the server either (a restart, no network) counts for
      // nothing: the next two attempts are real sockets again.
      if (!proven) failures = 0;
      current = new FallbackSocket(url);
      return current;
    }
    var ws = protocols === undefined ? new Real(url) : new Real(url, protocols);
    if (LIVE_PATH.test(path)) watch(ws);
    return ws;
  }
  SamskabWebSocket.prototype = Real.prototype;
  SamskabWebSocket.CONNECTING = 0;
  SamskabWebSocket.OPEN = 1;
  SamskabWebSocket.CLOSING = 2;
  SamskabWebSocket.CLOSED = 3;
  window.WebSocket = SamskabWebSocket;
})();
