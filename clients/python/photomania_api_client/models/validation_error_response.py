from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.validation_error_response_error import ValidationErrorResponseError





T = TypeVar("T", bound="ValidationErrorResponse")



@_attrs_define
class ValidationErrorResponse:
    """ VALIDATION_ERROR or INVALID_INPUT; a VALIDATION_ERROR lists messages per field.

        Attributes:
            success (bool):
            error (ValidationErrorResponseError):
     """

    success: bool
    error: ValidationErrorResponseError
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.validation_error_response_error import ValidationErrorResponseError # noqa: PLC0415
        success = self.success

        error = self.error.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "success": success,
            "error": error,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.validation_error_response_error import ValidationErrorResponseError # noqa: PLC0415
        d = dict(src_dict)
        success = d.pop("success")

        error = ValidationErrorResponseError.from_dict(d.pop("error"))




        validation_error_response = cls(
            success=success,
            error=error,
        )


        validation_error_response.additional_properties = d
        return validation_error_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
