from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.output_format_enum import OutputFormatEnum
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.batch_item_input_request import BatchItemInputRequest





T = TypeVar("T", bound="BatchJsonInputRequest")



@_attrs_define
class BatchJsonInputRequest:
    """ Apply one effect to up to 20 photos at URLs (JSON body).

        Attributes:
            effect_id (str): The effect's id or slug
            items (list[BatchItemInputRequest]): 1 to 20 photos, each a job, in this order
            output_format (OutputFormatEnum | Unset): * `png` - PNG
                * `jpeg` - JPEG
                * `webp` - WebP
            max_side (int | Unset): The result's longest side at most, in pixels: 64 up to the effect's largest
                (IMAGE_MAX_SIDE, 2048 by default); never enlarged
            callback_url (str | Unset):
     """

    effect_id: str
    items: list[BatchItemInputRequest]
    output_format: OutputFormatEnum | Unset = UNSET
    max_side: int | Unset = UNSET
    callback_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_item_input_request import BatchItemInputRequest # noqa: PLC0415
        effect_id = self.effect_id

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



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
            "items": items,
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
        from ..models.batch_item_input_request import BatchItemInputRequest # noqa: PLC0415
        d = dict(src_dict)
        effect_id = d.pop("effectId")

        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = BatchItemInputRequest.from_dict(items_item_data)



            items.append(items_item)


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


        batch_json_input_request = cls(
            effect_id=effect_id,
            items=items,
            output_format=output_format,
            max_side=max_side,
            callback_url=callback_url,
        )


        batch_json_input_request.additional_properties = d
        return batch_json_input_request

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
