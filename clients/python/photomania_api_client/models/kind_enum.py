from enum import StrEnum

class KindEnum(StrEnum):
    ADMIN_ADJUSTMENT = "ADMIN_ADJUSTMENT"
    EFFECT_CHARGE = "EFFECT_CHARGE"
    PLAN_REFILL = "PLAN_REFILL"
    PLAN_UPGRADE = "PLAN_UPGRADE"
    PURCHASE = "PURCHASE"
    PURCHASE_REVERSAL = "PURCHASE_REVERSAL"
    REFERRAL_BONUS = "REFERRAL_BONUS"
    REFUND = "REFUND"
    SIGNUP_GRANT = "SIGNUP_GRANT"

    def __str__(self) -> str:
        return str(self.value)
