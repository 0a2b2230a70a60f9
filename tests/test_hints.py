"""Hints a learner opens on request: two or three per exercise, collapsed, each closer to the answer,
locked and worth no points, in the source and in the release alike."""

import re

import nbformat
import pytest

from autograder.notebook_files import RELEASE_DIR, source_notebooks

DETAILS = re.compile(r"<details><summary><b>Hint (\d)</b> \([^)]*\)</summary>\n\n(.+?)\n\n</details>", re.S)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda p: p.name)
def test_every_exercise_is_preceded_by_its_collapsed_hints(path):
    cells = nbformat.read(path, as_version=4).cells
    exercises = [i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("solution")]
    assert exercises
    for i in exercises:
        hints = cells[i - 1]
        assert grade_id(hints) == f"hints_{grade_id(cells[i])}", f"no hints just before {grade_id(cells[i])}"
        meta = hints.metadata["nbgrader"]
        assert hints.cell_type == "markdown" and meta["locked"] and not meta["grade"] and not meta["solution"]
        assert "points" not in meta or not meta["points"]
        blocks = DETAILS.findall(hints.source)
        assert 2 <= len(blocks) <= 3, hints.source
        assert [int(number) for number, _ in blocks] == list(range(1, len(blocks) + 1))
        assert hints.source.count("<details>") == len(blocks) and "<details open" not in hints.source
        for _, text in blocks:
            assert text.replace(r"\$", "").count("$") % 2 == 0, f"unbalanced math in {grade_id(hints)}: {text}"
            assert "BEGIN SOLUTION" not in text and "HIDDEN" not in text


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda p: p.name)
def test_the_release_keeps_the_hints_unchanged(path):
    source = {grade_id(c): c.source for c in nbformat.read(path, as_version=4).cells
              if (grade_id(c) or "").startswith("hints_")}
    release = {grade_id(c): c.source for c in nbformat.read(RELEASE_DIR / path.name, as_version=4).cells
               if (grade_id(c) or "").startswith("hints_")}
    assert source and release == source
