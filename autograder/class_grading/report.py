"""The class report: ``python3 course.py report`` writes reports/<assignment>/ (git-ignored).

``index.html`` is a static page (no script, no network) with matplotlib figures beside it
(``scores.png``, ``exercises.png``) and two CSV files: ``scores.csv`` (one row per student and
exercise, from the gradebook) and ``mistakes.csv`` (one row per exercise and diagnosis). It shows
the score distribution per notebook and per exercise, the most common named mistakes per exercise
(the "Likely mistake: ..." of the checks, read from the autograded notebooks), the exercises that
timed out or crashed, and the students who could not be graded (from the last run's status).
"""

import csv
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from ..hidden_tests import delimiters, exercise_names, is_test_cell
from ..verdicts import failure_message
from .autograded_folders import read_marker
from .coordinator import autograded_folder, read_status
from .submissions import find_submissions, grader_fingerprint, load_course

LIKELY = re.compile(r"Likely mistake: (.+?)\.?$", re.MULTILINE)
NO_NAMED_MISTAKE = "wrong, no listed mistake matches"
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?")
# What the grading machinery writes into a test cell when the code did not finish (autograder.execute).
STOPPED = {"CellTimeoutError": "timed out", "KernelDied": "crashed (the kernel died)"}


@dataclass
class Exercise:
    notebook: str
    cell: str               # the test cell's grade_id
    functions: str = ""     # the student functions its hidden checks call
    max_score: float = 0.0
    scores: dict = field(default_factory=dict)       # {student: score}
    diagnoses: Counter = field(default_factory=Counter)  # {named mistake: students}
    stopped: dict = field(default_factory=dict)      # {student: "timed out" | "crashed ..."}

    @property
    def label(self):
        return f"{self.notebook} / {self.cell}" + (f" ({self.functions})" if self.functions else "")


@dataclass
class ClassData:
    assignment: str
    totals: dict            # {student: (score, max_score)}
    notebooks: dict         # {notebook: {student: score}}, and their maxima in notebook_max
    notebook_max: dict
    exercises: list         # [Exercise], in notebook order
    not_graded: dict        # {student: reason}


def diagnosis(message):
    """What a failing check's message says went wrong, in words shared by every student with that
    mistake: the named mistake; "not implemented"; NO_NAMED_MISTAKE for a wrong value no listed
    mistake explains; otherwise the message's first line, with its numbers taken out."""
    found = LIKELY.findall(message)
    if found:
        return found[0].strip()
    first = message.strip().splitlines()[0] if message.strip() else ""
    if "is not implemented yet" in first:
        return "not implemented"
    if " is wrong for " in first:
        return NO_NAMED_MISTAKE
    return NUMBER.sub("#", first)[:160]


def _read_autograded(folder, notebook):
    path = Path(folder) / f"{notebook}.ipynb"
    if not path.is_file():
        return None
    try:
        return nbformat.read(path, as_version=4)
    except Exception:
        return None


def collect(root, assignment):
    """The ClassData of the course in root, from its gradebook, autograded folders and grading status."""
    config, coursedir = load_course(root)
    markers = delimiters(config)
    grader = grader_fingerprint(coursedir, assignment)
    status = read_status(coursedir, assignment)
    exercises, totals, notebooks, notebook_max = {}, {}, defaultdict(dict), {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            definition = gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"the gradebook has no assignment {assignment!r}: nothing to report") from None
        for notebook in definition.notebooks:
            notebook_max[notebook.name] = notebook.max_score
            for cell in notebook.grade_cells:
                if cell.cell_type == "code":
                    exercises[(notebook.name, cell.name)] = Exercise(notebook.name, cell.name, max_score=cell.max_score)
        for submission in definition.submissions:
            student = submission.student.id
            totals[student] = (submission.score, submission.max_score)
            for notebook in submission.notebooks:
                notebooks[notebook.name][student] = notebook.score
                for grade in notebook.grades:
                    if (notebook.name, grade.name) in exercises:
                        exercises[(notebook.name, grade.name)].scores[student] = grade.score
    not_graded = {}
    for submission in find_submissions(coursedir, assignment):
        folder = autograded_folder(coursedir, submission.student, assignment)
        marker, record = read_marker(folder), status.get(submission.student, {})
        if submission.student not in totals or not marker:
            not_graded[submission.student] = record.get("reason") or "not graded yet"
            continue
        if record.get("state") == "failed":
            not_graded[submission.student] = f"{record['reason']} (the gradebook keeps an earlier grading)"
        elif marker.get("fingerprint") != submission.fingerprint(grader):
            not_graded[submission.student] = ("the submission or the grader changed since it was graded "
                                              "(the gradebook keeps the earlier grading): run course.py grade")
        for name in notebook_max:
            nb = _read_autograded(folder, name)
            for cell in (nb.cells if nb else []):
                exercise = exercises.get((name, cell.metadata.get("nbgrader", {}).get("grade_id")))
                if exercise is None or not is_test_cell(cell):
                    continue
                exercise.functions = exercise.functions or ", ".join(exercise_names(cell.source, markers))
                stopped = [STOPPED[o.ename] for o in cell.get("outputs", [])
                           if o.output_type == "error" and o.ename in STOPPED]
                if stopped:
                    exercise.stopped[submission.student] = stopped[0]
                message = failure_message(cell)
                if message is not None:
                    exercise.diagnoses[diagnosis(message)] += 1
    return ClassData(assignment, totals, dict(notebooks), notebook_max, list(exercises.values()), not_graded)


