"""The documentation site's pages, planned from the repository at build time.

README.md's sections become the guide, CHANGELOG.md gives the changelog and the migration
guide, and each ``spec/*.yaml`` area gets a page of its operations and of the mkdocstrings
reference of its generated classes. Nothing is copied by hand, so an edit of any of these
files reaches the site. Pure Python (no mkdocs): ``docs/hooks.py`` hands the pages to
mkdocs, and tests/test_docs.py checks the plan without building the site.
"""

from __future__ import annotations

import importlib
import inspect
import posixpath
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["HAND_WRITTEN", "Page", "Plan", "PlanError", "make_plan", "slugify", "split"]

# Repository files that become pages, by their path in the repository. A relative link to
# one of them, in any included file, is rewritten to its page; a link to any other file is
# left as written, and `mkdocs build --strict` fails on it.
FILE_PAGES = {
    "CHANGELOG.md": "changelog.md",
    "spec/README.md": "project/spec.md",
    "benchmarks/README.md": "project/benchmarks.md",
    "benchmarks/RESULTS.md": "project/benchmark-results.md",
    "benchmarks/RELIABILITY.md": "project/reliability-results.md",
}
# README sections (by slug) whose `###` subsections are pages of their own.
SPLIT_SUBSECTIONS = {"quickstart"}
# CHANGELOG subsections that make the migration guide.
MIGRATION = re.compile(r"upgrad|migrat", re.IGNORECASE)
# The hand-written pages under docs/ (nav title, path), in nav order.
HAND_WRITTEN = {
    "Clients": "reference/client.md",
    "Webhooks": "reference/webhooks.md",
    "Token stores": "reference/tokens.md",
    "Testing: FakeWelkin": "reference/testing.md",
    "Old package (0.1.x) modules": "reference/compat.md",
}
AREA_TITLES = {
    "auth": "Authentication",
    "cdts": "CDTs",
    "pdts": "PDTs",
    "sms": "SMS",
}
# Modules whose exceptions are public: the error tree shows each under its public name.
ERROR_MODULES = ("welkin", "welkin.exceptions", "welkin.webhooks", "welkin.tokens")

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"\]\(([^()\s]+)\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class PlanError(Exception):
    """The repository's files do not give the pages the site needs."""


@dataclass(frozen=True)
class Page:
    path: str  # relative to docs/
    title: str
    markdown: str


@dataclass
class Plan:
    pages: list[Page]  # the generated pages
    nav: list[Any]  # mkdocs' `nav`, generated and hand-written pages together
    areas: dict[str, str]  # spec area -> its page

    def page(self, path: str) -> Page:
        return next(p for p in self.pages if p.path == path)


# --- Markdown, line by line ----------------------------------------------------------------


