"""A student's autograded folder, replaced whole, and the marker that says it is graded (written last).

``replace(folder, files)`` writes the new files into a staging folder beside it and swaps it in with
two renames, so the folder is always either the old complete one or the new complete one. The marker
(``MARKER`` in the folder, a dot file that nbgrader's copying ignores) records the fingerprint it was
graded from; the coordinator writes it only after the gradebook has the scores, so a run killed at any
point leaves a submission either marked and consistent, or unmarked and graded again by the next run.
``recover(folder)`` undoes what a killed run left half-way.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from .submissions import write_files

MARKER = ".class-grading.json"


def _staging(folder):
    return folder.parent.glob(f".{folder.name}.new-*")


def _previous(folder):
    return folder.parent / f".{folder.name}.old"


def recover(folder):
    """Clean up after an interrupted replace: a staging folder is dropped; a folder moved aside but not
    yet replaced is put back (it is still complete, and unmarked work is regraded anyway)."""
    folder = Path(folder)
    for staging in _staging(folder):
        shutil.rmtree(staging, ignore_errors=True)
    previous = _previous(folder)
    if previous.exists():
        if folder.exists():
            shutil.rmtree(previous)
        else:
            os.rename(previous, folder)


def replace(folder, files, modes=None):
    """Make folder hold exactly files ({relative path: bytes}, with modes {relative path: permission
    bits} where given), without a marker."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    if MARKER in files:
        raise ValueError(f"refusing to write {MARKER!r} into an autograded folder: only the coordinator marks it")
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        write_files(staging, files, modes)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.chmod(0o755)
    previous = _previous(folder)
    if folder.exists():
        os.rename(folder, previous)
    os.rename(staging, folder)
    shutil.rmtree(previous, ignore_errors=True)


def read_marker(folder):
    """The marker's record ({"fingerprint": ..., ...}) or None when the folder is not marked graded."""
    try:
        return json.loads((Path(folder) / MARKER).read_text())
    except (OSError, ValueError):
        return None


def write_marker(folder, record):
    """Write the marker atomically (a temporary file renamed over it)."""
    folder = Path(folder)
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=f"{MARKER}.", delete=False) as handle:
        json.dump(record, handle, indent=1, sort_keys=True)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, folder / MARKER)
