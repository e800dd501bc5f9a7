from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_error_code_enum import JobErrorCodeEnum






T = TypeVar("T", bound="JobErrorType0")



@_attrs_define
class JobErrorType0:
    """ 
        Attributes:
            code (JobErrorCodeEnum): * `INVALID_INPUT` - The image is unusable (bad bytes, refused URL)
                * `INVALID_IMAGE` - The engine could not decode the image
                * `EFFECT_MISCONFIGURED` - The effect's engine, model or config is invalid
                * `MODEL_UNAVAILABLE` - A model file the effect needs is missing
                * `NO_SUBJECT` - No person found in the photo
                * `ENGINE_ERROR` - The engine failed
                * `PROVIDER_ERROR` - The AI provider answered something malformed
                * `PROVIDER_UNAVAILABLE` - The AI provider could not be reached
                * `PROVIDER_REJECTED` - The AI provider refused the request
                * `PROVIDER_FAILED` - The AI provider failed the job
                * `TRANSIENT_ERROR` - A temporary storage or network error
                * `TIMEOUT` - The job took too long
                * `INTERNAL_ERROR` - An unexpected error
                * `ADMIN_FAILED` - Failed by staff
            message (str):
     """

    code: JobErrorCodeEnum
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        message = self.message


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "code": code,
            "message": message,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = JobErrorCodeEnum(d.pop("code"))




        message = d.pop("message")

        job_error_type_0 = cls(
            code=code,
            message=message,
        )


        job_error_type_0.additional_properties = d
        return job_error_type_0

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
