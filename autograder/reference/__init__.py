"""Hidden reference solutions, one module per notebook of the course.

``jacobian`` (01), ``bptt`` (02), ``eigen`` (03), ``lstm`` (04), ``beyond`` (05).
Every function follows the exercise contract of the notebooks (stated in the README and in
the source notebooks under source/rnn_gradients/): the same name, the same arguments, and
float64 NumPy arrays of the stated shape.
"""
