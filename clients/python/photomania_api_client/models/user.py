from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.plan_enum import PlanEnum
from typing import cast
import datetime






T = TypeVar("T", bound="User")



@_attrs_define
class User:
    """ The caller's profile. Only ``name`` and ``image`` are writable (through PATCH).

        Attributes:
            id (int):
            email (str):
            name (str):
            image (str): Avatar URL, or empty
            email_verified (bool):
            plan (PlanEnum): * `FREE` - Free
                * `STARTER` - Starter
                * `PRO` - Pro
                * `ENTERPRISE` - Enterprise
            credits_ (int):
            credits_refilled_at (datetime.datetime):
            referral_code (str):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
     """

    id: int
    email: str
    name: str
    image: str
    email_verified: bool
    plan: PlanEnum
    credits_: int
    credits_refilled_at: datetime.datetime
    referral_code: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        name = self.name

        image = self.image

        email_verified = self.email_verified

        plan = self.plan.value

        credits_ = self.credits_

        credits_refilled_at = self.credits_refilled_at.isoformat()

        referral_code = self.referral_code

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "email": email,
            "name": name,
            "image": image,
            "emailVerified": email_verified,
            "plan": plan,
            "credits": credits_,
            "creditsRefilledAt": credits_refilled_at,
            "referralCode": referral_code,
            "createdAt": created_at,
            "updatedAt": updated_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        name = d.pop("name")

        image = d.pop("image")

        email_verified = d.pop("emailVerified")

        plan = PlanEnum(d.pop("plan"))




        credits_ = d.pop("credits")

        credits_refilled_at = datetime.datetime.fromisoformat(d.pop("creditsRefilledAt"))




        referral_code = d.pop("referralCode")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        user = cls(
            id=id,
            email=email,
            name=name,
            image=image,
            email_verified=email_verified,
            plan=plan,
            credits_=credits_,
            credits_refilled_at=credits_refilled_at,
            referral_code=referral_code,
            created_at=created_at,
            updated_at=updated_at,
        )


        user.additional_properties = d
        return user

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
