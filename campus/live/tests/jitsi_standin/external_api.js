// Stand-in for Jitsi Meet's external_api.js, served by the tests' little HTTP server
// (campus/live/tests/conftest.py). It records what the page passes to the constructor
// and lets a test fire the events a real conference would send.
(function () {
  "use strict";
  const record = { calls: [], commands: [], listeners: {}, disposed: 0 };
  window.__jitsi = record;

  function JitsiMeetExternalAPI(domain, options) {
    const opts = options || {};
    // Keep a JSON copy (parentNode is a DOM node: recorded as its id).
    const copy = Object.assign({}, opts, {
      parentNode: opts.parentNode ? opts.parentNode.id || "node" : null,
    });
    record.calls.push({ domain: domain, options: JSON.parse(JSON.stringify(copy)) });
    this._listeners = record.listeners;
    const placeholder = document.createElement("div");
    placeholder.className = "jitsi-standin";
    placeholder.setAttribute("data-room", opts.roomName || "");
    placeholder.style.cssText =
      "width:100%;height:100%;display:flex;align-items:center;justify-content:center;" +
      "flex-direction:column;gap:.5rem;padding:1rem;box-sizing:border-box;text-align:center;" +
      "overflow-wrap:anywhere;background:#1f2937;color:#e5e7eb;font:16px sans-serif;";
    placeholder.innerHTML =
      "<strong>Jitsi (stand-in)</strong><span class='jitsi-standin-room'></span>";
    placeholder.querySelector(".jitsi-standin-room").textContent = opts.roomName || "";
    if (opts.parentNode) {
      opts.parentNode.appendChild(placeholder);
    }
    this._node = placeholder;
  }

  JitsiMeetExternalAPI.prototype.addListener = function (name, handler) {
    (record.listeners[name] = record.listeners[name] || []).push(handler);
    return this;
  };
  JitsiMeetExternalAPI.prototype.addEventListener = JitsiMeetExternalAPI.prototype.addListener;
  JitsiMeetExternalAPI.prototype.on = JitsiMeetExternalAPI.prototype.addListener;
  JitsiMeetExternalAPI.prototype.executeCommand = function (name) {
    record.commands.push({ name: name, args: Array.prototype.slice.call(arguments, 1) });
  };
  JitsiMeetExternalAPI.prototype.getParticipantsInfo = function () {
    return [];
  };
  JitsiMeetExternalAPI.prototype.dispose = function () {
    record.disposed += 1;
    record.listeners = {};
    this._listeners = record.listeners;
    if (this._node && this._node.parentNode) {
      this._node.parentNode.removeChild(this._node);
    }
  };

  window.JitsiMeetExternalAPI = JitsiMeetExternalAPI;
  // Tests: window.__jitsiFire("videoConferenceJoined", {...}) calls every listener.
  window.__jitsiFire = function (name, payload) {
    const handlers = (record.listeners[name] || []).slice();
    handlers.forEach(function (handler) {
      handler(payload || {});
    });
    return handlers.length;
  };
})();
