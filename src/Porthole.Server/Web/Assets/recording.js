// The replay page of a session recording (Pages/RecordingPage.razor): asciinema-player (from npm, loaded before this
// script) on the recording's asciicast file, read from the API with the session cookie (data-cast). The player compiles
// its terminal emulator from WebAssembly, which only this page's policy allows (SecurityHeaders.AllowWebAssembly).
// window.portholePlayer is the player (play, pause, seek, getCurrentTime, getDuration) for the browser tests and the console.
"use strict";

(function () {
  const element = document.getElementById("player");
  if (!element || !window.AsciinemaPlayer) {
    return;
  }

  window.portholePlayer = window.AsciinemaPlayer.create(element.dataset.cast, element, {
    fit: "width",
    // A session is mostly waiting for someone to type: replay the pauses as 2 s at most.
    idleTimeLimit: 2,
    preload: true,
    // The file's first screen until played, rather than a black box.
    poster: "npt:0:0.5",
  });
})();
