from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.rendition_set import RenditionSet





T = TypeVar("T", bound="JobRenditionsType0")



@_attrs_define
class JobRenditionsType0:
    """ Smaller copies for display, once the job has completed: null before

        Attributes:
            result (RenditionSet | Unset):
            source (RenditionSet | Unset):
     """

    result: RenditionSet | Unset = UNSET
    source: RenditionSet | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rendition_set import RenditionSet # noqa: PLC0415
        result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.result, Unset):
            result = self.result.to_dict()

        source: dict[str, Any] | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if result is not UNSET:
            field_dict["result"] = result
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rendition_set import RenditionSet # noqa: PLC0415
        d = dict(src_dict)
        _result = d.pop("result", UNSET)
        result: RenditionSet | Unset
        if isinstance(_result,  Unset):
            result = UNSET
        else:
            result = RenditionSet.from_dict(_result)




        _source = d.pop("source", UNSET)
        source: RenditionSet | Unset
        if isinstance(_source,  Unset):
            source = UNSET
        else:
            source = RenditionSet.from_dict(_source)




        job_renditions_type_0 = cls(
            result=result,
            source=source,
        )


        job_renditions_type_0.additional_properties = d
        return job_renditions_type_0

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
