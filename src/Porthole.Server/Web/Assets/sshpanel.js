// The SSH panel (R-SSH-3, -4, -10): while its attempt runs, reads GET /api/jobs/ID/ssh every 2 s and shows what
// changed: each node's command, host key and accepted keys, the sessions, the refused keys with their reasons. Text from
// the API is only ever set with textContent. The open-access command (it carries a secret token) is never shown.
// Each view read is also given to the page's terminals (terminal.js) as a "porthole:ssh-view" event on the panel, and
// while a terminal is open an admin's End session is sent without leaving the page (the terminal then shows it closed).
"use strict";

(function () {
  const POLL_MS = 2000;
  // Shared with the other live scripts (porthole.js, which runs first).
  const FINISHED = window.porthole.status.finished;
  const setStatus = window.porthole.status.set;

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function cell(tag, label, content) {
    const c = element(tag);
    if (tag === "th") {
      c.scope = "row";
    }
    c.dataset.label = label;
    for (const part of content) {
      c.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    }
    return c;
  }

  function time(iso) {
    const t = element("time", null, iso);
    t.dateTime = iso;
    t.setAttribute("data-local-time", "");
    return t;
  }

  function renderNode(panel, node) {
    const card = panel.querySelector("[data-ssh-node='" + node.index + "']");
    if (card === null) {
      return;
    }
    const field = function (name) { return card.querySelector("[data-field='" + name + "']"); };
    setStatus(field("status"), node.status);
    const command = field("command");
    const has = typeof node.command === "string";
    command.textContent = has ? node.command : "";
    command.hidden = !has;
    field("copy").hidden = !has;
    const waiting = field("command-waiting");
    waiting.hidden = has;
    if (!has && FINISHED.has(node.status)) {
      waiting.textContent = "The node ended before its sshd was up.";
    }
    field("host-key-fingerprint").textContent = node.host_key_fingerprint || "—";
    const accepted = field("accepted");
    accepted.textContent = "";
    for (const fingerprint of node.accepted_fingerprints || []) {
      const item = element("li");
      item.appendChild(element("code", "wrap", fingerprint));
      accepted.appendChild(item);
    }
    field("accepted-none").hidden = (node.accepted_fingerprints || []).length > 0;
    // The Host block, its known_hosts line and VS Code's link (R-BEY-5), once the node's sshd is up.
    field("ssh-config-section").hidden = typeof node.ssh_config !== "string";
    field("ssh-config").textContent = node.ssh_config || "";
    field("known-hosts").textContent = node.known_hosts_line || "";
    const vscode = field("vscode");
    if (vscode !== null) {
      const link = typeof node.vs_code_link === "string" && node.vs_code_link.startsWith("vscode://") ? node.vs_code_link : null;
      vscode.hidden = link === null;
      vscode.setAttribute("href", link || "#");
    }
  }

  // The admin's End session form; its antiforgery token is the one the page's own forms carry.
  function endForm(panel, session) {
    const token = document.querySelector("input[name='__RequestVerificationToken']");
    if (panel.dataset.canEnd !== "true" || !session.id || token === null) {
      return [];
    }
    const form = element("form", "inline-form end-session");
    form.method = "post";
    form.action = "/jobs/" + panel.dataset.job + "/ssh/sessions/" + session.id + "/end";
    form.appendChild(token.cloneNode(false));
    const back = element("input");
    back.type = "hidden";
    back.name = "back";
    back.value = "/jobs/" + panel.dataset.job + "?attempt=" + panel.dataset.attempt;
    form.appendChild(back);
    const button = element("button", "button button-quiet button-danger", "End session");
    button.type = "submit";
    form.appendChild(button);
    return [" ", form];
  }

  function renderSessions(panel, sessions) {
    const body = panel.querySelector("[data-ssh-sessions]");
    body.textContent = "";
    const ordered = sessions.slice().sort(function (a, b) {
      const live = (a.ended_at ? 1 : 0) - (b.ended_at ? 1 : 0);
      return live !== 0 ? live : Date.parse(b.started_at) - Date.parse(a.started_at);
    });
    for (const session of ordered) {
      const row = element("tr", session.ended_at ? "ended" : "live");
      const who = [session.user || "?", " "];
      if (session.read_only === true) {
        who.push(element("span", "tag", "read-only"), " ");
      }
      if (session.via === "web") {
        who.push(element("span", "tag tag-web", "via web"), " ");
      }
      who.push(element("code", "wrap muted", session.fingerprint || ""));
      row.appendChild(cell("th", "Who", who));
      row.appendChild(cell("td", "Node", [String(session.node)]));
      row.appendChild(cell("td", "From", [session.address]));
      row.appendChild(cell("td", "Since", [time(session.started_at)]));
      row.appendChild(cell("td", "State", session.ended_at
        ? ["ended ", time(session.ended_at), session.ended_by ? " by " + session.ended_by : ""]
        : [element("span", "tag tag-live", "connected")].concat(session.ended_by ? [" ending (asked by " + session.ended_by + ")"] : endForm(panel, session))));
      row.appendChild(cell("td", "Command", [session.command ? session.command : "login shell"]));
      body.appendChild(row);
    }
    panel.querySelector("[data-ssh-sessions-empty]").hidden = sessions.length > 0;
  }

  function renderRefused(panel, events) {
    const body = panel.querySelector("[data-ssh-refused]");
    body.textContent = "";
    const refused = events.filter(function (e) { return !e.accepted; }).reverse();
    for (const event of refused) {
      const row = element("tr");
      const key = [element("code", "wrap", event.fingerprint || "no key")];
      if (event.key_type) {
        key.push(" " + event.key_type);
      }
      if (event.user) {
        key.push(" (" + event.user + ")");
      }
      row.appendChild(cell("th", "Key", key));
      row.appendChild(cell("td", "Node", [String(event.node)]));
      row.appendChild(cell("td", "From", [event.address]));
      row.appendChild(cell("td", "When", [time(event.at)]));
      row.appendChild(cell("td", "Why", [event.reason || ""]));
      body.appendChild(row);
    }
    panel.querySelector("[data-ssh-refused-empty]").hidden = refused.length > 0;
  }

  // A terminal of this page is open (or opening): a form posted the usual way would leave the page, and close it.
  function terminalOpen(panel) {
    return panel.querySelector(".terminal-slot.terminal-open") !== null;
  }

  function showNotice(panel, text, isError) {
    let notice = panel.querySelector("[data-ssh-notice]");
    if (notice === null) {
      notice = element("p");
      notice.setAttribute("data-ssh-notice", "");
      panel.querySelector("#ssh-sessions-heading").after(notice);
    }
    notice.className = "notice " + (isError ? "notice-error" : "notice-info");
    notice.setAttribute("role", isError ? "alert" : "status");
    notice.textContent = text;
  }

  // End session while a terminal is open: the same form (its antiforgery token), sent with fetch; the page it redirects
  // to is read only for its one-time message, as text.
  function endWithoutLeaving(panel, refresh) {
    panel.addEventListener("submit", async function (event) {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("end-session") || !terminalOpen(panel)) {
        return;
      }
      event.preventDefault();
      const button = form.querySelector("button");
      if (button !== null) {
        button.disabled = true;
      }
      try {
        const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const flash = page.querySelector(".flash");
        showNotice(panel, flash !== null ? flash.textContent.trim() : "The server answered " + response.status + ".",
          flash === null ? !response.ok : flash.classList.contains("notice-error"));
      } catch (e) {
        showNotice(panel, "The session could not be ended: the server did not answer.", true);
        if (button !== null) {
          button.disabled = false;
        }
      }
      refresh();
    });
  }

  function start(panel) {
    const url = "/api/jobs/" + panel.dataset.job + "/ssh?attempt=" + panel.dataset.attempt;
    let last = "";
    let timer = null;
    let polling = false;
    let again = false;
    async function poll() {
      if (polling) {
        again = true;
        return;
      }
      polling = true;
      clearTimeout(timer);
      let done = false;
      if (document.hidden) {
        // Nobody looks: ask again when the tab is shown (visibilitychange) or at the next tick.
        polling = false;
        timer = setTimeout(poll, POLL_MS);
        return;
      }
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) {
          const text = await response.text();
          const view = JSON.parse(text);
          for (const node of view.nodes) {
            // The open command carries the run's secret token: this page neither shows it nor hands it on.
            delete node.open_access_command;
          }
          if (text !== last) {
            last = text;
            for (const node of view.nodes) {
              renderNode(panel, node);
            }
            renderSessions(panel, view.sessions);
            renderRefused(panel, view.key_events);
            if (window.porthole && window.porthole.localTimes) {
              window.porthole.localTimes(panel);
            }
            panel.dispatchEvent(new CustomEvent("porthole:ssh-view", { detail: view }));
          }
          done = view.nodes.every(function (node) { return FINISHED.has(node.status); });
        }
      } catch (e) {
        // Try again at the next tick.
      }
      polling = false;
      if (done) {
        panel.dataset.live = "false";
      } else if (again) {
        again = false;
        poll();
      } else {
        timer = setTimeout(poll, POLL_MS);
      }
    }
    poll();
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && panel.dataset.live === "true") {
        poll();
      }
    });
    return function () {
      if (panel.dataset.live === "true") {
        poll();
      }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    const panel = document.getElementById("ssh-panel");
    if (panel !== null && panel.dataset.live === "true") {
      endWithoutLeaving(panel, start(panel));
    }
  });
})();
