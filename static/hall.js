// Samskab: the virtual council hall in the browser. The server renders every room, station and
// panel this viewer may see (and nothing else); this script only moves between them: which room
// is shown, which station panel is open, where the stations sit on the picture, how many are
// at each station, the spotlight, and in the facilitator's editor dragging and arrow keys.
// No user text is ever inserted as HTML here. Positions come from data-x / data-y through a
// constructed style sheet (the Content-Security-Policy allows no inline styles in the markup),
// so a live update that morphs the hall keeps every station where it belongs.
(function () {
  "use strict";

  var SPAN = 10000;          // a position is 0..SPAN hundredths of a percent of the picture
  var STEP = 100;            // an arrow key moves a station 1 %
  var BIG_STEP = 500;        // with Shift 5 %
  var LOCAL_MS = 3000;       // a position just set here wins over older ones arriving meanwhile
  var DRAG_PX = 5;           // a press that moves less than this is a click, not a drag

  var posSheet = new CSSStyleSheet();
  var viewSheet = new CSSStyleSheet();
  document.adoptedStyleSheets = document.adoptedStyleSheets.concat([posSheet, viewSheet]);

  var shownRoom = null;      // the room the picture view shows (participant page)
  var editRoom = null;       // the room the editor shows
  var current = null;        // the station whose panel is open
  var returnTo = {};         // station id -> id of the button that opened its panel
  var quiet = {};            // station id -> its panel closes without moving the focus back
  var local = {};            // station id -> {x, y, at}: placed here, not yet confirmed
  var formOf = {};           // command id -> the hall form that sent it
  var pendingUnlock = null;  // the room a quiz answer just sent would open
  var pendingRoom = null;    // room ids known when "add room" was sent
  var pendingStation = null; // {room, known} when "add station" was sent
  var drag = null;
  var swallowClick = false;

  function byId(id) { return id ? document.getElementById(id) : null; }
  function hallEl() { return byId("hall"); }
  function live() { return byId("live"); }
  function role() { var l = live(); return l ? l.dataset.role : ""; }
  function clamp(v) { return Math.max(0, Math.min(SPAN, Math.round(v))); }
  function sel(id) { return '"' + CSS.escape(id) + '"'; }
  function textView() {
    var t = byId("hall-text-toggle");
    return !!t && t.getAttribute("aria-pressed") === "true";
  }

  // --- the socket: presence only ("I have this station open"), like note.editing ------------

  // app.js owns the socket (window.samskabSend); a socket that is not open yet says nothing,
  // and the next one is told on connecting.
  document.addEventListener("htmx:ws:after:connection", function () {
    if (current) visiting(current); // a new socket starts with no station open
  });

  function visiting(stationId) {
    if (role() !== "participant" || !window.samskabSend) return;
    window.samskabSend(JSON.stringify({ type: "station.visiting", station_id: stationId }));
  }

  // --- where the stations are ----------------------------------------------------------------

  function posOf(item) {
    var id = item.dataset.pos;
    var o = local[id];
    if (o) return { x: o.x, y: o.y };
    return { x: parseInt(item.dataset.x, 10) || 0, y: parseInt(item.dataset.y, 10) || 0 };
  }

  function positions() {
    var rules = [];
    var now = Date.now();
    document.querySelectorAll("[data-pos]").forEach(function (item) {
      var id = item.dataset.pos;
      var x = parseInt(item.dataset.x, 10) || 0;
      var y = parseInt(item.dataset.y, 10) || 0;
      var o = local[id];
      if (o && ((o.x === x && o.y === y) || now - o.at > LOCAL_MS)) {
        delete local[id];
        o = null;
      }
      if (o) { x = o.x; y = o.y; }
      var px = x / 100 + "%", py = y / 100 + "%";
      rules.push("[data-pos=" + sel(id) + "]{left:" + px + ";top:" + py +
        ";transform:translate(-" + px + ",-" + py + ")}");
    });
    posSheet.replaceSync(rules.join("\n"));
  }

  // --- which room is shown (picture view) and which is edited --------------------------------

  function applyView() {
    var h = hallEl();
    var rules = [];
    if (h) {
      var home = h.dataset.hallId;
      if (!shownRoom || !byId("hall-room-" + shownRoom)) shownRoom = home;
      rules.push("#hall-rooms > .hall-room:not([data-room-id=" + sel(shownRoom) + "]){display:none}");
    }
    var ed = byId("hall-editor");
    if (ed) {
      if (!editRoom || !byId("he-room-" + editRoom)) editRoom = ed.dataset.hallId;
      rules.push("#hall-editor > .he-room:not([data-room-id=" + sel(editRoom) + "]){display:none}");
      ed.querySelectorAll("[data-edit-room]").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.editRoom === editRoom ? "true" : "false");
      });
    }
    viewSheet.replaceSync(rules.join("\n"));
  }

  function showRoom(id, focus) {
    if (textView()) {
      var th = byId("hall-text-room-" + id);
      if (th && focus) { th.setAttribute("tabindex", "-1"); th.focus(); }
      return;
    }
    shownRoom = id;
    applyView();
    if (focus) {
      var title = byId("hall-room-title-" + shownRoom);
      if (title) title.focus();
    }
  }

  // --- station panels ---------------------------------------------------------------------------

  function panel(stationId) { return byId("station-" + stationId); }

  function focusInto(dlg) {
    var target = dlg.querySelector("[data-hall-focus]") || dlg.querySelector(".panel-title");
    if (target) target.focus();
  }

  function openStation(stationId, opener) {
    var dlg = panel(stationId);
    if (!dlg) return;
    if (current && current !== stationId) closeStation(current, true);
    if (!textView()) { shownRoom = dlg.dataset.room; applyView(); }
    returnTo[stationId] = opener && opener.id ? opener.id : "";
    if (!dlg.open) dlg.showModal();
    current = stationId;
    focusInto(dlg);
    visiting(stationId);
  }

  function closeStation(stationId, silently) {
    var dlg = panel(stationId);
    if (silently) quiet[stationId] = true;
    if (dlg && dlg.open) dlg.close();
    if (current === stationId) { current = null; visiting(null); }
  }

  function openerOf(stationId) {
    var first = byId(returnTo[stationId]);
    var candidates = [first, byId((textView() ? "tv-" : "hs-") + stationId), byId("hs-" + stationId)];
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (c && c.offsetParent !== null) return c;
    }
    return byId("hall-room-title-" + shownRoom);
  }

  document.addEventListener("close", function (evt) {
    var dlg = evt.target;
    if (!dlg.classList || !dlg.classList.contains("station-panel")) return;
    var id = dlg.dataset.station;
    if (current === id) { current = null; visiting(null); }
    if (quiet[id]) { delete quiet[id]; return; }
    var back = openerOf(id);
    if (back) back.focus();
  }, true);

  // The board button leaves the panel for the board: close the panel before static/app.js
  // shows the board and moves the focus to it (a modal panel would keep the focus inside).
  document.addEventListener("click", function (evt) {
    var t = evt.target.closest ? evt.target.closest("[data-hall-close-quietly]") : null;
    if (!t) return;
    var dlg = t.closest("dialog.station-panel");
    if (dlg) closeStation(dlg.dataset.station, true);
  }, true);

  document.addEventListener("click", function (evt) {
    if (swallowClick) { swallowClick = false; evt.preventDefault(); return; }
    var t = evt.target.closest ? evt.target.closest("button") : null;
    if (!t) return;
    if (t.id === "hall-text-toggle") {
      t.setAttribute("aria-pressed", textView() ? "false" : "true");
      return;
    }
    if (t.dataset.openStation) { openStation(t.dataset.openStation, t); return; }
    if (t.hasAttribute("data-hall-close")) {
      var dlg = t.closest("dialog.station-panel");
      if (dlg) dlg.close();
      return;
    }
    if (t.dataset.hallGo) {
      var inside = t.closest("dialog.station-panel");
      if (inside) closeStation(inside.dataset.station, true);
      showRoom(t.dataset.hallGo, true);
      return;
    }
    if (t.dataset.editRoom) { editRoom = t.dataset.editRoom; applyView(); return; }
    if (t.dataset.place) {
      var ed = byId("hall-editor");
      if (ed) ed.querySelectorAll("[data-place]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === t ? "true" : "false");
      });
    }
  });

  // --- the spotlight: "bring everyone here" opens the station once per spotlight ---------------

  function spotlight() {
    var h = hallEl();
    if (!h || role() !== "participant" || h.hasAttribute("data-preview")) return;
    var id = h.dataset.spotlight;
    var seq = parseInt(h.dataset.spotlightSeq, 10) || 0;
    if (!id || !seq) return;
    var key = "samskab.spotlight." + h.dataset.workshop;
    var seen = 0;
    try { seen = parseInt(sessionStorage.getItem(key) || "0", 10) || 0; } catch (e) { /* private mode */ }
    if (seq <= seen) return;
    try { sessionStorage.setItem(key, String(seq)); } catch (e) { /* opened once per page then */ }
    if (document.querySelector("dialog[open]:not(.station-panel)")) return; // typing a note
    // Closing it brings the focus back to where the participant was, if that can be found.
    var before = document.activeElement;
    var keep = before && before !== document.body && before.id && !before.closest("dialog");
    openStation(id, keep ? before : byId((textView() ? "tv-" : "hs-") + id));
  }

  // --- how many are at each station (from the presence message) --------------------------------

  function counts() {
    var found = {};
    document.querySelectorAll("#presence-stations li[data-station]").forEach(function (li) {
      found[li.dataset.station] = { n: li.dataset.count, text: li.textContent };
    });
    document.querySelectorAll("[data-count-for]").forEach(function (badge) {
      var c = found[badge.dataset.countFor];
      var key = c ? c.n + "|" + c.text : "";
      if (badge.hallCount === key) return;
      badge.hallCount = key;
      if (!c) { badge.replaceChildren(); return; }
      var n = document.createElement("span");
      n.setAttribute("aria-hidden", "true");
      n.textContent = c.n;
      var said = document.createElement("span");
      said.className = "visually-hidden";
      said.textContent = ", " + c.text;
      badge.replaceChildren(n, said);
    });
  }

  // --- what the forms send ----------------------------------------------------------------------

  var NUMBERS = { x: 1, y: 1, item: 1 };
  var HALL_TYPE = /^(room|station|programme|hall|quiz|call)\./;

  // Before static/app.js adds the command id: numbers as numbers, "" as "none".
  document.addEventListener("htmx:ws:before:message:outgoing", function (evt) {
    var v = evt.detail.message && evt.detail.message.values;
    if (!v || typeof v.type !== "string" || !HALL_TYPE.test(v.type)) return;
    Object.keys(NUMBERS).forEach(function (k) {
      if (typeof v[k] === "string" && /^[0-9]+$/.test(v[k])) v[k] = parseInt(v[k], 10);
    });
    if (v.type === "programme.set" && v.item === "") v.item = null;
    if (v.type === "hall.spotlight" && v.station_id === "") v.station_id = null;
  }, true);

  // After static/app.js: which form sent which command, for its answer.
  document.addEventListener("htmx:ws:before:message:outgoing", function (evt) {
    var msg = evt.detail.message;
    if (evt.detail.cancelled || !msg || typeof msg.data !== "string") return;
    var body;
    try { body = JSON.parse(msg.data); } catch (e) { return; }
    if (!body || !HALL_TYPE.test(body.type || "")) return;
    var form = evt.target.closest ? evt.target.closest("form") : null;
    if (form) {
      formOf[body.command_id] = form;
      var err = form.querySelector("[data-hall-error]");
      if (err) err.textContent = "";
    }
    if (body.type === "quiz.answer" && form) pendingUnlock = form.dataset.targetRoom || null;
    if (body.type === "room.add") {
      pendingRoom = {};
      document.querySelectorAll("#hall-editor .he-room").forEach(function (r) { pendingRoom[r.dataset.roomId] = 1; });
    }
    if (body.type === "station.add" && form) {
      var known = {};
      document.querySelectorAll('#he-room-' + CSS.escape(form.dataset.addStation || "") + ' [data-place]')
        .forEach(function (b) { known[b.dataset.place] = 1; });
      pendingStation = { room: form.dataset.addStation, known: known };
    }
  });

  document.addEventListener("htmx:ws:before:message:incoming", function (evt) {
    var json;
    try { json = JSON.parse(evt.detail.message.data); } catch (e) { return; }
    if (!json || (json.type !== "ack" && json.type !== "error")) return;
    var form = formOf[json.command_id];
    if (!form) return;
    delete formOf[json.command_id];
    var err = form.querySelector("[data-hall-error]");
    if (json.type === "error") {
      if (err) err.textContent = json.message || "";
      if (form.querySelector("input[name=type][value='quiz.answer']")) pendingUnlock = null;
      if (form.hasAttribute("data-add-room")) pendingRoom = null;
      if (form.hasAttribute("data-add-station")) pendingStation = null;
      var place = form.id === "he-place" ? form.elements.station_id.value : null;
      if (place) { delete local[place]; positions(); }
    } else if (err) {
      err.textContent = "";
    }
  });

  // --- after every change -----------------------------------------------------------------------

  function afterUnlock() {
    if (!pendingUnlock || !byId("hall-room-" + pendingUnlock)) return;
    var room = pendingUnlock;
    pendingUnlock = null;
    if (current) closeStation(current, true);
    showRoom(room, true);
  }

  function afterEditorAdds() {
    if (pendingRoom) {
      var added = null;
      document.querySelectorAll("#hall-editor .he-room").forEach(function (r) {
        if (!pendingRoom[r.dataset.roomId]) added = r.dataset.roomId;
      });
      if (added) {
        pendingRoom = null;
        editRoom = added;
        applyView();
        var h = byId("he-room-title-" + added);
        if (h) h.focus();
      }
    }
    if (pendingStation) {
      var fresh = null;
      document.querySelectorAll("#he-room-" + CSS.escape(pendingStation.room || "") + " [data-place]").forEach(function (b) {
        if (!pendingStation.known[b.dataset.place]) fresh = b;
      });
      if (fresh) { pendingStation = null; fresh.focus(); }
    }
  }

  function keepPanel() {
    if (!current) return;
    var dlg = panel(current);
    if (!dlg || !dlg.isConnected) {
      // The station went (or its room is locked now): back to the room.
      current = null;
      visiting(null);
      var title = byId("hall-room-title-" + shownRoom);
      applyView();
      if (title) title.focus();
      return;
    }
    if (!dlg.open) { current = null; visiting(null); return; }
    if (!dlg.contains(document.activeElement)) focusInto(dlg);
  }

  function refresh() {
    positions();
    applyView();
    counts();
    keepPanel();
    afterUnlock();
    afterEditorAdds();
    spotlight();
  }

  document.addEventListener("htmx:ws:after:message:incoming", refresh);
  document.addEventListener("DOMContentLoaded", refresh);

  // --- the editor: arrow keys and dragging ------------------------------------------------------

  function announceMove(button, x, y) {
    var out = byId("he-status");
    if (!out) return;
    var label = out.dataset.labelMoved || "{title}: {x} %, {y} %";
    var pct = function (v) { return String(Math.round(v / 10) / 10); };
    out.textContent = label.replace("{title}", button.dataset.title || "")
      .replace("{x}", pct(x)).replace("{y}", pct(y));
  }

  function place(stationId, x, y) {
    var form = byId("he-place");
    if (!form) return;
    local[stationId] = { x: x, y: y, at: Date.now() };
    positions();
    form.elements.station_id.value = stationId;
    form.elements.x.value = String(x);
    form.elements.y.value = String(y);
    form.requestSubmit();
  }

  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  document.addEventListener("keydown", function (evt) {
    var b = evt.target.closest ? evt.target.closest("[data-place]") : null;
    var d = ARROWS[evt.key];
    if (!b || !d || evt.altKey || evt.ctrlKey || evt.metaKey) return;
    evt.preventDefault();
    var item = b.closest("[data-pos]");
    var p = posOf(item);
    var step = evt.shiftKey ? BIG_STEP : STEP;
    var x = clamp(p.x + d[0] * step);
    var y = clamp(p.y + d[1] * step);
    if (x === p.x && y === p.y) return;
    place(item.dataset.pos, x, y);
    announceMove(b, x, y);
  });

  function spanAt(box, clientX, clientY) {
    var r = box.getBoundingClientRect();
    return {
      x: clamp((clientX - r.left) / Math.max(1, r.width) * SPAN),
      y: clamp((clientY - r.top) / Math.max(1, r.height) * SPAN)
    };
  }

  document.addEventListener("pointerdown", function (evt) {
    var b = evt.target.closest ? evt.target.closest("[data-place]") : null;
    if (!b || evt.button !== 0) return;
    var item = b.closest("[data-pos]");
    var box = b.closest(".hall-picture");
    if (!item || !box) return;
    drag = { id: item.dataset.pos, item: item, box: box, button: b, pointer: evt.pointerId,
             x0: evt.clientX, y0: evt.clientY, moved: false, x: 0, y: 0 };
    try { b.setPointerCapture(evt.pointerId); } catch (e) { /* the pointer is gone already */ }
  });

  document.addEventListener("pointermove", function (evt) {
    if (!drag || evt.pointerId !== drag.pointer) return;
    if (!drag.moved && Math.abs(evt.clientX - drag.x0) + Math.abs(evt.clientY - drag.y0) < DRAG_PX) return;
    drag.moved = true;
    evt.preventDefault();
    var p = spanAt(drag.box, evt.clientX, evt.clientY);
    drag.x = p.x;
    drag.y = p.y;
    var px = p.x / 100 + "%", py = p.y / 100 + "%";
    drag.item.style.left = px; // CSSOM, not markup: allowed by the CSP
    drag.item.style.top = py;
    drag.item.style.transform = "translate(-" + px + ",-" + py + ")";
    drag.item.classList.add("dragging");
  });

  function endDrag(evt, dropped) {
    if (!drag || evt.pointerId !== drag.pointer) return;
    var d = drag;
    drag = null;
    d.item.classList.remove("dragging");
    d.item.style.left = "";
    d.item.style.top = "";
    d.item.style.transform = "";
    if (!d.moved) return;
    swallowClick = dropped; // the click that follows a drop is not a press of the button
    setTimeout(function () { swallowClick = false; }, 0);
    if (!dropped) { positions(); return; }
    place(d.id, d.x, d.y);
    d.button.focus();
    announceMove(d.button, d.x, d.y);
  }

  document.addEventListener("pointerup", function (evt) { endDrag(evt, true); });
  document.addEventListener("pointercancel", function (evt) { endDrag(evt, false); });
})();
