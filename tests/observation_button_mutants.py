"""Proves that the guided-observation button tests of tests/test_website.py can fail: runs their checks once
against deliberately broken versions of the page and requires each to be rejected.

Needs the built site (`make book` or a run of tests/test_website.py). The broken versions are served by
Playwright's request routing in place of the real files: nothing on disk changes.

    .venv/bin/python tests/observation_button_mutants.py      # about a minute
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_website as site  # noqa: E402
from conftest import HTML, _QuietHandler  # noqa: E402  (the built site and the quiet server live in conftest.py)

CHAPTER = "04_forget_gate"


def replace_js(old, new):
    def apply(text):
        if old not in text:  # not an AssertionError: a mutant that cannot be made is no rejection
            raise RuntimeError(f"explorer.js has no {old!r}")
        return text.replace(old, new)
    return ("explorer.js", apply)


def spec_only_named(html):
    """The description's buttons name only the sliders a setting changes (the others would stay where they are)."""
    def one(match):
        spec = json.loads(match.group(2).replace("<\\/", "</"))
        defaults = {s["name"]: s["default"] for s in spec["sliders"]}
        for ob in spec["observations"]:
            ob["values"] = {k: v for k, v in ob["values"].items() if v != defaults[k]}
        return match.group(1) + json.dumps(spec).replace("</", "<\\/") + match.group(3)
    return re.sub(r'(<script type="application/json" class="lstm-explorer-spec">)(.*?)(</script>)', one, html, flags=re.S)


def static_button(html):
    """A button written into the page's HTML: it shows, dead, when JavaScript is off."""
    return html.replace('<div class="lstm-explorer" data-lstm-explorer>',
                        '<div class="lstm-explorer" data-lstm-explorer><button type="button">Set the explorer: 2. b_f = 4</button>', 1)


MUTANTS = {
    "the slider elements are not moved": replace_js("this.inputs[name].value = values[name];", ""),
    "the figure is not recomputed": replace_js("this.showValues(values);\n    this.request();\n  };",
                                               "this.showValues(values);\n  };"),
    "a button that only a pointer can press": replace_js(
        'b.addEventListener("click", function () { self.setValues(ob.values); });',
        'b.addEventListener("pointerup", function () { self.setValues(ob.values); });'),
    "the button's setting keeps the other sliders where they are": (f"{CHAPTER}.html", spec_only_named),
    "the button is not marked as the setting shown": replace_js('same ? "true" : "false"', '"false"'),
}


def main():
    from playwright.sync_api import sync_playwright

    assert (HTML / "notebooks" / f"{CHAPTER}.html").is_file(), "build the site first"
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HTML)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server = f"http://127.0.0.1:{httpd.server_address[1]}"
    caught = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])

        def run(mutant, javascript=True):
            context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
            if mutant is not None:
                name, change = mutant
                def route(r):
                    response = r.fetch()
                    r.fulfill(response=response, body=change(response.text()))
                context.route(lambda url: urlparse(url).path.endswith("/" + name), route)
            tab = context.new_page()
            try:
                tab.goto(f"{server}/notebooks/{CHAPTER}.html", wait_until="load")
                if javascript:
                    site._check_observation_buttons(tab, 0, CHAPTER)
                else:
                    site._no_dead_controls(tab, CHAPTER)
            finally:
                context.close()

        run(None)                      # the real page passes both checks
        run(None, javascript=False)
        for label, mutant in MUTANTS.items():
            try:
                run(mutant)
            except AssertionError as error:
                caught.append(label)
                print(f"rejected: {label}: {(str(error) or repr(error)).splitlines()[0][:150]}")
            else:
                print(f"NOT REJECTED: {label}")
        try:
            run((f"{CHAPTER}.html", static_button), javascript=False)
        except AssertionError as error:
            caught.append("static button")
            print(f"rejected: a button in the page's HTML, with JavaScript off: {(str(error) or repr(error)).splitlines()[0][:150]}")
        else:
            print("NOT REJECTED: a button in the page's HTML, with JavaScript off")
        browser.close()
    httpd.shutdown()
    missed = len(MUTANTS) + 1 - len(caught)
    print(f"{len(caught)} of {len(MUTANTS) + 1} broken versions rejected")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
