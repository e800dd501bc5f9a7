from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_refund_reason_enum import JobRefundReasonEnum






T = TypeVar("T", bound="JobRefundType0")



@_attrs_define
class JobRefundType0:
    """ The credits given back for this job and why (a failure, or a goodwill gesture on a completed job, which keeps its
    result); null when nothing was refunded

        Attributes:
            credits_ (int): Credits given back to the user
            reason (JobRefundReasonEnum): * `FAILURE` - The job (or an earlier run of it) failed or was cancelled: its
                charge came back
                * `GOODWILL` - Staff refunded the completed job as a goodwill gesture: the result is kept
            message (str): What to tell the user, e.g. “3 credits refunded as a goodwill gesture”
     """

    credits_: int
    reason: JobRefundReasonEnum
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        reason = self.reason.value

        message = self.message


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "credits": credits_,
            "reason": reason,
            "message": message,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        credits_ = d.pop("credits")

        reason = JobRefundReasonEnum(d.pop("reason"))




        message = d.pop("message")

        job_refund_type_0 = cls(
            credits_=credits_,
            reason=reason,
            message=message,
        )


        job_refund_type_0.additional_properties = d
        return job_refund_type_0

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
