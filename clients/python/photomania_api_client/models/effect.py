from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.effect_preview_renditions_type_0 import EffectPreviewRenditionsType0





T = TypeVar("T", bound="Effect")



@_attrs_define
class Effect:
    """ A catalog entry as the PhotoMania API shows it (never the engine's modelId or config).

        Attributes:
            id (int):
            name (str):
            slug (str):
            description (str):
            preview_url (str):
            preview_renditions (EffectPreviewRenditionsType0 | None): Smaller copies (JPEG, or WebP when transparent) of the
                preview (previewUrl is the full size); null without
            credits_ (int):
            category (str):
     """

    id: int
    name: str
    slug: str
    description: str
    preview_url: str
    preview_renditions: EffectPreviewRenditionsType0 | None
    credits_: int
    category: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.effect_preview_renditions_type_0 import EffectPreviewRenditionsType0 # noqa: PLC0415
        id = self.id

        name = self.name

        slug = self.slug

        description = self.description

        preview_url = self.preview_url

        preview_renditions: dict[str, Any] | None
        if isinstance(self.preview_renditions, EffectPreviewRenditionsType0):
            preview_renditions = self.preview_renditions.to_dict()
        else:
            preview_renditions = self.preview_renditions

        credits_ = self.credits_

        category = self.category


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "name": name,
            "slug": slug,
            "description": description,
            "previewUrl": preview_url,
            "previewRenditions": preview_renditions,
            "credits": credits_,
            "category": category,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.effect_preview_renditions_type_0 import EffectPreviewRenditionsType0 # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        slug = d.pop("slug")

        description = d.pop("description")

        preview_url = d.pop("previewUrl")

        def _parse_preview_renditions(data: object) -> EffectPreviewRenditionsType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                preview_renditions_type_0 = EffectPreviewRenditionsType0.from_dict(data)



                return preview_renditions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EffectPreviewRenditionsType0 | None, data)

        preview_renditions = _parse_preview_renditions(d.pop("previewRenditions"))


        credits_ = d.pop("credits")

        category = d.pop("category")

        effect = cls(
            id=id,
            name=name,
            slug=slug,
            description=description,
            preview_url=preview_url,
            preview_renditions=preview_renditions,
            credits_=credits_,
            category=category,
        )


        effect.additional_properties = d
        return effect

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
