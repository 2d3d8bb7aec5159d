"""A small designer (formation) for the fake: the CDT, assessment, encounter template, program
and goal template a care team's workflow needs, shaped like Welkin's published examples."""

from __future__ import annotations

from typing import Any

JSONObject = dict[str, Any]


def _field(name: str, kind: str, label: str, **extra: Any) -> JSONObject:
    return {
        "name": name,
        "type": kind,
        "dictionary": None,
        "searchable": False,
        "bulkEdit": False,
        "phi": True,
        "meta": {"label": label, "required": False, "options": []},
        **extra,
    }


_PHQ_ANSWERS = ["0 - Not at all", "1 - Several days", "2 - More than half the days"]
_PHQ_QUESTIONS = [
    ("little_interest_pleasure", "Little interest or pleasure in doing things"),
    ("feeling_down_depressed_hopeless", "Feeling down, depressed, or hopeless"),
]

#: Objects of the draft formation, by designer path segment, each keyed by its name.
DESIGNER: dict[str, list[JSONObject]] = {
    "cdts": [
        {
            "name": "vitals",
            "title": "Vitals",
            "label": "Vitals",
            "version": 1,
            "internal": False,
            "readable": True,
            "updatable": True,
            "type": "MULTI_RECORD",
            "relation": None,
            "fields": [
                _field("weight", "number", "Weight (kg)"),
                _field("systolic", "integer", "Systolic (mmHg)"),
                _field("diastolic", "integer", "Diastolic (mmHg)"),
                _field("measured_on", "date", "Measured on"),
                _field("notes", "text", "Notes", phi=True),
            ],
        }
    ],
    "assessments": [
        {
            "name": "phq_2",
            "title": "PHQ-2",
            "version": 1,
            "sections": [
                {
                    "name": "section-1",
                    "title": "Over the last 2 weeks, how often have you been bothered by:",
                    "order": 0,
                    "fields": [
                        {
                            "label": label,
                            "refCdtName": "phq",
                            "refCdtFieldName": name,
                            "order": order,
                            "viewType": "question",
                            "meta": {"type": "select", "required": True},
                            "prePopulatedValue": None,
                        }
                        for order, (name, label) in enumerate(_PHQ_QUESTIONS)
                    ],
                }
            ],
            "scoring": {
                "formula": "SUM",
                "groups": [
                    {
                        "name": "phq",
                        "title": "PHQ",
                        "formula": "SUM",
                        "fields": [
                            {
                                "refCdtName": "phq",
                                "refCdtFieldName": name,
                                "scores": [
                                    {"score": score, "answer": answer}
                                    for score, answer in enumerate(_PHQ_ANSWERS)
                                ],
                            }
                            for name, _ in _PHQ_QUESTIONS
                        ],
                    }
                ],
            },
            "programs": [{"program": "onboarding", "phases": ["intake"]}],
            "template": None,
            "conditionSettings": None,
            "_containsPHI": True,
        }
    ],
    "encounters": [
        {"name": "intake", "title": "Intake visit", "assessmentNames": ["phq_2"]},
        {"name": "follow_up", "title": "Follow-up call", "assessmentNames": []},
    ],
    "programs": [
        {
            "name": "onboarding",
            "title": "Onboarding",
            "description": "From referral to a first care plan.",
            "phases": [
                {"name": "intake", "title": "Intake", "navigateTo": [{"name": "active"}]},
                {"name": "active", "title": "Active", "navigateTo": [{"name": "graduated"}]},
                {"name": "graduated", "title": "Graduated", "navigateTo": []},
            ],
        }
    ],
    "goal-templates": [
        {"name": "lower_a1c", "title": "Lower A1C below 7%"},
        {"name": "daily_walk", "title": "Walk 30 minutes a day"},
    ],
    "document-types": [
        {"name": name, "title": title, "relation": "DOCUMENT_TYPE", "fields": []}
        for name, title in (
            ("doc-type-assessment", "Assessment"),
            ("doc-type-docusign", "DocuSign"),
            ("doc-type-others", "Others"),
        )
    ],
}

#: The encounter disposition's definition (one object, not a collection).
DISPOSITION: JSONObject = {
    "name": "__encounter_disposition__",
    "title": "Encounter disposition",
    "relation": "ENCOUNTER_DISPOSITION",
    "type": "SINGLE_RECORD",
    "fields": [
        _field("cpt", "text", "CPT code", dictionary={"name": "cpt", "field": "value"}),
        _field("notes", "text", "Notes"),
    ],
}
