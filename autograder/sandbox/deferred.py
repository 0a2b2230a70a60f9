"""Deferred imports in the child: ``import matplotlib.pyplot as plt`` binds a stand-in module, and the
real package is imported the first time anything is read from it.

The child runs a notebook's import cells so that the student's functions find the names they use,
but a graded function almost never draws or calls sympy, and importing matplotlib.pyplot and sympy
costs about a second of CPU per graded notebook. With ``defer(...)`` those imports are free until
used; a function that does use ``plt`` gets the real module (in its fork, where the first use
happens). ``from matplotlib.patches import Circle`` needs the real object at once and imports it.

Only the standard library; installed by runner.py before the student's cells run.
"""

import importlib
import importlib.abc
import importlib.machinery
import sys
import types


class DeferredModule(types.ModuleType):
    """Stands for the module of its name until an attribute it lacks is read; then the real module is
    imported and that read, and every later one, answered from it."""

    def __getattr__(self, attribute):
        real = self.__dict__.get("_deferred_real")
        if real is None:
            real = _FINDER.materialize(self.__name__)
            self.__dict__["_deferred_real"] = real
        return getattr(real, attribute)


class _DeferringFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the packages of ``packages`` (and their submodules) as DeferredModules, until one of them
    is materialized: from then on that package imports as usual."""

    def __init__(self):
        self.packages = set()

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] not in self.packages:
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        module = DeferredModule(spec.name)
        module.__path__ = []  # a package, so that its submodules are found here too
        return module

    def exec_module(self, module):
        pass

    def materialize(self, name):
        """Import the real module name: drop the package's stand-ins from sys.modules first (names
        already bound to them forward to the real modules)."""
        top = name.partition(".")[0]
        self.packages.discard(top)
        for key in [k for k, m in sys.modules.items() if (k == top or k.startswith(top + "."))
                    and isinstance(m, DeferredModule)]:
            del sys.modules[key]
        return importlib.import_module(name)


_FINDER = _DeferringFinder()


def defer(*packages):
    """From now on, import these top-level packages (and their submodules) as DeferredModules; a
    package already imported is left as it is."""
    _FINDER.packages.update(p for p in packages if p not in sys.modules)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
