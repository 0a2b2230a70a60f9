"""How fast the notebooks' widgets respond to a slider: ``python -m benchmarks.widget_callbacks``.

For each source notebook that imports ipywidgets, runs it as a student who solved it would (solutions,
visible tests, no hidden tests) in a real kernel, then finds its explorers: the ``ipywidgets.interactive``
objects among the kernel's globals (no list of widgets is kept here). For each explorer it moves every
slider through several values and times each callback in the kernel: the notebook's computation, the
figure, its PNG, the message. Baseline, in the same kernel: a callback that only draws a one-line figure
of the size of the explorer's own figure (recorded as the explorer draws it).
"""

import argparse
import json
import re
import statistics

import nbformat
from nbclient import NotebookClient

from autograder.hidden_tests import is_test_cell, split_hidden
from autograder.notebook_files import SOURCE_DIR, source_notebooks

IMPORTS_IPYWIDGETS = re.compile(r"^\s*(import|from)\s+ipywidgets\b", re.MULTILINE)

# Run after the notebook's code, with _ROUNDS defined above it; prints one line, BENCH {json}.
TIMING_CELL = """
import json, time
import ipywidgets as _w
import matplotlib.pyplot as _plt
from matplotlib.backend_bases import FigureCanvasBase as _Canvas

def _explorers():
    # A widget is also in _, _13, Out[13] ...: count each once, under the first name it was given.
    found = {id(w): (name, w) for name, w in reversed(list(globals().items())) if isinstance(w, _w.interactive)}
    return list(found.values())

def _figure_size(widget):
    # Every figure is rendered through print_figure (display(fig) and plt.show() alike): record its size.
    sizes, render = [], _Canvas.print_figure
    def recording(canvas, *args, **kwargs):
        sizes.append([float(inches) for inches in canvas.figure.get_size_inches()])
        return render(canvas, *args, **kwargs)
    _Canvas.print_figure = recording
    try:
        widget.update()
    finally:
        _Canvas.print_figure = render
    return sizes[0] if sizes else None

def _moves(widget, rounds):
    sliders = [c for c in widget.children if hasattr(c, "min") and hasattr(c, "step")]
    for r in range(rounds):
        for s in sliders:
            frac = (0.2, 0.8, 0.5, 0.35, 0.65)[r % 5]
            value = s.min + round(frac * (s.max - s.min) / s.step) * s.step
            yield s, type(s.value)(value)

def _time(widget, rounds):
    times = []
    for slider, value in _moves(widget, rounds):
        start = time.perf_counter()
        slider.value = value
        times.append(time.perf_counter() - start)
    return times

def _baseline(figsize):
    def one_line(x=0.5):
        fig, ax = _plt.subplots(figsize=figsize)
        ax.plot([0, 1], [0, x])
        _plt.show()
    return _w.interactive(one_line, x=_w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01))

_timings = {}
for _name, _widget in _explorers():
    _size = _figure_size(_widget)
    _timings[_name] = {"figsize": _size, "widget": _time(_widget, _ROUNDS),
                       "baseline": _time(_baseline(_size), _ROUNDS * 4) if _size else []}
print("BENCH " + json.dumps(_timings))
"""


def widget_notebooks():
    """The source notebooks that import ipywidgets, in course order: only they can create an explorer."""
    return [path.name for path in source_notebooks()
            if any(IMPORTS_IPYWIDGETS.search(cell.source) for cell in nbformat.read(path, as_version=4).cells
                   if cell.cell_type == "code")]


def kernel_timings(notebook, rounds):
    """{explorer name: {'figsize': [w, h] or None, 'widget': [s, ...], 'baseline': [s, ...]}} for the
    explorers that notebook creates ({} when none), measured in a fresh kernel after all its code ran."""
    source = nbformat.read(SOURCE_DIR / notebook, as_version=4)
    cells = [nbformat.v4.new_code_cell(split_hidden(cell.source)[0] if is_test_cell(cell) else cell.source)
             for cell in source.cells if cell.cell_type == "code"]
    cells.append(nbformat.v4.new_code_cell(f"_ROUNDS = {int(rounds)}\n" + TIMING_CELL))
    nb = nbformat.v4.new_notebook(cells=cells)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(SOURCE_DIR)}})
    # No emulation of the Output widget in this client: on every clear_output of an explorer it would send
    # the widget's state back on the shell socket while it waits there for the cell's reply, and with
    # pyzmq 27's asyncio sockets that send can swallow the reply's wake-up: the client then sleeps until
    # the cell's time limit (seen here: the kernel idle, the run done at the limit). The timings are taken
    # in the kernel and do not depend on it.
    client.widget_registry = {}
    client.execute()
    printed = "".join(o.text for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    if "BENCH " not in printed:
        raise SystemExit(f"{notebook}: the timing cell printed nothing")
    return json.loads(printed.split("BENCH ", 1)[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*",
                        help="file names in source/rnn_gradients/ (default: every one that imports ipywidgets)")
    parser.add_argument("--rounds", type=int, default=5, help="times each slider is moved (default 5)")
    args = parser.parse_args(argv)
    for notebook in args.notebooks or widget_notebooks():
        timings = kernel_timings(notebook, args.rounds)
        if not timings:
            print(f"{notebook}: no explorer")
        for name, t in timings.items():
            if not t["figsize"]:
                raise SystemExit(f"{notebook} {name}: its callback drew no figure")
            widget, baseline = statistics.median(t["widget"]) * 1e3, statistics.median(t["baseline"]) * 1e3
            width, height = t["figsize"]
            print(f"{notebook} {name}: median callback {widget:.0f} ms (max {max(t['widget']) * 1e3:.0f} ms, "
                  f"{len(t['widget'])} moves); baseline one-line figure ({width:g} x {height:g} in) "
                  f"{baseline:.0f} ms; ratio {widget / baseline:.2f}")


if __name__ == "__main__":
    main()
