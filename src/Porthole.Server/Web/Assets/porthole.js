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

  // <button data-copy="#id">: copies the text of the element #id and says so (for the SSH command and the like).
  function copyButtons(root) {
    for (const button of root.querySelectorAll("button[data-copy]")) {
      button.addEventListener("click", async function () {
        const source = document.querySelector(button.getAttribute("data-copy"));
        if (!source) {
          return;
        }
        const label = button.textContent;
        try {
          await navigator.clipboard.writeText(source.textContent.trim());
          button.textContent = "Copied";
        } catch {
          button.textContent = "Select and copy by hand";
        }
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    }
  }

  window.porthole = { localTimes: localTimes, copyButtons: copyButtons };
  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    copyButtons(document);
  });
})();
