"""The submission contract in one place, for everything that describes it: which fields the server
requires (the forms' 必填/选填 marks) and the choices, constants and patterns of the OpenAPI schema.

Both are read from the models the validation itself uses (`ReportIn`, `InspectionIn`, `ComplaintIn`)
and from `VOCABULARY`, so a form, a generated client and the server cannot disagree (issue 19).
"""

from __future__ import annotations

from pydantic import BaseModel

from enforcewatch.intake.complaints import ComplaintIn
from enforcewatch.intake.reports import InspectionIn, ReportIn

FORMS: dict[str, type[BaseModel]] = {"report": ReportIn, "inspection": InspectionIn, "complaint": ComplaintIn}


def required_fields() -> dict[str, frozenset[str]]:
    """Per form (report, one inspection, complaint): the fields the server refuses to go without."""
    return {form: frozenset(name for name, field in model.model_fields.items() if field.is_required())
            for form, model in FORMS.items()}
