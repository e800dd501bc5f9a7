from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.health_status_enum import HealthStatusEnum
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.health_checks import HealthChecks
  from ..models.health_pipeline import HealthPipeline





T = TypeVar("T", bound="Health")



@_attrs_define
class Health:
    """ 
        Attributes:
            status (HealthStatusEnum): * `ok` - ok
            checks (HealthChecks | Unset): Deep check only (staff or HEALTH_TOKEN)
            pipeline (HealthPipeline | Unset): Deep check only: the job pipeline's figures
     """

    status: HealthStatusEnum
    checks: HealthChecks | Unset = UNSET
    pipeline: HealthPipeline | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.health_checks import HealthChecks # noqa: PLC0415
        from ..models.health_pipeline import HealthPipeline # noqa: PLC0415
        status = self.status.value

        checks: dict[str, Any] | Unset = UNSET
        if not isinstance(self.checks, Unset):
            checks = self.checks.to_dict()

        pipeline: dict[str, Any] | Unset = UNSET
        if not isinstance(self.pipeline, Unset):
            pipeline = self.pipeline.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "status": status,
        })
        if checks is not UNSET:
            field_dict["checks"] = checks
        if pipeline is not UNSET:
            field_dict["pipeline"] = pipeline

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.health_checks import HealthChecks # noqa: PLC0415
        from ..models.health_pipeline import HealthPipeline # noqa: PLC0415
        d = dict(src_dict)
        status = HealthStatusEnum(d.pop("status"))




        _checks = d.pop("checks", UNSET)
        checks: HealthChecks | Unset
        if isinstance(_checks,  Unset):
            checks = UNSET
        else:
            checks = HealthChecks.from_dict(_checks)




        _pipeline = d.pop("pipeline", UNSET)
        pipeline: HealthPipeline | Unset
        if isinstance(_pipeline,  Unset):
            pipeline = UNSET
        else:
            pipeline = HealthPipeline.from_dict(_pipeline)




        health = cls(
            status=status,
            checks=checks,
            pipeline=pipeline,
        )


        health.additional_properties = d
        return health

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
