"""Spec features beyond one flat file: shared models, nesting across files, defaults, files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from codegen.render import Renderer
from codegen.spec import SpecError, load

COMMON = """
models:
  Record:
    type: object
    required: [id]
    properties:
      id: {type: string, format: uuid}
      jsonBody: {$ref: SystemFields}
  SystemFields:
    type: object
    properties:
      created_at: {type: [string, "null"], format: date-time}
"""

PARENTS = """
models:
  Parent:
    type: object
    properties:
      id: {type: [string, "null"], format: uuid}
operations:
  - id: parents.get
    summary: Read a parent.
    method: GET
    path: "{tenant}/{instance}/parents/{parentId}"
    path_params:
      parentId: {type: uuid}
    response: Parent
"""

CHILDREN = """
models:
  ChildBody:
    description: A child's fields.
    allOf:
      - {$ref: SystemFields}
      - type: object
        properties:
          title: {type: [string, "null"]}
  Child:
    type: object
    required: [id]
    properties:
      id: {type: string, format: uuid}
      jsonBody: {$ref: ChildBody}
      record: {$ref: Record}
operations:
  - id: parents.children.list
    summary: List a parent's children.
    method: GET
    path: "{tenant}/{instance}/parents/{parentId}/children"
    path_params:
      parentId: {type: uuid}
    pagination: METAINFO
    response: Child
  - id: designs.children.get
    summary: Read a child design.
    method: GET
    path: "{tenant}/{instance}/formations/{version}/children/{name}"
    path_params:
      version: {type: version, default: current}
      name: {type: string}
    response: Record
  - id: parents.children.files.upload
    summary: Upload files.
    method: POST
    path: "{tenant}/{instance}/parents/{parentId}/files"
    path_params:
      parentId: {type: uuid}
    body: {multipart: files}
    pagination: LIST
    response: Record
  - id: parents.children.files.download
    summary: Download a file.
    method: GET
    path: "{tenant}/{instance}/parents/{parentId}/files/{fileId}"
    path_params:
      parentId: {type: uuid}
      fileId: {type: uuid}
    download: true
    response: null
"""


def spec_dir(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def functions(source: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(source)
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef):
            for node in cls.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{cls.name}.{node.name}"] = node
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("spec")
    spec = load(spec_dir(tmp, common=COMMON, parents=PARENTS, children=CHILDREN))
    return Renderer(spec).files()


def test_models_may_refer_to_models_of_other_files(rendered: dict[str, str]) -> None:
    children = rendered["types/children.py"]
    assert "from . import common" in children or "from .common import" in children
    # allOf with a model of another file becomes a subclass of it.
    assert "class ChildBody(SystemFields):" in children
    assert "A child's fields." in children


def test_a_cycle_between_files_is_refused(tmp_path: Path) -> None:
    looped = COMMON.replace(
        '      created_at: {type: [string, "null"], format: date-time}\n',
        '      created_at: {type: [string, "null"], format: date-time}\n'
        "      parent: {$ref: Parent}\n",
    )
    parents = PARENTS.replace(
        '      id: {type: [string, "null"], format: uuid}\n',
        '      id: {type: [string, "null"], format: uuid}\n      record: {$ref: Record}\n',
    )
    with pytest.raises(SpecError, match="the files refer to each other: common -> parents"):
        load(spec_dir(tmp_path, common=looped, parents=parents))


def test_a_resource_nests_under_one_of_another_file(rendered: dict[str, str]) -> None:
    parents = rendered["resources/parents.py"]
    # The child class lives in its own file's module and is imported when first used.
    assert "from .children import ParentsChildren" in parents
    assert "def children(self) -> ParentsChildren:" in parents
    assert "class ParentsChildren(SyncAPIResource):" in rendered["resources/children.py"]


def test_a_path_default_becomes_a_keyword_only_argument(rendered: dict[str, str]) -> None:
    get = functions(rendered["resources/children.py"])["DesignsChildren.get"]
    assert [a.arg for a in get.args.args] == ["self", "name"]
    kwonly = {a.arg: d for a, d in zip(get.args.kwonlyargs, get.args.kw_defaults, strict=True)}
    default = kwonly["version"]
    assert isinstance(default, ast.Constant)
    assert default.value == "current"


def test_uploads_take_files_and_downloads_have_a_streaming_twin(
    rendered: dict[str, str],
) -> None:
    methods = functions(rendered["resources/children.py"])
    upload = methods["ParentsChildrenFiles.upload"]
    assert [a.arg for a in upload.args.args] == ["self", "parent_id", "files"]
    assert methods["ParentsChildrenFiles.download"].returns is not None
    assert ast.unparse(methods["ParentsChildrenFiles.download"].returns) == "bytes"  # type: ignore[arg-type]
    download_to = methods["ParentsChildrenFiles.download_to"]
    assert [a.arg for a in download_to.args.args] == ["self", "parent_id", "file_id", "destination"]
    assert isinstance(methods["AsyncParentsChildrenFiles.download_to"], ast.AsyncFunctionDef)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    download: true\n    response: null\n",
            "    download: true\n    response: Record\n",
            r"download: a download has no response model",
        ),
        (
            "    body: {multipart: files}\n",
            "    body: {multipart: files, json: object}\n",
            r"body: give exactly one of model, json or multipart",
        ),
        (
            "    body: {multipart: files}\n",
            "    body: {json: object, files: attachments}\n",
            r"body.files: optional file parts go with a model body",
        ),
        (
            "    response: Record\n  - id: parents.children.files.upload",
            "    query:\n      page: {type: integer, default: 0}\n"
            "    response: Record\n  - id: parents.children.files.upload",
            r"query.page.default: only path parameters take defaults",
        ),
    ],
)
def test_bad_uses_of_the_extensions_are_refused(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in CHILDREN
    children = CHILDREN.replace(old, new)
    with pytest.raises(SpecError, match=message):
        load(spec_dir(tmp_path, common=COMMON, parents=PARENTS, children=children))
