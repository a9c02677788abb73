// Samskab: a task committee's page in the browser. The server renders the backlog, the sprint
// planning, the sprint board and the reports, and re-renders what changed after every command
// from anyone; static/app.js sends the forms over the live socket. This script adds what a form
// alone cannot: dragging items (touch, pen and mouse, through SortableJS), a server's refusal
// shown beside the form that caused it, and the keyboard focus taken on to where the work
// continues after a control disappears (Plan -> Unplan, Start -> the sprint board).
// No user text is ever inserted as HTML here.
(function () {
  "use strict";

  var FOCUS_WAIT_MS = 8000;  // a focus move waits this long for the change it follows

  var formOf = {};           // command id -> the form that sent it
  var dragOf = {};           // command id -> how to put a dropped item back if refused
  var lastDrag = null;       // the drop being sent now
  var thenFocus = null;      // {id, until}: where the focus goes once the change arrives

  function byId(id) { return id ? document.getElementById(id) : null; }

  function role() {
    var live = byId("live");
    return live ? live.dataset.role : "";
  }

  function items(list, selector) {
    return Array.prototype.filter.call(list.children, function (c) { return c.matches(selector); });
  }

  // --- dragging: the same commands as the arrow buttons -------------------------------------

  function send(formId, fields, drag) {
    var form = byId(formId);
    if (!form) return;
    Object.keys(fields).forEach(function (k) { form.elements[k].value = String(fields[k]); });
    lastDrag = drag;
    form.requestSubmit();
  }

  function dropInfo(e) {
    return { item: e.item, from: e.from, oldIndex: e.oldIndex };
  }

  function putBack(d) {
    if (!d || !d.item || !d.from || !d.from.isConnected) return;
    var siblings = items(d.from, "li").filter(function (c) { return c !== d.item; });
    d.from.insertBefore(d.item, siblings[d.oldIndex] || null);
  }

  function initSortables() {
    if (typeof Sortable === "undefined" || (role() !== "participant" && role() !== "facilitator")) return;
    var backlog = byId("backlog-list");
    if (backlog && !backlog._sortable) {
      backlog._sortable = Sortable.create(backlog, {
        group: "backlog",
        handle: ".drag-handle",
        draggable: "li.bl-item",
        animation: 120,
        forceFallback: true, // pointer events: the same path on iPad Safari, Android and desktop
        fallbackTolerance: 4,
        onEnd: function (e) {
          if (e.oldIndex === e.newIndex) return;
          var index = items(backlog, "li.bl-item").indexOf(e.item);
          send("drag-move-form", { item_id: e.item.dataset.itemId, index: index }, dropInfo(e));
        }
      });
    }
    document.querySelectorAll("ul.sprint-items").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: "sprint-board-" + (list.dataset.sprintId || ""),
        handle: ".drag-handle",
        draggable: "li.sprint-card",
        animation: 120,
        forceFallback: true,
        fallbackTolerance: 4,
        onEnd: function (e) {
          if (e.from === e.to && e.oldIndex === e.newIndex) return;
          var index = items(e.to, "li.sprint-card").indexOf(e.item);
          send("drag-status-form", {
            item_id: e.item.dataset.itemId,
            status: e.to.dataset.status,
            index: index
          }, dropInfo(e));
        }
      });
    });
  }

  // --- which form sent which command, for its answer -----------------------------------------

  function errorBox(form) {
    if (!form) return null;
    // The form's own, or the nearest one around it (a sprint's plan has one for all its
    // buttons), never one further out than its part of the page.
    // (Another form's own box is that form's.)
    for (var el = form; el && el.id !== "live"; el = el.parentElement) {
      var boxes = el.querySelectorAll("[data-bl-error]");
      for (var i = 0; i < boxes.length; i++) {
        var owner = boxes[i].closest("form");
        if (!owner || owner === form) return boxes[i];
      }
      if (el.classList.contains("bl-region")) break;
    }
    return null;
  }

  // After static/app.js has given the message its command id (its listener runs first).
  document.addEventListener("htmx:ws:before:message:outgoing", function (evt) {
    var msg = evt.detail.message;
    if (evt.detail.cancelled || !msg || typeof msg.data !== "string") return;
    var body;
    try { body = JSON.parse(msg.data); } catch (e) { return; }
    if (!body || !body.command_id) return;
    var form = evt.target.closest ? evt.target.closest("form") : null;
    if (!form) return;
    formOf[body.command_id] = form;
    if (form.id === "drag-move-form" || form.id === "drag-status-form") {
      dragOf[body.command_id] = lastDrag;
      lastDrag = null;
    }
    var box = errorBox(form);
    if (box) box.textContent = "";
  });

  document.addEventListener("htmx:ws:before:message:incoming", function (evt) {
    var json;
    try { json = JSON.parse(evt.detail.message.data); } catch (e) { return; }
    if (!json || (json.type !== "ack" && json.type !== "error")) return;
    var form = formOf[json.command_id];
    var drag = dragOf[json.command_id];
    delete formOf[json.command_id];
    delete dragOf[json.command_id];
    if (json.type !== "error") return;
    thenFocus = null; // refused: nothing moves, so neither does the focus
    if (drag) putBack(drag);
    var box = form && form.isConnected ? errorBox(form) : null;
    if (box) box.textContent = json.message || "";
  });

  // --- the focus, after a control it was on went away -----------------------------------------

  document.addEventListener("submit", function (evt) {
    var b = evt.submitter;
    if (b && b.dataset && b.dataset.thenFocus) {
      thenFocus = { id: b.dataset.thenFocus, until: Date.now() + FOCUS_WAIT_MS };
    }
  }, true);

  function moveFocus() {
    if (!thenFocus) return;
    if (Date.now() > thenFocus.until) { thenFocus = null; return; }
    var a = document.activeElement;
    if (a && a !== document.body && a.isConnected) return; // still somewhere useful
    var el = byId(thenFocus.id);
    if (!el) return;
    thenFocus = null;
    el.focus();
  }

  function refresh() {
    initSortables();
    moveFocus();
  }

  document.addEventListener("htmx:ws:after:message:incoming", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
