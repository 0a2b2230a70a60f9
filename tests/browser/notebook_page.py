"""Driving one notebook in JupyterLab through its user interface (menus, toolbar, widgets).

Everything here clicks or types as a person would; nothing calls JupyterLab's JavaScript API.
"""

import re
import time

# The state of every cell, read from the page: kind, whether its source is collapsed (JupyterLab then
# shows a placeholder and no prompt), prompt ("[3]:", "[*]:", "[ ]:"), number of images in its outputs,
# and the text of its error or stderr outputs (JupyterLab renders both with the stderr MIME type).
CELL_STATES = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    collapsed: cell.querySelector('.jp-InputPlaceholder') !== null,
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {textContent: ''}).textContent.trim(),
    images: cell.querySelectorAll('.jp-OutputArea-output img').length,
    errors: [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
              .map(e => e.textContent),
}))"""
# Run All has finished: no cell waits or runs, the kernel is idle, and either every code cell whose
# prompt shows has an execution count or an error stopped the run (JupyterLab then clears the queue).
RUN_FINISHED = """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')];
    const prompts = cells.map(p => p.textContent.trim());
    const idle = document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null;
    const errors = document.querySelectorAll('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]');
    return idle && prompts.length > 0 && !prompts.includes('[*]:')
        && (prompts.every(p => /^\\[\\d+\\]:$/.test(p)) || errors.length > 0);
}"""
# How often RUN_FINISHED is asked, in milliseconds. Playwright's default asks on every animation frame,
# which makes a headless Chromium draw 60 frames a second for as long as a notebook runs.
POLL_MS = 200
EXECUTED = re.compile(r"^\[\d+\]:$")
CURRENT_TAB = ".jp-mod-current .lm-TabBar-tabLabel"  # the label of the tab in front


def open_notebook(page, url, timeout=90):
    """Load a notebook page and wait until its kernel is connected and idle (the status bar says
    "Python 3 (ipykernel) | Idle"; before that, Run All would find no kernel to run the cells in)."""
    page.goto(url + "&reset")  # a fresh workspace: no tabs of earlier tests reopened
    _wait_until_ready(page, timeout)


def _wait_until_ready(page, timeout):
    """Wait until the open notebook shows its cells and its kernel is idle."""
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle")).first.wait_for(timeout=timeout * 1000)


def open_path(page, path, timeout=90):
    """Open the notebook at path (relative to the server's root) in the page's JupyterLab, without
    loading the page again: File > Open from Path..., then wait as open_notebook does."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator("li[data-command='filebrowser:open-path']").click()
    field = page.locator(".jp-Dialog input")
    field.fill(path)
    field.press("Enter")
    tab = page.locator(CURRENT_TAB, has_text=path.rsplit("/", 1)[-1])
    tab.wait_for(timeout=timeout * 1000)
    _wait_until_ready(page, timeout)


def current_tab(page):
    """The name on the tab in front."""
    return page.locator(CURRENT_TAB).inner_text()


def close_all_tabs(page, timeout=30):
    """File > Close All Tabs, discarding unsaved changes; returns once no notebook is open."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator("li[data-command='application:close-all']").click()
    deadline = time.monotonic() + timeout
    notebooks = page.locator(".jp-NotebookPanel")
    while notebooks.count():
        discard = page.locator(".jp-Dialog .jp-Dialog-button", has_text="Discard")
        if discard.count():
            discard.click()
        elif time.monotonic() > deadline:
            raise AssertionError(f"{notebooks.count()} notebooks still open after Close All Tabs")
        page.wait_for_timeout(100)


def run_all(page, timeout):
    """Run > Run All Cells, then wait until the run finished (or an error stopped it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator("li[data-command='runmenu:run-all']").click()
    try:
        page.wait_for_function(RUN_FINISHED, polling=POLL_MS, timeout=timeout * 1000)
    except PlaywrightTimeout:
        prompts = [state["prompt"] for state in cell_states(page) if state["code"]]
        status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")
        raise AssertionError(f"Run All did not finish within {timeout} s; kernel {status}, prompts {prompts}") from None


def cell_states(page):
    """One dict per cell of the notebook, in order (see CELL_STATES)."""
    return page.evaluate(CELL_STATES)


def validate(page, timeout=120):
    """Press nbgrader's Validate button and return the text of the results dialog (then closed)."""
    page.get_by_role("button", name="Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=timeout * 1000)
    text = dialog.locator(".jp-Dialog-body").inner_text()
    page.keyboard.press("Escape")  # close the results, as a person would before going on
    dialog.wait_for(state="detached", timeout=timeout * 1000)
    return text


def slider(widget, description):
    """The slider of an ipywidgets ``interactive`` whose label is description."""
    return widget.locator(".widget-slider").filter(has_text=description)


def drag_slider(page, slider_locator, fraction):
    """Drag the slider's handle with the mouse to fraction (0..1) of its track; return the readout."""
    handle = slider_locator.locator(".noUi-handle").bounding_box()
    track = slider_locator.locator(".noUi-target").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
    page.mouse.up()
    return slider_locator.locator(".widget-readout").inner_text()


def press_slider_keys(page, slider_locator, key, times):
    """Focus the slider's handle and press key (ArrowRight, ArrowLeft, ...) times; return the readout."""
    slider_locator.locator(".noUi-handle").focus()
    for _ in range(times):
        page.keyboard.press(key)
    return slider_locator.locator(".widget-readout").inner_text()


def wait_for_output_text(container, text, timeout=30):
    """Wait until an output inside container (a locator) contains text; fail showing what it holds."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        container.locator(".jp-OutputArea-output", has_text=text).first.wait_for(timeout=timeout * 1000)
    except PlaywrightTimeout:
        shown = "\n".join(container.locator(".jp-OutputArea-output").all_inner_texts())
        raise AssertionError(f"no output showed {text!r} within {timeout} s; the outputs hold:\n{shown[-3000:]}") \
            from None
