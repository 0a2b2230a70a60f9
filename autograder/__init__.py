"""Instructor side of the RNN Gradients course.

- ``autograder.reference``: hidden NumPy reference solutions, one module per notebook.
- ``autograder.checks``: the checks that hidden tests call; they compare a student's
  function with the reference on fresh random cases and name the likely mistake.
- ``autograder.feedback``: the nbgrader preprocessor that keeps hidden test code out
  of the feedback students receive.
- ``autograder.notebook_files``: reading, normalizing and writing course notebooks.
- ``autograder.confinement``, ``execute``, ``verdicts``: grading student code confined.

Student notebooks never import this package; the grader runs their hidden test cells.
``ASSIGNMENT`` is the one nbgrader assignment of the course (``course.py`` reads it too, before any
dependency is installed: this module imports nothing).
"""

ASSIGNMENT = "rnn_gradients"