def slugify(title: str) -> str:
    """The id Python-Markdown's toc gives a heading (its default ``slugify``)."""
    text = re.sub(r"<[^>]*>", "", title)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _outside_fences(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(index, line) of each line that is not in a fenced code block."""
    fence = ""
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
        else:
            yield i, line


def _headings(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(index, level, title) of each heading outside code blocks."""
    for i, line in _outside_fences(lines):
        match = _HEADING.match(line)
        if match:
            yield i, len(match.group(1)), match.group(2)


def split(text: str, level: int) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first heading of ``level``, and the (title, body) of each such
    heading, its body running to the next heading of that level or a higher one."""
    lines = text.splitlines()
    cuts = [(i, lvl, title) for i, lvl, title in _headings(lines) if lvl <= level]
    first = next((i for i, lvl, _ in cuts if lvl == level), len(lines))
    preamble = "\n".join(lines[:first]).strip("\n")
    sections = []
    for n, (i, lvl, title) in enumerate(cuts):
        if lvl != level or i < first:
            continue
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        sections.append((title, "\n".join(lines[i + 1 : end]).strip("\n")))
    return preamble, sections


def _raise_headings(text: str, by: int) -> str:
    """Each heading ``by`` levels higher (``###`` -> ``#`` for 2), never above ``#``."""
    lines = text.splitlines()
    for i, level, title in list(_headings(lines)):
        lines[i] = "#" * max(1, level - by) + " " + title
    return "\n".join(lines)


def _title(text: str, default: str) -> str:
    """The text of the first heading."""
    return next((title for _, _, title in _headings(text.splitlines())), default)


def _anchors(text: str) -> list[str]:
    return [slugify(title) for _, _, title in _headings(text.splitlines())]


# --- Pages from repository files -----------------------------------------------------------


@dataclass
class _Draft:
    """A page made from a part of a repository file, before its links are rewritten."""

    path: str
    title: str
    source: str  # the file it comes from, relative to the repository
    markdown: str


def _section_page(path: str, title: str, body: str, level: int, source: str) -> _Draft:
    text = f"# {title}\n\n{_raise_headings(body, level - 1)}\n"
    return _Draft(path, title, source, text)


def _unique(path: str, taken: set[str]) -> str:
    stem, n = path.removesuffix(".md"), 2
    while path in taken:
        path, n = f"{stem}-{n}.md", n + 1
    taken.add(path)
    return path


def _readme_pages(readme: str) -> tuple[_Draft, list[_Draft]]:
    """The landing page (the text before the first section) and one guide page per section
    (or per subsection, for the sections of SPLIT_SUBSECTIONS)."""
    intro, sections = split(readme, 2)
    if not sections:
        raise PlanError("README.md has no `##` sections to make the guide from")
    taken: set[str] = set()
    guide = []
    for title, body in sections:
        path = _unique(f"guide/{slugify(title)}.md", taken)
        if slugify(title) not in SPLIT_SUBSECTIONS:
            guide.append(_section_page(path, title, body, 2, "README.md"))
            continue
        lead, subsections = split(body, 3)
        guide.append(_section_page(path, title, lead, 2, "README.md"))
        for sub_title, sub_body in subsections:
            sub_path = _unique(f"guide/{slugify(sub_title)}.md", taken)
            guide.append(_section_page(sub_path, sub_title, sub_body, 3, "README.md"))
    links = "\n".join(f"- [{page.title}]({page.path})" for page in guide)
    more = (
        "- [Migrating from welkin 0.1.x](migration.md)\n"
        "- The API reference: [the clients](reference/client.md), "
        "[errors](reference/errors.md) and one page per API area, such as "
        "[patients](areas/patients.md)"
    )
    index = f"{intro}\n\n## In this guide\n\n{links}\n{more}\n"
    return _Draft("index.md", "Home", "README.md", index), guide


def _changelog_pages(changelog: str) -> list[_Draft]:
    """The changelog as it is, and the migration guide: its upgrading and migrating
    subsections, from every release."""
    _, releases = split(changelog, 2)
    parts = []
    for _, body in releases:
        for title, sub_body in split(body, 3)[1]:
            if MIGRATION.search(title):
                parts.append(f"## {title}\n\n{_raise_headings(sub_body, 2)}")
    if not parts:
        raise PlanError(
            "CHANGELOG.md has no migration guide: no `###` heading says Upgrading or Migrating"
        )
    migration = (
        "# Migrating from welkin 0.1.x\n\n"
        "From the [changelog](CHANGELOG.md), release by release.\n\n" + "\n\n".join(parts) + "\n"
    )
    return [
        _Draft("changelog.md", _title(changelog, "Changelog"), "CHANGELOG.md", changelog),
        _Draft("migration.md", "Migrating from 0.1.x", "CHANGELOG.md", migration),
    ]


def _file_pages(root: Path) -> list[_Draft]:
    """The other repository files that are pages (FILE_PAGES), as they are."""
    drafts = []
    for source, path in FILE_PAGES.items():
        if source == "CHANGELOG.md":
            continue
        text = (root / source).read_text()
        drafts.append(_Draft(path, _title(text, source), source, text))
    return drafts


def _rewrite_links(drafts: list[_Draft]) -> list[Page]:
    """Links between repository files become links between their pages: a file to the page
    made from it, an anchor to the page that has the heading."""
    file_page = {**FILE_PAGES, "README.md": "index.md"}
    anchor_page: dict[tuple[str, str], str] = {}
    for draft in drafts:
        for anchor in _anchors(draft.markdown):
            # The first page wins: the changelog before the migration guide made from it.
            anchor_page.setdefault((draft.source, anchor), draft.path)

    def target(draft: _Draft, link: str) -> str:
        if _SCHEME.match(link) or link.startswith("/"):
            return link
        file, _, anchor = link.partition("#")
        source = posixpath.normpath(posixpath.join(posixpath.dirname(draft.source), file))
        if file and source not in file_page:
            return link  # not a page: left for mkdocs to report
        if not file:
            source = draft.source
        page = anchor_page.get((source, anchor)) if anchor else file_page[source]
        if page is None:
            return link  # an unknown anchor: left for mkdocs to report
        if page == draft.path:
            return f"#{anchor}"
        relative = posixpath.relpath(page, posixpath.dirname(draft.path) or ".")
        return f"{relative}#{anchor}" if anchor else relative

    pages = []
    for draft in drafts:
        lines = draft.markdown.splitlines()
        for i, line in _outside_fences(lines):
            lines[i] = _LINK.sub(lambda m, d=draft: f"]({target(d, m.group(1))})", line)
        pages.append(Page(draft.path, draft.title, "\n".join(lines) + "\n"))
    return pages


# --- Pages from spec/*.yaml ----------------------------------------------------------------


def _load_spec(root: Path) -> Any:
    """The validated spec, read by the code generator's own loader (codegen/spec.py): the
    pages name the arguments exactly as the generated methods do."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from codegen.spec import load

    return load(root / "spec")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _param_type(param: Any) -> str:
    if param.kind == "enum":
        return "one of " + ", ".join(f"`{v}`" for v in param.values)
    if param.kind == "csv":
        return f"list of {param.item} (comma-joined)"
    if param.kind == "version":
        return "`current`, `draft` or a version number"
    if param.kind == "sort":
        return "sort (`field,asc` or `field,desc`)"
    return param.kind


def _model_link(spec: Any, model: str) -> str:
    return f"[`{model}`][welkin.types.{spec.model_area(model).name}.{model}]"


def _returns(spec: Any, op: Any) -> str:
    if op.download:
        return (
            f"the file's bytes; `{op.method_name}_to(..., destination)` streams it to a file "
            "instead"
        )
    if op.response is None:
        return "nothing"
    model = _model_link(spec, op.response)
    if op.pagination == "LIST":
        return f"a list of {model}"
    if op.pagination:
        return (
            f"a page of {model} (Welkin's `{op.pagination}` envelope); iterating it walks "
            "every later page lazily"
        )
    return model


def _body(spec: Any, op: Any) -> str:
    body = op.body
    if body is None:
        return ""
    if body.multipart_only:
        return f"multipart/form-data: each file of `{body.param}` as a `files` part"
    if body.model is None:
        return f"JSON: the mapping `{body.param}`, as it is"
    text = f"JSON: the fields of {_model_link(spec, body.model)}, as keyword arguments"
    if body.files:
        text += (
            f"; with `{body.files_param}=` it is sent as multipart/form-data, the files as "
            f"`{body.files}` parts"
        )
    return text


def _operation(spec: Any, op: Any) -> str:
    call = f"client.{op.id}" if op.auth else op.id
    lines = [f"### `{call}` {{ #{op.id} }}", "", f"`{op.method} {op.path}`", "", op.summary, ""]
    if not op.auth:
        lines += ["Sent by the clients themselves to get a token: not a method.", ""]
    params = [(p, f"path `{p.wire}`") for p in op.path_params]
    params += [
        (p, f"query `{p.wire}`" + "".join(f", `{n}`" for n in p.also_sent_as)) for p in op.query
    ]
    if params:
        lines += ["| Argument | Sent as | Type | Description |", "|---|---|---|---|"]
        for p, sent in params:
            described = p.description + (f" Default: `{p.default}`." if p.default else "")
            lines.append(f"| `{p.name}` | {sent} | {_param_type(p)} | {_cell(described)} |")
        lines.append("")
    if op.fixed_query:
        fixed = "&".join(f"{k}={v}" for k, v in op.fixed_query.items())
        lines += [f"Always sends `{fixed}`.", ""]
    if op.body is not None:
        lines += [f"**Body**: {_body(spec, op)}.", ""]
    lines += [f"**Returns**: {_returns(spec, op)}.", ""]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _directive(identifier: str, **options: object) -> list[str]:
    """An mkdocstrings block: the reference of ``identifier``."""
    lines = [f"::: {identifier}"]
    if options:
        lines.append("    options:")
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else value
            lines.append(f"      {name}: {text}")
    return [*lines, ""]


def area_title(area: str) -> str:
    return AREA_TITLES.get(area, area.replace("_", " ").capitalize())


def _area_page(root: Path, spec: Any, area: Any) -> Page:
    title = area_title(area.name)
    counts = f"{_count(len(area.operations), 'operation')}, {_count(len(area.models), 'model')}"
    lines = [f"# {title}", "", f"Generated from `spec/{area.file}` ({counts}).", ""]
    if area.operations:
        lines += ["## Operations", "", "| Call | HTTP |", "|---|---|"]
        for op in area.operations:
            call = f"client.{op.id}" if op.auth else op.id
            lines.append(f"| [`{call}`](#{op.id}) | `{op.method} {op.path}` |")
        lines.append("")
        lines += [_operation(spec, op) for op in area.operations]
    if (root / "src" / "welkin" / "resources" / f"{area.name}.py").exists():
        lines += [
            "## Resource classes",
            "",
            *_directive(f"welkin.resources.{area.name}", heading_level=3, show_root_heading=False),
        ]
    lines += ["## Models", ""]
    lines += _directive(f"welkin.types.{area.name}", heading_level=3, show_root_heading=False)
    return Page(f"areas/{area.name}.md", title, "\n".join(lines))


# --- The error tree ------------------------------------------------------------------------


def _public_errors() -> dict[type, str]:
    """Each public exception class and the name it is imported by."""
    found: dict[type, str] = {}
    for module_name in ERROR_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                found.setdefault(obj, f"{module_name}.{name}")
    return found


def _source_order(cls: type) -> tuple[bool, str, int]:
    """welkin's own exceptions first, then those of its other modules; each module's in the
    order it defines them."""
    line = inspect.getsourcelines(cls)[1]
    return cls.__module__ != "welkin._exceptions", cls.__module__, line


def _error_classes() -> list[tuple[int, type, str]]:
    """(depth, class, public name) of every public exception, depth first from
    ``WelkinError``, each module's classes in the order it defines them."""
    import welkin

    public = _public_errors()

    def walk(cls: type, depth: int) -> Iterator[tuple[int, type, str]]:
        yield depth, cls, public[cls]
        subclasses = [sub for sub in cls.__subclasses__() if sub in public]
        for sub in sorted(subclasses, key=_source_order):
            yield from walk(sub, depth + 1)

    return list(walk(welkin.WelkinError, 0))


def error_tree() -> str:
    """The exception hierarchy as a nested list, from the classes themselves: each class
    links to its reference, with its status and the first line of its docstring."""
    lines = []
    for depth, cls, name in _error_classes():
        text = f"[`{name}`][{cls.__module__}.{cls.__qualname__}]"
        status = cls.__dict__.get("status_code")
        if isinstance(status, int):
            # InternalServerError's 500 stands for every 5xx status.
            text += f" ({'5xx' if status == 500 else status})"
        builtin = [b.__name__ for b in cls.__bases__ if b.__module__ == "builtins"]
        if builtin and depth:
            text += " (also " + " and ".join(f"`{b}`" for b in builtin) + ")"
        doc = cls.__dict__.get("__doc__")  # its own: a subclass without one says nothing
        if doc:
            text += ": " + " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
        lines.append("    " * depth + "- " + text)
    return "\n".join(lines)


def _errors_page() -> Page:
    """The tree, then the reference of each exception of ``welkin`` (those of the other
    modules are on their modules' pages)."""
    classes = [
        f"{cls.__module__}.{cls.__qualname__}"
        for _, cls, name in _error_classes()
        if name.rpartition(".")[0] == "welkin"
    ]
    blocks = [_directive(p, heading_level=3, show_if_no_docstring=True) for p in classes]
    blocks.append(_directive("welkin.ErrorDetail", heading_level=3))
    reference = "\n".join(line for block in blocks for line in block)
    text = f"""# Errors

Every exception welkin raises is a `WelkinError`. The tree is drawn from the classes
themselves; the [errors guide](../guide/errors.md) tells when each is raised.

{error_tree()}

## Reference

{reference}"""
    return Page("reference/errors.md", "Errors", text)


# --- The plan ------------------------------------------------------------------------------


def make_plan(root: Path) -> Plan:
    """Every generated page, and the site's navigation."""
    index, guide = _readme_pages((root / "README.md").read_text())
    drafts = [index, *guide, *_changelog_pages((root / "CHANGELOG.md").read_text())]
    drafts += _file_pages(root)
    pages = _rewrite_links(drafts)
    spec = _load_spec(root)
    areas = {area.name: _area_page(root, spec, area) for area in spec.areas}
    pages += [*areas.values(), _errors_page()]
    files = {p.path: p for p in pages}

    def entries(paths: list[str]) -> list[dict[str, str]]:
        return [{files[p].title: p} for p in paths]

    hand = [{title: path} for title, path in HAND_WRITTEN.items()]
    nav = [
        {"Home": "index.md"},
        {"Guide": entries([p.path for p in guide])},
        {"Migrating from 0.1.x": "migration.md"},
        {"API reference": [*hand[:1], {"Errors": "reference/errors.md"}, *hand[1:]]},
        {"API areas": entries([p.path for p in areas.values()])},
        {"Project": entries(list(FILE_PAGES.values()))},
    ]
    return Plan(pages, nav, {name: page.path for name, page in areas.items()})
