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

  function compute(spec, values) {
    var fn = computes[spec.name];
    if (!fn) throw new Error("mirror: no compute named " + spec.name);
    return fn(spec, values);
  }

  return {sigmoid: sigmoid, scalarCell: scalarCell, computes: computes, compute: compute};
})();

if (typeof module !== "undefined" && module.exports) module.exports = LSTMMirror;
