from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field
import json
from .. import types

from ..types import UNSET, Unset

from ..models.output_format_enum import OutputFormatEnum
from ..types import File, FileTypes
from ..types import UNSET, Unset
from io import BytesIO
from typing import cast






T = TypeVar("T", bound="BatchUploadInputRequest")



@_attrs_define
class BatchUploadInputRequest:
    """ Apply one effect to up to 20 uploaded photos (multipart: repeat the ``image`` part).

        Attributes:
            effect_id (str): The effect's id or slug
            image (list[File]): 1 to 20 photos (JPEG, PNG or WEBP): repeat the part; one job each, in this order
            output_format (OutputFormatEnum | Unset): * `png` - PNG
                * `jpeg` - JPEG
                * `webp` - WebP
            max_side (int | Unset): The result's longest side at most, in pixels: 64 up to the effect's largest
                (IMAGE_MAX_SIDE, 2048 by default); never enlarged
            callback_url (str | Unset):
     """

    effect_id: str
    image: list[File]
    output_format: OutputFormatEnum | Unset = UNSET
    max_side: int | Unset = UNSET
    callback_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        effect_id = self.effect_id

        image = []
        for image_item_data in self.image:
            image_item = image_item_data.to_tuple()

            image.append(image_item)



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
            "image": image,
        })
        if output_format is not UNSET:
            field_dict["outputFormat"] = output_format
        if max_side is not UNSET:
            field_dict["maxSide"] = max_side
        if callback_url is not UNSET:
            field_dict["callbackUrl"] = callback_url

        return field_dict


    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("effectId", (None, str(self.effect_id).encode(), "text/plain")))



        for image_item_element in self.image:
            files.append(("image", image_item_element.to_tuple()))




        if not isinstance(self.output_format, Unset):
            files.append(("outputFormat",  (None, str(self.output_format.value).encode(), "text/plain")))



        if not isinstance(self.max_side, Unset):
            files.append(("maxSide", (None, str(self.max_side).encode(), "text/plain")))



        if not isinstance(self.callback_url, Unset):
            if isinstance(self.callback_url, str):

                files.append(("callbackUrl", (None, str(self.callback_url).encode(), "text/plain")))



        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))



        return files


    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        effect_id = d.pop("effectId")

        image = []
        _image = d.pop("image")
        for image_item_data in (_image):
            image_item = File(
                 payload = BytesIO(image_item_data)
            )



            image.append(image_item)


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


        batch_upload_input_request = cls(
            effect_id=effect_id,
            image=image,
            output_format=output_format,
            max_side=max_side,
            callback_url=callback_url,
        )


        batch_upload_input_request.additional_properties = d
        return batch_upload_input_request

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
