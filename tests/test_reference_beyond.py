"""The notebook-05 reference: gradient clipping by norm."""

import numpy as np

from autograder.reference.beyond import clip_by_norm


def test_clip_by_norm_rescales_only_above_the_threshold():
    rng = np.random.default_rng(3)
    g = rng.normal(size=(4, 3)) * 10
    clipped = clip_by_norm(g, 1.5)
    assert np.isclose(np.linalg.norm(clipped), 1.5)
    np.testing.assert_allclose(clipped / np.linalg.norm(clipped), g / np.linalg.norm(g), rtol=1e-12)
    small = g / (2 * np.linalg.norm(g))
    np.testing.assert_array_equal(clip_by_norm(small, 1.0), small)
    assert clip_by_norm(small, 1.0) is not small
