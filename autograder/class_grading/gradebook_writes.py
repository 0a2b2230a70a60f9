"""The coordinator's writes to the course's gradebook: one transaction per student.

nbgrader's ``Gradebook`` commits after every row it adds; ``one_transaction`` turns those commits into
flushes, so a student's submission, scores, comments and late penalties become visible together or
not at all, on SQLite and on PostgreSQL alike. The values come from the worker's private gradebook,
where nbgrader's own SaveAutoGrades computed them; this module applies them as SaveAutoGrades and
AssignLatePenalties would have here (a manual score already given keeps the cell marked for review,
and a late penalty takes the student's extension into account).
"""

import warnings
from contextlib import contextmanager

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.exc import SAWarning


@contextmanager
def one_transaction(gb):
    """Within the block, gb's commits only flush; the block's end commits once (an error rolls back)."""
    session = gb.db
    commit = session.commit
    session.commit = session.flush
    try:
        yield gb
    except BaseException:
        del session.commit
        session.rollback()
        raise
    else:
        del session.commit
        commit()


def record_scores(db_url, course_id, assignment, outcome, submitted_notebooks, config=None):
    """Write a graded Outcome into the gradebook at db_url. submitted_notebooks: names (without .ipynb)
    of the notebooks the student handed in (a missing one scores zero and needs no review)."""
    late = AssignLatePenalties(config=config)
    late.init_plugin()
    with Gradebook(db_url, course_id) as gb, one_transaction(gb), warnings.catch_warnings():
        # nbgrader's add_submission builds rows before adding them to the session; with autoflush,
        # SQLAlchemy warns about each relation (nbgrader autograde's own log shows the same warnings).
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(outcome.student)
        kwargs = {"timestamp": outcome.timestamp} if outcome.timestamp else {}
        submission = gb.update_or_create_submission(assignment, outcome.student, **kwargs)
        for notebook in submission.notebooks:
            scores = outcome.notebooks.get(notebook.name)
            if scores is None:
                raise ValueError(f"the worker sent no scores for notebook {notebook.name}")
            for grade in notebook.grades:
                auto, needs_review = scores["grades"][grade.name]
                grade.auto_score = auto
                grade.needs_manual_grade = bool(needs_review) or (
                    grade.manual_score is not None and notebook.name in submitted_notebooks)
            for comment in notebook.comments:
                comment.auto_comment = scores["comments"][comment.name]
        gb.db.flush()
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = None
            if submission.total_seconds_late > 0:
                penalty = late.plugin_inst.late_submission_penalty(outcome.student, notebook.score,
                                                                   submission.total_seconds_late)
                if penalty is not None:
                    notebook.late_submission_penalty = late._check_late_penalty(notebook, penalty)


def students_with_submission(db_url, course_id, assignment):
    """The ids of the students whose submission of assignment the gradebook at db_url holds."""
    with Gradebook(db_url, course_id) as gb:
        try:
            return {submission.student.id for submission in gb.find_assignment(assignment).submissions}
        except MissingEntry:
            return set()
