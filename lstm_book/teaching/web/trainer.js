/*
 * Chapter 10's training view: the reader trains the one-unit cell on the storage task and watches it learn.
 *
 * It draws from the view's description (lstm_book.teaching.explorers.training.TrainingView.spec(): the task, the
 * controls and their ranges, the parameters' names and colours, the two fixed sequences) and from the state of a
 * run, which a *backend* computes:
 * - on the website, LocalBackend: the JavaScript mirror trains (mirror.js, `training.Run`: the same arithmetic
 *   as lstm_book.train.train_step, held to it by tests/test_mirror.py);
 * - in JupyterLab, KernelBackend: the anywidget of lstm_book.teaching.explorers.training_views; the kernel trains
 *   with lstm_book's own train_step (or the reader's). `export default {render}` is appended by Python.
 * Drawing uses explorer.js's helpers (LSTMExplorer.dom), in the explorers' style: plain SVG, redrawn every frame.
 */
var LSTMTrainer = (function () {
  "use strict";

  var D = LSTMExplorer.dom, h = D.h, s = D.s, fmt = D.fmt, uid = 0;
  var now = function () { return (typeof performance !== "undefined" ? performance : Date).now(); };

  function LocalBackend(spec, mirror) { this.spec = spec; this.mirror = mirror; }
  LocalBackend.prototype.reset = function (settings, done) {
    this.run = new this.mirror.training.Run(this.spec, settings);
    done(this.state());
  };
  LocalBackend.prototype.advance = function (n, done) { this.run.advance(n); done(this.state()); };
  LocalBackend.prototype.state = function () {
    var r = this.run;
    return {step: r.step, params: r.state.p, losses: r.losses, curve: r.curve, traces: r.traces(),
            diverged: r.state.diverged, finished: r.step >= this.spec.max_steps};
  };

  // the kernel trains: one request at a time, each answered with the run's state (a newer request wins)
  function KernelBackend(model) {
    var self = this;
    this.model = model; this.seq = 0; this.done = null;
    this.onMessage = function (content) {
      if (content && content.type === "state" && content.seq === self.seq && self.done) {
        var done = self.done;
        self.done = null;
        done(content.state);
      }
    };
    model.on("msg:custom", this.onMessage);
  }
  KernelBackend.prototype.send = function (message, done) {
    this.seq += 1; this.done = done; message.seq = this.seq;
    this.model.send(message);
  };
  KernelBackend.prototype.reset = function (settings, done) { this.send({type: "reset", settings: settings}, done); };
  KernelBackend.prototype.advance = function (n, done) { this.send({type: "advance", n: n}, done); };

  function View(backend, el, spec) {
    var self = this;
    this.backend = backend; this.spec = spec; this.id = "lstm-trainer-" + (++uid);
    this.settings = {}; this.playing = false; this.frames = []; this.drawTimes = []; this.state = null;
    this.drawn = null;
    for (var k in spec.defaults) this.settings[k] = spec.defaults[k];
    var root = this.root = h("div", {"class": "lstm-explorer-live lstm-trainer", id: this.id, "data-lm-suppress-shortcuts": "true"}, el);
    root.addEventListener("keydown", function (event) {
      if (event.target && /INPUT|SELECT/.test(event.target.tagName)) event.stopPropagation();
    });
    var head = h("div", {"class": "lstm-explorer-head"}, root);
    h("p", {"class": "lstm-explorer-title"}, head, spec.title);
    h("p", {"class": "lstm-explorer-note"}, head, spec.note);
    var controls = h("div", {"class": "lstm-trainer-controls", role: "group", "aria-label": "settings of the run"}, root);
    this.inputs = {};
    function control(name, label, node, parse) {
      var wrap = h("label", {"for": self.id + "-" + name}, controls);
      D.richText(h("span", {}, wrap), label, false);
      wrap.appendChild(node);
      node.id = self.id + "-" + name; node.name = name;
      node.addEventListener("change", function () { self.set(name, parse(node)); });
      self.inputs[name] = node;
      return node;
    }
    var c = spec.controls;
    control("seed", "seed", h("input", {type: "number", min: c.seed.low, max: c.seed.high, step: 1}),
            function (n) { return Math.max(c.seed.low, Math.min(c.seed.high, Math.round(+n.value || 0))); });
    [["learning_rate", "learning rate η"], ["batch_size", "batch size"]].forEach(function (pair) {
      var select = h("select", {});
      c[pair[0]].choices.forEach(function (v) { h("option", {value: v}, select, String(v)); });
      control(pair[0], pair[1], select, function (n) { return +n.value; });
    });
    var fb = c.forget_bias, range = h("input", {type: "range", min: fb.low, max: fb.high, step: fb.step});
    control("forget_bias", "initial b_f", range, function (n) { return +n.value; });
    this.biasOut = h("output", {"for": range.id, "aria-hidden": "true"}, range.parentNode);
    range.addEventListener("input", function () { self.biasOut.textContent = fmt(+range.value, 1); });
    control("forget", "forget gate", h("input", {type: "checkbox"}), function (n) { return n.checked ? 1 : 0; });

    var buttons = h("div", {"class": "lstm-explorer-buttons"}, root);
    this.playButton = h("button", {type: "button"}, buttons, "Start");
    this.playButton.addEventListener("click", function () { if (self.playing) self.pause(); else self.play(); });
    h("button", {type: "button"}, buttons, "One step").addEventListener("click", function () { self.pause(); self.advance(1); });
    h("button", {type: "button"}, buttons, "Reset").addEventListener("click", function () { self.reset(); });
    // the chapter's guided observations, as the explorers have them: a press sets every control and starts
    var guided = (spec.observations || []).length ? h("div", {"class": "lstm-explorer-observations", role: "group",
                                                             "aria-labelledby": this.id + "-guided"}, buttons) : null;
    if (guided) h("span", {"class": "lstm-explorer-observations-label", id: this.id + "-guided"}, guided, "Guided observations:");
    this.observationButtons = (spec.observations || []).map(function (ob) {
      var node = h("button", {type: "button", "aria-pressed": "false"}, guided);
      h("span", {"class": "lstm-explorer-sr-only"}, node, "Train from this setting: ");
      D.richText(node, ob.label, false);
      node.addEventListener("click", function () { self.setValues(ob.values); self.play(); });
      return {node: node, values: ob.values};
    });
    this.status = h("p", {"class": "lstm-trainer-status"}, root);
    this.announce = h("p", {"class": "lstm-explorer-sr-only", "aria-live": "polite"}, root);
    var figure = h("figure", {"class": "lstm-explorer-figure"}, root);
    this.svg = s("svg", {role: "img", "aria-labelledby": this.id + "-title " + this.id + "-desc", focusable: "false"}, figure);
    s("title", {id: this.id + "-title"}, this.svg, spec.title);
    this.desc = s("desc", {id: this.id + "-desc"}, this.svg);
    this.plot = s("g", {}, this.svg);
    this.showSettings();
    this.reset();
  }

  View.prototype.showSettings = function () {
    for (var name in this.inputs) {
      var node = this.inputs[name];
      if (node.type === "checkbox") node.checked = !!this.settings[name];
      else node.value = this.settings[name];
    }
    this.biasOut.textContent = fmt(this.settings.forget_bias, 1);
    var values = this.settings;
    this.observationButtons.forEach(function (b) {
      var same = true;
      for (var k in b.values) if (b.values[k] !== values[k]) same = false;
      b.node.setAttribute("aria-pressed", same ? "true" : "false");
    });
  };
  View.prototype.set = function (name, value) { this.settings[name] = value; this.showSettings(); this.reset(); };
  View.prototype.setValues = function (values) {
    for (var k in values) this.settings[k] = values[k];
    this.showSettings();
    this.reset();
  };
  View.prototype.reset = function () {
    var self = this, settings = {};
    this.pause();
    for (var k in this.settings) settings[k] = this.settings[k];
    this.backend.reset(settings, function (state) { self.draw(state); });
  };
  View.prototype.pause = function () {
    if (this.playing) this.announce.textContent = "Paused at step " + (this.state ? this.state.step : 0) + ".";
    this.playing = false;
    this.playButton.textContent = "Start";
  };
  View.prototype.play = function () {
    if (this.playing || (this.state && (this.state.diverged || this.state.finished))) return;
    this.playing = true;
    this.playButton.textContent = "Pause";
    this.announce.textContent = "Training.";
    this.frames.push({t: now(), step: this.state ? this.state.step : 0, start: true});
    this.lastFrame = undefined;
    this.frame();
  };
  // one frame: a few steps (more when frames come slowly: spec.steps_per_second on average), then the whole figure
  // redrawn; the next frame when the browser paints again
  View.prototype.frame = function () {
    var self = this, t = now(), dt = this.lastFrame !== undefined ? t - this.lastFrame : 1000 / 60, least = this.spec.steps_per_frame;
    if (!this.playing) return;
    this.lastFrame = t;
    var n = Math.min(4 * least, Math.max(least, Math.round(this.spec.steps_per_second * dt / 1000)));
    this.advance(n, function () {
      if (self.playing) (typeof requestAnimationFrame !== "undefined" ? requestAnimationFrame : setTimeout)(function () { self.frame(); });
    });
  };
  View.prototype.advance = function (n, then) {
    var self = this;
    this.backend.advance(n, function (state) {
      self.draw(state);
      self.frames.push({t: now(), step: state.step});
      if (state.diverged || state.finished) {
        self.pause();
        self.announce.textContent = self.status.textContent;
      }
      if (then) then();
    });
  };
  // training steps a second while playing, from the frames recorded (for the benchmark)
  View.prototype.stepsPerSecond = function () {
    var f = this.frames, start = 0;
    for (var k = 0; k < f.length; k++) if (f[k].start) start = k;
    var a = f[start], b = f[f.length - 1];
    return b.t > a.t ? (b.step - a.step) / (b.t - a.t) * 1000 : 0;
  };

  View.prototype.draw = function (state) {
    var spec = this.spec, self = this, began = now();
    this.state = state;
    var W = Math.max(300, Math.round(this.root.clientWidth || 700)), narrow = W < 560, font = narrow ? 10 : 11;
    var g = s("g", {}), y = 6, curve = state.curve, last = curve[curve.length - 1];
    // 1. the learning curves: the training loss of every step and the test batch's loss, and the test accuracy
    var chartH = narrow ? 96 : 120, half = narrow ? W : W / 2;
    var losses = state.losses, top = Math.max(1, Math.min(4, Math.max.apply(null, losses.concat([last[1]]))));
    var ln2 = Math.log(2), steps = spec.max_steps;
    chart(g, 0, y, half, chartH, font, [0, steps], [0, top], "loss", [
      {points: losses.map(function (v, k) { return [k + 1, Math.min(v, top)]; }), colour: "#9a9a9a", width: 1, key: "each step"},
      {points: curve.map(function (p) { return [p[0], Math.min(p[1], top)]; }), colour: "#111111", width: 2, key: "test"}], [ln2, "guessing: ln 2"]);
    var ax = narrow ? 0 : half, ay = narrow ? y + chartH + 26 : y;
    chart(g, ax, ay, half, chartH, font, [0, steps], [0, 1], "test accuracy",
          [{points: curve.map(function (p) { return [p[0], p[2]]; }), colour: "#1a5fb4", width: 2}], [0.5, "chance"]);
    y = ay + chartH + 30;
    // 2. the weights: one bar each, grouped by the part of the cell they feed (its colour), and the readout
    var cols = ["i", "j", "f", "o", "y"], colW = W / 5, rowH = 20, R = 3, params = state.params;
    spec.weights.forEach(function (wt) { if (wt.name in params) R = Math.max(R, Math.ceil(Math.abs(params[wt.name]))); });
    s("text", {x: 2, y: y, "class": "lstm-explorer-axis"}, g, "weights (bars from 0; full width ±" + R + ")");
    var rows = {};
    spec.weights.forEach(function (wt) {
      var col = cols.indexOf(wt.part), row = rows[wt.part] = (rows[wt.part] || 0) + 1, x0 = col * colW;
      var yy = y + 6 + (row - 1) * rowH, labelW = narrow ? 30 : 40, barW = colW - labelW - 6, mid = x0 + labelW + barW / 2;
      D.richText(s("text", {x: x0 + 2, y: yy + rowH * 0.65, "class": "lstm-explorer-tick"}, g), wt.label, true);
      s("line", {x1: mid, x2: mid, y1: yy + 2, y2: yy + rowH - 2, "class": "lstm-explorer-zero"}, g);
      if (!(wt.name in params)) {
        s("text", {x: mid, y: yy + rowH * 0.65, "text-anchor": "middle", "class": "lstm-explorer-tick"}, g, "removed");
        return;
      }
      var v = params[wt.name], len = v / R * barW / 2;
      s("rect", {x: Math.min(mid, mid + len), y: yy + 4, width: Math.abs(len), height: rowH - 8, fill: wt.colour,
                 "data-weight": wt.name}, g);
    });
    y += 6 + 4 * rowH + 22;
    // 3. the cell on the two fixed sequences: c_t and h_t above, the gates below
    var seqs = [["pulse", "with the pulse (step " + spec.sequences.pulse_at + ")"], ["quiet", "without it"]];
    var tw = narrow ? W : W / 2, th = narrow ? 64 : 78;
    seqs.forEach(function (pair, k) {
      var x0 = narrow ? 0 : k * tw, y0 = narrow ? y + k * (2 * th + 44) : y, tr = state.traces[pair[0]];
      var t = spec.sequences.t, c = tr.c, lim = 1;
      for (var q = 0; q < c.length; q++) lim = Math.max(lim, Math.abs(c[q]));
      var band = pair[0] === "pulse" ? spec.sequences.pulse_at : null;
      chart(g, x0, y0, tw, th, font, [0.5, t.length + 0.5], [-lim * 1.05, lim * 1.05], pair[1] + ":",
            ["c", "h"].map(function (n) { return {points: t.map(function (v, q) { return [v, tr[n][q]]; }), colour: spec.styles[n].colour, width: 2, key: n + "_t"}; }),
            null, band);
      chart(g, x0, y0 + th + 22, tw, th, font, [0.5, t.length + 0.5], [-0.05, 1.05], "gates",
            ["j", "f", "o"].map(function (n) { return {points: t.map(function (v, q) { return [v, tr[n][q]]; }), colour: spec.styles[n].colour, width: 2, key: n + "_t"}; }),
            null, band);
    });
    var height = narrow ? y + 4 * th + 2 * 44 + 10 : y + 2 * th + 40;
    this.svg.setAttribute("viewBox", "0 0 " + W + " " + height);
    this.svg.setAttribute("width", W); this.svg.setAttribute("height", height); this.svg.setAttribute("font-size", font);
    this.svg.replaceChild(g, this.plot);
    this.plot = g;
    var solved = null;
    curve.forEach(function (p) { if (solved === null && p[2] === 1) solved = p[0]; });
    var words = "step " + state.step + " of " + steps + " · training loss " +
      (losses.length ? fmt(losses[losses.length - 1], 3) : "–") + " · test accuracy " + fmt(100 * last[2], 1) + "%" +
      (solved !== null ? " · solved (100%) at step " + solved : "");
    if (state.diverged) words = "Diverged at step " + state.step + ": the loss or a gradient stopped being finite, and the run stops (as lstm_book's train does). " + words;
    else if (state.finished) words = "Finished: " + words;
    this.status.textContent = words;
    this.status.setAttribute("data-state", state.diverged ? "diverged" : state.finished ? "finished" : "running");
    var pulse = state.traces.pulse.c, quiet = state.traces.quiet.c;
    this.desc.textContent = words + ". Weights: " + spec.weights.filter(function (wt) { return wt.name in params; })
      .map(function (wt) { return wt.name + " = " + fmt(params[wt.name], 2); }).join(", ") + ". The cell state c at the last step: " +
      fmt(pulse[pulse.length - 1], 2) + " with the pulse, " + fmt(quiet[quiet.length - 1], 2) + " without it.";
    this.drawn = {step: state.step, params: JSON.parse(JSON.stringify(params)), losses: losses.length, curve: curve.length,
                  c_pulse: pulse.slice(), c_quiet: quiet.slice()};
    this.drawTimes.push(now() - began);
  };

  // one chart: polylines over x, a frame, a few ticks, a title followed by each line's key ("— c_t" in its colour);
  // `ref`: a dotted horizontal line with its label
  function chart(g, x, y, w, hgt, font, xr, yr, title, series, ref, band) {
    var left = x + 34, right = x + w - 16, top = y + font + 7, bottom = top + hgt - font - 7;
    var X = function (v) { return left + (v - xr[0]) / (xr[1] - xr[0]) * (right - left); };
    var Y = function (v) { return bottom - (v - yr[0]) / (yr[1] - yr[0]) * (bottom - top); };
    var heading = s("text", {x: left, y: y + font, "class": "lstm-explorer-axis"}, g);
    D.richText(heading, title, true);
    series.forEach(function (line, k) {
      if (!line.key) return;
      s("tspan", {}, heading, k ? ",  " : "  ");
      s("tspan", {fill: line.colour, "font-weight": "bold"}, heading, "\u2014 ");
      D.richText(heading, line.key, true);
    });
    if (band) s("rect", {x: X(band - 0.5), y: top, width: X(band + 0.5) - X(band - 0.5), height: bottom - top, fill: "#f7dc6f", "fill-opacity": 0.55}, g);
    s("rect", {x: left, y: top, width: right - left, height: bottom - top, "class": "lstm-explorer-frame"}, g);
    var yt = D.niceTicks(yr[0], yr[1], 3);
    yt.ticks.forEach(function (v) {
      s("line", {x1: left, x2: right, y1: Y(v), y2: Y(v), "class": v === 0 ? "lstm-explorer-zero" : "lstm-explorer-grid"}, g);
      s("text", {x: left - 4, y: Y(v) + font * 0.35, "text-anchor": "end", "class": "lstm-explorer-tick"}, g, fmt(v, yt.decimals));
    });
    var xt = D.niceTicks(xr[0], xr[1], Math.max(2, Math.floor((right - left) / 70)));
    xt.ticks.forEach(function (v) {
      s("text", {x: X(v), y: bottom + font + 2, "text-anchor": "middle", "class": "lstm-explorer-tick"}, g, fmt(v, xt.decimals));
    });
    if (ref) {
      s("line", {x1: left, x2: right, y1: Y(ref[0]), y2: Y(ref[0]), stroke: "#7f7f7f", "stroke-dasharray": "3 3"}, g);
      s("text", {x: right - 3, y: Y(ref[0]) - 3, "text-anchor": "end", "class": "lstm-explorer-tick"}, g, ref[1]);
    }
    series.forEach(function (line) {
      if (!line.points.length) return;
      var pts = line.points.map(function (p) { return X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1); }).join(" ");
      s("polyline", {points: pts, fill: "none", stroke: line.colour, "stroke-width": line.width, "stroke-linejoin": "round"}, g);
    });
  }

  // anywidget's entry point (JupyterLab): the kernel trains
  function render(ctx) {
    var view = new View(new KernelBackend(ctx.model), ctx.el, ctx.model.get("spec"));
    ctx.el.lstmTrainer = view;
    return function () { view.pause(); ctx.model.off("msg:custom", view.backend.onMessage); };
  }

  // the website: the live view of <div data-lstm-trainer> in place of its static figure (a finished run)
  function mount(container, mirror) {
    var source = container.querySelector("script.lstm-trainer-spec");
    mirror = mirror || (typeof LSTMMirror !== "undefined" ? LSTMMirror : null);
    if (container.lstmTrainer || !source || !mirror) return container.lstmTrainer || null;
    var spec = JSON.parse(source.textContent);
    container.lstmTrainer = new View(new LocalBackend(spec, mirror), h("div", {"class": "lstm-explorer-mount"}, container), spec);
    container.querySelector(".lstm-explorer-static").hidden = true;
    return container.lstmTrainer;
  }

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lstm-trainer]"), function (node) { mount(node); });
  }

  return {render: render, mount: mount, mountAll: mountAll, View: View, LocalBackend: LocalBackend};
})();

if (typeof document !== "undefined" && document.currentScript) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", LSTMTrainer.mountAll);
  else LSTMTrainer.mountAll();
}
