"""Random cases shared by the checks of the gated cells: the LSTM (notebook 04) and the GRU (notebook 05).

Shapes: W_* (n, m), U_* (n, n), b_* (n,), for n units and m inputs.
"""

from . import core

# (n, m): more units than inputs, fewer, a single unit, square; one case twice (stale answers show).
CASES = [(3, 2), (2, 5), (1, 3), (4, 4), (3, 2)]
# How a gated step's smallest failing case reads (core.Shrinker's floors, at_floor and rises).
SHRINK = {"floors": {"n": 1, "m": 1},
          "at_floor": {"n": "one unit is wrong too, so it is not a transpose or a mixed-up matrix product"},
          "rises": {"n": "one unit is right, so look for how units are coupled (a transpose, U h_prev)",
                    "m": "the error involves the input term W x"}}


def random_params(rng, names, n, m, *, bias_scale):
    """{name: normal random array} for the parameter names of a cell: W_* (n, m) and U_* (n, n) of scale 0.8,
    b_* (n,) of scale bias_scale, drawn in the order of names."""
    return {name: rng.normal(scale=0.8 if name[0] in "WU" else bias_scale,
                             size=(n, m) if name[0] == "W" else (n, n) if name[0] == "U" else n)
            for name in names}


def describe_case(seed, n, m):
    """The case named in messages: the shape and the seed that replays it."""
    return f"n = {n} units, m = {m} inputs (random case, seed {seed})"


def random_cases(arguments):
    """A check's cases on a fresh generator: (n, m, arguments(rng, n, m), the case's description, the seed)
    for each shape of CASES (the seed replays the case; core.Shrinker takes it)."""
    rng, seed = core.fresh_rng()
    for n, m in CASES:
        yield n, m, arguments(rng, n, m), describe_case(seed, n, m), seed
