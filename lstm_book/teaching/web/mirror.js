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

  // ---------------------------------------------------------------------------------------------------------
  // Chapter 10's training view: the one-unit network (the scalar cell, a readout of K = 2 classes) trained on the
  // storage task with cross-entropy, global-norm clipping and Adam, as lstm_book.train.train_step does it. The
  // forward pass follows lstm_book.fast._forward (σ(z) = tanh(z/2)/2 + 1/2, the σ rows' weights halved first);
  // without a forget gate (chapter 11's "no_forget": f = 1) it follows the variants' loop (σ as above, `sigmoid`).
  // Task, names, ranges and colours come from Python (lstm_book.teaching.explorers.training); the page's
  // batches come from a small seeded generator written the same way there.

  // mulberry32: a 32-bit generator, the same integers in JavaScript and in Python; uniform numbers in [0, 1)
  function generator(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = ((t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t) >>> 0;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // B sequences of the storage task: x [B][T], labels [B] (1: there was a pulse), scored at the last step only.
  // Per sequence: T numbers (a distraction where one is below the rate), T signs, a pulse or not, when.
  function storageBatch(task, next, B) {
    var xs = new Array(B), ys = new Array(B), T = task.T, d = task.distraction;
    for (var b = 0; b < B; b++) {
      var x = new Array(T), t;
      for (t = 0; t < T; t++) x[t] = next() < task.distraction_rate;
      for (t = 0; t < T; t++) x[t] = x[t] ? (next() < 0.5 ? -d : d) : (next(), 0);
      var pulse = next() < 0.5, when = Math.floor(next() * task.pulse_window);
      if (pulse) x[when] = task.pulse;
      xs[b] = x; ys[b] = pulse ? 1 : 0;
    }
    return {x: xs, y: ys};
  }

  // the first weights: every weight uniform in (-1, 1) in the order of `names` (the readout's too), biases 0, b_f
  function initialParams(names, next, forgetBias) {
    var p = {};
    names.forEach(function (n) { var u = next(); p[n] = n.charAt(0) === "b" ? (n === "b_f" ? forgetBias : 0) : 2 * u - 1; });
    return p;
  }

  // one sequence forward from h0 = c0 = 0: the trace (i, j, f, o, c, h at every step) and the two logits at the end
  function networkForward(p, x, forget) {
    var T = x.length, tr = {i: new Array(T), j: new Array(T), f: new Array(T), o: new Array(T), c: new Array(T), h: new Array(T)};
    // with a forget gate: the σ rows' weights halved, σ(z) = tanh(z/2)/2 + 1/2; without: σ as `sigmoid`
    var k = forget ? 0.5 : 1, wxj = p.W_xj * k, whj = p.W_hj * k, bj = p.b_j * k;
    var wxo = p.W_xo * k, who = p.W_ho * k, bo = p.b_o * k, wxf = p.W_xf * k, whf = p.W_hf * k, bf = p.b_f * k;
    function gate(z) { return forget ? Math.tanh(z) * 0.5 + 0.5 : sigmoid(z); }
    var h = 0, c = 0;
    for (var t = 0; t < T; t++) {
      var i = Math.tanh((x[t] * p.W_xi + p.b_i) + h * p.W_hi);
      var j = gate((x[t] * wxj + bj) + h * whj);
      var f = forget ? gate((x[t] * wxf + bf) + h * whf) : 1;
      var o = gate((x[t] * wxo + bo) + h * who), write = i * j;
      c = c * f + write;                                      // as fast._forward: c_{t-1} f_t, plus i_t j_t
      h = Math.tanh(c) * o;
      tr.i[t] = i; tr.j[t] = j; tr.f[t] = f; tr.o[t] = o; tr.c[t] = c; tr.h[t] = h;
    }
    tr.logits = [h * p.W_y0 + p.b_y0, h * p.W_y1 + p.b_y1];
    return tr;
  }

  // cross-entropy of the two logits against the label: the loss and p - one_hot (lstm_book.losses.cross_entropy)
  function crossEntropy(logits, label) {
    var top = Math.max(logits[0], logits[1]), s0 = logits[0] - top, s1 = logits[1] - top;
    var log = Math.log(Math.exp(s0) + Math.exp(s1)), lp = [s0 - log, s1 - log];
    var d = [Math.exp(lp[0]), Math.exp(lp[1])];
    d[label] = d[label] - 1;
    return {loss: -lp[label], dlogits: d};
  }

  // the loss of a batch and the gradient of every parameter (readout, then the cell's backward pass through time)
  function lossAndGradients(p, batch, forget) {
    var B = batch.x.length, loss = 0, scale = 1 / B, whf = forget ? p.W_hf : 0;
    var gWy0 = 0, gWy1 = 0, gby0 = 0, gby1 = 0;
    var xi = 0, hi = 0, bi = 0, xj = 0, hj = 0, bj = 0, xf = 0, hf = 0, bf = 0, xo = 0, ho = 0, bo = 0;
    for (var b = 0; b < B; b++) {
      var x = batch.x[b], tr = networkForward(p, x, forget), T = x.length, hT = tr.h[T - 1];
      var ce = crossEntropy(tr.logits, batch.y[b]);
      loss += ce.loss;
      var dy0 = ce.dlogits[0] * scale, dy1 = ce.dlogits[1] * scale;
      gWy0 += dy0 * hT; gWy1 += dy1 * hT; gby0 += dy0; gby1 += dy1;
      var dhNext = dy0 * p.W_y0 + dy1 * p.W_y1, dcNext = 0;     // what h_T receives from the readout
      for (var t = T - 1; t >= 0; t--) {
        var i = tr.i[t], j = tr.j[t], f = tr.f[t], o = tr.o[t], tanhC = Math.tanh(tr.c[t]);
        var cPrev = t > 0 ? tr.c[t - 1] : 0, hPrev = t > 0 ? tr.h[t - 1] : 0, xt = x[t];
        var dh = dhNext;
        var zo = dh * ((1 - o) * o * tanhC);                  // h -> o
        var dc = dh * ((1 - tanhC * tanhC) * o) + dcNext;     // h -> c, plus the memory's error from c_{t+1}
        var zi = dc * ((1 - i * i) * j);                      // c -> i
        var zj = dc * ((1 - j) * j * i);                      // c -> j
        var zf = forget ? dc * ((1 - f) * f * cPrev) : 0;     // c -> f
        dcNext = dc * f;                                      // c_t -> c_{t-1}
        dhNext = zi * p.W_hi + zj * p.W_hj + zf * whf + zo * p.W_ho;   // every part -> h_{t-1}
        xi += zi * xt; hi += zi * hPrev; bi += zi;            // each step's share of the weights' gradients
        xj += zj * xt; hj += zj * hPrev; bj += zj;
        xf += zf * xt; hf += zf * hPrev; bf += zf;
        xo += zo * xt; ho += zo * hPrev; bo += zo;
      }
    }
    return {loss: loss / B, grads: {W_xi: xi, W_hi: hi, b_i: bi, W_xj: xj, W_hj: hj, b_j: bj, W_xf: xf, W_hf: hf,
                                    b_f: bf, W_xo: xo, W_ho: ho, b_o: bo, W_y0: gWy0, W_y1: gWy1, b_y0: gby0, b_y1: gby1}};
  }

  function finite(values) {
    for (var k in values) if (!isFinite(values[k])) return false;
    return true;
  }

  // one step of lstm_book.train.train_step: forward, loss, backward, clip to the global norm, Adam. Returns the
  // loss; sets state.diverged (and keeps the last finite weights) when a number stops being finite.
  function trainStep(state, batch) {
    var r = lossAndGradients(state.p, batch, state.forget), names = state.names, g = {}, k, n;
    if (!isFinite(r.loss) || !finite(r.grads)) { state.diverged = true; return r.loss; }
    var sum = 0;
    state.arrays.forEach(function (array) {                  // the package's arrays, each one's squares summed
      var part = 0;
      array.forEach(function (name) { part += r.grads[name] * r.grads[name]; });
      sum += part;
    });
    var norm = Math.sqrt(sum), scale = state.clip !== null && norm > 0 ? Math.min(1, state.clip / norm) : 1;
    for (k = 0; k < names.length; k++) g[names[k]] = r.grads[names[k]] * scale;
    var a = state.adam, t = a.t + 1, next = {};
    for (k = 0; k < names.length; k++) {
      n = names[k];
      a.m[n] = a.beta1 * (a.m[n] || 0) + (1 - a.beta1) * g[n];
      a.v[n] = a.beta2 * (a.v[n] || 0) + (1 - a.beta2) * (g[n] * g[n]);
      var mHat = a.m[n] / (1 - Math.pow(a.beta1, t)), vHat = a.v[n] / (1 - Math.pow(a.beta2, t));
      next[n] = state.p[n] - a.learning_rate * mHat / (Math.sqrt(vHat) + a.eps);
    }
    a.t = t;
    if (!finite(next)) { state.diverged = true; return r.loss; }
    for (n in next) state.p[n] = next[n];
    return r.loss;
  }

  // (loss, accuracy) on a batch: a sequence is right when the larger logit is its label's (ties: class 0)
  function evaluate(p, batch, forget) {
    var loss = 0, right = 0, B = batch.x.length;
    for (var b = 0; b < B; b++) {
      var lg = networkForward(p, batch.x[b], forget).logits;
      loss += crossEntropy(lg, batch.y[b]).loss;
      if ((lg[1] > lg[0] ? 1 : 0) === batch.y[b]) right += 1;
    }
    return {loss: loss / B, accuracy: right / B};
  }

  // A run of the view, as lstm_book.teaching.explorers.training.TrainingRun makes it: the generators of the data,
  // the test batch and the first weights from the seed; the test batch measured at step 0 and every eval_every.
  function Run(spec, settings) {
    var forget = !!settings.forget, arrays = spec.arrays[forget ? "lstm" : "no_forget"], names = [];
    arrays.forEach(function (a) { names.push.apply(names, a); });
    this.spec = spec;
    this.data = generator(4 * settings.seed + 1);
    this.test = storageBatch(spec.task, generator(4 * settings.seed + 2), spec.eval_size);
    this.batchSize = settings.batch_size;
    var adam = {learning_rate: settings.learning_rate, t: 0, m: {}, v: {}};
    for (var k in spec.adam) adam[k] = spec.adam[k];
    this.state = {names: names, arrays: arrays, forget: forget, clip: spec.clip, adam: adam, diverged: false,
                  p: initialParams(names, generator(4 * settings.seed + 3), settings.forget_bias)};
    this.step = 0; this.losses = []; this.curve = [];
    this.measure();
  }
  Run.prototype.measure = function () {
    var e = evaluate(this.state.p, this.test, this.state.forget);
    this.curve.push([this.step, e.loss, e.accuracy]);
  };
  Run.prototype.done = function () { return this.state.diverged || this.step >= this.spec.max_steps; };
  // up to n more steps (batches from `batches` if given: the tests feed the package's); returns the steps run
  Run.prototype.advance = function (n, batches) {
    var ran = 0;
    while (ran < n && !this.done()) {
      var batch = batches ? batches[ran] : storageBatch(this.spec.task, this.data, this.batchSize);
      var loss = trainStep(this.state, batch);
      if (this.state.diverged) break;
      this.step += 1; ran += 1;
      this.losses.push(loss);
      if (this.step % this.spec.eval_every === 0) this.measure();
    }
    return ran;
  };
  Run.prototype.traces = function () {
    var seqs = this.spec.sequences, out = {};
    for (var name in {pulse: 1, quiet: 1}) out[name] = networkForward(this.state.p, seqs[name], this.state.forget);
    return out;
  };

  var training = {Run: Run, generator: generator, storageBatch: storageBatch, initialParams: initialParams,
                  networkForward: networkForward, crossEntropy: crossEntropy, lossAndGradients: lossAndGradients,
                  trainStep: trainStep, evaluate: evaluate};


  // ---------------------------------------------------------------------------------------------------------
  // Chapter 12's text view: the trained character-level model (lstm_book.charlm) reads the reader's text and
  // writes its own. Float64 throughout, from the float32 weights the page loads (widened exactly), as the view's
  // Python computes (lstm_book.charlm.charlm_forward on float64 weights) and as lstm_book.charlm.sample does.
  // One step follows lstm_book.fast._forward with ids: z = (column k of W_x + b) + W_h h_{t-1}; i = tanh(z_i);
  // j, f, o = tanh(z/2)/2 + 1/2 (the package halves those rows first: exact in binary); c = c f + i j;
  // h = tanh(c) o. The readout: y = W_y h + b_y. tests/test_mirror.py holds it to the package.

  // arrays: the fourteen by name, each flattened row by row (W_xi (H, V), W_hi (H, H), b_i (H), ..., W_y (V, H),
  // b_y (V)); H, V: the sizes
  function CharModel(arrays, H, V) {
    var parts = ["i", "j", "f", "o"], k, r, m, g;
    this.H = H; this.V = V;
    this.xb = new Array(V);                                 // per character: column k of W_x, plus b (4H)
    for (k = 0; k < V; k++) {
      var col = new Float64Array(4 * H);
      for (g = 0; g < 4; g++) {
        var wx = arrays["W_x" + parts[g]], b = arrays["b_" + parts[g]];
        for (r = 0; r < H; r++) col[g * H + r] = wx[r * V + k] + b[r];
      }
      this.xb[k] = col;
    }
    this.Wh = new Float64Array(4 * H * H);                   // the four W_h stacked, (4H, H) row by row
    for (g = 0; g < 4; g++) {
      var wh = arrays["W_h" + parts[g]];
      for (m = 0; m < H * H; m++) this.Wh[g * H * H + m] = wh[m];
    }
    this.Wy = Float64Array.from(arrays.W_y); this.by = Float64Array.from(arrays.b_y);
  }
  // one step from state (h, c) on character id k: {z: the activations i, j, f, o (4H), c, h}
  CharModel.prototype.step = function (k, h, c) {
    var H = this.H, xb = this.xb[k], Wh = this.Wh, a = new Float64Array(4 * H), cNew = new Float64Array(H),
        hNew = new Float64Array(H), r, m;
    for (r = 0; r < 4 * H; r++) {
      var rec = 0, row = r * H;
      for (m = 0; m < H; m++) rec += h[m] * Wh[row + m];
      var z = xb[r] + rec;
      a[r] = r < H ? Math.tanh(z) : Math.tanh(z * 0.5) * 0.5 + 0.5;
    }
    for (r = 0; r < H; r++) {
      cNew[r] = c[r] * a[2 * H + r] + a[r] * a[H + r];        // c_{t-1} f_t + i_t j_t
      hNew[r] = Math.tanh(cNew[r]) * a[3 * H + r];             // tanh(c_t) o_t
    }
    return {z: a, c: cNew, h: hNew};
  };
  // the readout's scores y = W_y h + b_y (V)
  CharModel.prototype.logits = function (h) {
    var H = this.H, V = this.V, y = new Float64Array(V);
    for (var v = 0; v < V; v++) {
      var s = 0, row = v * H;
      for (var m = 0; m < H; m++) s += h[m] * this.Wy[row + m];
      y[v] = s + this.by[v];
    }
    return y;
  };
  // the text's ids from the state (h, c) (zeros if not given): every step's {z, c, h} and scores
  CharModel.prototype.read = function (ids, h, c) {
    var steps = new Array(ids.length);
    h = h || new Float64Array(this.H); c = c || new Float64Array(this.H);
    for (var t = 0; t < ids.length; t++) {
      var s = this.step(ids[t], h, c);
      s.y = this.logits(s.h);
      steps[t] = s; h = s.h; c = s.c;
    }
    return steps;
  };

  // softmax(y / τ) (lstm_book.charlm.softmax): exp of the scaled scores minus their largest, over their sum
  function softmax(y, temperature) {
    var n = y.length, e = new Float64Array(n), top = -Infinity, sum = 0, k;
    for (k = 0; k < n; k++) { e[k] = y[k] / temperature; if (e[k] > top) top = e[k]; }
    for (k = 0; k < n; k++) { e[k] = Math.exp(e[k] - top); sum += e[k]; }
    for (k = 0; k < n; k++) e[k] = e[k] / sum;
    return e;
  }

  // lstm_book.charlm.sample, a few characters at a time: read the prompt's ids, then each `take(n)` makes n draws,
  // each the first character whose cumulative exp(y/τ - max) exceeds u times their sum, u the next number of
  // mulberry32(seed) (`generator`), and returns their ids. read: optional, the steps `read` returned for the
  // prompt's first characters (a view keeps them), not read again.
  function Sampler(model, prompt, temperature, seed, read) {
    var h = new Float64Array(model.H), c = new Float64Array(model.H), s, t;
    var known = Math.min(read ? read.length : 0, prompt.length - 1);
    if (known > 0) { h = read[known - 1].h; c = read[known - 1].c; }
    for (t = known; t < prompt.length - 1; t++) { s = model.step(prompt[t], h, c); h = s.h; c = s.c; }
    this.model = model; this.temperature = temperature; this.next = generator(seed);
    this.k = prompt[prompt.length - 1]; this.h = h; this.c = c; this.w = new Float64Array(model.V);
  }
  Sampler.prototype.take = function (n) {
    var model = this.model, temperature = this.temperature, next = this.next, w = this.w, V = model.V;
    var k = this.k, h = this.h, c = this.c, out = [], s;
    for (var d = 0; d < n; d++) {
      s = model.step(k, h, c); h = s.h; c = s.c;
      var y = model.logits(h), top = -Infinity, v;
      for (v = 0; v < V; v++) { w[v] = y[v] / temperature; if (w[v] > top) top = w[v]; }
      var sum = 0;
      for (v = 0; v < V; v++) { sum += Math.exp(w[v] - top); w[v] = sum; }   // the cumulative weights
      var target = next() * w[V - 1];
      for (k = 0; k < V - 1 && !(w[k] > target); k++);           // the first above u·Σ (at most the last)
      out.push(k);
    }
    this.k = k; this.h = h; this.c = c;
    return out;
  };
  // the whole of lstm_book.charlm.sample at once: `length` ids
  function sampleIds(model, prompt, length, temperature, seed, read) {
    return new Sampler(model, prompt, temperature, seed, read).take(length);
  }

  var charlm = {CharModel: CharModel, softmax: softmax, Sampler: Sampler, sampleIds: sampleIds, generator: generator};

  function compute(spec, values) {
    var fn = computes[spec.name];
    if (!fn) throw new Error("mirror: no compute named " + spec.name);
    return fn(spec, values);
  }

  return {sigmoid: sigmoid, scalarCell: scalarCell, scalarBackward: scalarBackward, computes: computes,
          compute: compute, training: training, charlm: charlm};
})();

if (typeof module !== "undefined" && module.exports) module.exports = LSTMMirror;
