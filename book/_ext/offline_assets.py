"""Serve MathJax 3, require.js, the Jupyter widget manager and the explorers' front end from the site itself.

`npm ci` installs them into `node_modules/` at the versions pinned by `package.json`. When they are there,
this extension copies what the pages need into a staging folder that Sphinx publishes as
`_static/vendor/` and points Sphinx (`mathjax_path`) and MyST-NB (`nb_ipywidgets_js`) at the copies, so a
page makes no request that leaves the site. When they are not there (no npm on this machine), the build
keeps the default CDN addresses and says so once.

The explorers' front end (`lstm_book/teaching/web/`: explorer.js, the JavaScript mirror of the scalar cell, the CSS) is
part of the book's own code, so it is always served (npm or not), on the pages that show an explorer. An
explorer's notebook output holds both a widget view (JupyterLab) and a self-contained HTML view (description,
static figure); on the website the HTML view is preferred (`nb_mime_priority_overrides`) and the explorers'
widget models are dropped from the page's widget state, so no page asks a CDN for anywidget's front end.

The staging folder is not the book's `_static/`: Jupyter Book 1 adds a `<script>` tag to every page for
every `.js` file under `_static/`, which for MathJax alone is dozens of scripts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

# what is copied: node_modules path -> path under _static/vendor/
ASSETS = {
    "mathjax/es5": "mathjax",
    "requirejs/require.js": "require.js",
    "@jupyter-widgets/html-manager/dist": "html-manager",
}
# the widget manager's dist also holds source maps and a non-AMD bundle the pages never load
_SKIP = shutil.ignore_patterns("*.map", "embed.js", "libembed-amd.js", "*.LICENSE.txt")


def _node_modules(app) -> Path:
    return Path(app.confdir) / "node_modules"


def available(node_modules: Path) -> bool:
    """True when every asset is installed."""
    return all((node_modules / source).exists() for source in ASSETS)


# Loaded between require.js and the widget manager.
# 1. The manager's modules (@jupyter-widgets/base, controls, ...) find their files (the icon fonts) relative to
#    the URL that require.js gives the module; without paths that is a folder under the page's, where they are
#    not. These six modules are all defined inside embed-amd.js: the paths only say where they live.
# 2. The manager typesets widget labels with the MathJax 2 call `MathJax.Hub.Queue(...)`; the site runs
#    MathJax 3, which has no `Hub`, so every widget would throw. A two-line adapter forwards the call to
#    MathJax 3's `typesetPromise`. Widgets render on the window's load event, after MathJax has started.
WIDGETS_SETUP_JS = """\
(function () {
  var src = document.currentScript.src.split("?")[0];
  var dir = src.slice(0, src.lastIndexOf("/") + 1) + "html-manager/";
  window.require.config({paths: {
    "@jupyter-widgets/html-manager/dist/libembed-amd": dir + "libembed-amd",
    "@jupyter-widgets/html-manager": dir + "html-manager",
    "@jupyter-widgets/base": dir + "base",
    "@jupyter-widgets/base7": dir + "base7",
    "@jupyter-widgets/controls": dir + "controls",
    "@jupyter-widgets/controls7": dir + "controls7"
  }});
  function mathjax2Adapter() {
    var M = window.MathJax;
    if (M && !M.Hub) {
      M.Hub = {Queue: function (job) {
        var element = job && job[2];
        if (M.typesetPromise) {
          M.typesetPromise(element ? [element] : undefined).catch(function (e) { console.warn(e); });
        }
      }};
    }
  }
  document.addEventListener("DOMContentLoaded", mathjax2Adapter);
  window.addEventListener("load", mathjax2Adapter);
})();
"""


def stage(node_modules: Path, staging: Path) -> None:
    """Copy the assets into staging/vendor/, replacing an older copy."""
    vendor = staging / "vendor"
    for source, target in ASSETS.items():
        src, dst = node_modules / source, vendor / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=_SKIP)
        else:
            shutil.copy2(src, dst)
    (vendor / "widgets-setup.js").write_text(WIDGETS_SETUP_JS)


# the explorers' front end, from the book's package: lstm_book/teaching/web/<file> -> _static/vendor/lstm-explorer/<file>
EXPLORER_FILES = ("mirror.js", "explorer.js", "explorer.css", "trainer.js", "textview.js")
EXPLORER_MARK = "data-lstm-explorer"
TRAINER_MARK = "data-lstm-trainer"  # chapter 10's training view: the same files, and trainer.js after them
# chapter 12's text view: the same files, textview.js, and the trained weights (only on the pages that show one)
TEXTVIEW_MARK = "data-lstm-textview"
# widget models that only the explorers' JupyterLab view uses
EXPLORER_WIDGET_MODULE = "anywidget"


def _web_dir(app) -> Path:
    return Path(app.confdir) / "lstm_book" / "teaching" / "web"


def stage_explorer(web: Path, staging: Path) -> None:
    """Copy the explorers' front end into staging/vendor/lstm-explorer/."""
    target = staging / "vendor" / "lstm-explorer"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in EXPLORER_FILES:
        shutil.copy2(web / name, target / name)
    from lstm_book.teaching.explorers.text_view import WEIGHTS_FILE, weights_script   # the book's own package

    (target / WEIGHTS_FILE).write_text(weights_script(), encoding="ascii")


