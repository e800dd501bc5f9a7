from enum import StrEnum

class PlanEnum(StrEnum):
    ENTERPRISE = "ENTERPRISE"
    FREE = "FREE"
    PRO = "PRO"
    STARTER = "STARTER"

    def __str__(self) -> str:
        return str(self.value)
