"""A griffe extension for the API reference: a resource made by ``@cached_resource``
(``client.patients``, ``client.patients.encounters``) is documented as the cached property it
acts as, not as a method to call."""

from __future__ import annotations

import ast
from typing import Any

from griffe import Attribute, Extension, Function

DECORATOR = "cached_resource"


class CachedResources(Extension):
    def on_function_instance(self, *, node: ast.AST, func: Function, **kwargs: Any) -> None:
        if not any(d.callable_path.rsplit(".", 1)[-1] == DECORATOR for d in func.decorators):
            return
        attribute = Attribute(
            func.name,
            annotation=func.returns,
            lineno=func.lineno,
            endlineno=func.endlineno,
            docstring=func.docstring,
            runtime=func.runtime,
            analysis=func.analysis,
        )
        attribute.labels.update({"cached", "property"})
        func.parent.set_member(func.name, attribute)  # type: ignore[union-attr]
