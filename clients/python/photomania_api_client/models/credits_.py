from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.plan_enum import PlanEnum
from typing import cast
import datetime






T = TypeVar("T", bound="Credits")



@_attrs_define
class Credits:
    """ 
        Attributes:
            credits_ (int): Total: plan credits + purchased credits
            plan_credits (int): Reset to the quota each period
            purchased_credits (int): Credit packs; never expire
            credit_debt (int): Credits still owed for a refunded credit pack that were already spent; credits you get back
                or receive pay it off before they can be spent
            plan (PlanEnum): * `FREE` - Free
                * `STARTER` - Starter
                * `PRO` - Pro
                * `ENTERPRISE` - Enterprise
            monthly_credits (int):
            credits_refilled_at (datetime.datetime):
     """

    credits_: int
    plan_credits: int
    purchased_credits: int
    credit_debt: int
    plan: PlanEnum
    monthly_credits: int
    credits_refilled_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        plan_credits = self.plan_credits

        purchased_credits = self.purchased_credits

        credit_debt = self.credit_debt

        plan = self.plan.value

        monthly_credits = self.monthly_credits

        credits_refilled_at = self.credits_refilled_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "credits": credits_,
            "planCredits": plan_credits,
            "purchasedCredits": purchased_credits,
            "creditDebt": credit_debt,
            "plan": plan,
            "monthlyCredits": monthly_credits,
            "creditsRefilledAt": credits_refilled_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        credits_ = d.pop("credits")

        plan_credits = d.pop("planCredits")

        purchased_credits = d.pop("purchasedCredits")

        credit_debt = d.pop("creditDebt")

        plan = PlanEnum(d.pop("plan"))




        monthly_credits = d.pop("monthlyCredits")

        credits_refilled_at = datetime.datetime.fromisoformat(d.pop("creditsRefilledAt"))




        credits_ = cls(
            credits_=credits_,
            plan_credits=plan_credits,
            purchased_credits=purchased_credits,
            credit_debt=credit_debt,
            plan=plan,
            monthly_credits=monthly_credits,
            credits_refilled_at=credits_refilled_at,
        )


        credits_.additional_properties = d
        return credits_

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
