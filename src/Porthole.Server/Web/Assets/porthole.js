// Porthole's own script for every page: small progressive enhancements; every page works without it.
"use strict";

(function () {
  // <time datetime="…" data-local-time>: show the moment in the reader's time zone (the server writes UTC).
  function localTimes(root) {
    for (const element of root.querySelectorAll("time[data-local-time]")) {
      const moment = new Date(element.getAttribute("datetime"));
      if (!isNaN(moment)) {
        element.title = element.textContent;
        element.textContent = moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      }
    }
  }

  // <button data-copy="#id">: copies the text of the element #id (the value of an input) and says so (for the SSH command and the like).
  function copyButtons(root) {
    for (const button of root.querySelectorAll("button[data-copy]")) {
      button.addEventListener("click", async function () {
        const source = document.querySelector(button.getAttribute("data-copy"));
        if (!source) {
          return;
        }
        const label = button.textContent;
        try {
          const text = source instanceof HTMLInputElement || source instanceof HTMLTextAreaElement ? source.value : source.textContent;
          await navigator.clipboard.writeText(text.trim());
          button.textContent = "Copied";
        } catch {
          button.textContent = "Select and copy by hand";
          if (typeof source.select === "function") {
            source.select();
          }
        }
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    }
  }

  // <details data-menu> (Components/Menu.razor): Escape closes the open menu and gives the focus back to its button;
  // a click or focus outside it closes it too. Opening and moving through it are the browser's own (Enter, Space, Tab).
  function menus() {
    document.addEventListener("keydown", function (event) {
      const menu = event.key === "Escape" && event.target instanceof Element ? event.target.closest("details[data-menu][open]") : null;
      if (menu !== null) {
        menu.open = false;
        menu.querySelector("summary").focus();
        event.preventDefault();
      }
    });
    function closeOthers(event) {
      for (const menu of document.querySelectorAll("details[data-menu][open]")) {
        if (!(event.target instanceof Node) || !menu.contains(event.target)) {
          menu.open = false;
        }
      }
    }
    document.addEventListener("click", closeOthers);
    document.addEventListener("focusin", closeOthers);
  }

  // The statuses as the server names them (Pipelines/Status.cs) and as StatusBadge.razor shows them: for the live scripts.
  const FINISHED = new Set(["success", "failed", "canceled", "timedout", "infrastructure_fail", "not_run"]);
  const STATUS_LABELS = { timedout: "timed out", infrastructure_fail: "infrastructure failure", not_run: "not run" };
  function statusLabel(status) {
    return STATUS_LABELS[status] || status;
  }
  // Updates the status badge (.status) inside holder.
  function setStatus(holder, status) {
    const badge = holder === null ? null : holder.querySelector(".status");
    if (badge !== null && status) {
      badge.className = "status status-" + status.replace(/_/g, "-");
      badge.textContent = statusLabel(status);
    }
  }

  window.porthole = { localTimes: localTimes, status: { finished: FINISHED, label: statusLabel, set: setStatus } };
  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    copyButtons(document);
    menus();
  });
})();
