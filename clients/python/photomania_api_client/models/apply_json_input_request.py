from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.output_format_enum import OutputFormatEnum
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ApplyJsonInputRequest")



@_attrs_define
class ApplyJsonInputRequest:
    """ Apply an effect to a photo at a URL (JSON body).

        Attributes:
            effect_id (str): The effect's id or slug
            image_url (str): http(s) URL of the photo
            output_format (OutputFormatEnum | Unset): * `png` - PNG
                * `jpeg` - JPEG
                * `webp` - WebP
            max_side (int | Unset): The result's longest side at most, in pixels: 64 up to the effect's largest
                (IMAGE_MAX_SIDE, 2048 by default); never enlarged
            callback_url (str | Unset):
     """

    effect_id: str
    image_url: str
    output_format: OutputFormatEnum | Unset = UNSET
    max_side: int | Unset = UNSET
    callback_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        effect_id = self.effect_id

        image_url = self.image_url

        output_format: str | Unset = UNSET
        if not isinstance(self.output_format, Unset):
            output_format = self.output_format.value


        max_side = self.max_side

        callback_url: str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "effectId": effect_id,
            "imageUrl": image_url,
        })
        if output_format is not UNSET:
            field_dict["outputFormat"] = output_format
        if max_side is not UNSET:
            field_dict["maxSide"] = max_side
        if callback_url is not UNSET:
            field_dict["callbackUrl"] = callback_url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        effect_id = d.pop("effectId")

        image_url = d.pop("imageUrl")

        _output_format = d.pop("outputFormat", UNSET)
        output_format: OutputFormatEnum | Unset
        if isinstance(_output_format,  Unset):
            output_format = UNSET
        else:
            output_format = OutputFormatEnum(_output_format)




        max_side = d.pop("maxSide", UNSET)

        def _parse_callback_url(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callbackUrl", UNSET))


        apply_json_input_request = cls(
            effect_id=effect_id,
            image_url=image_url,
            output_format=output_format,
            max_side=max_side,
            callback_url=callback_url,
        )


        apply_json_input_request.additional_properties = d
        return apply_json_input_request

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
