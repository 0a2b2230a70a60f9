"""Course notebooks on disk: where they are, and keeping the committed ones free of outputs."""

from pathlib import Path

import nbformat

from . import ASSIGNMENT

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "source" / ASSIGNMENT
RELEASE_DIR = ROOT / "notebooks" / ASSIGNMENT

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def kernel_language_info():
    """The ``language_info`` that this environment's IPython kernel writes into a notebook it opens.
    The committed notebooks carry exactly this, so that JupyterLab, which compares the two, does not
    mark a notebook modified as soon as its kernel starts."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def kept_metadata():
    """The notebook-level metadata worth keeping; the rest (widget state, ...) only makes diffs noisy."""
    return {"kernelspec": dict(KERNELSPEC), "language_info": kernel_language_info()}


def source_notebooks():
    """The instructor notebooks, in course order."""
    return sorted(SOURCE_DIR.glob("*.ipynb"))


def release_notebooks():
    """The committed student notebooks, in course order."""
    return sorted(RELEASE_DIR.glob("*.ipynb"))


def strip(nb):
    """Remove outputs, execution counts and volatile metadata in place; return nb."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in ("execution", "collapsed", "scrolled", "jp-MarkdownHeadingCollapsed"):
            cell.metadata.pop(key, None)
    nbgrader_meta = nb.metadata.get("nbgrader")
    nb.metadata = kept_metadata()
    if nbgrader_meta:
        nb.metadata["nbgrader"] = nbgrader_meta
    return nb


def normalized_text(nb):
    """The file content of nb once stripped, exactly as nbformat.write lays it out."""
    text = nbformat.writes(strip(nb))
    return text if text.endswith("\n") else text + "\n"


def strip_file(path):
    """Strip one notebook file; return True when it changed."""
    before = Path(path).read_text(encoding="utf-8")
    after = normalized_text(nbformat.reads(before, as_version=4))
    if after != before:
        Path(path).write_text(after, encoding="utf-8")
        return True
    return False


def stamp_language_info(path):
    """Give one notebook file this environment's kernel ``language_info`` (Binder runs it on the
    release, whose kernel may be another Python than the one that generated it); True when it changed."""
    nb, info = nbformat.read(path, as_version=4), kernel_language_info()
    if nb.metadata.get("language_info") == info:
        return False
    nb.metadata["language_info"] = info
    nbformat.write(nb, path)
    return True
