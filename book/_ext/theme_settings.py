"""Theme settings that `_config.yml` cannot express on its own.

1. No second search bar. pydata-sphinx-theme 0.17 puts a search field into a header bar above every page unless
   `navbar_persistent` is set, and sphinx-book-theme already has one in the sidebar; we set it to nothing, so
   the header bar is not drawn at all.

2. Where the book is published: one setting, `repository.url` in `_config.yml`, and everything built from it.

The launch buttons of the notebook pages (Binder, Colab) and the repository button of every page link into the
public repository the book is published from. A link to a repository that does not exist helps no reader, so:

* `repository.url` empty (the default until the book is published): no launch buttons, no repository button;
* `repository.url` set to ``https://github.com/<owner>/<repo>``: the repository button is switched on, and the
  theme builds the launch buttons from the same URL and `repository.branch`.

A URL the buttons cannot be built from (not the address of a GitHub repository, which both Binder and Colab
can open) stops the build with a message that says what is expected. README.md, "How to publish the book", describes the steps.
The launch buttons open `repository.branch`, where the copies for any Jupyter are published (`make notebooks`).

3. The download menu of every page offers the whole book as a PDF (`make pdf` writes it into the site).
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

_REPOSITORY = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/?$")


def theme_settings(app: Sphinx, config) -> None:
    options = config.html_theme_options
    url = (options.get("repository_url") or "").strip()
    if not url:
        options["repository_url"] = ""
        options["use_repository_button"] = False
        options["launch_buttons"] = {}  # the theme cannot build them without a repository (and would crash)
        return
    if not _REPOSITORY.match(url):
        raise ConfigError(
            f"_config.yml: repository.url should be the address of a public GitHub repository, "
            f"https://github.com/<owner>/<repo> (Binder and Colab open notebooks from there), or empty; got {url!r}"
        )
    options["repository_url"] = url.rstrip("/")
    options["use_repository_button"] = True


def one_search_field(app: Sphinx) -> None:
    """Before the theme fills in its default (a header bar with a second search field), say: nothing there."""
    options = getattr(app.builder, "theme_options", None)
    if options is not None and "navbar_persistent" not in app.config.html_theme_options:
        options["navbar_persistent"] = []


PDF = "lstm-equation-by-equation.pdf"  # written into the site by `make pdf` (tools/make_pdf.py)


def offer_the_pdf(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The download menu of every page offers the whole book as a PDF, next to this page's files."""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append({"type": "link", "url": context["pathto"](PDF, 1), "text": "book .pdf",
                                     "tooltip": "Download the whole book as a PDF", "icon": "fas fa-book",
                                     "label": "download-book-pdf-button"})


def setup(app: Sphinx):
    app.connect("config-inited", theme_settings)
    app.connect("builder-inited", one_search_field, priority=400)  # before pydata-sphinx-theme's (500)
    app.connect("html-page-context", offer_the_pdf, priority=600)  # after sphinx-book-theme's buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