def _figures(data, folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(data.notebook_max)
    fig, axes = plt.subplots(1, len(names) + 1, figsize=(3.2 * (len(names) + 1), 3), squeeze=False)
    totals = [score for score, _ in data.totals.values()]
    top = max([m for _, m in data.totals.values()] or [1])
    axes[0][0].hist(totals, bins=min(20, max(5, len(totals))), range=(0, top), color="#4c72b0")
    axes[0][0].set(title="Total", xlabel="score", ylabel="students")
    for ax, name in zip(axes[0][1:], names):
        ax.hist(list(data.notebooks.get(name, {}).values()), bins=10, range=(0, data.notebook_max[name] or 1),
                color="#55a868")
        ax.set(title=name, xlabel="score")
    fig.tight_layout()
    fig.savefig(folder / "scores.png", dpi=80)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(data.exercises) + 1))
    labels = [e.label for e in data.exercises]
    means = [sum(e.scores.values()) / (len(e.scores) * e.max_score) if e.scores and e.max_score else 0
             for e in data.exercises]
    ax.barh(range(len(labels)), means, color="#c44e52")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="mean share of the points")
    fig.tight_layout()
    fig.savefig(folder / "exercises.png", dpi=80)
    plt.close(fig)


def _write_csv(data, folder):
    with open(folder / "scores.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "notebook", "exercise", "score", "max_score"])
        for e in data.exercises:
            for student, score in sorted(e.scores.items()):
                writer.writerow([student, e.notebook, e.cell, score, e.max_score])
    with open(folder / "mistakes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["notebook", "exercise", "functions", "diagnosis", "students", "share_of_graded"])
        for e in data.exercises:
            for mistake, count in e.diagnoses.most_common():
                share = f"{count / max(1, len(e.scores)):.3f}"
                writer.writerow([e.notebook, e.cell, e.functions, mistake, count, share])


def _table(headers, rows, table_id):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _page(data):
    graded = len(data.totals)
    mean = sum(s for s, _ in data.totals.values()) / graded if graded else 0
    top = max([m for _, m in data.totals.values()] or [0])
    mistakes = [(e.label, mistake, count, f"{100 * count / max(1, len(e.scores)):.0f}%")
                for e in data.exercises for mistake, count in e.diagnoses.most_common(3)]
    stopped = [(e.label, student, what) for e in data.exercises for student, what in sorted(e.stopped.items())]
    exercises = [(e.label, len(e.scores), f"{sum(e.scores.values()) / len(e.scores):.2f}" if e.scores else "-",
                  e.max_score, sum(1 for s in e.scores.values() if s == e.max_score)) for e in data.exercises]
    notebooks = [(name, len(scores), f"{sum(scores.values()) / len(scores):.2f}" if scores else "-",
                  data.notebook_max[name])
                 for name, scores in ((n, data.notebooks.get(n, {})) for n in data.notebook_max)]
    parts = [
        f"<h1>Class report: {html.escape(data.assignment)}</h1>",
        f'<p id="summary">{graded} students in the gradebook, mean total <span id="mean">{mean:.2f}</span> of '
        f"{top:g}; {len(data.not_graded)} could not be graded.</p>",
        '<h2>Scores</h2><img id="scores-figure" src="scores.png" '
        'alt="Histograms of the total and per-notebook scores">',
        _table(["notebook", "students", "mean score", "max score"], notebooks, "notebooks"),
        '<h2>Exercises</h2><img id="exercises-figure" src="exercises.png" alt="Mean share of the points per exercise">',
        _table(["exercise", "students", "mean score", "max score", "full marks"], exercises, "exercises"),
        "<h2>Most common mistakes</h2><p>Per exercise, the checks' diagnoses of wrong answers (at most three).</p>",
        _table(["exercise", "diagnosis", "students", "share of the graded"], mistakes, "mistakes"),
        "<h2>Timed out or crashed</h2>",
        _table(["exercise", "student", "what happened"], stopped, "stopped"),
        "<h2>Could not be graded</h2>",
        _table(["student", "reason"], sorted(data.not_graded.items()), "not-graded"),
        _table(["student", "score", "max score"], sorted((s, f"{v:g}", f"{m:g}") for s, (v, m) in data.totals.items()),
               "totals").replace("<table", "<h2>Students</h2><table", 1),
    ]
    style = ("body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}img{max-width:100%}")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Class report: "
            f"{html.escape(data.assignment)}</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")


def write_report(root, assignment, output=None):
    """Write the report of the course in root into output (default root/reports/<assignment>/); return
    the path of its index.html."""
    data = collect(root, assignment)
    folder = Path(output) if output else Path(root, "reports", assignment)
    folder.mkdir(parents=True, exist_ok=True)
    _figures(data, folder)
    _write_csv(data, folder)
    (folder / "index.html").write_text(_page(data), encoding="utf-8")
    return folder / "index.html"
