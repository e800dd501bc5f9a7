from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.account_deletion_status_enum import AccountDeletionStatusEnum
from typing import cast
import datetime






T = TypeVar("T", bound="AccountDeletion")



@_attrs_define
class AccountDeletion:
    """ 
        Attributes:
            status (AccountDeletionStatusEnum): * `DELETION_REQUESTED` - DELETION_REQUESTED
            deletion_requested_at (datetime.datetime):
     """

    status: AccountDeletionStatusEnum
    deletion_requested_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        deletion_requested_at = self.deletion_requested_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "status": status,
            "deletionRequestedAt": deletion_requested_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = AccountDeletionStatusEnum(d.pop("status"))




        deletion_requested_at = datetime.datetime.fromisoformat(d.pop("deletionRequestedAt"))




        account_deletion = cls(
            status=status,
            deletion_requested_at=deletion_requested_at,
        )


        account_deletion.additional_properties = d
        return account_deletion

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
