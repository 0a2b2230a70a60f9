"""How fast the notebooks' widgets respond to a slider: ``python -m benchmarks.widget_callbacks``.

For each notebook with a widget, runs the source notebook (solutions, no test cells) in a real
kernel up to the cell that creates the widget, then moves every slider through several values and
times each callback in the kernel: the notebook's computation, the figure, its PNG, the message.
Baseline, in the same kernel: a callback that only draws a one-line figure of the same size.
"""

import argparse
import json
import statistics

import nbformat
from nbclient import NotebookClient

from autograder.notebook_files import SOURCE_DIR

# notebook -> (name of its ipywidgets.interactive object, figure size of its plot)
WIDGETS = {"03_eigen.ipynb": ("explorer", (7.5, 3.8)), "04_lstm.ipynb": ("flow_explorer", (7.5, 3.8))}

TIMING_CELL = """
import json, time
import ipywidgets as _w
import matplotlib.pyplot as _plt

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

def _empty_figure(x=0.5):
    fig, ax = _plt.subplots(figsize={figsize})
    ax.plot([0, 1], [0, x])
    _plt.show()

_baseline = _w.interactive(_empty_figure, x=_w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01))
_timings = {{"widget": _time({name}, {rounds}), "baseline": _time(_baseline, {rounds} * 4)}}
print("BENCH " + json.dumps(_timings))
"""


def kernel_timings(notebook, name, figsize, rounds):
    """{'widget': [s, ...], 'baseline': [s, ...]}: callback times measured in a fresh kernel."""
    source = nbformat.read(SOURCE_DIR / notebook, as_version=4)
    cells = []
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        cells.append(nbformat.v4.new_code_cell(cell.source))
        if f"{name} = widgets.interactive" in cell.source:
            break
    else:
        raise SystemExit(f"{notebook}: no cell creates {name!r}")
    cells.append(nbformat.v4.new_code_cell(TIMING_CELL.format(name=name, rounds=rounds, figsize=figsize)))
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(SOURCE_DIR)}}).execute()
    for output in nb.cells[-1].outputs:
        if output.get("name") == "stdout" and "BENCH " in output.text:
            return json.loads(output.text.split("BENCH ", 1)[1])
    raise SystemExit(f"{notebook}: the timing cell printed nothing")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each slider is moved (default 5)")
    args = parser.parse_args(argv)
    for notebook, (name, figsize) in WIDGETS.items():
        t = kernel_timings(notebook, name, figsize, args.rounds)
        widget, baseline = statistics.median(t["widget"]) * 1e3, statistics.median(t["baseline"]) * 1e3
        print(f"{notebook} {name}: median callback {widget:.0f} ms (max {max(t['widget']) * 1e3:.0f} ms, "
              f"{len(t['widget'])} moves); baseline one-line figure {baseline:.0f} ms; ratio {widget / baseline:.2f}")


if __name__ == "__main__":
    main()
