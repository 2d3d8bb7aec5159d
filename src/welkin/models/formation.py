"""Designer (formation) objects (``welkin.models.formation`` of welkin 0.1.x).

``client.Formation(version="draft").Assessments().get()`` lists the draft's assessments;
``version`` is ``current`` (the default), ``draft`` or a version number.
"""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import Self

from ..pagination import FormationIterator
from ..util import Target
from .base import Collection, Resource, bind

__all__ = [
    "CDT",
    "CDTs",
    "Assessment",
    "Assessments",
    "DocumentType",
    "DocumentTypes",
    "Encounter",
    "EncounterDisposition",
    "Encounters",
    "Formation",
    "FormationBase",
    "FormationCollection",
    "FormationResource",
    "Goal",
    "Goals",
    "Program",
    "Programs",
]


class FormationBase:
    """A designer object type: ``endpoint`` names it in the URL."""

    endpoint: ClassVar[str | None] = None
    _formation: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        if not cls.endpoint:
            raise AttributeError(f"The `endpoint` attribute must be set on {cls.__name__}")
        return super().__new__(cls)


class FormationResource(FormationBase, Resource):
    """One designer object, read by its ``name``."""

    def get(self, *args: Any, **kwargs: Any) -> Self:
        path = f"{self._formation._base_path}/{self.endpoint}/{self.name}"
        return super().get(path, *args, **kwargs)


class FormationCollection(FormationBase, Collection):
    """The designer objects of one type."""

    resource: ClassVar[type[Resource]] = FormationResource
    iterator = FormationIterator

    def _wrap(self, data: Any) -> Resource:
        item = super()._wrap(data)
        object.__setattr__(item, "_formation", self._formation)
        return item

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return super().get(f"{self._formation._base_path}/{self.endpoint}", *args, **kwargs)


class Assessment(FormationResource):
    endpoint = "assessments"
    typed_model = "assessments.Assessment"


class Assessments(FormationCollection):
    resource = Assessment
    endpoint = "assessments"


class CDT(FormationResource):
    endpoint = "cdts"
    typed_model = "common.CdtDefinition"


class CDTs(FormationCollection):
    resource = CDT
    endpoint = "cdts"


class DocumentType(FormationResource):
    endpoint = "document-types"


class DocumentTypes(FormationCollection):
    resource = DocumentType
    endpoint = "document-types"


class EncounterDisposition(FormationResource):
    endpoint = "encounter-disposition"
    typed_model = "common.CdtDefinition"

    def __init__(self) -> None:
        super().__init__()
        self.name = ""


class Encounter(FormationResource):
    endpoint = "encounters"
    typed_model = "formations.EncounterTemplate"


class Encounters(FormationCollection):
    resource = Encounter
    endpoint = "encounters"


class Goal(FormationResource):
    endpoint = "goal-templates"
    typed_model = "formations.GoalTemplate"


class Goals(FormationCollection):
    resource = Goal
    endpoint = "goal-templates"


class Program(FormationResource):
    endpoint = "programs"
    typed_model = "programs.Program"


class Programs(FormationCollection):
    resource = Program
    endpoint = "programs"


_CHILDREN: tuple[type[Any], ...] = (
    Assessment,
    Assessments,
    CDT,
    CDTs,
    DocumentType,
    DocumentTypes,
    Encounter,
    EncounterDisposition,
    Encounters,
    Goal,
    Goals,
    Program,
    Programs,
)


class Formation(Target):
    """The designer objects of one version, bound to a client."""

    Assessment = Assessment
    Assessments = Assessments
    CDT = CDT
    CDTs = CDTs
    DocumentType = DocumentType
    DocumentTypes = DocumentTypes
    Encounter = Encounter
    EncounterDisposition = EncounterDisposition
    Encounters = Encounters
    Goal = Goal
    Goals = Goals
    Program = Program
    Programs = Programs

    def __init__(self, version: int | str = "current") -> None:
        super().__init__()
        self._base_path = f"{self._client.instance}/formations/{version}"
        for child in _CHILDREN:
            setattr(self, child.__name__, bind(child, self._client, _formation=self))
