"""nbgrader configuration of the RNN Gradients course.

Every path is anchored to this file's directory, so the nbgrader commands work from the
repository root whatever the current directory of the shell that loads this file.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The nbgrader process imports the feedback preprocessor from ./autograder; the kernels it
# starts import the checks that hidden tests call. Student notebooks never import it.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE)] + [p for p in [os.environ.get("PYTHONPATH")] if p])

from autograder.feedback import RedactHiddenTests  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

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

# Trusted grading (README, "How grading decides"): the notebook runs under time and memory
# limits, then every hidden check is rerun with the student's functions in a separate process,
# and that verdict is the grade. Set c.TrustedVerdicts.enabled = False to grade from the
# notebook run alone (stock nbgrader behaviour).
from autograder.execute import GuardedExecute  # noqa: E402
from autograder.verdicts import TrustedVerdicts  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades)

c.Autograde.autograde_preprocessors = [
    GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    TrustedVerdicts, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.TrustedVerdicts.enabled = True
