// The browser terminal (R-WEB-2) in the SSH panel's node slots (Components/SshPanel.razor): xterm.js on a WebSocket to
// /web/jobs/ID/terminal?node=N&attempt=A&cols=C&rows=R, on this page's own origin. Binary frames carry the terminal's
// bytes both ways; the only text frames sent are {"type":"resize","cols":C,"rows":R}. The server joins the node as the
// signed-in user's ssh client would, and decides who may type (it refuses the others before the upgrade, and a watcher's
// keystrokes go nowhere); this script only follows what the page says: data-read-only makes xterm send no keystrokes.
// When the session ends (closed here, ended by an admin, the node ended) the server closes the socket with a reason,
// shown as "closed: REASON". sshpanel.js hands over every SSH view it reads ("porthole:ssh-view"): the bar shows while
// the node's sshd is up and the node runs.
"use strict";

(function () {
  const RESIZE_DEBOUNCE_MS = 150;
  // Shared with the other live scripts (porthole.js, which runs first).
  const FINISHED = window.porthole.status.finished;
  const encoder = new TextEncoder();

  // The palette of the job log (porthole.css, .ansi-*), on the same dark background.
  const THEME = {
    background: "#0d1117", foreground: "#e6edf3", cursor: "#e6edf3", cursorAccent: "#0d1117",
    selectionBackground: "#264f78",
    black: "#484f58", red: "#ff7b72", green: "#3fb950", yellow: "#d29922",
    blue: "#58a6ff", magenta: "#bc8cff", cyan: "#39c5cf", white: "#b1bac4",
    brightBlack: "#6e7681", brightRed: "#ffa198", brightGreen: "#56d364", brightYellow: "#e3b341",
    brightBlue: "#79c0ff", brightMagenta: "#d2a8ff", brightCyan: "#56d4dd", brightWhite: "#f0f6fc",
  };

  // The terminals of this page by node index, for the browser tests and the console: the xterm Terminal, the socket,
  // the status line and the terminal's text.
  const terminals = {};
  window.portholeTerminals = terminals;

  // xterm.js puts its CSS (theme, cell size, scrollbar) in <style> elements it makes while it opens. The page's policy
  // (SecurityHeaders) admits a <style> only with this response's nonce, so each gets it as it is made: createElement is
  // wrapped for the duration of open() only.
  function withStyleNonce(nonce, action) {
    if (!nonce) {
      return action();
    }
    const create = Document.prototype.createElement;
    Document.prototype.createElement = function (name, options) {
      const made = create.call(this, name, options);
      if (String(name).toLowerCase() === "style") {
        made.nonce = nonce;
      }
      return made;
    };
    try {
      return action();
    } finally {
      Document.prototype.createElement = create;
    }
  }

  function debounce(action, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, ms);
    };
  }

  function bufferText(terminal) {
    const buffer = terminal.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      lines.push(line === undefined ? "" : line.translateToString(true));
    }
    return lines.join("\n");
  }

  function socketUrl(slot, terminal) {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + httpPath(slot) + "&cols=" + terminal.cols + "&rows=" + terminal.rows;
  }

  function httpPath(slot) {
    return "/web/jobs/" + encodeURIComponent(slot.dataset.job) + "/terminal?node=" + encodeURIComponent(slot.dataset.node) +
      "&attempt=" + encodeURIComponent(slot.dataset.attempt);
  }

  // A WebSocket refused before the upgrade only says "1006": ask the same address without the upgrade for the reason.
  async function refusalOf(slot) {
    try {
      const response = await fetch(httpPath(slot), { credentials: "same-origin", headers: { Accept: "application/problem+json, application/json" } });
      const problem = await response.json();
      if (problem && typeof problem.detail === "string" && problem.code !== "websocket_required") {
        return problem.detail;
      }
    } catch (e) {
      // No answer either: say what is known.
    }
    return "the connection failed";
  }

  function setUp(panel, slot) {
    const bar = slot.querySelector("[data-terminal-bar]");
    const openButton = slot.querySelector("[data-terminal-open]");
    const closeButton = slot.querySelector("[data-terminal-close]");
    const status = slot.querySelector("[data-terminal-status]");
    const screen = slot.querySelector("[data-terminal-screen]");
    const help = slot.querySelector("[data-terminal-help]");
    const node = slot.dataset.node;
    const readOnly = slot.dataset.readOnly === "true";
    let enterable = !bar.hidden;
    let nodeEnded = null;
    let current = null;

    function say(text) {
      status.textContent = text;
    }

    function nodeEndedText() {
      return nodeEnded === null ? "" : " Node " + node + " has ended (" + window.porthole.status.label(nodeEnded) + ").";
    }

    function showControls() {
      const live = current !== null && current.live;
      openButton.hidden = live || !enterable;
      closeButton.hidden = !live;
      bar.hidden = !enterable && current === null;
    }

    function open() {
      if (current !== null) {
        current.dispose();
      }
      current = start();
      showControls();
    }

    // One terminal: xterm in the slot, its socket, and what ends them.
    function start() {
      screen.textContent = "";
      screen.hidden = false;
      const host = document.createElement("div");
      host.className = "terminal-host";
      screen.appendChild(host);
      help.hidden = false;
      slot.classList.add("terminal-shown", "terminal-open");
      const terminal = new Terminal({
        disableStdin: readOnly,
        cursorBlink: !readOnly,
        fontFamily: "\"DejaVu Sans Mono\", ui-monospace, \"SFMono-Regular\", Menlo, Consolas, monospace",
        fontSize: 13,
        scrollback: 5000,
        theme: THEME,
      });
      const fit = new FitAddon.FitAddon();
      terminal.loadAddon(fit);
      withStyleNonce(panel.dataset.styleNonce, function () { terminal.open(host); });
      const fitNow = function () {
        if (!screen.hidden && screen.clientWidth > 0) {
          try {
            fit.fit();
          } catch (e) {
            // Not measurable right now (hidden or detached): the next resize fits it.
          }
        }
      };
      fitNow();

      const state = { live: true, upgraded: false, connected: false, closedHere: false };
      const socket = new WebSocket(socketUrl(slot, terminal));
      socket.binaryType = "arraybuffer";
      say("connecting…");

      const send = function (data) {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(data);
        }
      };
      const resize = function () {
        send(JSON.stringify({ type: "resize", cols: terminal.cols, rows: terminal.rows }));
      };
      const disposables = [terminal.onResize(resize)];
      if (!readOnly) {
        disposables.push(terminal.onData(function (data) { send(encoder.encode(data)); }));
        // Mouse reports in the old X10 form: one byte per character.
        disposables.push(terminal.onBinary(function (data) { send(Uint8Array.from(data, function (c) { return c.charCodeAt(0) & 0xff; })); }));
      }

      // Shift+Esc leaves the terminal for the page (xterm keeps Tab and Esc for the shell).
      terminal.attachCustomKeyEventHandler(function (event) {
        if (event.key === "Escape" && event.shiftKey) {
          if (event.type === "keydown") {
            (closeButton.hidden ? openButton : closeButton).focus();
          }
          return false;
        }
        return true;
      });

      const refit = debounce(fitNow, RESIZE_DEBOUNCE_MS);
      const observer = typeof ResizeObserver === "function" ? new ResizeObserver(refit) : null;
      if (observer !== null) {
        observer.observe(screen);
      }
      window.addEventListener("resize", refit);

      socket.addEventListener("open", function () {
        state.upgraded = true;
        // The size may have changed while the socket was opening.
        resize();
      });
      socket.addEventListener("message", function (event) {
        if (!(event.data instanceof ArrayBuffer)) {
          return;
        }
        if (!state.connected) {
          state.connected = true;
          say("connected as " + slot.dataset.user + (readOnly ? ", read-only" : ""));
        }
        terminal.write(new Uint8Array(event.data));
      });
      socket.addEventListener("close", async function (event) {
        if (!state.live) {
          return;
        }
        state.live = false;
        terminal.options.disableStdin = true;
        terminal.options.cursorBlink = false;
        slot.classList.remove("terminal-open");
        const hadFocus = slot.contains(document.activeElement);
        let reason;
        if (state.closedHere) {
          reason = "you closed the terminal.";
        } else if (!state.upgraded) {
          reason = await refusalOf(slot);
        } else {
          reason = event.reason || "the connection was lost (" + event.code + ").";
        }
        if (current !== handle) {
          // Opened again while the reason was being asked for: the new terminal has the status line.
          return;
        }
        state.reason = reason;
        say("closed: " + reason + nodeEndedText());
        showControls();
        if (hadFocus && !openButton.hidden) {
          openButton.focus();
        }
      });

      terminal.focus();
      const handle = {
        get live() { return state.live; },
        terminal: terminal,
        socket: socket,
        status: function () { return status.textContent; },
        text: function () { return bufferText(terminal); },
        nodeEnded: function () {
          if (!state.live && state.reason) {
            say("closed: " + state.reason + nodeEndedText());
          }
        },
        close: function () {
          if (state.live) {
            state.closedHere = true;
            say("closing…");
            socket.close(1000, "Closed on the job page.");
          }
        },
        dispose: function () {
          state.live = false;
          disposables.forEach(function (d) { d.dispose(); });
          if (observer !== null) {
            observer.disconnect();
          }
          window.removeEventListener("resize", refit);
          if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
            socket.close(1000, "Closed on the job page.");
          }
          terminal.dispose();
        },
      };
      terminals[node] = handle;
      return handle;
    }

    openButton.addEventListener("click", open);
    closeButton.addEventListener("click", function () {
      if (current !== null) {
        current.close();
      }
    });

    // The panel's latest view of the node: its sshd up (or not yet), the node running or ended.
    panel.addEventListener("porthole:ssh-view", function (event) {
      const view = event.detail.nodes.find(function (n) { return String(n.index) === node; });
      if (view === undefined) {
        return;
      }
      const ended = FINISHED.has(view.status);
      enterable = typeof view.port === "number" && !ended;
      if (ended && nodeEnded === null) {
        nodeEnded = view.status;
        if (current !== null) {
          current.nodeEnded();
        }
      }
      showControls();
    });
  }

  function init() {
    const panel = document.getElementById("ssh-panel");
    if (panel === null || typeof Terminal !== "function" || typeof FitAddon !== "object") {
      return;
    }
    for (const slot of panel.querySelectorAll(".terminal-slot[data-user]")) {
      if (slot.querySelector("[data-terminal-open]") !== null) {
        setUp(panel, slot);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
