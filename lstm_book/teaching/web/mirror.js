/*
 * The JavaScript mirror of the scalar LSTM cell: the one piece of the book's code written twice.
 *
 * The website has no Python, so its live explorers compute the running example here. This file holds
 * arithmetic only (the explorers' sliders, panels and colours come from the Python description), and
 * tests/test_mirror.py holds it to lstm_book's numbers: 1e-12 at every explorer's defaults, 1e-6 over 500
 * random settings, and it must reject deliberately wrong copies of this file.
 *
 * sigmoid is computed exactly as lstm_book.equations.sigmoid does (two branches that only take e^(-|z|)),
 * tanh with Math.tanh, and every sum in the same order as the package: x·w_x + h·w_h + b.
 *
 * A compute takes the explorer's `mirror` description (its fixed inputs) and the slider values, and returns
 * the arrays to draw by name. A new explorer with a different computation registers one more compute here.
 */
var LSTMMirror = (function () {
  "use strict";

  function sigmoid(z) {
    var e = Math.exp(-Math.abs(z));
    return (z >= 0 ? 1 : e) / (1 + e);
  }

  // one scalar cell over the inputs xs, from h0 and c0; p holds the twelve weights by name (w_xi, b_f, ...)
  function scalarCell(xs, p, h0, c0) {
    var T = xs.length, out = {}, names = ["i", "j", "f", "o", "c", "h", "tanh_c"];
    for (var k = 0; k < names.length; k++) out[names[k]] = new Array(T);
    var h = h0, c = c0;
    for (var t = 0; t < T; t++) {
      var x = xs[t];
      var i = Math.tanh(x * p.w_xi + h * p.w_hi + p.b_i);
      var j = sigmoid(x * p.w_xj + h * p.w_hj + p.b_j);
      var f = sigmoid(x * p.w_xf + h * p.w_hf + p.b_f);
      var o = sigmoid(x * p.w_xo + h * p.w_ho + p.b_o);
      c = c * f + i * j;
      var tanhC = Math.tanh(c);
      h = tanhC * o;
      out.i[t] = i; out.j[t] = j; out.f[t] = f; out.o[t] = o; out.c[t] = c; out.h[t] = h; out.tanh_c[t] = tanhC;
    }
    return out;
  }

  // the slider values applied to the description's fixed weights and initial state
  function setting(spec, values) {
    var p = {}, state = {h0: spec.h0, c0: spec.c0}, name;
    for (name in spec.params) p[name] = spec.params[name];
    for (name in values) {
      if (name in p) p[name] = values[name];
      else if (spec.state && spec.state[name]) state[spec.state[name]] = values[name];
      else throw new Error("mirror: no weight or state named " + name);
    }
    return {p: p, h0: state.h0, c0: state.c0};
  }

  var computes = {
    // the running example (or any fixed input signal) through the scalar cell
    scalar_cell: function (spec, values) {
      var s = setting(spec, values), out = scalarCell(spec.x, s.p, s.h0, s.c0);
      out.t = spec.t.slice();
      out.x = spec.x.slice();
      return out;
    },
    // constant gates (every weight 0): the leaky integrator, with its fixed point and time constant
    constant_gates: function (spec, values) {
      var out = computes.scalar_cell(spec, values);
      var f = out.f[0], j = out.j[0], i = out.i[0];
      out.c_star = i * j / (1 - f);
      out.tau = 1 / (1 - f);
      return out;
    }
  };

  // chapters 8 and 9: the scalar cell's backward pass, as lstm_book.backward.error_signal and
  // lstm_step_backward compute it. dh: the loss's error at every h_t. Returns the error that reaches every h_t
  // and c_t ("dh", "dc") and each step's share of the four biases' gradients ("db_i", ..., the dz of each part).
  function scalarBackward(p, tr, dh, c0) {
    var T = dh.length, out = {dh: new Array(T), dc: new Array(T), db_i: new Array(T), db_j: new Array(T),
                              db_f: new Array(T), db_o: new Array(T)};
    var dhNext = 0, dcNext = 0;
    for (var t = T - 1; t >= 0; t--) {
      var i = tr.i[t], j = tr.j[t], f = tr.f[t], o = tr.o[t], cPrev = t > 0 ? tr.c[t - 1] : c0;
      var tanhC = Math.tanh(tr.c[t]);
      var eh = dh[t] + dhNext;                             // all of dL/dh_t
      var ec = eh * o * (1 - tanhC * tanhC) + dcNext;      // all of dL/dc_t: through h_t, and from c_{t+1}
      var zo = eh * tanhC * o * (1 - o);                   // h -> o
      var zf = ec * cPrev * f * (1 - f);                   // c -> f
      var zj = ec * i * j * (1 - j);                       // c -> j
      var zi = ec * j * (1 - i * i);                       // c -> i
      out.dh[t] = eh; out.dc[t] = ec;
      out.db_i[t] = zi; out.db_j[t] = zj; out.db_f[t] = zf; out.db_o[t] = zo;
      dcNext = ec * f;                                     // c_t -> c_{t-1}
      dhNext = zi * p.w_hi + zj * p.w_hj + zf * p.w_hf + zo * p.w_ho;   // every part -> h_{t-1}
    }
    return out;
  }

  function log10Floor(values) {
    return values.map(function (v) { return Math.log10(Math.max(Math.abs(v), 1e-100)); });
  }

  // chapter 8: the running example, with the loss reading h at one step (spec.loss_step)
  computes.lstm_backward = function (spec, values) {
    var out = computes.scalar_cell(spec, values), T = out.t.length, dh = new Array(T).fill(0);
    dh[spec.t.indexOf(spec.loss_step)] = 1;                // loss_step is a step number, found in t
    var back = scalarBackward(setting(spec, values).p, out, dh, spec.c0);
    for (var name in back) out[name] = back[name];
    ["i", "j", "f", "o"].forEach(function (g) {                // drawn in hundredths
      out["share_" + g] = back["db_" + g].map(function (v) { return 100 * v; });
    });
    return out;
  };

  // chapter 9: the same cell with the loss at the last step, beside a plain RNN h_t = tanh(w_xh x_t + w_hh h_{t-1})
  computes.gradient_flow = function (spec, values) {
    var cellValues = {}, name;
    for (name in values) if (name !== "w_hh") cellValues[name] = values[name];
    var out = computes.scalar_cell(spec, cellValues), T = out.t.length, dh = new Array(T).fill(0);
    dh[T - 1] = 1;
    var back = scalarBackward(setting(spec, cellValues).p, out, dh, spec.c0);
    out.dh = back.dh.map(Math.abs); out.dc = back.dc.map(Math.abs);
    var path = new Array(T), acc = 1;                    // f_{t+1} ... f_T, and 1 at the last step
    path[T - 1] = 1;
    for (var t = T - 2; t >= 0; t--) { acc = acc * out.f[t + 1]; path[t] = acc; }
    out.path = path;
    var w = values.w_hh, hs = new Array(T), h = 0;       // the plain RNN, from rest
    for (t = 0; t < T; t++) { h = Math.tanh((spec.x[t] * spec.w_xh + spec.b_h) + h * w); hs[t] = h; }
    var rnn = new Array(T), next = 0;
    for (t = T - 1; t >= 0; t--) { rnn[t] = dh[t] + next; next = rnn[t] * (1 - hs[t] * hs[t]) * w; }
    out.h_rnn = hs; out.dh_rnn = rnn.map(Math.abs);
    out.log_dc = log10Floor(out.dc); out.log_path = log10Floor(path); out.log_rnn = log10Floor(rnn);
    return out;
  };

  function compute(spec, values) {
    var fn = computes[spec.name];
    if (!fn) throw new Error("mirror: no compute named " + spec.name);
    return fn(spec, values);
  }

  return {sigmoid: sigmoid, scalarCell: scalarCell, scalarBackward: scalarBackward, computes: computes,
          compute: compute};
})();

if (typeof module !== "undefined" && module.exports) module.exports = LSTMMirror;
