from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.output_format_enum import OutputFormatEnum
from typing import cast






T = TypeVar("T", bound="JobOutputType0")



@_attrs_define
class JobOutputType0:
    """ The output asked for at apply (outputFormat, maxSide); null when neither was asked

        Attributes:
            format_ (None | OutputFormatEnum): The result's format as asked; null: the effect's own

                * `png` - PNG
                * `jpeg` - JPEG
                * `webp` - WebP
            max_side (int | None): The result's longest side at most, in pixels; null: as made
     """

    format_: None | OutputFormatEnum
    max_side: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        format_: None | str
        if isinstance(self.format_, OutputFormatEnum):
            format_ = self.format_.value
        else:
            format_ = self.format_

        max_side: int | None
        max_side = self.max_side


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "format": format_,
            "maxSide": max_side,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_format_(data: object) -> None | OutputFormatEnum:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                format_type_0 = OutputFormatEnum(data)



                return format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OutputFormatEnum, data)

        format_ = _parse_format_(d.pop("format"))


        def _parse_max_side(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_side = _parse_max_side(d.pop("maxSide"))


        job_output_type_0 = cls(
            format_=format_,
            max_side=max_side,
        )


        job_output_type_0.additional_properties = d
        return job_output_type_0

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
