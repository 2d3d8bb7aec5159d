"""mkdocs hooks: add the pages that docs/plan.py makes from README.md, CHANGELOG.md and
spec/*.yaml at every build, and the navigation over them and the hand-written pages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files


def _load_plan_module() -> Any:
    # By path, under a name of its own: mkdocs does not put docs/ on sys.path.
    name = "welkin_docs_plan"
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("plan.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


plan = _load_plan_module()
_state: dict[str, Any] = {}


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if config.nav:
        raise PluginError("mkdocs.yml has a nav: the navigation is made by docs/hooks.py")
    try:
        _state["plan"] = plan.make_plan(_root(config))
    except plan.PlanError as exc:
        raise PluginError(str(exc)) from exc
    config.nav = _state["plan"].nav
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for page in _state["plan"].pages:
        if files.get_file_from_path(page.path) is not None:
            raise PluginError(f"docs/{page.path} is generated: remove the file of that name")
        files.append(File.generated(config, page.path, content=page.markdown))
    return files


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    """`mkdocs serve` rebuilds when a file that pages are made from changes."""
    root = _root(config)
    for source in ("README.md", "CHANGELOG.md", "spec", "src", *plan.FILE_PAGES):
        server.watch(str(root / source))
    return server
