"""Instructor side of the RNN Gradients course.

- ``autograder.reference``: hidden NumPy reference solutions, one module per notebook.
- ``autograder.checks``: the checks that hidden tests call; they compare a student's
  function with the reference on fresh random cases and name the likely mistake.
- ``autograder.feedback``: the nbgrader preprocessor that keeps hidden test code out
  of the feedback students receive.
- ``autograder.notebook_files``: reading, normalizing and writing course notebooks.

Student notebooks never import this package; only hidden test cells do.
"""
