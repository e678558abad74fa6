/*
 * lstm-book-links: in JupyterLab, a link such as [forget gate](../book/glossary.md#term-forget-gate) opens the
 * page at the entry it names, as it does on the website.
 *
 * JupyterLab hands a link's fragment to the page it opens before the page has rendered its Markdown, and
 * jupyterlab-myst renders asynchronously: the Markdown preview (glossary.md, references.md) ignores the fragment,
 * and a notebook scrolls to where its target was before the cells above it grew. This plugin waits for the
 * target to appear, scrolls it to the top, and does so again while the layout above it settles. It gives up
 * as soon as the reader scrolls, clicks or types, and after 20 s.
 *
 * It is a prebuilt JupyterLab extension written by hand: a module-federation container (window._JUPYTERLAB[name],
 * with `init` and `get`) whose one module exports the plugin. It imports nothing, so it needs no build step;
 * `make install` copies this folder into the environment's share/jupyter/labextensions/.
 */
(function () {
  'use strict';

  var NAME = 'lstm-book-links';
  var SETTLED_MS = 600;  // the target has not moved for this long: the page has settled
  var GIVE_UP_MS = 20000;
  var READER_INPUT = ['wheel', 'mousedown', 'keydown', 'touchstart'];

  function target(node, id) {
    var quoted = CSS.escape(id);
    return node.querySelector('[id="' + quoted + '"], [data-jupyter-id="' + quoted + '"]');
  }

  function openedWidget(app, path) {
    var iterator = app.shell.widgets('main');
    for (var widget = iterator.next(); widget && !widget.done; widget = iterator.next()) {
      var w = widget.value !== undefined ? widget.value : widget;
      if (w && w.context && w.context.path === path) return w;
    }
    return null;
  }

  // Scroll the element with the id `id` to the top of `widget` until it stays there.
  function follow(widget, id) {
    var started = performance.now(), lastTop = null, stillSince = 0, done = false;
    function stop() {
      done = true;
      READER_INPUT.forEach(function (type) { widget.node.removeEventListener(type, stop, true); });
    }
    READER_INPUT.forEach(function (type) { widget.node.addEventListener(type, stop, true); });
    function step(now) {
      if (done || widget.isDisposed) return;
      if (now - started > GIVE_UP_MS) return stop();
      var element = widget.isVisible ? target(widget.node, id) : null;
      if (element) {
        var top = element.getBoundingClientRect().top;
        if (lastTop === null || Math.abs(top - lastTop) > 1) {
          element.scrollIntoView({block: 'start'});
          lastTop = element.getBoundingClientRect().top;
          stillSince = now;
        } else if (now - stillSince > SETTLED_MS) {
          return stop();
        }
      }
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  }

  var plugin = {
    id: NAME + ':plugin',
    description: 'Open a link\'s #fragment at its target once the page has rendered.',
    autoStart: true,
    activate: function (app) {
      app.commands.commandExecuted.connect(function (_, executed) {
        if (executed.id !== 'rendermime:handle-local-link') return;
        var path = executed.args && executed.args.path, fragment = executed.args && executed.args.id;
        var id = fragment ? decodeURIComponent(String(fragment).replace(/^#/, '')) : '';
        // JupyterLab's own kinds of fragment (#cell-id=..., #heading=..., #line=...) are left to JupyterLab
        if (!path || !id || id.indexOf('=') >= 0) return;
        Promise.resolve(executed.result).then(function () {
          var widget = openedWidget(app, path);
          if (widget) follow(widget, id);
        }, function () {});
      });
    }
  };

  var container = {
    init: function () {},
    get: function (module) {
      if (module !== './extension') return Promise.reject(new Error(NAME + ' has no module ' + module));
      return Promise.resolve(function () { return {__esModule: true, default: [plugin]}; });
    }
  };
  (window._JUPYTERLAB = window._JUPYTERLAB || {})[NAME] = container;
})();
