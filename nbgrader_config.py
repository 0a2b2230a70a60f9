"""nbgrader configuration of the RNN Gradients course.

Every path is anchored to this file's directory, so the nbgrader commands work from the
repository root whatever the current directory of the shell that loads this file.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The nbgrader process imports its preprocessors from ./autograder. (The instructor's own kernels get the
# course on PYTHONPATH from `python3 course.py lab`; a grading kernel sees none of it: it starts confined.)
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from autograder.feedback import RedactHiddenTests  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "rnn_gradients_course"
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.source_directory = "source"          # instructor notebooks with solutions
c.CourseDirectory.release_directory = "notebooks"      # generated student versions, committed
c.CourseDirectory.submitted_directory = "submitted"    # the rest is class data, kept out of git
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}"
# generate_assignment copies every other file of source/<assignment>/ into the release:
# never let a helper script or a note with solutions travel along.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
    "*.py", "*.md", "*.txt", "*.json", "*.yml", "*.yaml", "*.sh", ".*",
]

# A deleted test cell is put back before grading instead of silently scoring nothing.
c.OverwriteCells.add_missing_cells = True
# The per-cell time limit while autograding (seconds); see autograder/execute.py.
c.Execute.timeout = 10

# Feedback keeps the messages of hidden tests but not their code or tracebacks.
c.GenerateFeedback.preprocessors = [GetGrades, RedactHiddenTests, CSSHTMLHeaderPreprocessor]

# `nbgrader zip_collect rnn_gradients` (submissions downloaded from an LMS, no JupyterHub):
# put files named <student_id>__<notebook>.ipynb, or zips of them, in downloaded/rnn_gradients/archive/.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = r"(?:.*[/\\])?(?P<student_id>[^/\\]+?)__(?P<file_id>\d\d_\w+)\.ipynb$"

# Trusted grading (README, "How grading decides"): the notebook's visible tests run in a confined
# kernel under time and memory limits, then every hidden check runs with the student's functions in
# a confined separate process, and that verdict is the grade. ConfinedExporter logs the confinement
# level when autograding starts and refuses to grade below c.Confinement.required.
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.converters import GenerateAssignment  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from autograder.execute import ConfinedExporter, GuardedExecute  # noqa: E402
from autograder.hidden_tests import ValidateHiddenTests  # noqa: E402
from autograder.verdicts import TrustedVerdicts  # noqa: E402

c.Autograde.exporter_class = ConfinedExporter
c.Autograde.autograde_preprocessors = [
    GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    TrustedVerdicts, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
# c.Confinement.required = "namespaces"  # refuse to grade without bubblewrap's namespaces

# A hidden test the trusted grader cannot read stops the release, before any student sees it.
_release_steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
c.GenerateAssignment.preprocessors = _release_steps[:_release_steps.index(ClearHiddenTests)] + \
    [ValidateHiddenTests] + _release_steps[_release_steps.index(ClearHiddenTests):]
