"""The generated resource classes: compact, documented to the last argument, found by help()."""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import itertools
import pydoc
import re
import subprocess
import tokenize
from pathlib import Path
from typing import Any

import pytest

import welkin
from codegen import render
from codegen.render import GENERATED_PACKAGES, Renderer, format_sources
from codegen.spec import load
from welkin._resource import AsyncAPIResource, SyncAPIResource
from welkin.resources import AsyncResources, SyncResources, cached_resource

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "welkin"
RESOURCE_MODULES = sorted(p.stem for p in (PACKAGE / "resources").glob("[!_]*.py"))


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """Every generated file as the templates write it, before ruff."""
    return Renderer(load(ROOT / "spec")).files()


def resource_classes() -> list[type[Any]]:
    found = []
    for stem in RESOURCE_MODULES:
        module = importlib.import_module(f"welkin.resources.{stem}")
        for _, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, (SyncAPIResource, AsyncAPIResource))
                and value not in (SyncAPIResource, AsyncAPIResource)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda c: c.__qualname__)


RESOURCE_CLASSES = resource_classes()
METHODS = [
    (cls, name)
    for cls in RESOURCE_CLASSES
    for name, member in vars(cls).items()
    if inspect.isfunction(member) and not name.startswith("_")
]


def test_there_are_hundreds_of_methods_to_check() -> None:
    assert len(RESOURCE_CLASSES) > 100
    assert len(METHODS) > 400


@pytest.mark.parametrize(("cls", "name"), METHODS, ids=[f"{c.__name__}.{n}" for c, n in METHODS])
def test_every_argument_is_documented(cls: type[Any], name: str) -> None:
    method = getattr(cls, name)
    doc = inspect.getdoc(method) or ""
    _, args_header, args = doc.partition("\nArgs:\n")
    assert args_header, f"{cls.__name__}.{name} has no Args section"
    documented = re.findall(r"^    (\w+): \S", args, flags=re.MULTILINE)
    parameters = [p for p in inspect.signature(method).parameters if p != "self"]
    assert documented == parameters


def test_per_call_options_end_every_signature() -> None:
    for cls, name in METHODS:
        parameters = inspect.signature(getattr(cls, name)).parameters
        body = ["extra_body"] if "extra_body" in parameters else []
        options = ["extra_headers", "extra_query", *body, "timeout", "max_retries", "deadline"]
        assert list(parameters)[-len(options) :] == options
        assert parameters["extra_headers"].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters["extra_headers"].default is None


def test_docstrings_use_the_right_article() -> None:
    # "an httpx.Timeout", "a one-item list" and "a user" are right.
    wrong = re.compile(r"\b[Aa] (?!one)[aeioAEIO]\w|\b[Aa]n [b-df-gj-np-tv-zB-DF-GJ-NP-TV-Z][a-z]")
    found = [
        f"{cls.__name__}.{name}: {match.group()}"
        for cls, name in METHODS
        for match in wrong.finditer(inspect.getdoc(getattr(cls, name)) or "")
    ]
    assert found == []


def test_extra_headers_reach_the_request_options(monkeypatch: pytest.MonkeyPatch) -> None:
    client = welkin.Client("t", "i", "api", "secret")
    seen: dict[str, Any] = {}

    def fake_call(operation: Any, **kwargs: Any) -> None:
        seen.update(kwargs)

    monkeypatch.setattr(client, "_call", fake_call)
    client.patients.get("1e57da59-42e2-4412-9152-11f37129b782", extra_headers={"X-Trace": "1"})
    assert seen["options"].extra_headers == {"X-Trace": "1"}


# -- resource properties ----------------------------------------------------------------------


def resource_properties() -> list[tuple[type[Any], str, cached_resource[Any]]]:
    owners = [SyncResources, AsyncResources, *RESOURCE_CLASSES]
    return [
        (owner, name, value)
        for owner in owners
        for name, value in vars(owner).items()
        if isinstance(value, cached_resource)
    ]


def test_resource_properties_carry_a_docstring_and_a_return_type() -> None:
    properties = resource_properties()
    assert len(properties) > 50
    for owner, name, prop in properties:
        hints = prop._build.__annotations__
        assert hints.get("return"), f"{owner.__name__}.{name}"
        # The docstring opens with the class it returns, then what that class offers.
        assert (prop.__doc__ or "").startswith(f"{hints['return']}: "), f"{owner.__name__}.{name}"


