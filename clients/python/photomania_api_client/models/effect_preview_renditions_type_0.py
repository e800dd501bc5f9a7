from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.rendition import Rendition





T = TypeVar("T", bound="EffectPreviewRenditionsType0")



@_attrs_define
class EffectPreviewRenditionsType0:
    """ Smaller copies (JPEG, or WebP when transparent) of the preview (previewUrl is the full size); null without

        Attributes:
            thumbnail (Rendition):
            display (Rendition):
     """

    thumbnail: Rendition
    display: Rendition
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rendition import Rendition # noqa: PLC0415
        thumbnail = self.thumbnail.to_dict()

        display = self.display.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "thumbnail": thumbnail,
            "display": display,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rendition import Rendition # noqa: PLC0415
        d = dict(src_dict)
        thumbnail = Rendition.from_dict(d.pop("thumbnail"))




        display = Rendition.from_dict(d.pop("display"))




        effect_preview_renditions_type_0 = cls(
            thumbnail=thumbnail,
            display=display,
        )


        effect_preview_renditions_type_0.additional_properties = d
        return effect_preview_renditions_type_0

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
