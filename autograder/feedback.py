"""Feedback without the hidden tests: students read what failed, never the test code."""

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

HIDDEN_PLACEHOLDER = "# Hidden tests ran here; their result is shown below."


class RedactHiddenTests(ClearHiddenTests):
    """Replace hidden test regions by a placeholder line and cut tracebacks to their last line.

    Unlike ClearHiddenTests in a release, the outputs stay: a failing hidden check's message
    (``CheckFailed: ...``) is exactly what the student should read. The traceback is dropped
    because it would quote the hidden lines that raised.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            lines = cell.source.split("\n")
            had_hidden = any(self.begin_test_delimeter in line for line in lines)
            if had_hidden:
                self._remove_hidden_test_region(cell)
                cell.source = cell.source.rstrip("\n") + "\n" + HIDDEN_PLACEHOLDER
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
