from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.internal_error_response_error_code import InternalErrorResponseErrorCode
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.internal_error_response_error_details import InternalErrorResponseErrorDetails





T = TypeVar("T", bound="InternalErrorResponseError")



@_attrs_define
class InternalErrorResponseError:
    """ 
        Attributes:
            code (InternalErrorResponseErrorCode):
            message (str): For people; do not parse it
            details (InternalErrorResponseErrorDetails | Unset):
     """

    code: InternalErrorResponseErrorCode
    message: str
    details: InternalErrorResponseErrorDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.internal_error_response_error_details import InternalErrorResponseErrorDetails # noqa: PLC0415
        code = self.code.value

        message = self.message

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "code": code,
            "message": message,
        })
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.internal_error_response_error_details import InternalErrorResponseErrorDetails # noqa: PLC0415
        d = dict(src_dict)
        code = InternalErrorResponseErrorCode(d.pop("code"))




        message = d.pop("message")

        _details = d.pop("details", UNSET)
        details: InternalErrorResponseErrorDetails | Unset
        if isinstance(_details,  Unset):
            details = UNSET
        else:
            details = InternalErrorResponseErrorDetails.from_dict(_details)




        internal_error_response_error = cls(
            code=code,
            message=message,
            details=details,
        )


        internal_error_response_error.additional_properties = d
        return internal_error_response_error

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
