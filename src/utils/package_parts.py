"""Importing some modules of a package without running the package's `__init__`.

Some libraries' `__init__` imports every part they have: prometheus-client's brings its HTTP servers, push
gateway and WSGI/ASGI apps (`http.server`, `wsgiref`, `urllib.request`...) into a server that only counts and
renders. `load_parts_only(package)` registers the package without running its `__init__`, so `import
package.part` loads that part and what it imports, nothing more. Nothing is lost: a name asked of the package
itself (`from package import name`, `package.name`) that is not one of its modules runs the `__init__` then,
so code that uses the package whole still gets all of it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType


def load_parts_only(name: str) -> ModuleType:
    """The package `name`, registered in `sys.modules` without its `__init__` having run (unless it already has)."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"no package named {name!r}", name=name)
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def attribute(attribute_name: str) -> object:
        # `from . import part` inside the package asks the package for `part` first: import just that module.
        try:
            return importlib.import_module(f"{name}.{attribute_name}")
        except ModuleNotFoundError as error:
            if error.name != f"{name}.{attribute_name}":
                raise
        del package.__dict__["__getattr__"]
        loader.exec_module(package)  # any other name: the package is used whole after all
        return getattr(package, attribute_name)

    package.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[name] = package
    return package
