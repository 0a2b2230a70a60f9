"""Grading a whole class: ``python3 course.py grade`` and ``python3 course.py report``.

Each submission is one unit of work for Dask (a ``LocalCluster`` started by the command, or a running
cluster given by its scheduler's address). A worker grades it with the course's own ``nbgrader
autograde`` (confined kernels, trusted verdicts, limits) in a private course directory of its own,
with a private SQLite gradebook that holds only the assignment's definition; it sends back plain data.
Only the coordinator writes the course's gradebook and its ``autograded/`` folders:

- ``submissions``: the class's submissions and their fingerprints (what a second run may skip);
- ``kit``: what a worker needs from the course, built once per run;
- ``private_course``: the worker's side, one submission graded away from the course;
- ``gradebook_writes``: one transaction per student in the course's gradebook (SQLite or PostgreSQL);
- ``autograded_folders``: a student's autograded folder replaced whole, and the marker written last;
- ``coordinator``: the run (cluster, retries, progress, logs, summary);
- ``report``: the class report (HTML, figures and CSV in ``reports/``).
"""
