"""One problem found by `contracts validate`: where it is (file, document, field) and what is wrong."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelValidationIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    # Index of the YAML document in a multi-document file (0-based); None for a contract file.
    document: int | None = None
    # Kind/name of the custom resource in that document, when it has one.
    resource: str = ""
    # Dotted path to the offending field, as kubectl prints it (spec.partitions, spec.data[0].value).
    path: str = ""
    message: str

    def __str__(self) -> str:
        where = self.file if self.document is None else f"{self.file}: document {self.document}"
        if self.resource:
            where = f"{where} ({self.resource})"
        field = f": {self.path}" if self.path else ""
        return f"{where}{field}: {self.message}"
