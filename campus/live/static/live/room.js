// Campus live room: joins the session through the API, then embeds Jitsi Meet with its
// External API. Plain ES2017, no framework. The page gives a JSON config
// (#live-room-config): URLs, timings, the user, the embed options and the French texts.
// The JWT and the room password never sit in the HTML: they come from POST …/join.
(function () {
  "use strict";

  const configNode = document.getElementById("live-room-config");
  const stage = document.getElementById("live-stage");
  const notice = document.getElementById("live-notice");
  const noticeText = document.getElementById("live-notice-text");
  const noticeActions = document.getElementById("live-notice-actions");
  if (!configNode || !stage || !notice) {
    return;
  }
  const config = JSON.parse(configNode.textContent);
  const text = config.messages;

  const state = {
    api: null, // the JitsiMeetExternalAPI instance
    inRoom: false, // the server has an open attendance interval for us
    heartbeat: null, // setInterval handle
    leaving: false, // leave already sent for this visit
  };

  // --- Messages ------------------------------------------------------------------------

  function showNotice(message, options) {
    const opts = options || {};
    noticeText.textContent = message;
    noticeActions.textContent = "";
    if (opts.button) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = opts.button.label;
      button.addEventListener("click", opts.button.onClick);
      noticeActions.appendChild(button);
    }
    notice.classList.toggle("live-notice-error", Boolean(opts.error));
    notice.setAttribute("role", opts.error ? "alert" : "status");
    notice.hidden = false;
    stage.classList.toggle("live-stage-idle", true);
  }

  function hideNotice() {
    notice.hidden = true;
    stage.classList.remove("live-stage-idle");
  }

  function showError(message) {
    showNotice(message, { error: true, button: { label: text.retry, onClick: start } });
  }

  // --- Talking to Campus -----------------------------------------------------------------

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : config.csrfToken;
  }

  // POST to the JSON API with the session cookie. Resolves to {ok, status, body}; a
  // network failure resolves to {ok: false, status: 0} so callers have one shape.
  async function post(url) {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      let body = null;
      try {
        body = await response.json();
      } catch (error) {
        body = null;
      }
      return { ok: response.ok, status: response.status, body: body };
    } catch (error) {
      return { ok: false, status: 0, body: null };
    }
  }

  function apiMessage(result) {
    if (result.status === 0) {
      return text.network;
    }
    return (result.body && result.body.message) || text.generic;
  }

  function startHeartbeat() {
    stopHeartbeat();
    state.heartbeat = window.setInterval(beat, config.heartbeatSeconds * 1000);
  }

  function stopHeartbeat() {
    if (state.heartbeat !== null) {
      window.clearInterval(state.heartbeat);
      state.heartbeat = null;
    }
  }

  async function beat() {
    const result = await post(config.urls.heartbeat);
    if (result.ok || result.status === 0) {
      return; // a lost beat on a flaky connection is fine: the next one will do
    }
    if (result.status === 409) {
      // Our interval was closed (the session ended, or we were away too long): join
      // again, which says "session_closed" if it is over and reopens the interval if not.
      const again = await post(config.urls.join);
      if (!again.ok) {
        ended(again);
      }
    }
  }

  function ended(result) {
    stopHeartbeat();
    state.inRoom = false;
    disposeApi();
    const closed = result && result.body && result.body.error && result.body.error.code;
    if (closed === "session_closed") {
      showNotice(text.ended, { error: true });
    } else {
      showError(apiMessage(result));
    }
  }

  async function leave() {
    if (state.leaving) {
      return;
    }
    state.leaving = true;
    stopHeartbeat();
    disposeApi();
    showNotice(text.left, { button: { label: text.back, onClick: start } });
    if (state.inRoom) {
      state.inRoom = false;
      await post(config.urls.leave);
    }
  }

  // pagehide: the tab is closing or navigating away; fetch may be cut short, a beacon is
  // delivered. sendBeacon cannot set headers, so the CSRF token goes in the form body.
  window.addEventListener("pagehide", function () {
    if (!state.inRoom || !navigator.sendBeacon) {
      return;
    }
    const form = new FormData();
    form.append("csrfmiddlewaretoken", csrfToken());
    navigator.sendBeacon(config.urls.beacon, form);
    state.inRoom = false;
    stopHeartbeat();
  });

  // --- Jitsi --------------------------------------------------------------------------

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      if (window.JitsiMeetExternalAPI) {
        resolve();
        return;
      }
      const old = document.querySelector("script[data-jitsi-external-api]");
      if (old) {
        old.remove(); // a failed earlier attempt: try a fresh tag
      }
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.dataset.jitsiExternalApi = "1";
      script.onload = function () {
        if (window.JitsiMeetExternalAPI) {
          resolve();
        } else {
          reject(new Error("JitsiMeetExternalAPI missing"));
        }
      };
      script.onerror = function () {
        reject(new Error("script failed to load"));
      };
      document.head.appendChild(script);
    });
  }

  function disposeApi() {
    if (state.api) {
      try {
        state.api.dispose();
      } catch (error) {
        // already gone
      }
      state.api = null;
    }
    stage.textContent = "";
  }

  function createApi(access) {
    const embed = config.embed || {};
    const options = {
      roomName: access.jitsi_room_name,
      parentNode: stage,
      width: "100%",
      height: "100%",
      lang: embed.lang || "fr",
      userInfo: { displayName: config.user.displayName, email: config.user.email },
      configOverwrite: embed.configOverwrite || {},
    };
    if (access.jwt) {
      options.jwt = access.jwt;
    }
    const api = new window.JitsiMeetExternalAPI(access.jitsi_domain, options);
    state.api = api;
    const password = access.jitsi_room_password;
    if (password) {
      // The moderator locks the room once Jitsi says it moderates; everyone else types
      // the password in when Jitsi asks for it.
      api.addListener("participantRoleChanged", function (event) {
        if (event && event.role === "moderator") {
          api.executeCommand("password", password);
        }
      });
      api.addListener("passwordRequired", function () {
        api.executeCommand("password", password);
      });
    }
    api.addListener("videoConferenceJoined", startHeartbeat);
    api.addListener("videoConferenceLeft", leave);
    api.addListener("readyToClose", leave);
  }

  async function start() {
    disposeApi();
    state.leaving = false;
    showNotice(text.connecting);
    const result = await post(config.urls.join);
    if (!result.ok) {
      showError(apiMessage(result));
      return;
    }
    state.inRoom = true;
    const access = result.body.data;
    showNotice(text.loading);
    try {
      await loadScript(access.jitsi_script_url);
    } catch (error) {
      showError(text.script);
      return;
    }
    hideNotice();
    createApi(access);
  }

  start();
})();
