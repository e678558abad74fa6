/*
 * Chapter 12's text view: the reader's own text through the trained character-level model, live.
 *
 * It draws from the view's description (lstm_book.teaching.explorers.text_view.TextView.spec(): the vocabulary,
 * the unit picker's entries in the order Python ranked them, the parts with their colour scales and palettes, the
 * sampler's controls) and from what a *backend* computes:
 * - on the website, LocalBackend: mirror.js's `charlm` (the vector cell's forward pass, the readout, the softmax
 *   and the sampler's draws, held to lstm_book by tests/test_mirror.py) on the weights the page loads
 *   (charlm-weights.js sets LSTMCharLMWeights: float32, base64, checked against the description's fingerprint);
 * - in JupyterLab, KernelBackend: the anywidget of lstm_book.teaching.explorers.text_views; the kernel computes
 *   with lstm_book (or the reader's own equations). `export default {render}` is appended by Python.
 * A value's colour: bin floor((v - low) / (high - low) · bins) of the part's palette, clipped (as text_view.colour_of).
 */
var LSTMTextView = (function () {
  "use strict";

  var D = LSTMExplorer.dom, h = D.h, fmt = D.fmt, uid = 0;
  var now = function () { return (typeof performance !== "undefined" ? performance : Date).now(); };
  var VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"};

  function encoder(chars) {
    var index = {};
    Array.from(chars).forEach(function (ch, k) { index[ch] = k; });
    return function (text) { return Array.from(text).map(function (ch) { return ch in index ? index[ch] : 0; }); };
  }

  function colour(spec, part, v) {
    var p = spec.parts[part], b = Math.floor((v - p.low) / (p.high - p.low) * spec.bins);
    return p.palette[Math.max(0, Math.min(spec.bins - 1, b))];
  }

  // the model's probabilities for the next character after `cursor` characters: the top few, likeliest first
  function topGuesses(softmax, y, chars, top) {
    var p = softmax(y, 1), order = [];
    for (var k = 0; k < p.length; k++) order.push(k);
    order.sort(function (a, b) { return p[b] - p[a] || a - b; });
    return order.slice(0, top).map(function (k) { return [chars[k], p[k]]; });
  }

  // float32 weights, little-endian, in base64: the fourteen arrays by name, each flattened row by row
  function decodeWeights(w) {
    var bytes = atob(w.data), buffer = new ArrayBuffer(bytes.length), u8 = new Uint8Array(buffer);
    for (var k = 0; k < bytes.length; k++) u8[k] = bytes.charCodeAt(k);
    var all = new Float32Array(buffer), arrays = {}, at = 0;
    w.names.forEach(function (name, n) {
      var size = w.shapes[n].reduce(function (a, b) { return a * b; }, 1);
      arrays[name] = all.subarray(at, at + size); at += size;
    });
    return arrays;
  }

  function LocalBackend(spec, mirror, weights) {
    this.spec = spec; this.mirror = mirror; this.chars = Array.from(spec.vocabulary);
    this.encode = encoder(spec.vocabulary);
    this.model = new mirror.charlm.CharModel(decodeWeights(weights), spec.weights.H, spec.weights.V);
    this.ids = []; this.steps = []; this.times = [];
  }
  // only the characters after the first change are read again: the state before them is kept
  LocalBackend.prototype.read = function (request, done) {
    var began = now(), ids = this.encode(request.text), n = 0, H = this.model.H;
    while (n < ids.length && n < this.ids.length && ids[n] === this.ids[n]) n++;
    var last = n > 0 ? this.steps[n - 1] : null;
    this.steps = this.steps.slice(0, n).concat(this.model.read(ids.slice(n), last && last.h, last && last.c));
    this.ids = ids;
    var offset = {i: 0, j: H, f: 2 * H, o: 3 * H}[request.part], unit = request.unit;
    var values = this.steps.map(function (s) { return offset === undefined ? s[request.part][unit] : s.z[offset + unit]; });
    var cursor = request.cursor === undefined || request.cursor === null ? ids.length : request.cursor;
    var guesses = cursor > 0 ? topGuesses(this.mirror.charlm.softmax, this.steps[cursor - 1].y, this.chars, this.spec.top) : [];
    this.times.push(now() - began);
    done({values: values, guesses: guesses});
  };
  // The page writes a few characters per frame, so that it never stops answering for longer than a frame: each
  // frame's text goes to `done` as {text, partial: true}, the whole as {text}. A newer request stops an older one.
  var PER_FRAME = 40;
  var nextFrame = typeof requestAnimationFrame !== "undefined" ? requestAnimationFrame : function (f) { setTimeout(f, 0); };
  LocalBackend.prototype.sample = function (request, done) {
    var self = this, chars = this.chars, prompt = this.encode(request.prompt || "\n"), n = 0, ids = [];
    while (n < prompt.length && n < this.ids.length && prompt[n] === this.ids[n]) n++;   // the text already read
    var sampler = new this.mirror.charlm.Sampler(this.model, prompt, request.temperature, request.seed,
                                                 this.steps.slice(0, n));
    var token = this.sampling = {}, length = this.spec.length;
    (function more() {
      if (self.sampling !== token) return;
      ids = ids.concat(sampler.take(Math.min(PER_FRAME, length - ids.length)));
      var text = ids.map(function (k) { return chars[k]; }).join("");
      if (ids.length < length) { done({text: text, partial: true}); nextFrame(more); } else done({text: text});
    })();
  };

  // the kernel computes: one request of each kind at a time; an older answer than the last request is dropped
  function KernelBackend(model) {
    var self = this;
    this.model = model; this.seq = 0; this.waiting = {};
    this.onMessage = function (content) {
      if (content && content.type === "set" && self.onSet) { self.onSet(content); return; }
      var w = content && self.waiting[content.type];
      if (w && content.seq === w.seq) { delete self.waiting[content.type]; w.done(content); }
    };
    model.on("msg:custom", this.onMessage);
  }
  KernelBackend.prototype.send = function (type, request, done) {
    var message = {type: type, seq: ++this.seq};
    for (var k in request) message[k] = request[k];
    this.waiting[type] = {seq: message.seq, done: done};
    this.model.send(message);
  };
  KernelBackend.prototype.read = function (request, done) { this.send("read", request, done); };
  KernelBackend.prototype.sample = function (request, done) { this.send("sample", request, done); };

  function View(backend, el, spec) {
    var self = this, id = this.id = "lstm-textview-" + (++uid);
    this.backend = backend; this.spec = spec; this.updates = []; this.writes = [];
    this.choice = 0; this.part = spec.units[0].part; this.drawn = null; this.written = null;
    var root = this.root = h("div", {"class": "lstm-explorer-live lstm-textview", id: id, "data-lm-suppress-shortcuts": "true"}, el);
    root.addEventListener("keydown", function (event) {
      if (event.target && /INPUT|SELECT|TEXTAREA/.test(event.target.tagName)) event.stopPropagation();
    });
    var head = h("div", {"class": "lstm-explorer-head"}, root);
    h("p", {"class": "lstm-explorer-title"}, head, spec.title);
    h("p", {"class": "lstm-explorer-note"}, head, spec.note);
    h("label", {"for": id + "-text"}, root, "Your text");
    this.box = h("textarea", {id: id + "-text", rows: 5, maxlength: spec.max_chars, spellcheck: "false",
                              autocomplete: "off", "class": "lstm-textview-box"}, root);
    this.box.value = spec.text;
    var controls = h("div", {"class": "lstm-trainer-controls", role: "group", "aria-label": "what colours the text"}, root);
    var unitLabel = h("label", {"for": id + "-unit"}, controls);
    h("span", {}, unitLabel, "unit");
    this.unitSelect = h("select", {id: id + "-unit"}, unitLabel);
    spec.units.forEach(function (u, k) {
      var r = u.r === null || u.r === undefined ? "" : " (r = " + fmt(u.r, 2) + ")";
      h("option", {value: k}, self.unitSelect, u.label + r + " · " + u.part + "_t");
    });
    var partLabel = h("label", {"for": id + "-part"}, controls);
    h("span", {}, partLabel, "shown by");
    this.partSelect = h("select", {id: id + "-part"}, partLabel);
    spec.part_order.forEach(function (p) { h("option", {value: p}, self.partSelect, spec.parts[p].label); });
    this.partSelect.value = this.part;
    this.legend = h("p", {"class": "lstm-explorer-legend lstm-textview-legend"}, root);
    this.coloured = h("pre", {"class": "lstm-textview-text", "aria-hidden": "true"}, root);
    var guessHead = h("p", {"class": "lstm-textview-guess-head", id: id + "-guesses"}, root, "The model's guesses for the next character after the cursor:");
    this.guessList = h("ol", {"class": "lstm-textview-guesses", "aria-labelledby": guessHead.id}, root);
    this.announce = h("p", {"class": "lstm-explorer-sr-only", "aria-live": "polite"}, root);
    var sampler = h("div", {"class": "lstm-trainer-controls", role: "group", "aria-label": "the model writes"}, root);
    var t = spec.temperature, tLabel = h("label", {"for": id + "-temperature"}, sampler);
    h("span", {}, tLabel, "temperature τ");
    this.temperature = h("input", {id: id + "-temperature", type: "range", min: t.low, max: t.high, step: t.step}, tLabel);
    this.temperature.value = t.default;
    this.tOut = h("output", {"for": id + "-temperature"}, tLabel, fmt(t.default, 2));
    var sLabel = h("label", {"for": id + "-seed"}, sampler);
    h("span", {}, sLabel, "seed");
    this.seed = h("input", {id: id + "-seed", type: "number", min: spec.seed.low, max: spec.seed.high, step: 1}, sLabel);
    this.seed.value = spec.seed.default;
    this.writeButton = h("button", {type: "button"}, h("div", {"class": "lstm-explorer-buttons"}, sampler),
                         "Write " + spec.length + " characters after your text");
    h("p", {"class": "lstm-textview-guess-head"}, root, "What the model writes after your text (sample, with this temperature and seed):");
    this.sampleOut = h("pre", {"class": "lstm-textview-sample", "aria-live": "polite"}, root);
    this.status = h("p", {"class": "lstm-trainer-status"}, root);

    this.box.addEventListener("input", function () { self.update(); });
    ["keyup", "click", "select"].forEach(function (e) { self.box.addEventListener(e, function () { self.update(true); }); });
    this.unitSelect.addEventListener("change", function () {
      self.choice = +self.unitSelect.value; self.part = spec.units[self.choice].part;
      self.partSelect.value = self.part; self.update();
    });
    this.partSelect.addEventListener("change", function () { self.part = self.partSelect.value; self.update(); });
    this.temperature.addEventListener("input", function () { self.tOut.textContent = fmt(+self.temperature.value, 2); });
    this.temperature.addEventListener("change", function () { self.write(); });
    this.seed.addEventListener("change", function () { self.write(); });
    this.writeButton.addEventListener("click", function () { self.write(); });
    backend.onSet = function (m) { self.set(m); };
    this.update();
  }

  // from code (the widget's show() in JupyterLab): new text in the box, another entry of the picker or part
  View.prototype.set = function (m) {
    if (m.text !== undefined) { this.box.value = m.text; this.box.setSelectionRange(m.text.length, m.text.length); }
    if (m.choice !== undefined) { this.choice = m.choice; this.part = this.spec.units[m.choice].part; this.unitSelect.value = m.choice; }
    if (m.part !== undefined) this.part = m.part;
    this.partSelect.value = this.part;
    this.update();
  };

  // the cursor as a number of characters (code points, as Python counts them)
  View.prototype.cursor = function () {
    return Array.from(this.box.value.slice(0, this.box.selectionStart === undefined ? this.box.value.length : this.box.selectionStart)).length;
  };
  View.prototype.request = function () {
    var u = this.spec.units[this.choice];
    return {text: this.box.value, part: this.part, unit: u.unit, cursor: this.cursor()};
  };
  // onlyCursor: the text is the same (a click or an arrow key): the guesses may change, nothing else
  View.prototype.update = function (onlyCursor) {
    var self = this, request = this.request(), began = now(), last = this.requested;
    if (onlyCursor && last && last.text === request.text && last.cursor === request.cursor) return;
    this.requested = request;
    this.backend.read(request, function (answer) {
      if (answer.error) { self.status.textContent = answer.error; return; }
      self.draw(request, answer);
      self.updates.push(now() - began);
    });
  };
  // only what changed is drawn again: the characters after the first change (the earlier ones keep their values),
  // the cursor's mark, the legend when the unit or part changes
  View.prototype.draw = function (request, answer) {
    var spec = this.spec, part = request.part, chars = Array.from(request.text), prev = this.drawn, keep = 0, t;
    var u = spec.units[this.choice], same = prev && prev.part === part && prev.unit === u.unit;
    if (same) while (keep < chars.length && keep < prev.chars.length && chars[keep] === prev.chars[keep]) keep++;
    var colours = same ? prev.colours.slice(0, keep) : [], box = this.coloured;
    while (box.childNodes.length > keep) box.removeChild(box.lastChild);
    var fragment = document.createDocumentFragment();
    for (t = keep; t < answer.values.length; t++) {
      var c = colour(spec, part, answer.values[t]);
      colours.push(c);
      h("span", {style: "background:" + c, title: fmt(answer.values[t], 3)}, fragment, chars[t]);
    }
    box.appendChild(fragment);
    var at = box.querySelector(".lstm-textview-at");
    if (at) at.removeAttribute("class");
    if (request.cursor > 0 && box.childNodes[request.cursor - 1]) box.childNodes[request.cursor - 1].setAttribute("class", "lstm-textview-at");
    if (!same) this.drawLegend(part, u);
    this.guessList.replaceChildren();
    var list = this.guessList;
    answer.guesses.forEach(function (g) {
      var item = h("li", {}, list);
      h("code", {}, item, VISIBLE[g[0]] || g[0]);
      h("span", {"class": "lstm-textview-bar", style: "width:" + (g[1] * 8).toFixed(2) + "em"}, item);
      h("span", {}, item, fmt(100 * g[1], 1) + "%");
    });
    if (!answer.guesses.length) h("li", {}, list, "(type a character first)");
    this.announce.textContent = answer.guesses.length ? "Next character: " + answer.guesses.map(function (g) {
      return (VISIBLE[g[0]] || g[0]) + " " + fmt(100 * g[1], 0) + "%"; }).join(", ") : "";
    this.drawn = {text: request.text, chars: chars, cursor: request.cursor, part: part, unit: u.unit,
                  values: answer.values, colours: colours, guesses: answer.guesses};
  };
  View.prototype.drawLegend = function (part, u) {
    var spec = this.spec, scale = spec.parts[part], legend = this.legend, step = (scale.high - scale.low) / spec.bins;
    legend.replaceChildren();
    h("span", {}, legend, "unit " + u.unit + ", " + scale.label + ": ");
    scale.palette.forEach(function (c, k) {
      var lo = scale.low + step * k;
      h("span", {"class": "lstm-textview-swatch", style: "background:" + c, title: "from " + fmt(lo, 2)}, legend,
        k === 0 ? "≤ " + fmt(lo + step, 1) : k === spec.bins - 1 ? "≥ " + fmt(lo, 1) : "\u00a0");
    });
  };
  View.prototype.write = function () {
    var self = this, began = now(), request = {temperature: +this.temperature.value,
                                               seed: Math.round(+this.seed.value || 0), prompt: this.box.value};
    var first = null;
    this.sampleOut.setAttribute("aria-busy", "true");   // read out once, when the whole text is there
    this.backend.sample(request, function (answer) {
      if (answer.error) {
        self.status.textContent = answer.error; self.sampleOut.setAttribute("aria-busy", "false"); return;
      }
      self.sampleOut.textContent = answer.text;
      if (first === null) first = now() - began;
      if (answer.partial) return;
      self.sampleOut.setAttribute("aria-busy", "false");
      self.written = {temperature: request.temperature, seed: request.seed, prompt: request.prompt, text: answer.text};
      self.writes.push({first: first, whole: now() - began});  // ms from the request to its first text, to all of it
    });
  };

  // anywidget's entry point (JupyterLab): the kernel computes
  function render(ctx) {
    var view = new View(new KernelBackend(ctx.model), ctx.el, ctx.model.get("spec"));
    ctx.el.lstmTextView = view;
    return function () { ctx.model.off("msg:custom", view.backend.onMessage); };
  }

  // the website: the live view of <div data-lstm-textview> in place of its static text, when the page holds the
  // description's weights
  function mount(container, mirror, weights) {
    var source = container.querySelector("script.lstm-textview-spec");
    mirror = mirror || (typeof LSTMMirror !== "undefined" ? LSTMMirror : null);
    weights = weights || (typeof LSTMCharLMWeights !== "undefined" ? LSTMCharLMWeights : null);
    if (container.lstmTextView || !source || !mirror) return container.lstmTextView || null;
    var spec = JSON.parse(source.textContent);
    if (!spec.weights || !weights || weights.fingerprint !== spec.weights.fingerprint) return null;
    container.lstmTextView = new View(new LocalBackend(spec, mirror, weights), h("div", {"class": "lstm-explorer-mount"}, container), spec);
    container.querySelector(".lstm-textview-static").hidden = true;
    return container.lstmTextView;
  }

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lstm-textview]"), function (node) { mount(node); });
  }

  return {render: render, mount: mount, mountAll: mountAll, View: View, LocalBackend: LocalBackend, colour: colour};
})();

if (typeof document !== "undefined" && document.currentScript) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", LSTMTextView.mountAll);
  else LSTMTextView.mountAll();
}