def configure(app, config) -> None:
    staging = Path(app.doctreedir).parent / "vendor_static"
    # the text/html view of an explorer output before its widget view, on every HTML builder
    overrides = list(getattr(config, "nb_mime_priority_overrides", None) or [])
    for builder in ("html", "dirhtml", "singlehtml"):
        overrides.append((builder, "text/html", 5))
    config.nb_mime_priority_overrides = overrides
    web = _web_dir(app)
    if web.is_dir():
        stage_explorer(web, staging)  # staging/vendor/lstm-explorer/, beside what `stage` copies
    (staging / "vendor").mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(__file__).with_name("book.css"), staging / "vendor" / "book.css")
    config.html_static_path = list(config.html_static_path) + [str(staging)]
    node_modules = _node_modules(app)
    if not available(node_modules):
        logger.info(
            "[offline_assets] node_modules has no MathJax/require.js/widget manager (run `npm ci`): "
            "the pages will load them from their CDNs."
        )
        return
    stage(node_modules, staging)
    if str(staging) not in config.html_static_path:
        config.html_static_path = list(config.html_static_path) + [str(staging)]
    config.mathjax_path = "vendor/mathjax/tex-chtml.js"
    config.nb_ipywidgets_js = {
        "vendor/require.js": {},
        "vendor/widgets-setup.js": {},
        "vendor/html-manager/embed-amd.js": {},
    }
    logger.info("[offline_assets] serving MathJax, require.js and the widget manager from _static/vendor/")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep each script once per page.

    sphinx-thebe (always loaded by Jupyter Book 1) registers its inline configuration script again when the
    sources are read (once with filename None, once with ""), and a page that declares `const THEBE_JS_URL`
    twice logs an error in the browser.
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: the builder restores its own list before the next page


def drop_explorer_widget_state(app, doctree) -> None:
    """Remove the explorers' widget models (anywidget) from a notebook page's stored widget state.

    The website draws explorers from their HTML view; their widget models would only make the widget manager
    fetch anywidget's front end from a CDN. Other widgets (and the models they use) are kept; a page left with
    no widget state loads no widget manager at all.
    """
    env = app.env
    docname = env.docname
    js_files = getattr(env, "nb_metadata", {}).get(docname, {}).get("js_files")
    if not js_files or "ipywidgets_state" not in js_files:
        return
    uri, kwargs = js_files["ipywidgets_state"]
    state = json.loads(kwargs["body"])
    models = state.get("state", {})
    ours = {k for k, m in models.items() if m.get("model_module") == EXPLORER_WIDGET_MODULE}
    if not ours:
        return

    def refs(ids):
        text = json.dumps([models[k] for k in ids])
        return {k for k in models if f"IPY_MODEL_{k}" in text}

    others = set(models) - ours
    used_by_others = refs(others)
    drop = ours | (refs(ours) - used_by_others - others.intersection(_views(models)))
    kept = {k: v for k, v in models.items() if k not in drop}
    if not any(m.get("model_module") != "@jupyter-widgets/base" for m in kept.values()):
        kept = {}
    if kept:
        state["state"] = kept
        body = json.dumps(state).replace("</", "<\\/")
        js_files["ipywidgets_state"] = (uri, {**kwargs, "body": body})
    else:
        for key in [k for k in js_files if k == "ipywidgets_state" or k.startswith("ipywidgets_")]:
            del js_files[key]


def _views(models):
    """Models that can be shown (DOM widgets), as opposed to layouts and styles."""
    return {k for k, m in models.items() if m.get("model_module") != "@jupyter-widgets/base"}


def add_explorer_front_end(app, pagename, templatename, context, doctree) -> None:
    """The front end's script and style on every page that shows an explorer."""
    body = context.get("body") or ""
    if (EXPLORER_MARK in body or TRAINER_MARK in body or TEXTVIEW_MARK in body) and _web_dir(app).is_dir():
        app.add_css_file("vendor/lstm-explorer/explorer.css")
        app.add_js_file("vendor/lstm-explorer/mirror.js")
        app.add_js_file("vendor/lstm-explorer/explorer.js")
    if TRAINER_MARK in body and _web_dir(app).is_dir():
        app.add_js_file("vendor/lstm-explorer/trainer.js")
    if TEXTVIEW_MARK in body and _web_dir(app).is_dir():
        app.add_js_file("vendor/lstm-explorer/charlm-weights.js")
        app.add_js_file("vendor/lstm-explorer/textview.js")


def accessible_citations(app, pagename, templatename, context, doctree) -> None:
    """docutils writes a bibliography as <div role="list"> whose entries have role="doc-biblioentry", which
    ARIA does not allow in a list (axe-core: aria-required-children, critical). Make the entries list items."""
    body = context.get("body")
    if body and 'class="citation-list"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.add_css_file("vendor/book.css")
    app.connect("html-page-context", accessible_citations, priority=400)
    app.connect("doctree-read", drop_explorer_widget_state)
    app.connect("html-page-context", add_explorer_front_end, priority=400)
    app.connect("config-inited", configure, priority=100)
    # early: the first handler that returns a template name stops the others
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
