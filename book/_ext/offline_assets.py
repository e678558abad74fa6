"""Serve MathJax 3, require.js and the Jupyter widget manager from the site itself.

`npm ci` installs them into `node_modules/` at the versions pinned by `package.json`. When they are there,
this extension copies what the pages need into a staging folder that Sphinx publishes as
`_static/vendor/` and points Sphinx (`mathjax_path`) and MyST-NB (`nb_ipywidgets_js`) at the copies, so a
page makes no request that leaves the site. When they are not there (no npm on this machine), the build
keeps the default CDN addresses and says so once.

The staging folder is not the book's `_static/`: Jupyter Book 1 adds a `<script>` tag to every page for
every `.js` file under `_static/`, which for MathJax alone is dozens of scripts.
"""

from __future__ import annotations

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
    if vendor.exists():
        shutil.rmtree(vendor)
    for source, target in ASSETS.items():
        src, dst = node_modules / source, vendor / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=_SKIP)
        else:
            shutil.copy2(src, dst)
    (vendor / "widgets-setup.js").write_text(WIDGETS_SETUP_JS)


def configure(app, config) -> None:
    node_modules = _node_modules(app)
    if not available(node_modules):
        logger.info(
            "[offline_assets] node_modules has no MathJax/require.js/widget manager (run `npm ci`): "
            "the pages will load them from their CDNs."
        )
        return
    staging = Path(app.doctreedir).parent / "vendor_static"
    stage(node_modules, staging)
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


def setup(app):
    app.connect("config-inited", configure, priority=100)
    # early: the first handler that returns a template name stops the others
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
