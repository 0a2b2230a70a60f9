"""`python3 course.py lite` builds a static JupyterLite site from notebooks/ that opens in Chromium.

The site is built once per module, through the command's own code (``course.main(["lite", ...])``),
with the environment that runs these tests. It is served by ``http.server`` on 127.0.0.1, as the
README suggests, and notebook 01 is opened in it. Running code needs Pyodide, which the site loads
from its public CDN in the browser; this machine cannot reach it, so the test only checks that the
kernel is started without a dialog and asks the CDN, not that code runs.
"""

import contextlib
import functools
import http.server
import io
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

import course
from autograder.notebook_files import ASSIGNMENT, release_notebooks

pytestmark = [pytest.mark.browser]

RELEASE = [path.name for path in release_notebooks()]
TRACKER = "@jupyterlab/notebook-extension:tracker"
PYODIDE_CDN = "cdn.jsdelivr.net"  # the default pyodideUrl of jupyterlite-pyodide-kernel 0.8


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built by `course.py lite --output-dir ...` without reinstalling the environment."""
    output = tmp_path_factory.mktemp("lite") / "site"
    # jupyterlite-core clamps the times of everything below its output folder's parent to
    # SOURCE_DATE_EPOCH; the command must keep that inside its own temporary folder.
    neighbour = output.parent / "neighbour.txt"
    neighbour.write_text("a file next to the site")
    watched = [neighbour, *sorted((course.ROOT / "notebooks").rglob("*.ipynb"))]
    times = {path: path.stat().st_mtime_ns for path in watched}
    installs, printed = [], io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(course, "VENV", Path(sys.prefix))
        patch.setattr(course, "ensure_environment", installs.append)
        started = time.monotonic()
        with contextlib.redirect_stdout(printed):
            code = course.main(["lite", "--output-dir", str(output)])
        seconds = time.monotonic() - started
    assert code == 0, f"course.py lite exited with {code}"
    assert installs == ["requirements-lite.txt"], installs
    assert f"python3 -m http.server -d {output}" in printed.getvalue(), printed.getvalue()
    assert {path: path.stat().st_mtime_ns for path in watched} == times, "the build changed files outside the site"
    print(f"built the JupyterLite site in {seconds:.1f} s")
    return output


@pytest.fixture(scope="module")
def served(site):
    """The site's address on a random local port, served by http.server in a thread."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_the_site_holds_the_five_release_notebooks_and_nothing_else(site):
    files = sorted(p.relative_to(site / "files").as_posix() for p in (site / "files").rglob("*") if p.is_file())
    assert files == [f"{ASSIGNMENT}/{name}" for name in RELEASE]
    for name in RELEASE:
        assert (site / "files" / ASSIGNMENT / name).read_bytes() == \
            (course.ROOT / "notebooks" / ASSIGNMENT / name).read_bytes(), f"{name} is not the release notebook"
    listing = json.loads((site / "api" / "contents" / ASSIGNMENT / "all.json").read_text())
    assert sorted(item["name"] for item in listing["content"]) == RELEASE


def test_no_solution_or_grader_content_reaches_the_site(site):
    contents = [p for folder in ("files", "api/contents") for p in (site / folder).rglob("*") if p.is_file()]
    assert contents
    for path in contents:
        text = path.read_text()
        for marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "autograder"):
            assert marker not in text, f"{path.relative_to(site)} contains {marker!r}"


def test_the_settings_start_the_pyodide_kernel_without_a_dialog(site):
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert config["settingsOverrides"][TRACKER] == {"autoStartDefaultKernel": True}
    assert config["defaultKernelName"] == "python"
    # nbgrader's lab extension (Validate, Formgrader) needs a Jupyter server; the site switches it off.
    assert "@jupyter/nbgrader" in config["disabledExtensions"]
    # The override names a setting that this JupyterLab really has.
    schema = json.loads((site / "build" / "schemas" / "@jupyterlab" / "notebook-extension" / "tracker.json")
                        .read_text())
    assert schema["properties"]["autoStartDefaultKernel"]["type"] == "boolean"


def test_the_command_never_overwrites_a_folder_that_is_not_a_site(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "VENV", Path(sys.prefix))
    (tmp_path / "thesis.tex").write_text("months of work")
    code, output = course.build_lite(["--output-dir", str(tmp_path)])
    assert code != 0 and output == tmp_path
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.tex"]


def test_notebook_01_opens_in_chromium_with_the_pyodide_kernel_and_no_dialog(served, page, artifacts):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{served}/lab/index.html?path={ASSIGNMENT}/01_jacobian.ipynb")
    title = page.locator(".jp-NotebookPanel .jp-RenderedMarkdown h1").first
    title.wait_for(timeout=30_000)
    assert title.inner_text().startswith("01 · The Jacobian of"), title.inner_text()
    cells = len(json.loads((course.ROOT / "notebooks" / ASSIGNMENT / RELEASE[0]).read_text())["cells"])
    page.get_by_text(f"Cell 1/{cells}").wait_for(timeout=10_000)  # the status bar counts the loaded cells

    # Either the kernel is chosen by itself (the override) or JupyterLab asks with a dialog.
    dialog = page.locator(".jp-Dialog")
    kernel = page.locator(".jp-NotebookPanel-toolbar .jp-KernelName", has_text="Python (Pyodide)")
    dialog.or_(kernel).first.wait_for(timeout=30_000)
    assert dialog.count() == 0, f"a dialog appeared instead of the kernel: {dialog.all_inner_texts()}"

    # The kernel's worker asks the CDN for Pyodide (which fails here, without a dialog).
    deadline = time.monotonic() + 30
    while not any(url.endswith("/pyodide.mjs") for url in requests) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    page.screenshot(path=str(artifacts / "jupyterlite-01.png"))
    assert any(url.endswith("/pyodide.mjs") for url in requests), "the kernel never asked for Pyodide"
    assert page.get_by_text("Select Kernel").count() == 0
    assert page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate").count() == 0, \
        "nbgrader's Validate button needs a server and must not be in the site"
    outside = {urlparse(url).netloc for url in requests
               if urlparse(url).scheme in {"http", "https", "ws", "wss"} and not url.startswith(served)}
    assert outside == {PYODIDE_CDN}, f"the site fetched from {sorted(outside)}; expected only Pyodide's CDN"


def test_a_new_notebook_starts_the_pyodide_kernel_without_asking(served, page):
    """Notebook 01 names Python, which the Pyodide kernel matches anyway; a new notebook names no
    kernel, and only the settings override keeps JupyterLab from asking with "Select Kernel"."""
    page.goto(f"{served}/lab/index.html")
    page.locator(".jp-DirListing-item", has_text=ASSIGNMENT).wait_for(timeout=30_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.locator(".lm-Menu-itemLabel:text-is('New')").click()
    page.locator(".lm-Menu-itemLabel:text-is('Notebook')").click()
    dialog = page.locator(".jp-Dialog")
    kernel = page.locator(".jp-NotebookPanel-toolbar .jp-KernelName", has_text="Python (Pyodide)")
    dialog.or_(kernel).first.wait_for(timeout=30_000)
    assert dialog.count() == 0, f"a dialog appeared instead of the kernel: {dialog.all_inner_texts()}"
