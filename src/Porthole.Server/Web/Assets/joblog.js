// The job page's logs (R-WEB-1, R-CI-5): each step's log with its ANSI colours, loaded from the API when its section
// is open, and followed live through the node's log stream (GET /api/jobs/ID/log/stream); steps that start while the
// page is open get their section, and statuses update, from GET /api/jobs/ID. Log text reaches the page only as text
// nodes (textContent), never as HTML. Work is done in animation frames and a step keeps its last MAX_LINES lines, so a
// long or fast log never freezes the page.
"use strict";

(function () {
  const MAX_LINES = 5000;
  const FETCH_LIMIT = 1 << 20; // a step's log larger than this is fetched from its last MiB only
  const CHUNK = 64 * 1024; // characters parsed at a time
  const FRAME_BUDGET_MS = 8;
  const REFRESH_MS = 2000;
  // A browser opens at most 6 connections to a server: the first running nodes are followed by their stream, the
  // others by the step list and fetches every REFRESH_MS, so fetches always have a connection left.
  const MAX_STREAMS = 4;
  // The runner sends a step's report right after the bytes it points at, so for a moment the server can have a new
  // step's first bytes and not yet the step. A step list read this long after bytes arrived places them for certain.
  const GRACE_MS = 1000;

  // ---------------------------------------------------------------------------------------------------------------
  // ANSI → DOM: SGR (bold, dim, italic, underline, inverse, strike, the 16 colours, 256 colours, truecolor, reset);
  // every other escape sequence and control character is dropped; a carriage return starts the line again (progress).

  const SPECIAL = /[\x00-\x08\x0a-\x1f\x7f]/g;
  const PLAIN = "|null|null"; // the style key of text without any attribute
  const CUBE = [0, 95, 135, 175, 215, 255];

  function color256(n) {
    if (n < 16) {
      return n;
    }
    if (n < 232) {
      const i = n - 16;
      return "rgb(" + CUBE[Math.floor(i / 36)] + "," + CUBE[Math.floor(i / 6) % 6] + "," + CUBE[i % 6] + ")";
    }
    const gray = 8 + (n - 232) * 10;
    return "rgb(" + gray + "," + gray + "," + gray + ")";
  }

  function freshStyle() {
    return { bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false, fg: null, bg: null };
  }

  // A colour is null (the default), a number 0–15 (a palette class, themed by the stylesheet) or an "rgb(…)" string.
  function colorClass(kind, color) {
    return typeof color === "number" ? " ansi-" + kind + "-" + color : "";
  }

  function AnsiLog(container, onTrim) {
    this.container = container;
    this.onTrim = onTrim;
    this.style = freshStyle();
    this.restyle();
    this.segments = []; // the current line: [{ text, key, className, fg, bg }]
    this.carry = ""; // an escape sequence cut by the end of a chunk
    this.cr = false; // a carriage return at the end of a chunk: is it followed by a newline?
    this.queue = [];
    this.queued = 0;
    this.partial = null; // the element showing the current, unfinished line
    this.fragment = null;
    this.emitted = 0;
    this.dropFirstLine = false;
  }

  AnsiLog.prototype.enqueue = function (text) {
    if (text.length === 0) {
      return;
    }
    this.queue.push(text);
    this.queued += text.length;
    frames.add(this);
  };

  // Writes queued text to the page until the frame's time is used up; true when the queue is empty.
  AnsiLog.prototype.drain = function (deadline) {
    const follow = this.atBottom();
    this.skipAhead();
    this.fragment = document.createDocumentFragment();
    while (this.queue.length > 0 && performance.now() < deadline) {
      let text = this.queue[0];
      if (text.length > CHUNK) {
        this.queue[0] = text.slice(CHUNK);
        text = text.slice(0, CHUNK);
      } else {
        this.queue.shift();
      }
      this.queued -= text.length;
      this.parse(text, true);
    }
    if (this.partial !== null && this.partial.parentNode === this.container) {
      this.container.insertBefore(this.fragment, this.partial);
    } else {
      this.container.appendChild(this.fragment);
    }
    this.fragment = null;
    this.showPartial();
    this.trim();
    if (follow) {
      this.container.scrollTop = this.container.scrollHeight;
    }
    return this.queue.length === 0;
  };

  // When the queue alone holds more than MAX_LINES lines, only its last MAX_LINES lines are drawn: the text before
  // them is parsed for its colours only, and what the page showed before is dropped.
  AnsiLog.prototype.skipAhead = function () {
    if (this.queued < MAX_LINES * 20) {
      return;
    }
    const all = this.queue.join("");
    let cut = all.length;
    for (let lines = 0; lines < MAX_LINES && cut > 0; lines++) {
      cut = all.lastIndexOf("\n", cut - 1);
      if (cut < 0) {
        return;
      }
    }
    if (cut <= 0) {
      return;
    }
    this.parse(all.slice(0, cut + 1), false);
    this.queue = [all.slice(cut + 1)];
    this.queued = this.queue[0].length;
    this.container.textContent = "";
    this.partial = null;
    this.onTrim();
  };

  AnsiLog.prototype.atBottom = function () {
    const c = this.container;
    return c.scrollHeight - c.scrollTop - c.clientHeight < 8;
  };

  AnsiLog.prototype.trim = function () {
    const excess = this.container.childElementCount - MAX_LINES;
    if (excess > 0) {
      const range = document.createRange();
      range.setStartBefore(this.container.firstElementChild);
      range.setEndAfter(this.container.children[excess - 1]);
      range.deleteContents();
      this.onTrim();
    }
  };

  AnsiLog.prototype.parse = function (text, emit) {
    if (this.carry.length > 0) {
      text = this.carry + text;
      this.carry = "";
    }
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.cr) {
        this.cr = false;
        if (text.charCodeAt(i) !== 10) {
          this.segments = [];
        }
      }
      SPECIAL.lastIndex = i;
      const match = SPECIAL.exec(text);
      const j = match === null ? n : match.index;
      if (j > i && emit) {
        this.addText(text.slice(i, j));
      }
      if (match === null) {
        break;
      }
      const c = text.charCodeAt(j);
      if (c === 10) {
        this.endLine(emit);
        i = j + 1;
      } else if (c === 13) {
        if (j + 1 < n) {
          if (text.charCodeAt(j + 1) !== 10) {
            this.segments = [];
          }
        } else {
          this.cr = true;
        }
        i = j + 1;
      } else if (c === 27) {
        const end = this.escape(text, j);
        if (end < 0) {
          const rest = text.slice(j);
          this.carry = rest.length < 4096 ? rest : "";
          return;
        }
        i = end;
      } else if (c === 8) {
        this.backspace();
        i = j + 1;
      } else {
        i = j + 1;
      }
    }
  };

  // The index after the escape sequence at text[j], or -1 when the text ends inside it.
  AnsiLog.prototype.escape = function (text, j) {
    const n = text.length;
    if (j + 1 >= n) {
      return -1;
    }
    const kind = text.charCodeAt(j + 1);
    if (kind === 0x5b) {
      // CSI: parameters 0x30–0x3f, intermediates 0x20–0x2f, a final byte 0x40–0x7e.
      for (let k = j + 2; k < n; k++) {
        const c = text.charCodeAt(k);
        if (c >= 0x40 && c <= 0x7e) {
          if (c === 0x6d) {
            const params = text.slice(j + 2, k);
            if (/^[0-9;:]*$/.test(params)) {
              this.sgr(params);
            }
          }
          return k + 1;
        }
        if (c < 0x20 || c > 0x3f) {
          return k;
        }
      }
      return -1;
    }
    if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) {
      // OSC (ends with BEL or ESC \), DCS, SOS, PM, APC (end with ESC \).
      for (let k = j + 2; k < n; k++) {
        const c = text.charCodeAt(k);
        if (c === 7 && kind === 0x5d) {
          return k + 1;
        }
        if (c === 27) {
          if (k + 1 >= n) {
            return -1;
          }
          return text.charCodeAt(k + 1) === 0x5c ? k + 2 : k;
        }
      }
      return -1;
    }
    // Any other: ESC, intermediates 0x20–0x2f, a final byte 0x30–0x7e (charset choices and the like).
    let k = j + 1;
    while (k < n && text.charCodeAt(k) >= 0x20 && text.charCodeAt(k) <= 0x2f) {
      k++;
    }
    if (k >= n) {
      return -1;
    }
    const c = text.charCodeAt(k);
    return c >= 0x30 && c <= 0x7e ? k + 1 : k;
  };

  AnsiLog.prototype.sgr = function (params) {
    let s = this.style;
    const groups = params.length === 0 ? ["0"] : params.split(";");
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      if (group.indexOf(":") >= 0) {
        // ITU T.416's colon form: 38:2::R:G:B, 38:2:R:G:B, 38:5:N; 4:N underline styles.
        const parts = group.split(":");
        const code = Number(parts[0]);
        if (code === 38 || code === 48) {
          let color = null;
          if (parts[1] === "5" && parts.length >= 3) {
            color = color256(Number(parts[2]) & 255);
          } else if (parts[1] === "2" && parts.length >= 5) {
            color = "rgb(" + parts.slice(-3).map(function (v) { return Number(v) & 255; }).join(",") + ")";
          }
          if (code === 38) { s.fg = color; } else { s.bg = color; }
        } else if (code === 4) {
          s.underline = parts[1] !== "0";
        }
        continue;
      }
      const code = group === "" ? 0 : Number(group);
      if (code === 38 || code === 48) {
        let color = null;
        const mode = Number(groups[g + 1]);
        if (mode === 5 && g + 2 < groups.length) {
          color = color256(Number(groups[g + 2]) & 255);
          g += 2;
        } else if (mode === 2 && g + 4 < groups.length) {
          color = "rgb(" + [groups[g + 2], groups[g + 3], groups[g + 4]].map(function (v) { return Number(v) & 255; }).join(",") + ")";
          g += 4;
        } else {
          g = groups.length;
        }
        if (code === 38) { s.fg = color; } else { s.bg = color; }
      } else if (code === 0) { s = this.style = freshStyle(); }
      else if (code === 1) { s.bold = true; }
      else if (code === 2) { s.dim = true; }
      else if (code === 3) { s.italic = true; }
      else if (code === 4 || code === 21) { s.underline = true; }
      else if (code === 7) { s.inverse = true; }
      else if (code === 9) { s.strike = true; }
      else if (code === 22) { s.bold = false; s.dim = false; }
      else if (code === 23) { s.italic = false; }
      else if (code === 24) { s.underline = false; }
      else if (code === 27) { s.inverse = false; }
      else if (code === 29) { s.strike = false; }
      else if (code >= 30 && code <= 37) { s.fg = code - 30; }
      else if (code === 39) { s.fg = null; }
      else if (code >= 40 && code <= 47) { s.bg = code - 40; }
      else if (code === 49) { s.bg = null; }
      else if (code >= 90 && code <= 97) { s.fg = code - 90 + 8; }
      else if (code >= 100 && code <= 107) { s.bg = code - 100 + 8; }
    }
    this.restyle();
  };

  AnsiLog.prototype.restyle = function () {
    const s = this.style;
    const fg = s.inverse ? s.bg : s.fg;
    const bg = s.inverse ? s.fg : s.bg;
    let className = (s.bold ? " ansi-bold" : "") + (s.dim ? " ansi-dim" : "") + (s.italic ? " ansi-italic" : "") +
      (s.underline ? " ansi-underline" : "") + (s.strike ? " ansi-strike" : "") + colorClass("fg", fg) + colorClass("bg", bg);
    if (s.inverse) {
      className += (fg === null ? " ansi-fg-inverse" : "") + (bg === null ? " ansi-bg-inverse" : "");
    }
    this.className = className.trim();
    this.fg = typeof fg === "string" ? fg : null;
    this.bg = typeof bg === "string" ? bg : null;
    this.styleKey = this.className + "|" + this.fg + "|" + this.bg;
  };

  AnsiLog.prototype.addText = function (text) {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.key === this.styleKey) {
      last.text += text;
    } else {
      this.segments.push({ text: text, key: this.styleKey, className: this.className, fg: this.fg, bg: this.bg });
    }
  };

  AnsiLog.prototype.backspace = function () {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined) {
      last.text = last.text.slice(0, -1);
      if (last.text.length === 0) {
        this.segments.pop();
      }
    }
  };

  AnsiLog.prototype.endLine = function (emit) {
    if (emit) {
      if (this.dropFirstLine) {
        // The first line of a log fetched or followed from its middle is cut: leave it out.
        this.dropFirstLine = false;
      } else if (this.partial !== null && this.fragment.childNodes.length === 0) {
        fill(this.partial, this.segments);
        this.partial = null;
      } else {
        const line = document.createElement("div");
        line.className = "line";
        fill(line, this.segments);
        this.fragment.appendChild(line);
      }
      this.emitted++;
    }
    this.segments = [];
  };

  AnsiLog.prototype.showPartial = function () {
    if (this.segments.length === 0 && this.partial === null) {
      return;
    }
    if (this.dropFirstLine) {
      return;
    }
    if (this.partial === null) {
      this.partial = document.createElement("div");
      this.partial.className = "line";
      this.container.appendChild(this.partial);
    }
    fill(this.partial, this.segments);
  };

  function fill(line, segments) {
    line.textContent = "";
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment.key === PLAIN) {
        line.appendChild(document.createTextNode(segment.text));
      } else {
        const span = document.createElement("span");
        if (segment.className) {
          span.className = segment.className;
        }
        if (segment.fg !== null) {
          span.style.color = segment.fg;
        }
        if (segment.bg !== null) {
          span.style.backgroundColor = segment.bg;
        }
        span.textContent = segment.text;
        line.appendChild(span);
      }
    }
  }

  // One requestAnimationFrame loop for every log on the page.
  const frames = {
    waiting: new Set(),
    scheduled: false,
    add: function (log) {
      this.waiting.add(log);
      if (!this.scheduled) {
        this.scheduled = true;
        requestAnimationFrame(run);
      }
    },
  };

  function run() {
    frames.scheduled = false;
    const deadline = performance.now() + FRAME_BUDGET_MS;
    for (const log of Array.from(frames.waiting)) {
      if (log.drain(deadline)) {
        frames.waiting.delete(log);
      }
      if (performance.now() >= deadline) {
        break;
      }
    }
    if (frames.waiting.size > 0) {
      frames.scheduled = true;
      requestAnimationFrame(run);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The page: nodes, their steps, the live stream, and the step list's refresh.

  // Shared with the other live scripts (porthole.js, which runs first).
  const FINISHED = window.porthole.status.finished;
  const setStatus = window.porthole.status.set;
  const encoder = new TextEncoder();
  // A step's section starts with the runner's bold header line (LogLines.Header): "ESC[1m==> NAME".
  const HEADER = encoder.encode("\u001b[1m==> ");

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // As DurationText.Format on the server.
  function duration(start, end) {
    if (!start || !end) {
      return "";
    }
    const ms = Date.parse(end) - Date.parse(start);
    if (!(ms >= 1000)) {
      return ms >= 0 ? "<1 s" : "";
    }
    const s = Math.floor(ms / 1000);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return Math.floor(s / 60) + " min " + pad(s % 60) + " s";
    }
    return Math.floor(s / 3600) + " h " + pad(Math.floor((s % 3600) / 60)) + " min";
  }

  function concat(a, b) {
    if (a.length === 0) {
      return b;
    }
    const both = new Uint8Array(a.length + b.length);
    both.set(a, 0);
    both.set(b, a.length);
    return both;
  }

  function startsWith(bytes, at, prefix) {
    if (at + prefix.length > bytes.length) {
      return false;
    }
    for (let k = 0; k < prefix.length; k++) {
      if (bytes[at + k] !== prefix[k]) {
        return false;
      }
    }
    return true;
  }

  function Step(node, element) {
    this.node = node;
    this.element = element;
    this.index = Number(element.dataset.step);
    this.status = element.dataset.status;
    this.logStart = Number(element.dataset.logStart);
    this.logEnd = element.dataset.logEnd === undefined ? null : Number(element.dataset.logEnd);
    this.background = element.dataset.background === "true";
    this.startedAt = element.dataset.startedAt;
    this.finishedAt = element.dataset.finishedAt;
    this.state = "idle"; // idle, loading, loaded (fetched), live (written by the stream)
    this.fetched = 0; // bytes of the step fetched so far
    this.fetchedAll = false;
    this.note = element.querySelector("[data-field=note]");
    const self = this;
    this.log = new AnsiLog(element.querySelector(".log"), function () { self.truncated(); });
    element.addEventListener("toggle", function () {
      if (element.open) {
        self.load();
      }
    });
  }

  Step.prototype.plainUrl = function () {
    const page = this.node.page;
    return "/api/jobs/" + page.job + "/log?attempt=" + page.attempt + "&node=" + this.node.index + "&step=" + this.index;
  };

  Step.prototype.truncated = function () {
    if (!this.note.hidden) {
      return;
    }
    this.note.textContent = "Showing the last " + MAX_LINES + " lines. ";
    const link = document.createElement("a");
    link.href = this.plainUrl();
    link.textContent = "Show the whole log";
    this.note.appendChild(link);
    this.note.appendChild(document.createTextNode(" (plain text)."));
    this.note.hidden = false;
  };

  // A step's log from the API (GET /log?step=N&offset=…): once when it is opened, again for what a step that was
  // still running (a background one) wrote since.
  Step.prototype.load = async function () {
    if (this.state === "live" || this.state === "loading" || (this.state === "loaded" && this.logEnd !== null && this.fetchedAll)) {
      return;
    }
    const size = this.logEnd === null ? null : this.logEnd - this.logStart;
    if (size === 0) {
      this.state = "loaded";
      this.fetchedAll = true;
      this.empty();
      return;
    }
    let offset = this.fetched;
    if (offset === 0 && size !== null && size > FETCH_LIMIT) {
      offset = size - FETCH_LIMIT;
      this.log.dropFirstLine = true;
      this.truncated();
    }
    this.state = "loading";
    try {
      const response = await fetch(this.plainUrl() + "&offset=" + offset, { credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.fetched = offset + bytes.length;
      this.fetchedAll = this.logEnd !== null && this.fetched >= this.logEnd - this.logStart;
      this.log.enqueue(new TextDecoder().decode(bytes));
      if (this.fetched === 0 && this.fetchedAll) {
        this.empty();
      }
      this.state = "loaded";
    } catch (e) {
      this.state = "idle";
      this.note.textContent = "The log could not be loaded (" + e.message + "): close and open the step to try again.";
      this.note.hidden = false;
    }
  };

  Step.prototype.empty = function () {
    if (this.log.container.childElementCount === 0) {
      const line = document.createElement("div");
      line.className = "line muted";
      line.textContent = "No output.";
      this.log.container.appendChild(line);
    }
  };

  Step.prototype.write = function (bytes) {
    this.state = "live";
    this.log.enqueue(new TextDecoder().decode(bytes));
  };

  Step.prototype.update = function (view) {
    const wasRunning = !FINISHED.has(this.status);
    this.status = view.status;
    this.logEnd = view.log_end === undefined ? null : view.log_end;
    this.finishedAt = view.finished_at;
    this.element.dataset.status = view.status;
    if (this.logEnd !== null) {
      this.element.dataset.logEnd = String(this.logEnd);
    }
    setStatus(this.element.querySelector("[data-field=status]"), view.status);
    this.element.querySelector("[data-field=duration]").textContent = duration(view.started_at, view.finished_at);
    this.element.querySelector("[data-field=exit]").textContent = view.exit_code === undefined ? "" : "exit " + view.exit_code;
    if (wasRunning && FINISHED.has(view.status)) {
      // A step that failed opens; one that is open stays so (the reader may be reading it).
      if (view.status !== "success" && view.status !== "not_run" && !this.element.open) {
        this.element.open = true;
      }
    }
    if (wasRunning && this.state === "loaded" && this.element.open) {
      // A step not followed by the stream (a background one, or of a node beyond MAX_STREAMS): what it wrote since.
      this.load();
    }
  };

  function Node(page, section) {
    this.page = page;
    this.section = section;
    this.index = Number(section.dataset.node);
    this.status = section.dataset.status;
    this.logLength = Number(section.dataset.logLength);
    this.steps = [];
    this.received = 0; // the end of the bytes the stream delivered
    this.pending = new Uint8Array(0); // bytes not yet given to a step, from pendingStart
    this.pendingStart = 0;
    this.lastByte = 10;
    // Bytes below this arrived at least GRACE_MS before a step list was read: that list knows every step they belong to.
    this.checkedUpTo = 0;
    this.history = []; // [time, received] as bytes arrive, for checkedUpTo
    this.source = null;
    this.ended = FINISHED.has(this.status);
    const self = this;
    this.tail = new AnsiLog(section.querySelector(".node-tail"), function () {});
    for (const element of section.querySelectorAll("details.step")) {
      this.steps.push(new Step(this, element));
    }
    this.live = !this.ended && page.streams < MAX_STREAMS;
    for (const step of this.steps) {
      if (step.element.open && (FINISHED.has(step.status) || step.background || !this.live)) {
        step.load();
      }
    }
    if (this.live) {
      page.streams++;
      self.follow(this.streamStart());
    }
  }

  // Where the stream starts: at the running step, else after the last step (the steps before it are fetched when
  // opened); never more than FETCH_LIMIT before the log's end.
  Node.prototype.streamStart = function () {
    const foreground = this.steps.filter(function (s) { return !s.background; });
    const running = foreground.find(function (s) { return s.logEnd === null; });
    let start = running !== undefined
      ? running.logStart
      : foreground.reduce(function (end, s) { return Math.max(end, s.logEnd === null ? s.logStart : s.logEnd); }, 0);
    if (this.logLength - start > FETCH_LIMIT) {
      start = this.logLength - FETCH_LIMIT;
      const step = this.stepAt(start);
      if (step !== null) {
        step.log.dropFirstLine = true;
        step.truncated();
      }
    }
    if (running !== undefined) {
      running.state = "live";
    }
    this.checkedUpTo = start;
    this.received = start;
    this.pendingStart = start;
    return start;
  };

  Node.prototype.follow = function (offset) {
    const page = this.page;
    const url = "/api/jobs/" + page.job + "/log/stream?attempt=" + page.attempt + "&node=" + this.index + "&offset=" + offset;
    const source = new EventSource(url);
    const self = this;
    this.source = source;
    source.addEventListener("log", function (event) {
      self.receive(JSON.parse(event.data));
    });
    source.addEventListener("end", function () {
      source.close();
      self.source = null;
      self.ended = true;
      page.refresh();
    });
    source.addEventListener("error", function () {
      // Reconnect from where the page is, not from the first offset (EventSource would repeat the same URL).
      source.close();
      self.source = null;
      if (!self.ended) {
        setTimeout(function () { if (!self.ended && self.source === null) { self.follow(self.received); } }, 1000);
      }
    });
  };

  Node.prototype.receive = function (event) {
    if (event.next <= this.received) {
      return;
    }
    let bytes = encoder.encode(event.text);
    if (event.offset < this.received) {
      bytes = bytes.subarray(Math.min(bytes.length, this.received - event.offset));
    }
    if (this.pending.length === 0) {
      this.pendingStart = this.received;
    }
    this.pending = concat(this.pending, bytes);
    this.received = event.next;
    const now = performance.now();
    this.history.push([now, this.received]);
    while (this.history.length > 1 && this.history[1][0] <= now - 2 * GRACE_MS) {
      this.history.shift();
    }
    this.route();
  };

  // How far the stream had come at a moment (performance.now()); where it started when that is before it all.
  Node.prototype.receivedAt = function (moment) {
    let received = this.checkedUpTo;
    for (const [time, end] of this.history) {
      if (time > moment) {
        break;
      }
      received = Math.max(received, end);
    }
    return received;
  };

  Node.prototype.stepAt = function (position) {
    for (const step of this.steps) {
      if (!step.background && step.logStart <= position && (step.logEnd === null || position < step.logEnd) && step.logStart !== step.logEnd) {
        return step;
      }
    }
    return null;
  };

  Node.prototype.nextStepStart = function (position) {
    let next = Infinity;
    for (const step of this.steps) {
      if (!step.background && step.logStart > position && step.logStart < next) {
        next = step.logStart;
      }
    }
    return next;
  };

  // Gives the pending bytes to the steps they belong to. Bytes the step list cannot place yet (a step started after
  // the list was read) wait for the next list: a running step takes its bytes up to a line that starts like a step's
  // header which the list has not seen.
  Node.prototype.route = function () {
    let position = this.pendingStart;
    let bytes = this.pending;
    let unplaced = false;
    while (bytes.length > 0) {
      const step = this.stepAt(position);
      let take;
      if (step === null) {
        if (position < this.checkedUpTo) {
          // The node's own lines outside any step.
          take = Math.min(bytes.length, this.nextStepStart(position) - position);
          this.tail.container.hidden = false;
          this.tail.enqueue(new TextDecoder().decode(bytes.subarray(0, take)));
        } else {
          unplaced = true;
          break;
        }
      } else {
        take = step.logEnd === null ? bytes.length : Math.min(bytes.length, step.logEnd - position);
        if (step.logEnd === null) {
          const cut = this.headerCut(bytes, position, step);
          if (cut >= 0) {
            take = cut;
            // A whole header waits for the step list; the start of one, for the bytes that complete it.
            unplaced = unplaced || startsWith(bytes, cut, HEADER);
          }
        }
        if (take > 0) {
          step.write(bytes.subarray(0, take));
        }
      }
      if (take <= 0) {
        break;
      }
      this.lastByte = bytes[take - 1];
      position += take;
      bytes = bytes.subarray(take);
    }
    this.pendingStart = position;
    this.pending = bytes;
    if (unplaced) {
      this.page.refreshSoon();
    }
  };

  // The first place in bytes (at position) where a line starts with a step header the step list has not confirmed,
  // or where an unfinished line could still become one; -1 when there is none.
  Node.prototype.headerCut = function (bytes, position, step) {
    let from = 0;
    while (from < bytes.length) {
      const at = bytes.indexOf(27, from);
      if (at < 0) {
        return -1;
      }
      const lineStart = at === 0 ? this.lastByte === 10 : bytes[at - 1] === 10;
      if (lineStart && position + at !== step.logStart && position + at >= this.checkedUpTo) {
        if (startsWith(bytes, at, HEADER) || (bytes.length - at < HEADER.length && startsWith(HEADER, 0, bytes.subarray(at)))) {
          return at;
        }
      }
      from = at + 1;
    }
    return -1;
  };

  Node.prototype.apply = function (view, readAt) {
    this.status = view.status;
    this.section.dataset.status = view.status;
    setStatus(this.section.querySelector("[data-field=status]"), view.status);
    const message = this.section.querySelector("[data-field=message]");
    if (view.message) {
      message.textContent = view.message;
      message.hidden = false;
    }
    for (const stepView of view.steps) {
      let step = this.steps.find(function (s) { return s.index === stepView.index; });
      if (step === undefined) {
        step = this.addStep(stepView);
      }
      step.update(stepView);
    }
    this.section.querySelector("[data-field=no-steps]").hidden = this.steps.length > 0;
    // A finished node's steps are all reported (the runner sends everything before it ends the node).
    this.checkedUpTo = FINISHED.has(view.status) ? Infinity : Math.max(this.checkedUpTo, this.receivedAt(readAt - GRACE_MS));
    this.route();
  };

  Node.prototype.addStep = function (view) {
    const template = document.getElementById("step-template");
    const element = template.content.firstElementChild.cloneNode(true);
    const page = this.page;
    element.id = "node-" + this.index + "-step-" + view.index;
    element.dataset.step = String(view.index);
    element.dataset.status = view.status;
    element.dataset.logStart = String(view.log_start);
    if (view.log_end !== undefined) {
      element.dataset.logEnd = String(view.log_end);
    } else {
      delete element.dataset.logEnd;
    }
    if (view.background) {
      element.dataset.background = "true";
    }
    element.querySelector(".step-name").textContent = view.name + (view.background ? " (background)" : "");
    element.querySelector(".log").setAttribute("aria-label", "Log of " + view.name);
    element.querySelector("[data-field=plain]").href =
      "/api/jobs/" + page.job + "/log?attempt=" + page.attempt + "&node=" + this.index + "&step=" + view.index;
    const running = view.status === "running" && !view.background;
    element.open = running;
    this.section.querySelector(".steps").appendChild(element);
    const step = new Step(this, element);
    this.steps.push(step);
    this.steps.sort(function (a, b) { return a.index - b.index; });
    if ((step.background || !this.live) && step.element.open) {
      step.load();
    }
    return step;
  };

  function JobLog(root) {
    this.root = root;
    this.job = root.dataset.job;
    this.attempt = Number(root.dataset.attempt);
    this.refreshing = false;
    this.again = false;
    this.timer = null;
    this.soon = null;
    this.streams = 0;
    this.lastAsked = 0;
    this.nodes = Array.from(root.querySelectorAll("section.node")).map(function (section) { return new Node(this, section); }, this);
    if (!FINISHED.has(root.dataset.attemptStatus)) {
      const self = this;
      // Not while the tab is hidden: a debug session can stay open for hours in a tab nobody looks at.
      this.timer = setInterval(function () { if (!document.hidden) { self.refresh(); } }, REFRESH_MS);
      document.addEventListener("visibilitychange", function () { if (!document.hidden && self.timer !== null) { self.refresh(); } });
    }
  }

  // Reads the job (GET /api/jobs/ID) for its steps and statuses; one request at a time, and one more after it when
  // asked for during it, so that what was asked for is always answered by a list read after the ask.
  JobLog.prototype.refresh = async function () {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = true;
    const askedAt = performance.now();
    this.lastAsked = askedAt;
    try {
      const response = await fetch("/api/jobs/" + this.job, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        this.apply(await response.json(), askedAt);
      }
    } catch (e) {
      // The next tick tries again.
    } finally {
      this.refreshing = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  };

  // A refresh soon, at most one every 150 ms: for bytes waiting for their step to be listed.
  JobLog.prototype.refreshSoon = function () {
    if (this.soon !== null) {
      return;
    }
    const self = this;
    this.soon = setTimeout(function () {
      self.soon = null;
      self.refresh();
    }, Math.max(0, this.lastAsked + 150 - performance.now()));
  };

  JobLog.prototype.apply = function (job, askedAt) {
    const self = this;
    const attempt = job.attempts.find(function (a) { return a.number === self.attempt; });
    if (attempt === undefined) {
      return;
    }
    setStatus(document.querySelector("[data-job-status]"), job.status);
    setStatus(this.root.querySelector("[data-attempt-status-badge]"), attempt.status);
    const row = document.querySelector("tr[data-attempt='" + attempt.number + "']");
    if (row !== null) {
      setStatus(row.querySelector("[data-field=status]"), attempt.status);
      row.querySelector("[data-field=duration]").textContent = duration(attempt.started_at, attempt.finished_at);
    }
    for (const view of attempt.nodes) {
      const node = this.nodes.find(function (n) { return n.index === view.index; });
      if (node !== undefined) {
        node.apply(view, askedAt);
      }
    }
    if (FINISHED.has(attempt.status)) {
      this.root.dataset.attemptStatus = attempt.status;
      if (this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
        this.root.querySelector("[data-attempt-ended]").hidden = false;
        for (const element of document.querySelectorAll("[data-while-running]")) {
          element.hidden = true;
        }
      }
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("job-log");
    if (root !== null) {
      window.porthole = window.porthole || {};
      window.porthole.jobLog = new JobLog(root);
    }
  });
})();
