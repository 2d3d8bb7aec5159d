"""The documentation site's plan (docs/plan.py), checked without building the site: every
spec area has its page, README.md and CHANGELOG.md flow into pages, and every link between
pages lands on a page. ``nox -s docs`` builds the site itself."""

from __future__ import annotations

import importlib
import importlib.util
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import welkin

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def load_plan_module() -> ModuleType:
    name = "welkin_docs_plan"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DOCS / "plan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


plan_module = load_plan_module()


@pytest.fixture(scope="module")
def plan() -> Any:
    return plan_module.make_plan(ROOT)


def nav_paths(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [path for entry in nav for path in nav_paths(entry)]
    return [path for value in nav.values() for path in nav_paths(value)]


def nav_section(plan: Any, title: str) -> list[str]:
    [section] = [entry[title] for entry in plan.nav if title in entry]
    return nav_paths(section)


def test_every_spec_area_has_a_page_with_its_operations(plan: Any) -> None:
    areas = sorted(path.stem for path in (ROOT / "spec").glob("*.yaml"))
    assert sorted(plan.areas) == areas
    assert nav_section(plan, "API areas") == [f"areas/{area}.md" for area in areas]
    for area in areas:
        page = plan.page(f"areas/{area}.md").markdown
        raw = yaml.safe_load((ROOT / "spec" / f"{area}.yaml").read_text())
        for op in raw.get("operations") or []:
            assert f"`{op['method']} {op['path']}`" in page, (area, op["id"])
            assert f"{{ #{op['id']} }}" in page, (area, op["id"])
        for model in raw.get("models") or {}:
            assert hasattr(importlib.import_module(f"welkin.types.{area}"), model)
        assert f"::: welkin.types.{area}" in page


def test_area_pages_document_the_generated_modules_that_exist(plan: Any) -> None:
    for page in plan.pages:
        for identifier in re.findall(r"^::: (\S+)$", page.markdown, flags=re.MULTILINE):
            module, _, name = identifier.rpartition(".")
            try:
                importlib.import_module(identifier)
            except ModuleNotFoundError:
                assert hasattr(importlib.import_module(module), name), (page.path, identifier)


def test_patients_page_names_the_arguments_as_the_methods_do(plan: Any) -> None:
    page = plan.page("areas/patients.md").markdown
    assert "### `client.patients.get` { #patients.get }" in page
    assert "`GET {tenant}/{instance}/patients/{patientId}`" in page
    assert "| `patient_id` | path `patientId` | uuid |" in page
    assert "[`Patient`][welkin.types.patients.Patient]" in page


def test_every_readme_section_is_a_guide_page(plan: Any) -> None:
    readme = (ROOT / "README.md").read_text()
    _, sections = plan_module.split(readme, 2)
    guide = nav_section(plan, "Guide")
    titles = [plan.page(path).title for path in guide]
    for title, body in sections:
        assert title in titles
        page = plan.page(guide[titles.index(title)]).markdown
        # A section's first paragraph reaches its page as written (links aside).
        paragraphs = [p for p in body.split("\n\n") if p.strip() and "](" not in p]
        if paragraphs and not paragraphs[0].startswith("#"):
            assert paragraphs[0] in page, title
    assert plan.page("index.md").markdown.startswith(readme.split("\n", 1)[0] + "\n")


def test_split_ignores_hashes_in_code_blocks() -> None:
    text = "# T\n\nintro\n\n## A\n\n```python\n# a comment\n## not a heading\n```\n\n## B\nb\n"
    intro, sections = plan_module.split(text, 2)
    assert intro == "# T\n\nintro"
    assert [title for title, _ in sections] == ["A", "B"]
    assert "## not a heading" in sections[0][1]


def test_the_migration_guide_comes_from_the_changelog(plan: Any) -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    migration = plan.page("migration.md").markdown
    headings = re.findall(r"^### (.+)$", changelog, flags=re.MULTILINE)
    wanted = [h for h in headings if plan_module.MIGRATION.search(h)]
    assert wanted
    for heading in wanted:
        assert f"\n## {heading}\n" in migration
    assert plan.page("changelog.md").markdown.startswith(changelog.split("\n", 1)[0])


def test_links_between_pages_land_on_pages(plan: Any) -> None:
    """What `mkdocs build --strict` would refuse, found without building: a relative link to
    a Markdown file that is not a page (a README link to a file the site does not have)."""
    texts = {page.path: page.markdown for page in plan.pages}
    texts |= {path: (DOCS / path).read_text() for path in plan_module.HAND_WRITTEN.values()}
    for path, text in texts.items():
        for link in re.findall(r"\]\(([^()\s]+)\)", text):
            file = link.partition("#")[0]
            if re.match(r"^[a-z]+:", link) or not file:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), file))
            assert target in texts, (path, link)
    readme_page = plan.page("index.md").markdown
    assert "](changelog.md)" in readme_page


def test_nav_pages_exist(plan: Any) -> None:
    generated = {page.path for page in plan.pages}
    for path in nav_paths(plan.nav):
        assert path in generated or (DOCS / path).is_file(), path
    for path in plan_module.HAND_WRITTEN.values():
        assert path not in generated, path


def test_error_tree_has_every_public_exception() -> None:
    tree = plan_module.error_tree()
    for name in welkin.__all__:
        obj = getattr(welkin, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert f"[`welkin.{name}`][welkin._exceptions.{name}]" in tree
    assert "        - [`welkin.NotFoundError`][welkin._exceptions.NotFoundError] (404)" in tree
    assert "[`welkin.webhooks.WebhookPayloadError`]" in tree


def test_the_build_fetches_nothing_from_the_internet() -> None:
    """CI builds offline: no plugin that downloads (material's social and privacy), no
    inventories of other projects' docs, no web fonts."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert not {"social", "privacy", "material/social", "material/privacy"} & set(plugins)
    [mkdocstrings] = [p["mkdocstrings"] for p in config["plugins"] if "mkdocstrings" in p]
    assert "inventories" not in mkdocstrings["handlers"]["python"]
    assert config["theme"]["font"] is False
    assert config["strict"] is True
    assert config["hooks"] == ["docs/hooks.py"]


def test_planning_does_not_need_mkdocs() -> None:
    code = (
        "import importlib.util, sys, pathlib\n"
        f"spec = importlib.util.spec_from_file_location('p', {str(DOCS / 'plan.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['p'] = m\n"
        "spec.loader.exec_module(m)\n"
        f"m.make_plan(pathlib.Path({str(ROOT)!r}))\n"
        "assert not [n for n in sys.modules if n.split('.')[0] in ('mkdocs', 'mkdocstrings')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
