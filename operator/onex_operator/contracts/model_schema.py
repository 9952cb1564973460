"""A schema node in the contract dialect: the structural subset of OpenAPI v3 that CRDs accept.

Contracts may use `$ref` (to a definition, `#/definitions/X` or `<node_name>#/definitions/X`) and
`extends` (a definition inherits another's properties); resolved schemas, as they go into a CRD,
have neither.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from onex_operator.contracts.enum_list_type import EnumListType
from onex_operator.contracts.enum_schema_type import EnumSchemaType
from onex_operator.contracts.model_validation_rule import ModelValidationRule


class ModelSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, serialize_by_alias=True)

    ref: str | None = Field(default=None, alias="$ref")
    extends: str | None = None
    type: EnumSchemaType | None = None
    description: str | None = None
    properties: dict[str, ModelSchema] | None = None
    required: list[str] | None = None
    additional_properties: ModelSchema | None = Field(default=None, alias="additionalProperties")
    items: ModelSchema | None = None
    enum: list[JsonValue] | None = None
    # `default` may legitimately be null, false or 0: whether it was given is read from model_fields_set.
    default: JsonValue = None
    format: str | None = None
    pattern: str | None = None
    min_length: int | None = Field(default=None, alias="minLength")
    max_length: int | None = Field(default=None, alias="maxLength")
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_items: int | None = Field(default=None, alias="minItems")
    max_items: int | None = Field(default=None, alias="maxItems")
    min_properties: int | None = Field(default=None, alias="minProperties")
    max_properties: int | None = Field(default=None, alias="maxProperties")
    nullable: bool | None = None
    preserve_unknown_fields: bool | None = Field(default=None, alias="x-kubernetes-preserve-unknown-fields")
    list_type: EnumListType | None = Field(default=None, alias="x-kubernetes-list-type")
    list_map_keys: list[str] | None = Field(default=None, alias="x-kubernetes-list-map-keys")
    validations: list[ModelValidationRule] | None = Field(default=None, alias="x-kubernetes-validations")

    @property
    def has_default(self) -> bool:
        return "default" in self.model_fields_set
