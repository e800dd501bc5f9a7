from enum import StrEnum

class BucketEnum(StrEnum):
    BOTH = "BOTH"
    PLAN = "PLAN"
    PURCHASED = "PURCHASED"

    def __str__(self) -> str:
        return str(self.value)
