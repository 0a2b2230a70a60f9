"""The student's side of the process boundary used for trusted verdicts.

``runner.py`` is started as a script in a child process; it runs the student's code and
answers requests in JSON. Only this folder is on that process's import path: nothing in it
may import ``autograder`` (the reference solutions must stay out of the student's reach).
"""
