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
    // static/fallback.js says when WebSockets are blocked and the feed comes another way.
    var transport = document.documentElement.dataset.transport || "websocket";
    el.dataset.state = state;
    el.dataset.transport = transport;
    el.textContent = (state === "online" && transport === "fallback" && el.dataset.labelFallback) ||
      el.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
  }

  document.addEventListener("samskab:transport", function () {
    var el = document.getElementById("connection");
    if (el && el.dataset.state === "online") setConnection("online");
  });

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
  // hall.js sends on this socket too. It must not keep its own copy from
  // htmx:ws:after:connection: a deferred script after app.js can load after the first
  // socket has already opened, miss that event, and then drop every message silently.
  window.samskabSend = send;

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

  // Controls for one's own notes are in every participant's HTML (rendering is shared per
  // role); this sheet shows them on the viewer's own notes only. The server checks every
  // command anyway: hiding a button is convenience, never permission.
  function ownNotesStyle(me, role) {
    var sheet = new CSSStyleSheet();
    if (role === "facilitator") {
      sheet.replaceSync(".own-only,.mine-only{display:inline-flex}");
    } else if (me) {
      var m = CSS.escape(me);
      sheet.replaceSync('li.note[data-author="' + m + '"] .own-only{display:inline-flex}' +
        '.comment-list > li[data-author="' + m + '"] > .mine-only{display:inline-flex}');
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
      ping();
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
    if (!live || !ping()) return; // not open: hx-ws is reconnecting already
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
    setConnection(paused ? "paused" : "online");
    // Say where we are first; then retry every command not yet acknowledged (same ids:
    // the server answers a repeated id with the first answer and never applies it twice).
    socket.send(JSON.stringify({ type: "hello", since: since, epoch: epoch }));
    pending.forEach(function (p) { socket.send(p.data); });
    // Learn the server's clock now, not in 10 s: a running countdown needs it. A page still
    // busy loading answers late, which skews a sample, so a few more follow in the first seconds
    // and the one with the shortest round trip wins.
    ping();
    var s = socket;
    CLOCK_FOLLOW_UPS.forEach(function (ms) {
      setTimeout(function () { if (socket === s) ping(); }, ms);
    });
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
    var form = evt.target.closest ? evt.target.closest("form") : null;
    if (form && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      evt.detail.cancelled = true;
      return;
    }
    // An unchecked box sends nothing; one marked data-unchecked sends that value instead, so
    // "not anonymous" reaches the server as false rather than as the default. (A hidden input
    // of the same name would make hx-ws send both values as a list.)
    if (form) {
      form.querySelectorAll("input[type=checkbox][data-unchecked]").forEach(function (box) {
        if (box.name && !box.checked && !(box.name in values)) values[box.name] = box.dataset.unchecked;
      });
    }
    var body = {};
    Object.keys(values).forEach(function (k) { body[k] = typed(k, values[k]); });
    if (body.type === "note.add" && !body.color) delete body.color;
    if (body.type === "timer.start") timerStartBody(body, form);
    msg.data = track(body, form);
  });

  document.addEventListener("htmx:ws:before:message:incoming", function (evt) {
    lastHeard = Date.now();
    var status = document.getElementById("connection");
    if (status && status.dataset.state === "offline" && navigator.onLine) setConnection(paused ? "paused" : "online");
    var data = evt.detail.message.data;
    var json;
    try { json = JSON.parse(data); } catch (e) { evt.detail.cancelled = true; return; }
    if ((json.type === "events" || json.type === "snapshot") && paused) {
      evt.detail.cancelled = true; return; // caught up from the log when live updates resume
    }
    if (json.type === "events" || json.type === "snapshot") rememberFocus();
    if (json.type === "events") {
      if (since !== null && json.seq <= since) { evt.detail.cancelled = true; return; } // seen
      if (since !== null && json.first !== undefined && json.first > since + 1 && socket) {
        evt.detail.cancelled = true; socket.close(); return; // a gap: reconnect and resync
      }
      since = json.seq; epoch = json.epoch;
      countChanges(json.content || "");
    } else if (json.type === "snapshot") {
      since = json.seq; epoch = json.epoch;
    } else if (json.type === "ack" || json.type === "error") {
      var p = pending.get(json.command_id);
      if (p) {
        pending.delete(json.command_id);
        if (p.form) {
          p.form.removeAttribute("aria-busy");
          if (json.type === "ack") {
            if (p.form.hasAttribute("data-note-editor")) {
              closeEditor();
            } else if (p.form.hasAttribute("data-reset")) {
              p.form.reset(); // back to the defaults the server rendered, ready for the next one
            } else if (!p.form.hasAttribute("data-keep")) {
              p.form.querySelectorAll("textarea").forEach(function (ta) { ta.value = ""; });
            }
          }
        }
      }
      if (json.type === "error") {
        if (p && p.form && p.form.hasAttribute("data-note-editor")) {
          editorError(json);
        } else {
          flash(json.message);
        }
      }
      evt.detail.cancelled = true;
    } else if (json.type === "pong") {
      clockSample(json);
      evt.detail.cancelled = true;
    }
    if (live) { live.dataset.since = String(since); if (epoch) live.dataset.epoch = epoch; }
  });

  document.addEventListener("htmx:ws:after:message:incoming", function () {
    restoreFocus();
    afterBoardChange();
    tick();
  });

  // --- commands sent by script (moves, +1, merges) -------------------------------------------

  var BOOLEAN_FIELDS = { hidden: 1, locked: 1, show_authors: 1, open_moves: 1, ask_comment: 1, anonymous: 1 };
  var INTEGER_FIELDS = { index: 1, version: 1, min_group: 1, value: 1, seconds: 1, dots_per_person: 1, per_note: 1, count: 1 };

  function typed(key, value) {
    if (BOOLEAN_FIELDS[key] && (value === "true" || value === "false")) return value === "true";
    if (INTEGER_FIELDS[key] && /^[0-9]+$/.test(value)) return parseInt(value, 10);
    return value;
  }

  // Every command gets an id and stays pending until the server answers; a reconnect resends
  // it with the same id, and the server never applies it twice.
  function track(body, form) {
    var cid = newCommandId();
    body.command_id = cid;
    var data = JSON.stringify(body);
    pending.set(cid, { data: data, form: form });
    if (form) form.setAttribute("aria-busy", "true");
    return data;
  }

  function command(body) {
    var data = track(body, null);
    send(data); // if the socket is down, the reconnect resends everything pending
  }

  function noteOf(el) { return el.closest ? el.closest("li.note") : null; }

  function listOf(note) { return note.parentElement; }

  // The place of a note among the notes of its list, or (count) how many notes the list has.
  function indexIn(list, note, count) {
    var notes = Array.prototype.filter.call(list.children, function (c) {
      return c.matches("li.note");
    });
    return count ? notes.length : notes.indexOf(note);
  }

  function move(note, direction) {
    var list = listOf(note);
    var index = indexIn(list, note);
    var body = { type: "note.move", note_id: note.dataset.noteId };
    if (direction === "up" || direction === "down") {
      var to = index + (direction === "up" ? -1 : 1);
      var count = indexIn(list, null, true);
      if (to < 0 || to >= count) {
        // Past the top or bottom of a group: into the group (or the loose notes) above or
        // below in the same column, so a keyboard reaches every place a drag can.
        var lists = Array.prototype.slice.call(note.closest("section.column").querySelectorAll("ul.notes"));
        var next = lists[lists.indexOf(list) + (to < 0 ? -1 : 1)];
        if (!next) return;
        list = next;
        to = to < 0 ? indexIn(next, null, true) : 0;
      }
      body.column_id = list.dataset.columnId;
      body.index = to;
      if (list.dataset.clusterId) body.cluster_id = list.dataset.clusterId;
    } else {
      var column = note.closest("section.column");
      var sibling = direction === "left" ? column.previousElementSibling : column.nextElementSibling;
      while (sibling && !sibling.matches("section.column")) {
        sibling = direction === "left" ? sibling.previousElementSibling : sibling.nextElementSibling;
      }
      if (!sibling) return;
      body.column_id = sibling.dataset.columnId;
      body.index = 100000;
    }
    keepFocusOn = { noteId: note.dataset.noteId, move: direction };
    command(body);
  }

  // "Move to backlog" on a committee meeting's board: one HTTP form post (it writes to two
  // streams, the committee's and this workshop's); the note then says so by the live update.
  function toBacklog(button, note) {
    var live = document.getElementById("live");
    if (!live || !live.dataset.committee) return;
    var wid = (live.getAttribute("hx-ws:connect") || "").split("/")[3].split("?")[0];
    var body = new URLSearchParams();
    body.set("csrf", live.dataset.csrf || "");
    button.disabled = true;
    fetch("/f/workshops/" + wid + "/notes/" + note.dataset.noteId + "/backlog", {
      method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(function (r) { return r.text(); }).then(function (html) {
      // An inert document: nothing in it loads or runs, we only want its words.
      var doc = new DOMParser().parseFromString(html, "text/html");
      flash(doc.body.textContent.trim());
    }).catch(function () {
      var c = document.getElementById("connection");
      flash(c ? c.dataset.labelOffline || "" : "");
    })
      .finally(function () { button.disabled = false; });
  }

  document.addEventListener("click", function (evt) {
    var t = evt.target.closest ? evt.target.closest("button") : null;
    if (!t) return;
    var note = noteOf(t);
    if (t.dataset.move && note) { move(note, t.dataset.move); return; }
    if (t.hasAttribute("data-react") && note) {
      command({ type: "note.react", note_id: note.dataset.noteId });
      return;
    }
    if (t.dataset.dot && note) {
      command({ type: t.dataset.dot === "remove" ? "dot.remove" : "dot.place", note_id: note.dataset.noteId });
      return;
    }
    if (t.hasAttribute("data-edit") && note) { openEditor(note); return; }
    if (t.hasAttribute("data-close-editor")) { closeEditor(); return; }
    if (t.hasAttribute("data-merge") && note) { startMerge(note); return; }
    if (t.hasAttribute("data-cancel-merge")) { stopMerge(); return; }
    if (t.hasAttribute("data-to-backlog") && note) { toBacklog(t, note); return; }
    if (t.hasAttribute("data-merge-into") && note && mergeFrom) {
      if (mergeFrom !== note.dataset.noteId) {
        command({ type: "note.merge", note_id: mergeFrom, into_id: note.dataset.noteId });
      }
      stopMerge();
      return;
    }
    if (t.dataset.showBoard) { showBoard(t.dataset.showBoard, true); }
  });

  // --- merging duplicates: pick the note, then the note to merge it into -----------------------

  var mergeFrom = null;

  function startMerge(note) {
    mergeFrom = note.dataset.noteId;
    document.body.classList.add("merging");
    var banner = document.getElementById("merge-banner");
    if (banner) banner.hidden = false;
    var first = document.querySelector(".merge-here");
    if (first) first.focus();
  }

  function stopMerge() {
    mergeFrom = null;
    document.body.classList.remove("merging");
    var banner = document.getElementById("merge-banner");
    if (banner) banner.hidden = true;
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape" && mergeFrom) stopMerge();
  });

  // --- the note editor: outside every swapped region, so nothing typed is ever replaced ------

  function editor() { return document.getElementById("note-editor"); }

  function openEditor(note) {
    var dlg = editor();
    if (!dlg) return;
    var form = dlg.querySelector("form");
    form.elements.note_id.value = note.dataset.noteId;
    form.elements.version.value = note.dataset.version;
    form.elements.text.value = note.querySelector(".note-text").textContent;
    form.elements.color.value = note.dataset.color || "yellow";
    document.getElementById("note-editor-error").textContent = "";
    dlg.dataset.returnTo = note.id;
    dlg.showModal();
    form.elements.text.focus();
    sendEditing(note.dataset.noteId);
  }

  function closeEditor() {
    var dlg = editor();
    if (!dlg || !dlg.open) return;
    dlg.close();
  }

  document.addEventListener("close", function (evt) {
    if (evt.target !== editor()) return;
    sendEditing(null);
    var back = document.getElementById(evt.target.dataset.returnTo || "");
    var btn = back && back.querySelector("[data-edit]");
    if (btn) btn.focus();
  }, true);

  // Lost the race: the other text was saved first. Say so, keep this text in the editor, and
  // move the version on, so that saving again is a choice made knowing the other text.
  function editorError(json) {
    var dlg = editor();
    var msg = document.getElementById("note-editor-error");
    if (msg) msg.textContent = json.message;
    if (!dlg) return;
    var form = dlg.querySelector("form");
    var note = document.getElementById("note-" + form.elements.note_id.value);
    if (note) form.elements.version.value = note.dataset.version;
  }

  function sendEditing(noteId) {
    send(JSON.stringify({ type: "note.editing", note_id: noteId }));
  }

  // --- boards: which one is shown, following the facilitator -------------------------------------

  var boardSheet = new CSSStyleSheet();
  document.adoptedStyleSheets = document.adoptedStyleSheets.concat([boardSheet]);
  var shownBoard = null;

  function showBoard(id, byUser) {
    if (!document.getElementById("board-" + id)) return;
    shownBoard = id;
    boardSheet.replaceSync('#boards > .board:not([data-board-id="' + CSS.escape(id) + '"]){display:none}');
    document.querySelectorAll("[data-show-board]").forEach(function (b) {
      b.setAttribute("aria-current", b.dataset.showBoard === id ? "page" : "false");
    });
    if (byUser) {
      var h = document.getElementById("board-title-" + id);
      if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
    }
  }

  var followed = null;

  function follow() {
    var f = document.getElementById("follow");
    if (!f) return;
    var target = f.dataset.board;
    if (target !== followed) {
      followed = target; // the facilitator brought everyone here (or this is the first look)
      showBoard(target, false);
    } else if (!shownBoard || !document.getElementById("board-" + shownBoard)) {
      showBoard(target, false);
    }
  }

  // --- drag and drop (SortableJS), the same command as the move buttons ------------------------

  function initSortables() {
    if (typeof Sortable === "undefined" || !live || live.dataset.role === "screen") return;
    document.querySelectorAll("ul.notes").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: "board-" + list.dataset.boardId,
        handle: ".drag-handle",
        draggable: "li.note",
        animation: 120,
        forceFallback: true, // pointer events: the same path on iPad Safari, Android and desktop
        fallbackTolerance: 4,
        onEnd: function (e) {
          var note = e.item;
          var to = e.to;
          if (e.from === to && e.oldIndex === e.newIndex) return;
          var body = {
            type: "note.move",
            note_id: note.dataset.noteId,
            column_id: to.dataset.columnId,
            index: indexIn(to, note)
          };
          if (to.dataset.clusterId) body.cluster_id = to.dataset.clusterId;
          command(body);
        }
      });
    });
  }

  // --- keeping focus and typing safe while updates arrive ----------------------------------------

  var focusMemo = null;
  var keepFocusOn = null;

  function rememberFocus() {
    var a = document.activeElement;
    if (!a || a === document.body) { focusMemo = null; return; }
    var memo = { el: a, id: a.id, note: null, action: null };
    var note = noteOf(a);
    if (note) {
      memo.note = note.id;
      memo.action = a.dataset.move ? "[data-move=" + a.dataset.move + "]" :
        a.dataset.dot ? "[data-dot=" + a.dataset.dot + "]" :
        a.hasAttribute("data-react") ? "[data-react]" : a.hasAttribute("data-edit") ? "[data-edit]" : null;
    }
    try { memo.start = a.selectionStart; memo.end = a.selectionEnd; memo.value = a.value; } catch (e) { /* not a text field */ }
    focusMemo = memo;
  }

  function restoreFocus() {
    var memo = focusMemo;
    focusMemo = null;
    if (keepFocusOn) {
      var moved = document.getElementById("note-" + keepFocusOn.noteId);
      var btn = moved && moved.querySelector("[data-move=" + keepFocusOn.move + "]");
      if (btn && document.activeElement !== btn && moved.offsetParent !== null) {
        if (!document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected || noteOf(document.activeElement) === moved) {
          btn.focus();
        }
      }
    }
    if (!memo || (memo.el.isConnected && document.activeElement === memo.el)) return;
    var el = memo.el.isConnected ? memo.el : (memo.id ? document.getElementById(memo.id) : null);
    if (!el && memo.note && memo.action) {
      var n = document.getElementById(memo.note);
      el = n && n.querySelector(memo.action);
    }
    if (!el) return;
    if (memo.value !== undefined && el.value === "" && memo.value) el.value = memo.value;
    el.focus({ preventScroll: true });
    if (memo.start != null && el.setSelectionRange) {
      try { el.setSelectionRange(memo.start, memo.end); } catch (e) { /* ignore */ }
    }
  }

  // --- what screen-reader users hear: a short summary at most every 10 s ---------------------

  var changes = { added: 0, removed: 0, moved: 0, changed: 0 };
  var lastSummary = 0;
  var summaryTimer = null;

  function countChanges(content) {
    changes.added += (content.match(/hx-swap="beforeend"/g) || []).length;
    changes.removed += (content.match(/hx-swap="delete"/g) || []).length;
    changes.moved += (content.match(/hx-target="#column-body-/g) || []).length;
    changes.changed += (content.match(/hx-target="#(note|board)-[^"]*" hx-swap="outerMorph"/g) || []).length;
    scheduleSummary();
  }

  function scheduleSummary() {
    if (summaryTimer) return;
    var wait = Math.max(0, 10000 - (Date.now() - lastSummary));
    summaryTimer = setTimeout(function () {
      summaryTimer = null;
      var el = document.getElementById("board-status");
      if (!el) return;
      var parts = [];
      ["added", "removed", "moved", "changed"].forEach(function (k) {
        if (changes[k] > 0) parts.push((el.dataset["label" + k.charAt(0).toUpperCase() + k.slice(1)] || k) + ": " + changes[k]);
      });
      changes = { added: 0, removed: 0, moved: 0, changed: 0 };
      if (!parts.length) return;
      lastSummary = Date.now();
      el.textContent = (el.dataset.labelPrefix || "") + " " + parts.join(", ");
    }, wait);
  }

  // --- pause live updates: hold the board still, then catch up from the log -------------------

  var paused = false;

  document.addEventListener("change", function (evt) {
    if (evt.target.id !== "pause-live") return;
    paused = evt.target.checked;
    setConnection(paused ? "paused" : "online");
    if (!paused && socket) abandon(socket); // reconnect with `since`: the server replays the gap
  });

  // --- after every change to the board ----------------------------------------------------------

  function markMine() {
    var me = live && live.dataset.me;
    document.querySelectorAll("li.note").forEach(function (n) {
      var b = n.querySelector("[data-react]");
      if (!b) return;
      var mine = me && (" " + (n.dataset.reactors || "") + " ").indexOf(" " + me + " ") >= 0;
      b.setAttribute("aria-pressed", mine ? "true" : "false");
    });
  }

  function markEditing(ids) {
    document.querySelectorAll("li.note.being-edited").forEach(function (n) {
      n.classList.remove("being-edited");
    });
    (ids || []).forEach(function (id) {
      var n = document.getElementById("note-" + id);
      if (n) n.classList.add("being-edited");
    });
  }
  window.samskabMarkEditing = markEditing;

  function afterBoardChange() {
    if (!live) return;
    follow();
    initSortables();
    markMine();
    var ed = document.getElementById("presence-editing");
    markEditing(ed ? (ed.dataset.notes || "").split(" ").filter(Boolean) : []);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!live) return;
    afterBoardChange();
    tick();
    setInterval(tick, TICK_MS);
  });

  // --- countdowns on the server's clock ----------------------------------------------------------
  // A timer ends at data-ends-at-ms, a moment on the server's wall clock. Each ping carries this
  // device's clock (t); the pong echoes it with the server's (server_ms). Assuming the trip is
  // symmetric, server time = local time + offset, with offset = server_ms - (t + now) / 2. Of the
  // recent samples the one with the shortest round trip is the best estimate. Date.now()
  // everywhere: the offset is between the server and exactly that clock.

  var TICK_MS = 250;
  var CLOCK_SAMPLES = 8;
  var CLOCK_FOLLOW_UPS = [700, 1500, 3000]; // ms after a (re)connect: more pings
  var clockSamples = [];   // {rtt, offset}, the most recent last
  var clockOffset = null;  // ms to add to Date.now() for the server's clock; null: not known yet
  var timerDone = null;    // id of the timer whose "time is up" was announced
  var timerSeen = {};      // timer id -> it was seen with time left (so its end is announced)

  function ping() {
    return send(JSON.stringify({ type: "ping", t: Date.now() }));
  }

  function clockSample(json) {
    if (typeof json.t !== "number" || typeof json.server_ms !== "number") return;
    var now = Date.now();
    var rtt = now - json.t;
    if (rtt < 0) return; // this clock was set back meanwhile: the sample means nothing
    clockSamples.push({ rtt: rtt, offset: json.server_ms - (json.t + now) / 2 });
    if (clockSamples.length > CLOCK_SAMPLES) clockSamples.shift();
    var best = clockSamples[0];
    clockSamples.forEach(function (c) { if (c.rtt < best.rtt) best = c; });
    clockOffset = best.offset;
    if (live) live.dataset.clockOffset = String(Math.round(clockOffset));
    tick();
  }

  function clockText(ms) {
    var s = Math.ceil(ms / 1000); // 1:59.2 left shows 2:00; 0:00 only at zero
    var m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var box = document.getElementById("timer");
    var out = document.getElementById("timer-remaining");
    if (!box || !out || box.hidden || clockOffset === null) return; // until then: the length
    var ends = parseInt(box.dataset.endsAtMs, 10);
    if (isNaN(ends)) return;
    var left = Math.max(0, ends - (Date.now() + clockOffset));
    var text = clockText(left);
    if (out.textContent !== text) out.textContent = text;
    var id = box.dataset.timerId;
    var done = left <= 0;
    if (box.dataset.state !== (done ? "done" : "running")) box.dataset.state = done ? "done" : "running";
    var label = box.querySelector("[data-timer-done]");
    if (label && label.hidden === done) label.hidden = !done;
    if (!done) { timerSeen[id] = true; return; }
    if (timerSeen[id] && timerDone !== id) {
      timerDone = id; // said once, politely; never the seconds ticking by
      timerStatus(box.dataset.labelDone || "");
    }
  }

  function timerStatus(text) {
    var el = document.getElementById("timer-status");
    if (!el) return;
    el.textContent = "";
    setTimeout(function () { el.textContent = text; }, 100); // the same words are said again
  }

  // The start form: another length, when given, replaces the chosen one (a nameless input
  // with data-replaces="seconds", so hx-ws does not send it itself); an empty label or
  // "no question" is left out (an empty id is not an id, and the server would refuse it).
  function timerStartBody(body, form) {
    var other = form && form.querySelector("[data-replaces]");
    if (other && other.value !== "") body[other.dataset.replaces] = typed(other.dataset.replaces, other.value);
    if (typeof body.label === "string" && body.label.trim() === "") delete body.label;
    if (!body.close_question_id) delete body.close_question_id;
  }
})();
