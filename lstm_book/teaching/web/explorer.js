/*
 * The explorers' front end: one file, the same on the website and in JupyterLab.
 *
 * It draws an explorer from its description (lstm_book.explorers.Explorer.spec(): sliders, panels, colours,
 * event markers, reference lines) and the arrays to draw. It computes nothing itself: it asks a *model* for
 * data whenever a slider moves, with the anywidget interface (get, set, save_changes, on("change:data")).
 *
 * - In JupyterLab the model is the anywidget of lstm_book.explorers.ExplorerWidget: Python computes (the
 *   reader's own lstm_book, or the reader's own functions). `export default {render}` is appended by Python.
 * - On the website the model is local: the JavaScript mirror of the scalar cell (mirror.js) computes. The page
 *   holds each explorer as <div data-lstm-explorer> with its description in a JSON <script> and the static
 *   figure at the defaults (what shows with JavaScript off); `mount` replaces that figure by the live view.
 *
 * Drawing is plain SVG (no plotting library): panels share the time axis, each panel's series are polylines
 * in the colours of the description. Nothing here knows which explorer it draws.
 */
var LSTMExplorer = (function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var uid = 0;

  function h(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function s(tag, attrs, parent, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  // "forget gate f_t" -> text with the subscript set as <sub> (HTML) or as a lowered tspan (SVG)
  var SUB = /([A-Za-z]+)_(\{[^}]*\}|[A-Za-z0-9*-]+)/g;

  function richText(parent, text, svg) {
    var last = 0, m;
    SUB.lastIndex = 0;
    while ((m = SUB.exec(text)) !== null) {
      var before = text.slice(last, m.index), sub = m[2].replace(/[{}]/g, "");
      if (svg) {
        if (before) s("tspan", {}, parent, before);
        s("tspan", {"font-style": "italic"}, parent, m[1]);
        s("tspan", {"baseline-shift": "sub", "font-size": "75%"}, parent, sub);
      } else {
        if (before) parent.appendChild(document.createTextNode(before));
        h("i", {}, parent, m[1]);
        h("sub", {}, parent, sub);
      }
      last = m.index + m[0].length;
    }
    if (last < text.length) {
      if (svg) s("tspan", {}, parent, text.slice(last));
      else parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function decimals(step) {
    var d = 0;
    while (d < 6 && Math.abs(Math.round(step * Math.pow(10, d)) - step * Math.pow(10, d)) > 1e-9) d++;
    return d;
  }

  function fmt(v, d) {
    var text = v.toFixed(d);
    return text === "-" + (0).toFixed(d) ? (0).toFixed(d) : text.replace("-", "\u2212");
  }

  function niceTicks(lo, hi, count) {
    var span = hi - lo, raw = span / Math.max(count, 1), mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / mag, step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
    var ticks = [], first = Math.ceil(lo / step - 1e-9) * step;
    for (var v = first; v <= hi + 1e-9 * span; v += step) ticks.push(Math.abs(v) < 1e-12 ? 0 : v);
    return {ticks: ticks, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9))};
  }

  function extent(arrays) {
    var lo = Infinity, hi = -Infinity;
    arrays.forEach(function (a) {
      for (var k = 0; k < a.length; k++) {
        if (a[k] < lo) lo = a[k];
        if (a[k] > hi) hi = a[k];
      }
    });
    return [lo, hi];
  }

  function View(model, el) {
    this.model = model;
    this.spec = model.get("spec");
    this.id = "lstm-explorer-" + (++uid);
    this.values = {};
    this.seq = 0;          // number of the last request sent
    this.received = 0;     // number of the last answer drawn
    this.pending = false;  // a slider moved while a request was on its way (JupyterLab)
    this.sentAt = {};      // seq -> performance.now() when the slider moved
    this.timings = [];     // milliseconds from a slider's move to its figure, one per figure drawn
    this.drawn = null;     // the arrays drawn last, by name (for tests)
    var self = this, spec = this.spec;
    spec.sliders.forEach(function (sl) { self.values[sl.name] = sl["default"]; });
    var stored = (model.get("request") || {}).values || {};
    for (var name in stored) if (name in this.values) this.values[name] = stored[name];

    // data-lm-suppress-shortcuts: in JupyterLab the arrow keys move the focused slider, not the notebook's cells
    this.root = h("div", {"class": "lstm-explorer-live", id: this.id, "data-lm-suppress-shortcuts": "true"}, el);
    this.root.addEventListener("keydown", function (event) {
      if (event.target && event.target.tagName === "INPUT") event.stopPropagation();
    });
    var head = h("div", {"class": "lstm-explorer-head"}, this.root);
    richText(h("p", {"class": "lstm-explorer-title"}, head), spec.title, false);
    h("p", {"class": "lstm-explorer-note"}, head, spec.note);

    var grid = h("div", {"class": "lstm-explorer-sliders", role: "group", "aria-label": "sliders: " + spec.title}, this.root);
    grid.style.setProperty("--lstm-columns", spec.columns || 1);
    this.inputs = {};
    this.outputs = {};
    spec.sliders.forEach(function (sl) {
      var box = h("div", {"class": "lstm-explorer-slider"}, grid), inputId = self.id + "-" + sl.name;
      var label = h("label", {"for": inputId}, box);
      richText(label, sl.label, false);
      var input = h("input", {type: "range", id: inputId, name: sl.name, min: sl.low, max: sl.high, step: sl.step,
                              "aria-label": sl.name}, box);
      input.value = self.values[sl.name];
      var out = h("output", {"for": inputId, "aria-hidden": "true"}, box);
      var d = decimals(sl.step);
      out.textContent = fmt(self.values[sl.name], d);
      input.setAttribute("aria-valuetext", sl.name + " = " + fmt(self.values[sl.name], d));
      input.addEventListener("input", function () { self.move(sl.name, parseFloat(input.value)); });
      self.inputs[sl.name] = input;
      self.outputs[sl.name] = {node: out, decimals: d};
    });
    var buttons = h("div", {"class": "lstm-explorer-buttons"}, this.root);
    var reset = h("button", {type: "button"}, buttons, "Reset to defaults");
    reset.addEventListener("click", function () { self.reset(); });
    // the chapter's guided observations: one button each, with every slider's value from the description; a
    // press moves the sliders as a hand would (one request, the same redraw), and the button of the setting
    // shown is marked pressed
    this.observationButtons = [];
    if ((spec.observations || []).length) {
      var group = h("div", {"class": "lstm-explorer-observations", role: "group", "aria-labelledby": this.id + "-guided"}, buttons);
      h("span", {"class": "lstm-explorer-observations-label", id: this.id + "-guided"}, group, "Guided observations:");
      spec.observations.forEach(function (ob) {
        // the name is the visible label, with the action said first to screen readers: "Set the explorer: 2. b_o = 6"
        var b = h("button", {type: "button", "aria-pressed": "false"}, group);
        h("span", {"class": "lstm-explorer-sr-only"}, b, ob.action + " ");
        richText(b, ob.label, false);
        b.addEventListener("click", function () { self.setValues(ob.values); });
        self.observationButtons.push({node: b, values: ob.values});
      });
    }

    var figure = h("figure", {"class": "lstm-explorer-figure"}, this.root);
    this.svg = s("svg", {role: "img", "aria-labelledby": this.id + "-title " + this.id + "-desc", focusable: "false"}, figure);
    this.title = s("title", {id: this.id + "-title"}, this.svg, spec.caption);
    this.desc = s("desc", {id: this.id + "-desc"}, this.svg);
    this.plot = s("g", {}, this.svg);
    var legend = h("figcaption", {"class": "lstm-explorer-legend"}, figure);
    this.legendItems(legend);
    // the values at the step under the pointer, in words
    this.readout = h("p", {"class": "lstm-explorer-readout"}, figure, "Point at the figure to read the values at a step.");
    this.cursorT = null;
    this.svg.addEventListener("pointermove", function (event) { self.point(event); });
    this.svg.addEventListener("pointerleave", function () { self.cursorT = null; self.showCursor(); });

    this.onData = function () { self.draw(model.get("data")); };
    model.on("change:data", this.onData);
    // in JupyterLab the kernel answers a request with a custom message (no state sync, no echo: less work per move)
    this.onMessage = function (msg) { if (msg && msg.type === "data") self.draw(msg.data); };
    if (spec.transport === "message") model.on("msg:custom", this.onMessage);
    this.width = 0;
    this.draw(model.get("data"));
    this.markObservation();
    if (typeof ResizeObserver !== "undefined") {
      this.resizer = new ResizeObserver(function () {
        if (self.root.clientWidth && Math.abs(self.root.clientWidth - self.width) > 2) self.draw(self.data);
      });
      this.resizer.observe(this.root);
    }
  }

  View.prototype.legendItems = function (legend) {
    var spec = this.spec, seen = {};
    spec.panels.forEach(function (panel) {
      panel.series.forEach(function (name) {
        if (seen[name]) return;
        seen[name] = true;
        var item = h("span", {"class": "lstm-explorer-key"}, legend);
        var swatch = h("span", {"class": "lstm-explorer-swatch", "aria-hidden": "true"}, item);
        swatch.style.background = spec.styles[name].colour;
        richText(item, spec.styles[name].label, false);
      });
    });
    (spec.events || []).forEach(function (ev) {
      if (seen["event:" + ev.kind]) return;
      seen["event:" + ev.kind] = true;
      var item = h("span", {"class": "lstm-explorer-key"}, legend);
      // a band's key is a patch of its colour, a dotted event's a dotted line (as the figure draws them)
      var dotted = ev.style !== "band";
      var swatch = h("span", {"class": "lstm-explorer-swatch lstm-explorer-swatch-" + (dotted ? "dot" : "band"), "aria-hidden": "true"}, item);
      swatch.style[dotted ? "borderColor" : "background"] = ev.colour;
      item.appendChild(document.createTextNode(ev.legend));
    });
    (spec.lines || []).forEach(function (line) {
      var item = h("span", {"class": "lstm-explorer-key"}, legend);
      var swatch = h("span", {"class": "lstm-explorer-swatch lstm-explorer-swatch-" + (line.orientation === "h" ? "dash" : "dot"), "aria-hidden": "true"}, item);
      swatch.style.borderColor = line.colour;
      richText(item, line.label, false);
    });
  };

  View.prototype.move = function (name, value) {
    this.values[name] = value;
    var out = this.outputs[name];
    out.node.textContent = fmt(value, out.decimals);
    this.inputs[name].setAttribute("aria-valuetext", name + " = " + fmt(value, out.decimals));
    this.markObservation();
    this.request();
  };

  // aria-pressed on the observation buttons whose setting the sliders show now (by a button or by hand)
  View.prototype.markObservation = function () {
    var values = this.values;
    this.observationButtons.forEach(function (b) {
      var same = true;
      for (var name in b.values) if (Math.abs(b.values[name] - values[name]) > 1e-9) same = false;
      b.node.setAttribute("aria-pressed", same ? "true" : "false");
    });
  };

  View.prototype.setValues = function (values) {
    this.showValues(values);
    this.request();
  };

  // Move the sliders, readouts and pressed marks to `values` without asking for data (the data came with them:
  // the kernel's widget was set from code, with set() or reset()).
  View.prototype.showValues = function (values) {
    for (var name in values) {
      if (!(name in this.inputs)) continue;
      this.inputs[name].value = values[name];
      this.values[name] = values[name];
      var out = this.outputs[name];
      out.node.textContent = fmt(values[name], out.decimals);
      this.inputs[name].setAttribute("aria-valuetext", name + " = " + fmt(values[name], out.decimals));
    }
    this.markObservation();
  };

  View.prototype.reset = function () {
    var defaults = {};
    this.spec.sliders.forEach(function (sl) { defaults[sl.name] = sl["default"]; });
    this.setValues(defaults);
  };

  // Ask the model for the data of the current values. In JupyterLab each request is a round trip to the kernel;
  // up to MAX_IN_FLIGHT go out at once (a drag is answered at the pace of one round trip), and moves made while
  // that many are on their way are merged into the next request (a slow kernel never falls behind the hand).
  var MAX_IN_FLIGHT = 3;

  View.prototype.request = function () {
    var now = (typeof performance !== "undefined" ? performance : Date).now();
    var oldest = this.sentAt[this.received + 1];
    if (this.seq - this.received >= MAX_IN_FLIGHT && oldest !== undefined && now - oldest < 2000) {
      this.pending = true;
      if (this.pendingSince === undefined) this.pendingSince = now;
      return;
    }
    this.send(now);
  };

  View.prototype.send = function (now) {
    this.seq += 1;
    this.pending = false;
    this.sentAt[this.seq] = this.pendingSince !== undefined ? this.pendingSince : now;
    this.pendingSince = undefined;
    var values = {};
    for (var k in this.values) values[k] = this.values[k];
    if (this.spec.transport === "message") {
      this.model.send({type: "request", values: values, seq: this.seq});
      return;
    }
    this.model.set("request", {values: values, seq: this.seq});
    this.model.save_changes();
  };

  View.prototype.layout = function (width) {
    var n = this.spec.panels.length, narrow = width < 520, font = narrow ? 11 : 12;
    // each panel's key sits in a strip above the panel, the events' names in a strip above the first: no label is
    // ever drawn over a trace
    var panelHeight = narrow ? 92 : 112, gap = 6, keyH = font + 9, top = 4 + ((this.spec.events || []).some(function (ev) {
      return ev.label; }) ? font + 4 : 0), bottom = 34;
    return {
      width: width, left: narrow ? 40 : 50, right: 10, top: top, gap: gap, panelHeight: panelHeight, keyH: keyH,
      height: top + n * (keyH + panelHeight) + (n - 1) * gap + bottom, font: font
    };
  };

  View.prototype.draw = function (data) {
    if (!data || !data.t) return;
    var spec = this.spec, self = this;
    if (data.values) this.showValues(data.values);
    this.data = data;
    var width = Math.max(240, Math.round(this.root.clientWidth || 640));
    this.width = width;
    var L = this.layout(width), t = data.t, n = t.length;
    var x0 = t[0] - 0.5, x1 = t[n - 1] + 0.5, plotW = L.width - L.left - L.right;
    function X(v) { return L.left + (v - x0) / (x1 - x0) * plotW; }
    this.svg.setAttribute("viewBox", "0 0 " + L.width + " " + L.height);
    this.svg.setAttribute("width", L.width);
    this.svg.setAttribute("height", L.height);
    this.svg.setAttribute("font-size", L.font);
    var g = s("g", {});
    var drawn = {t: t.slice()}, summary = [];
    var xt = niceTicks(x0, x1, Math.max(3, Math.floor(plotW / 70)));

    spec.panels.forEach(function (panel, p) {
      var top = L.top + L.keyH + p * (L.keyH + L.panelHeight + L.gap), H = L.panelHeight;
      var last = p === spec.panels.length - 1;
      var arrays = panel.series.map(function (name) { return data[name]; });
      var lo, hi, log = panel.scale === "log";
      // a log panel draws log10 |value| (magnitudes that span decades, like gradients), whole decades on its axis
      function tr(v) { return log ? Math.log10(Math.max(Math.abs(v), 1e-300)) : v; }
      if (log) {
        var le = extent(arrays.map(function (a) { return a.map(tr); }));
        lo = Math.floor(le[0]); hi = Math.max(Math.ceil(le[1]), lo + 1);
      } else if (panel.limits) { lo = panel.limits[0]; hi = panel.limits[1]; }
      else {
        var refs = (spec.lines || []).filter(function (ln) { return last && ln.orientation === "h"; })
          .map(function (ln) { return [data[ln.key]]; });
        var e = extent(arrays.concat(refs));
        lo = Math.min(e[0], -1); hi = Math.max(e[1], 1);
        var pad = 0.08 * (hi - lo); lo -= pad; hi += pad;
      }
      function Y(v) { return top + (hi - tr(v)) / (hi - lo) * H; }
      var clipId = self.id + "-clip-" + p;
      var clip = s("clipPath", {id: clipId}, g);
      s("rect", {x: L.left, y: top, width: plotW, height: H}, clip);
      s("rect", {x: L.left, y: top, width: plotW, height: H, "class": "lstm-explorer-frame"}, g);
      // events: bands and dotted lines behind the data
      (spec.events || []).forEach(function (ev) {
        if (ev.style === "band") {
          s("rect", {x: X(ev.t - 0.5), y: top, width: X(ev.t + 0.5) - X(ev.t - 0.5), height: H, fill: ev.colour, "fill-opacity": 0.55}, g);
        } else {
          s("line", {x1: X(ev.t), x2: X(ev.t), y1: top, y2: top + H, stroke: ev.colour, "stroke-dasharray": "2 3", "stroke-width": 1.2}, g);
        }
        if (p === 0 && ev.label) {
          s("text", {x: X(ev.t), y: L.top - 4, "text-anchor": "middle", "class": "lstm-explorer-event"}, g, ev.label);
        }
      });
      if (log) {
        var every = Math.max(1, Math.ceil((hi - lo) / Math.max(2, Math.floor(H / 30))));
        for (var e10 = lo; e10 <= hi; e10 += every) {
          var yy = top + (hi - e10) / (hi - lo) * H;
          s("line", {x1: L.left, x2: L.left + plotW, y1: yy, y2: yy, "class": "lstm-explorer-grid"}, g);
          var label = s("text", {x: L.left - 5, y: yy + L.font * 0.35, "text-anchor": "end", "class": "lstm-explorer-tick"}, g);
          if (e10 === 0) label.textContent = "1";
          else { s("tspan", {}, label, "10"); s("tspan", {"baseline-shift": "super", "font-size": "75%"}, label, fmt(e10, 0)); }
        }
      } else {
        var yt = niceTicks(lo, hi, Math.max(2, Math.floor(H / 30)));
        yt.ticks.forEach(function (v) {
          s("line", {x1: L.left, x2: L.left + plotW, y1: Y(v), y2: Y(v), "class": v === 0 ? "lstm-explorer-zero" : "lstm-explorer-grid"}, g);
          s("text", {x: L.left - 5, y: Y(v) + L.font * 0.35, "text-anchor": "end", "class": "lstm-explorer-tick"}, g, fmt(v, yt.decimals));
        });
      }
      xt.ticks.forEach(function (v) {
        s("line", {x1: X(v), x2: X(v), y1: top, y2: top + H, "class": "lstm-explorer-grid"}, g);
        if (last) s("text", {x: X(v), y: top + H + L.font + 4, "text-anchor": "middle", "class": "lstm-explorer-tick"}, g, fmt(v, xt.decimals));
      });
      var lines = s("g", {"clip-path": "url(#" + clipId + ")"}, g);
      if (last) {
        (spec.lines || []).forEach(function (ln) {
          var v = data[ln.key];
          if (ln.orientation === "h") s("line", {x1: L.left, x2: L.left + plotW, y1: Y(v), y2: Y(v), stroke: ln.colour, "stroke-width": 1.5, "stroke-dasharray": "7 4"}, lines);
          else s("line", {x1: X(v), x2: X(v), y1: top, y2: top + H, stroke: ln.colour, "stroke-width": 1.5, "stroke-dasharray": "2 3"}, lines);
          drawn[ln.key] = v;
        });
      }
      panel.series.forEach(function (name, k) {
        var values = arrays[k], pts = [], style = spec.styles[name];
        for (var i = 0; i < n; i++) {
          if (style.steps) { pts.push(X(t[i] - 0.5).toFixed(2) + "," + Y(values[i]).toFixed(2)); pts.push(X(t[i] + 0.5).toFixed(2) + "," + Y(values[i]).toFixed(2)); }
          else pts.push(X(t[i]).toFixed(2) + "," + Y(values[i]).toFixed(2));
        }
        s("polyline", {points: pts.join(" "), fill: "none", stroke: style.colour, "stroke-width": 2, "stroke-linejoin": "round", "data-series": name}, lines);
        drawn[name] = values.slice();
        summary.push(self.describe(name, t, values));
      });
      // the panel's key, in the strip above it, in plain text (the colours are in the legend under the figure)
      var key = s("text", {x: L.left, y: top - 8, "class": "lstm-explorer-panelkey"}, g);  // subscripts clear the frame
      panel.series.forEach(function (name, k) {
        if (k) s("tspan", {}, key, ",  ");
        s("tspan", {fill: spec.styles[name].colour, "font-weight": "bold"}, key, "\u2014 ");
        richText(key, spec.styles[name].short || spec.styles[name].label, true);
      });
      // values drawn scaled (chapter 8's shares, ×100): said once, after the panel's key
      var scales = panel.series.map(function (name) { return spec.styles[name].scale || ""; });
      if (scales[0] && scales.every(function (v) { return v === scales[0]; })) s("tspan", {}, key, "  (drawn " + scales[0] + ")");
    });
    s("text", {x: L.left + plotW / 2, y: L.height - 4, "text-anchor": "middle", "class": "lstm-explorer-axis"}, g, "time step t");
    this.svg.replaceChild(g, this.plot);
    this.plot = g;
    this.cursor = null;
    this.geometry = {width: L.width, left: L.left, plotW: plotW, x0: x0, x1: x1, top: L.top + L.keyH,
                     bottom: L.top + spec.panels.length * (L.keyH + L.panelHeight + L.gap) - L.gap};
    this.showCursor();
    (spec.lines || []).forEach(function (ln) { summary.push(ln.text + " = " + fmt(data[ln.key], 2)); });
    this.desc.textContent = summary.join("; ") + ".";
    this.drawn = drawn;
    if (data.seq !== undefined && data.seq !== null) {
      this.received = Math.max(this.received, data.seq);
      if (this.sentAt[data.seq] !== undefined) {
        this.timings.push((typeof performance !== "undefined" ? performance : Date).now() - this.sentAt[data.seq]);
        delete this.sentAt[data.seq];
      }
      if (this.pending && this.seq - this.received < MAX_IN_FLIGHT) this.send((typeof performance !== "undefined" ? performance : Date).now());
    }
  };

  View.prototype.point = function (event) {
    if (!this.geometry) return;
    var box = this.svg.getBoundingClientRect(), G = this.geometry;
    var x = (event.clientX - box.left) * (G.width / box.width);
    var v = G.x0 + (x - G.left) / G.plotW * (G.x1 - G.x0), t = this.data.t, best = 0;
    for (var i = 1; i < t.length; i++) if (Math.abs(t[i] - v) < Math.abs(t[best] - v)) best = i;
    this.cursorT = best;
    this.showCursor();
  };

  View.prototype.showCursor = function () {
    if (this.cursor) { this.cursor.remove(); this.cursor = null; }
    if (this.cursorT === null || !this.geometry || !this.data) return;
    var G = this.geometry, k = this.cursorT, data = this.data, spec = this.spec, parts = [];
    var x = G.left + (data.t[k] - G.x0) / (G.x1 - G.x0) * G.plotW;
    this.cursor = s("line", {x1: x, x2: x, y1: G.top, y2: G.bottom, "class": "lstm-explorer-cursor"}, this.plot);
    spec.panels.forEach(function (panel) {
      panel.series.forEach(function (name) {
        var scale = spec.styles[name].scale ? " " + spec.styles[name].scale : "";
        parts.push(spec.styles[name].short + scale + " = " + fmt(data[name][k], 3));
      });
    });
    this.readout.textContent = "";
    richText(this.readout, "t = " + data.t[k] + ":  " + parts.join(",  "), false);
  };

  View.prototype.describe = function (name, t, values) {
    var lo = 0, hi = 0;
    for (var i = 1; i < values.length; i++) {
      if (values[i] < values[lo]) lo = i;
      if (values[i] > values[hi]) hi = i;
    }
    if (values[hi] - values[lo] < 0.005) return this.spec.styles[name].text + " constant at " + fmt(values[lo], 2);
    return this.spec.styles[name].text + " from " + fmt(values[lo], 2) + " (t = " + t[lo] + ") to " + fmt(values[hi], 2) + " (t = " + t[hi] + ")";
  };

  View.prototype.destroy = function () {
    this.model.off("change:data", this.onData);
    if (this.spec.transport === "message") this.model.off("msg:custom", this.onMessage);
    if (this.resizer) this.resizer.disconnect();
  };

  // anywidget's entry point (JupyterLab): the model is the kernel's widget
  function render(ctx) {
    var view = new View(ctx.model, ctx.el);
    ctx.el.lstmExplorer = view;
    return function () { view.destroy(); };
  }

  // The website's model: the mirror computes the data of the slider values, at once.
  function LocalModel(spec, mirror) {
    this.state = {spec: spec, request: null, data: spec.data};
    this.handlers = {};
    this.mirror = mirror;
  }
  LocalModel.prototype.get = function (name) { return this.state[name]; };
  LocalModel.prototype.set = function (name, value) { this.state[name] = value; };
  LocalModel.prototype.on = function (event, fn) { (this.handlers[event] = this.handlers[event] || []).push(fn); };
  LocalModel.prototype.off = function (event, fn) {
    this.handlers[event] = (this.handlers[event] || []).filter(function (g) { return g !== fn; });
  };
  LocalModel.prototype.save_changes = function () {
    var request = this.state.request, data = this.mirror.compute(this.state.spec.mirror, request.values);
    data.seq = request.seq;
    this.state.data = data;
    (this.handlers["change:data"] || []).forEach(function (fn) { fn(); });
  };

  // the website: replace the static figure of <div data-lstm-explorer> by the live view
  function mount(container, mirror) {
    if (container.lstmExplorer) return container.lstmExplorer;
    var source = container.querySelector("script.lstm-explorer-spec");
    if (!source) return null;
    var spec = JSON.parse(source.textContent);
    mirror = mirror || (typeof LSTMMirror !== "undefined" ? LSTMMirror : null);
    if (!spec.mirror || !mirror) return null;  // runs the reader's own code: live in Jupyter only
    var model = new LocalModel(spec, mirror);
    var place = h("div", {"class": "lstm-explorer-mount"}, container);
    var view = new View(model, place);
    var still = container.querySelector(".lstm-explorer-static");
    if (still) still.hidden = true;
    container.lstmExplorer = view;
    return view;
  }

  function mountAll() {
    var nodes = document.querySelectorAll("[data-lstm-explorer]");
    for (var k = 0; k < nodes.length; k++) mount(nodes[k]);
  }

  // the drawing helpers, for the training view (trainer.js), which draws in the same style
  var dom = {h: h, s: s, richText: richText, fmt: fmt, niceTicks: niceTicks};

  return {render: render, mount: mount, mountAll: mountAll, View: View, LocalModel: LocalModel, dom: dom};
})();

// a classic <script> on the website mounts every explorer of the page; as an ES module (JupyterLab) it does not
if (typeof document !== "undefined" && document.currentScript) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", LSTMExplorer.mountAll);
  else LSTMExplorer.mountAll();
}