def test_help_on_the_client_lists_each_resource_with_what_it_offers() -> None:
    text = pydoc.render_doc(welkin.Client, renderer=pydoc.plaintext)
    assert re.search(r"\|  patients\n \|      Patients: list, filter, get,", text)
    assert "users = <functools.cached_property object>" not in text
    assert "patients = <" not in text


def test_a_resource_is_built_once_per_client_and_not_shared_with_copies() -> None:
    client = welkin.Client("t", "i", "api", "secret")
    assert client.patients is client.patients
    assert client.patients.encounters is client.patients.encounters
    copy = client.with_options(timeout=3)
    assert copy.patients is not client.patients
    assert copy.patients._client is copy


# -- the templates' output ----------------------------------------------------------------------


def test_the_templates_write_no_trailing_comma(rendered: dict[str, str]) -> None:
    # A comma before a closing bracket keeps ruff from joining what fits on one line.
    for name, source in rendered.items():
        if not name.startswith("resources/"):
            continue
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
        ]
        for before, after in itertools.pairwise(tokens):
            assert not (before.string == "," and after.string in ")]}"), (name, before.start)


def test_short_calls_fit_on_one_line() -> None:
    source = (PACKAGE / "resources" / "patients.py").read_text()
    assert '            path={"patientId": patient_id},\n' in source
    assert '            query={"page": page, "size": size},\n' in source


def test_the_templates_import_only_what_the_module_uses(rendered: dict[str, str]) -> None:
    # Nothing is left for ruff to delete.
    for name, source in rendered.items():
        if not name.startswith("resources/"):
            continue
        tree = ast.parse(source)
        imported = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        } - {"annotations"}
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
            node.value  # cast("Client", self)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert imported - used == set(), name


def test_one_ruff_run_formats_every_file_as_committed(
    rendered: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: Any) -> Any:
        runs.append(args)
        return real_run(args, **kwargs)

    monkeypatch.setattr(render.subprocess, "run", counting_run)
    formatted = format_sources(rendered)
    assert [args[3] for args in runs] == ["check", "format"]
    committed = {
        str(path.relative_to(PACKAGE)): path.read_text()
        for package in GENERATED_PACKAGES
        for path in (PACKAGE / package).glob("*.py")
    }
    # Byte for byte what an earlier run wrote: the output does not depend on the run.
    assert formatted == committed


# -- raw and streamed responses -----------------------------------------------------------------

RESPONSE_SUFFIXES = ("WithRawResponse", "WithStreamingResponse")


def test_each_resource_class_has_raw_and_streamed_twins_offering_what_it_offers() -> None:
    client, aclient = (
        welkin.Client("t", "i", "api", "secret"),
        welkin.AsyncClient("t", "i", "a", "s"),
    )
    for cls in RESOURCE_CLASSES:
        resource = cls(client if issubclass(cls, SyncAPIResource) else aclient)
        module = importlib.import_module(cls.__module__)
        members = vars(cls).items()
        methods = {n for n, m in members if inspect.isfunction(m) and not n.startswith("_")}
        # All but the ``_to`` twins of downloads, which write to a file.
        to_file = {n for n in methods if n.endswith("_to") and n.removesuffix("_to") in methods}
        children = {n for n, value in members if isinstance(value, cached_resource)}
        for suffix in RESPONSE_SUFFIXES:
            twin = getattr(module, f"{cls.__name__}{suffix}")
            assert twin.__name__ in module.__all__
            wrapped = twin(resource)
            offered = {n for n in vars(wrapped) if not n.startswith("_")}
            assert offered == methods - to_file
            for name in offered:
                assert getattr(wrapped, name).__wrapped__ == getattr(resource, name)
            assert {n for n, v in vars(twin).items() if isinstance(v, cached_resource)} == children
            for name in children:
                child = getattr(wrapped, name)
                assert type(child).__name__ == f"{type(getattr(resource, name)).__name__}{suffix}"
                assert child._resource is getattr(resource, name)


def test_help_on_a_response_class_lists_its_sub_resources() -> None:
    from welkin.resources import SyncResourcesWithRawResponse
    from welkin.resources.patients import PatientsWithStreamingResponse

    text = pydoc.render_doc(SyncResourcesWithRawResponse, renderer=pydoc.plaintext)
    assert re.search(r"\|  patients\n \|      PatientsWithRawResponse: list, filter, get,", text)
    text = pydoc.render_doc(PatientsWithStreamingResponse, renderer=pydoc.plaintext)
    assert "client.with_streaming_response.patients.list() as response" in text
    assert re.search(r"\|  encounters\n \|      PatientsEncountersWithStreamingResponse: ", text)
