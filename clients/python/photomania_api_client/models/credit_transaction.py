from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.bucket_enum import BucketEnum
from ..models.kind_enum import KindEnum
from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="CreditTransaction")



@_attrs_define
class CreditTransaction:
    """ 
        Attributes:
            id (int):
            amount (int): Signed: positive adds credits, negative spends them
            purchased_amount (int):
            bucket (BucketEnum): * `PLAN` - Plan credits
                * `PURCHASED` - Purchased credits
                * `BOTH` - Plan and purchased credits
            kind (KindEnum): * `SIGNUP_GRANT` - Sign-up grant
                * `EFFECT_CHARGE` - Effect charge
                * `REFUND` - Refund
                * `GOODWILL_REFUND` - Goodwill refund
                * `PLAN_REFILL` - Plan refill
                * `PLAN_UPGRADE` - Plan upgrade
                * `REFERRAL_BONUS` - Referral bonus
                * `PURCHASE` - Credit pack purchase
                * `PURCHASE_REVERSAL` - Credit pack refund
                * `ADMIN_ADJUSTMENT` - Admin adjustment
                * `DEBT_REPAYMENT` - Applied to a refunded pack's balance
            description (str): What the movement was, for people: its kind and the effect it was for
            balance_after (int):
            debt_amount (int): Change of the credit debt: positive when a pack refund found its credits spent, negative when
                credits were applied to it (DEBT_REPAYMENT)
            debt_after (int):
            job_id (None | UUID):
            created_at (datetime.datetime):
     """

    id: int
    amount: int
    purchased_amount: int
    bucket: BucketEnum
    kind: KindEnum
    description: str
    balance_after: int
    debt_amount: int
    debt_after: int
    job_id: None | UUID
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        amount = self.amount

        purchased_amount = self.purchased_amount

        bucket = self.bucket.value

        kind = self.kind.value

        description = self.description

        balance_after = self.balance_after

        debt_amount = self.debt_amount

        debt_after = self.debt_after

        job_id: None | str
        if isinstance(self.job_id, UUID):
            job_id = str(self.job_id)
        else:
            job_id = self.job_id

        created_at = self.created_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "amount": amount,
            "purchasedAmount": purchased_amount,
            "bucket": bucket,
            "kind": kind,
            "description": description,
            "balanceAfter": balance_after,
            "debtAmount": debt_amount,
            "debtAfter": debt_after,
            "jobId": job_id,
            "createdAt": created_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        amount = d.pop("amount")

        purchased_amount = d.pop("purchasedAmount")

        bucket = BucketEnum(d.pop("bucket"))




        kind = KindEnum(d.pop("kind"))




        description = d.pop("description")

        balance_after = d.pop("balanceAfter")

        debt_amount = d.pop("debtAmount")

        debt_after = d.pop("debtAfter")

        def _parse_job_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                job_id_type_0 = UUID(data)



                return job_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        job_id = _parse_job_id(d.pop("jobId"))


        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        credit_transaction = cls(
            id=id,
            amount=amount,
            purchased_amount=purchased_amount,
            bucket=bucket,
            kind=kind,
            description=description,
            balance_after=balance_after,
            debt_amount=debt_amount,
            debt_after=debt_after,
            job_id=job_id,
            created_at=created_at,
        )


        credit_transaction.additional_properties = d
        return credit_transaction

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
