"""Plain-data encoding of the values that cross the process boundary (JSON; never pickle).

Arrays travel as dtype + shape + a flat list; numbers (complex ones as a real and an imaginary part),
strings, tuples, lists and str-keyed dicts as themselves; a grader-side probe function as its source and
data; anything else only as the name of its type, so a look-alike object can never pass for an array.
Imports nothing but the standard library and NumPy (it also runs inside the child).
"""

import numpy as np

MAX_ELEMENTS = 2_000_000
MAX_DEPTH = 8
ARRAY_KINDS = "fciub"  # float, complex, signed and unsigned integer, bool


class Opaque:
    """Stands in for a value the grader will not rebuild; its class is named after the original type."""

    def __repr__(self):
        return f"<{type(self).__name__} object>"


def opaque(type_name):
    name = "".join(ch for ch in str(type_name) if ch.isalnum() or ch in "_. ")[:80] or "object"
    return type(name, (Opaque,), {})()


class Probe:
    """A grader-side function shipped by source: ``Probe("lambda v: np.sin(A @ v)", A=A)``."""

    def __init__(self, source, **env):
        self.source, self.env = source, env
        self._fn = eval(source, {"np": np, **env})  # noqa: S307 (the grader's own source, never the student's)

    def __call__(self, *args):
        return self._fn(*args)


def encode(value, depth=0):
    """A JSON-ready description of value."""
    kind = type(value)
    if depth > MAX_DEPTH:
        return {"kind": "opaque", "type": "deeply nested value"}
    if kind is np.ndarray:
        if value.dtype.kind not in ARRAY_KINDS:
            return {"kind": "opaque", "type": f"ndarray of dtype {value.dtype}"}
        if value.size > MAX_ELEMENTS:
            return {"kind": "opaque", "type": f"ndarray too large {value.shape}"}
        flat = value.ravel()
        data = [flat.real.tolist(), flat.imag.tolist()] if value.dtype.kind == "c" else flat.tolist()
        return {"kind": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape), "data": data}
    if kind in (bool, int, float, str) or value is None:
        return {"kind": "scalar", "value": value}
    if kind is complex:
        return {"kind": "complex", "value": [value.real, value.imag]}
    if isinstance(value, np.generic) and kind is type(np.asarray(value)[()]) and value.dtype.kind in "fiub":
        return {"kind": "npscalar", "dtype": value.dtype.str, "value": value.item()}
    if isinstance(value, np.generic) and kind is type(np.asarray(value)[()]) and value.dtype.kind == "c":
        return {"kind": "npscalar", "dtype": value.dtype.str, "value": [value.real.item(), value.imag.item()]}
    if kind in (tuple, list):
        return {"kind": kind.__name__, "items": [encode(v, depth + 1) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"kind": "dict", "items": {k: encode(v, depth + 1) for k, v in value.items()}}
    if kind is Probe:
        return {"kind": "probe", "source": value.source, "env": {k: encode(v, depth + 1) for k, v in value.env.items()}}
    return {"kind": "opaque", "type": getattr(kind, "__name__", "object")}


def _real_pair(value):
    return type(value) is list and len(value) == 2 and all(type(v) in (int, float) for v in value)


def decode(data, depth=0, allow_probes=False):
    """Rebuild a value from encode()'s description, as fresh objects of exact builtin/NumPy types.

    Probes (code) are rebuilt only with allow_probes=True, which the child uses for the grader's
    requests; the grader never runs code that came from the child.
    """
    if depth > MAX_DEPTH or type(data) is not dict:
        return opaque("malformed value")
    kind = data.get("kind")
    if kind == "ndarray":
        dtype, shape = np.dtype(str(data["dtype"])), tuple(int(s) for s in data["shape"])
        if dtype.kind not in ARRAY_KINDS or any(s < 0 for s in shape) or int(np.prod(shape)) > MAX_ELEMENTS:
            return opaque("malformed ndarray")
        if dtype.kind == "c":
            real, imag = data["data"]
            flat = np.asarray(real, dtype=float) + 1j * np.asarray(imag, dtype=float)
        else:
            flat = np.asarray(data["data"], dtype=float if dtype.kind == "f" else None)
        if flat.size != int(np.prod(shape)):
            return opaque("malformed ndarray")
        return np.array(flat, dtype=dtype).reshape(shape)
    if kind == "scalar" and type(data["value"]) in (bool, int, float, str, type(None)):
        return data["value"]
    if kind == "complex" and _real_pair(data["value"]):
        return complex(*data["value"])
    if kind == "npscalar":
        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind == "c":
            return dtype.type(complex(*data["value"])) if _real_pair(data["value"]) else opaque("malformed scalar")
        return dtype.type(data["value"]) if dtype.kind in "fiub" else opaque("malformed scalar")
    if kind in ("tuple", "list"):
        items = [decode(v, depth + 1, allow_probes) for v in data["items"]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {str(k): decode(v, depth + 1, allow_probes) for k, v in data["items"].items()}
    if kind == "probe" and allow_probes:
        return Probe(str(data["source"]), **{k: decode(v, depth + 1, allow_probes) for k, v in data["env"].items()})
    if kind == "opaque":
        return opaque(data.get("type", "object"))
    return opaque("malformed value")
