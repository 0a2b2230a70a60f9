"""Hidden reference solutions, one module per notebook of the course.

``jacobian`` (01), ``bptt`` (02), ``eigen`` (03), ``lstm`` (04), ``beyond`` (05).
Every function follows the exercise contract of COURSE.md: the same name, the same
arguments, and float64 NumPy arrays of the stated shape.
"""
