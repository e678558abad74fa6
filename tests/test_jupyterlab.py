"""The notebooks as a course in JupyterLab: a real JupyterLab, a real browser, every chapter opened and run.

One JupyterLab server serves a copy of `notebooks/` and `book/` (so nothing the test runs is saved into the
repository); headless Chromium opens every chapter (found by glob: new chapters are covered without a change
here), a few at a time, with every request that would leave 127.0.0.1 blocked. For each chapter it checks what a
learner would meet:

- the tab is not marked changed right after opening (JupyterLab rewrites some metadata on open);
- the title's math is typeset;
- no reference is left unresolved (jupyterlab-myst's "Not Found" marks, links to "#", raw roles, console errors
  about missing targets) and every link into the book points at a file that exists;
- every solution is a closed dropdown that shows only its title, before and after Run All;
- after Run All, no cell raised or warned, and no output says "Correct" (the reader's untouched exercise cells
  must all say "Not yet": any other verdict would come from code the reader did not write).
One more test clicks glossary terms, citations and a chapter link, and checks that each opens its page scrolled to
the entry it names (jupyterlab/lstm-book-links does the scrolling; JupyterLab alone opens such pages at their top).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every chapter. LSTM_BOOK_LAB_ONLY=04 (a glob) narrows it down while working on one; LSTM_BOOK_LAB_SOURCE=<folder
# with notebooks/ and book/> tests another copy (tests/jupyterlab_mutants.py uses it to prove each check can fail).
SOURCE = Path(os.environ.get("LSTM_BOOK_LAB_SOURCE", ROOT))
NOTEBOOKS = sorted((SOURCE / "notebooks").glob(os.environ.get("LSTM_BOOK_LAB_ONLY", "") + "*.ipynb"))
JUPYTER = str(Path(sys.executable).parent / "jupyter")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PARALLEL = 3  # chapters open at once: JupyterLab's rendering and the kernels share the two cores
RUN_TIMEOUT = 420  # seconds for one group of chapters to run (Part III trains for up to about a minute)
SETTINGS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "lstm-book.json"


def test_lab_extensions_are_installed_and_compatible():
    """A JupyterLab whose shared packages do not match an extension's still starts, but silently leaves that
    extension out: the chapters' MyST would show as raw text, or the explorers as "Loading widget..."."""
    result = subprocess.run([JUPYTER, "labextension", "list"], capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    for extension in ("jupyterlab-myst", "@jupyter-widgets/jupyterlab-manager", "lstm-book-links"):
        lines = [line for line in report.splitlines() if extension in line and " v" in line]
        assert lines, f"{extension} is not installed:\n{report}"
        assert all("enabled" in line and "OK" in line for line in lines), f"{extension} is not usable:\n{report}"
    assert "not compatible" not in report, report


def test_the_books_jupyterlab_settings_are_installed():
    """`make install` copies jupyterlab/overrides.json where JupyterLab reads defaults: Markdown pages (glossary,
    references) open rendered, links to an exercise scroll to it, and JupyterLab fetches no news."""
    assert SETTINGS.exists(), f"{SETTINGS} is missing: run `make install`"
    assert json.loads(SETTINGS.read_text()) == json.loads((ROOT / "jupyterlab" / "overrides.json").read_text())


def test_the_books_link_extension_is_installed():
    """`make install` copies jupyterlab/lstm-book-links/ (a link's #fragment opens at its target) into the
    environment's share/jupyter/labextensions/, where JupyterLab finds it."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "lstm-book-links"
    source = ROOT / "jupyterlab" / "lstm-book-links"
    files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    assert files, f"{source} is empty"
    for name in files:
        assert (installed / name).exists(), f"{installed / name} is missing: run `make install`"
        assert (installed / name).read_bytes() == (source / name).read_bytes(), f"{installed / name} is stale: run `make install`"


def test_the_servers_kernel_connection_sends_without_delay():
    """`make install` enables jupyterlab/server-config.json's server extension, lstm_book.teaching.lab_server, where
    Jupyter's server looks for extensions, and the server finds and loads it."""
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "lstm-book.json"
    assert installed.exists(), f"{installed} is missing: run `make install`"
    assert json.loads(installed.read_text()) == json.loads((ROOT / "jupyterlab" / "server-config.json").read_text())
    listed = subprocess.run([JUPYTER, "server", "extension", "list"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    report = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)     # without the terminal's colours
    assert re.search(r"^\s*lstm_book\.teaching\.lab_server enabled$", report, re.M), report
    assert re.search(r"^\s*lstm_book\.teaching\.lab_server\s+OK$", report, re.M), report


def test_loaded_the_extension_makes_every_kernel_connection_the_no_delay_one():
    """The server extension replaces jupyter_server's default kernel connection, and only that one."""
    from types import SimpleNamespace

    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    from lstm_book.teaching import lab_server

    for configured, expected in ((ZMQChannelsWebsocketConnection, lab_server.NoDelayConnection), (object, object)):
        app = SimpleNamespace(web_app=SimpleNamespace(settings={"kernel_websocket_connection_class": configured}))
        lab_server._load_jupyter_server_extension(app)
        assert app.web_app.settings["kernel_websocket_connection_class"] is expected


def _connect_calls(connection_class, monkeypatch) -> list:
    """What `connection_class.connect` does to its websocket handler before jupyter_server's own connect runs."""
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    calls = []
    handler = KernelWebsocketHandler.__new__(KernelWebsocketHandler)      # a handler without a socket
    handler.set_nodelay = lambda value: calls.append(("set_nodelay", value))
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append(("connect",)) or "ok")
    connection = connection_class.__new__(connection_class)
    connection._trait_values["websocket_handler"] = handler
    assert connection.connect() == "ok"
    return calls


def test_the_connection_turns_nagles_algorithm_off_then_connects(monkeypatch):
    """NoDelayConnection.connect sets TCP_NODELAY on the kernel's websocket, then connects as jupyter_server does;
    a copy without the flag is caught."""
    import inspect

    from lstm_book.teaching import lab_server

    assert _connect_calls(lab_server.NoDelayConnection, monkeypatch) == [("set_nodelay", True), ("connect",)]
    source = inspect.getsource(lab_server).replace("        self.websocket_handler.set_nodelay(True)\n", "")
    namespace = {"__name__": "mutant"}
    exec(compile(source, "<mutant>", "exec"), namespace)
    assert _connect_calls(namespace["NoDelayConnection"], monkeypatch) == [("connect",)]


# ---------------------------------------------------------------------------------------------------- the server

def _require_browser():
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but no chromium on PATH: .ci/run must install Debian's chromium package")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs these tests")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(home: Path, source: Path, disabled: str | None = None):
    """A JupyterLab serving a copy of source's notebooks/ (and book/, if there) from home, `disabled` switched off."""
    root = home / "book"
    for name in ("notebooks", "book"):
        if (source / name).is_dir():
            shutil.copytree(source / name, root / name, ignore=shutil.ignore_patterns("_ext", ".ipynb_checkpoints"))
    # JupyterLab attaches off-screen cells lazily by default; the test reads every cell, so it asks for all of them
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel draws inline, as for a reader
    # a configuration folder of its own (a reader's ~/.jupyter cannot change what is tested); the mutants
    # (tests/jupyterlab_mutants.py) switch an extension off with LSTM_BOOK_LAB_DISABLE=<name>
    config = home / "config" / "labconfig"
    config.mkdir(parents=True)
    (config / "page_config.json").write_text(json.dumps({"disabledExtensions": {disabled: True} if disabled else {}}))
    env.update(JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_CONFIG_DIR=str(home / "config"), PYTHONPATH=str(ROOT))
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [JUPYTER, "lab", "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.terminals_enabled=False"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(0.5)
    try:
        yield {"base": base, "token": token, "root": root, "log": home / "server.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")  # torn down before other modules start their own Playwright
def lab(tmp_path_factory):
    _require_browser()
    with running_lab(tmp_path_factory.mktemp("jupyterlab"), SOURCE, os.environ.get("LSTM_BOOK_LAB_DISABLE")) as server:
        yield server


@pytest.fixture(scope="module")
def browser_context(lab, chromium):
    blocked: list[str] = []

    def guard(route):
        host = re.match(r"^[a-z]+://([^/:]+)", route.request.url)
        if route.request.url.startswith(("data:", "blob:")) or (host and host.group(1) in ("127.0.0.1", "localhost")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    # the session's one Chromium (tests/conftest.py): Playwright's sync API allows one instance per process
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", guard)
    context.blocked = blocked
    yield context
    context.close()


# ------------------------------------------------------------------------------------- what each page is asked

WIDGET = "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"

READY = r"""() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.context.isReady || !w.sessionContext || !w.content.widgets.length) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  // every Markdown cell rendered by jupyterlab-myst (a cell holding only a label renders nothing)
  const drawn = (c) => c.model.type !== 'markdown' || (c.rendered && (
    /^\s*\([\w-]+\)=\s*$/.test(c.model.sharedModel.getSource()) || (c.node.querySelector('.myst') || {}).childElementCount > 0));
  return !!k && k.status === 'idle' && w.content.widgets.every(drawn);
}"""

# Everything a learner sees before running anything.
ON_OPEN = r"""() => {
  const w = window.jupyterapp.shell.currentWidget, cells = w.content.widgets;
  const text = (c) => c.node.innerText || '';
  const solutions = cells.filter(c => c.model.type === 'markdown' && /^(:{3,}|`{3,})\{solution(-start|-end)?\}/m.test(c.model.sharedModel.getSource()))
    .map(c => { c.node.scrollIntoView(); return {source: c.model.sharedModel.getSource().split('\n')[0], visible: text(c).trim()}; });
  const md = cells.filter(c => c.model.type === 'markdown');
  const links = md.flatMap(c => Array.from(c.node.querySelectorAll('a[href]')).map(a => ({href: a.getAttribute('href'), text: a.innerText})));
  const title = cells.slice(0, 3).map(c => c.node.querySelector('h1')).find(h => h);
  return {
    dirty: w.context.model.dirty,
    title: title ? title.innerText : null,
    titleMath: !!(title && title.querySelector('.katex, mjx-container, math')),
    notFound: md.flatMap(c => Array.from(c.node.querySelectorAll('[title*="Not Found"]')).map(e => e.innerText)),
    emptyLinks: links.filter(l => l.href === '#').map(l => l.text),
    rawRoles: md.map(text).join('\n').match(/\{(term|ref|doc|cite(:[tp])?|numref|eq)\}/g) || [],
    links, solutions,
  };
}"""

PROGRESS = """() => {
  const w = window.jupyterapp.shell.currentWidget, cells = w.content.widgets;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  const code = cells.filter(c => c.model.type === 'code');
  const outputs = code.map(c => c.model.outputs.toJSON());
  return {
    idle: !!k && k.status === 'idle',
    pending: code.filter(c => c.model.executionCount === null || (c.promptNode && c.promptNode.innerText.includes('*'))).length,
    errors: outputs.flat().filter(o => o.output_type === 'error').length,
  };
}"""

AFTER_RUN = r"""() => {
  const w = window.jupyterapp.shell.currentWidget, cells = w.content.widgets;
  const out = [];
  cells.forEach((c, n) => {
    if (c.model.type !== 'code') return;
    for (const o of c.model.outputs.toJSON()) {
      let t = '';
      if (o.output_type === 'error') t = 'ERROR ' + o.ename + ': ' + o.evalue;
      else if (o.output_type === 'stream') t = (o.name === 'stderr' ? 'STDERR ' : '') + [].concat(o.text).join('');
      else if (o.data) t = [].concat(o.data['text/plain'] || '').join('') + ' ' + [].concat(o.data['text/html'] || '').join('');
      out.push({cell: n, text: t, type: o.output_type});
    }
  });
  const solutions = cells.filter(c => c.model.type === 'markdown' && /^(:{3,}|`{3,})\{solution(-start|-end)?\}/m.test(c.model.sharedModel.getSource()))
    .map(c => { c.node.scrollIntoView(); return {source: c.model.sharedModel.getSource().split('\n')[0], visible: (c.node.innerText || '').trim()}; });
  return {outputs: out, solutions, visible: w.content.node.innerText};
}"""


def _open(context, lab, notebook: Path, console: list):
    page = context.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(f"{lab['base']}/lab/tree/notebooks/{notebook.name}?reset&token={lab['token']}")
    return page


def _wait(page, script: str, timeout: float):
    page.wait_for_function(script, timeout=timeout * 1000, polling=250)


@pytest.fixture(scope="module")  # torn down before other modules start their own Playwright
def course(lab, browser_context):
    """Open and run every chapter in JupyterLab once; the tests below read what was seen."""
    results, started = {}, time.monotonic()
    for first in range(0, len(NOTEBOOKS), PARALLEL):
        group = NOTEBOOKS[first:first + PARALLEL]
        consoles = {nb.stem: [] for nb in group}
        pages = {nb.stem: _open(browser_context, lab, nb, consoles[nb.stem]) for nb in group}
        for name, page in pages.items():
            _wait(page, READY, 120)
            page.wait_for_timeout(1500)  # let the last MyST cells and the kernel's first messages settle
            results[name] = {"open": page.evaluate(ON_OPEN)}
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        deadline = time.monotonic() + RUN_TIMEOUT
        waiting = set(pages)
        while waiting and time.monotonic() < deadline:
            for name in sorted(waiting):
                progress = pages[name].evaluate(PROGRESS)
                if progress["idle"] and (progress["pending"] == 0 or progress["errors"]):
                    waiting.discard(name)
            time.sleep(0.5)
        for name, page in pages.items():
            results[name]["run"] = page.evaluate(AFTER_RUN)
            results[name]["timed_out"] = name in waiting
            results[name]["console"] = list(consoles[name])
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
            page.close()
    results["_seconds"] = time.monotonic() - started
    print(f"\nJupyterLab: {len(NOTEBOOKS)} chapters opened and run in {results['_seconds']:.0f} s")
    return results


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_opening_a_chapter_leaves_it_unchanged(course, notebook):
    assert course[notebook.stem]["open"]["dirty"] is False, "the tab shows unsaved changes right after opening"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_title_is_typeset(course, notebook):
    seen = course[notebook.stem]["open"]
    assert seen["title"], "no title"
    text = "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"][:3])
    title = re.search(r"^# (.*)$", text, re.M).group(1)
    if "$" in title:
        assert seen["titleMath"], f"the title's math is not typeset: {seen['title']!r}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_reference_resolves(course, lab, notebook):
    seen = course[notebook.stem]["open"]
    assert seen["notFound"] == [], f"unresolved references: {seen['notFound']}"
    assert seen["emptyLinks"] == [], f"links that go nowhere: {seen['emptyLinks']}"
    assert seen["rawRoles"] == [], f"roles shown as raw text: {seen['rawRoles']}"
    missing = [line for line in course[notebook.stem]["console"] if "target was not found" in line or "No target" in line]
    assert missing == [], missing
    into_book = [link for link in seen["links"] if "/files/" in link["href"]]
    assert len(into_book) >= 5, f"too few links into the book to believe this test: {seen['links'][:5]}"
    for link in into_book:
        path = link["href"].split("/files/", 1)[1].split("?")[0].split("#")[0]
        assert (lab["root"] / path).exists(), f"[{link['text']}] leads to {path}, which does not exist"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_stay_hidden(course, notebook):
    for when in ("open", "run"):
        solutions = course[notebook.stem][when]["solutions"]
        assert solutions, "no solutions found"
        for solution in solutions:
            assert re.fullmatch(r"Solution to Exercise \([^\n]+\)", solution["visible"]), (
                f"{when}: {solution['source']} shows more than its title: {solution['visible'][:200]!r}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_raises_nothing_and_reveals_no_verdict(course, notebook):
    seen = course[notebook.stem]
    assert not seen["timed_out"], "Run All did not finish"
    outputs = seen["run"]["outputs"]
    errors = [o for o in outputs if o["type"] == "error" or o["text"].startswith("STDERR") and re.search(
        r"Traceback|Warning|Error", o["text"])]
    assert errors == [], errors
    correct = [o for o in outputs if "✔" in o["text"] or "Correct." in o["text"]]
    assert correct == [], f"a verdict the reader did not earn: {correct}"
    exercise_cells = [n for n, c in enumerate(json.loads(notebook.read_text())["cells"])
                      if "".join(c["source"]).startswith("# Your answer to exercise") and "check_" in "".join(c["source"])]
    for n in exercise_cells:
        assert any("Not yet" in o["text"] for o in outputs if o["cell"] == n), f"cell {n}: the checker printed no verdict"


def test_no_request_left_the_machine(course, browser_context):
    assert browser_context.blocked == [], browser_context.blocked


# Where the target of a link sits in the page JupyterLab opened: its distance from the top of the scrolled view,
# and whether the view is scrolled to its end (an entry near the end of a page cannot come to the top).
WHERE = r"""(id) => {
  const w = window.jupyterapp.shell.currentWidget;
  const el = w && w.node.querySelector(`[id="${CSS.escape(id)}"]`);
  if (!el) return {label: w && w.title.label, found: false};
  let view = el.parentElement;
  while (view && !(view.scrollHeight > view.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(view).overflowY)))
    view = view.parentElement;
  if (!view) return {label: w.title.label, found: true, fromTop: null};
  const fromTop = el.getBoundingClientRect().top - view.getBoundingClientRect().top;
  return {label: w.title.label, found: true, fromTop: Math.round(fromTop), scrollTop: Math.round(view.scrollTop),
          atEnd: view.scrollTop + view.clientHeight >= view.scrollHeight - 2,
          visible: fromTop >= -1 && fromTop < view.clientHeight - 10};
}"""
AT_TOP = 40  # px: the entry is the first thing in view, as on the website


def _arrived(where: dict) -> bool:
    return bool(where.get("found") and where.get("fromTop") is not None
                and (0 <= where["fromTop"] <= AT_TOP or (where["atEnd"] and where["visible"])))


def test_links_open_the_glossary_entry_the_chapter_and_the_reference(lab, browser_context):
    """Click glossary terms, citations and a chapter link in chapter 4: each opens its page scrolled to the entry
    it names (jupyterlab/lstm-book-links; JupyterLab alone opens the glossary and the references at their top),
    and the entry stays there while the page finishes rendering."""
    page = _open(browser_context, lab, ROOT / "notebooks" / "04_forget_gate.ipynb", [])
    _wait(page, READY, 120)
    page.wait_for_timeout(1500)
    chapter = "04_forget_gate.ipynb"
    seen = {}
    # (the page the link is on, the file it names, its anchor, the tab it opens): two terms in a row (the second
    # opens in the glossary that is already open), a term linked from inside the glossary, two citations, a chapter
    for where, path, fragment, label in [(chapter, "glossary.md", "term-forget-gate", "glossary.md"),
                                         (chapter, "glossary.md", "term-vanishing-gradient", "glossary.md"),
                                         ("glossary.md", "glossary.md", "term-pre-activation", "glossary.md"),
                                         (chapter, "references.md", "gers2000forget", "references.md"),
                                         (chapter, "references.md", "jozefowicz2015empirical", "references.md"),
                                         (chapter, "03_cell_state.ipynb", "ch-cell-state", "03_cell_state.ipynb")]:
        page.evaluate("(name) => { const app = window.jupyterapp; for (const w of app.shell.widgets('main'))"
                      " if (w.title.label === name) app.shell.activateById(w.id); }", where)
        page.wait_for_function(f"() => window.jupyterapp.shell.currentWidget.title.label === '{where}'", timeout=30000)
        scope = ".jp-MarkdownCell" if where.endswith(".ipynb") else ".jp-RenderedMySTMarkdown"
        link = page.locator(f"{scope} a[href*='/{path}'][href$='#{fragment}']").first
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_function(f"() => window.jupyterapp.shell.currentWidget.title.label === '{label}'", timeout=30000)
        if fragment.startswith("ch-"):  # a chapter opens at its top: the label is on its first cell
            _wait(page, READY, 120)
            seen[fragment] = page.evaluate("() => { const w = window.jupyterapp.shell.currentWidget;"
                                           " return (w.content.outerNode || w.content.node).scrollTop; }")
            assert seen[fragment] == 0, f"{path} did not open at its top"
            continue
        deadline = time.monotonic() + 20
        where = page.evaluate(WHERE, fragment)
        while not _arrived(where) and time.monotonic() < deadline:
            page.wait_for_timeout(250)
            where = page.evaluate(WHERE, fragment)
        assert _arrived(where), f"[{path}#{fragment}] opened {where.get('label')}, but not at the entry: {where}"
        page.wait_for_timeout(2000)  # the rest of the page renders: the entry must stay in place
        later = page.evaluate(WHERE, fragment)
        assert _arrived(later), f"[{path}#{fragment}]: the entry moved away while the page rendered: {later}"
        seen[fragment] = later["fromTop"]
    page.close()
    assert set(seen) == {"term-forget-gate", "term-vanishing-gradient", "term-pre-activation", "gers2000forget",
                         "jozefowicz2015empirical", "ch-cell-state"}
