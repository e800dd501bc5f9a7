from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.job import Job
  from ..models.paginated_job_list_meta import PaginatedJobListMeta





T = TypeVar("T", bound="PaginatedJobList")



@_attrs_define
class PaginatedJobList:
    """ 
        Attributes:
            success (bool):
            data (list[Job]):
            meta (PaginatedJobListMeta):
     """

    success: bool
    data: list[Job]
    meta: PaginatedJobListMeta
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.job import Job # noqa: PLC0415
        from ..models.paginated_job_list_meta import PaginatedJobListMeta # noqa: PLC0415
        success = self.success

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)



        meta = self.meta.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "success": success,
            "data": data,
            "meta": meta,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job import Job # noqa: PLC0415
        from ..models.paginated_job_list_meta import PaginatedJobListMeta # noqa: PLC0415
        d = dict(src_dict)
        success = d.pop("success")

        data = []
        _data = d.pop("data")
        for data_item_data in (_data):
            data_item = Job.from_dict(data_item_data)



            data.append(data_item)


        meta = PaginatedJobListMeta.from_dict(d.pop("meta"))




        paginated_job_list = cls(
            success=success,
            data=data,
            meta=meta,
        )


        paginated_job_list.additional_properties = d
        return paginated_job_list

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
