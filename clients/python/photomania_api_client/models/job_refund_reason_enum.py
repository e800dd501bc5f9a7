from enum import StrEnum

class JobRefundReasonEnum(StrEnum):
    FAILURE = "FAILURE"
    GOODWILL = "GOODWILL"

    def __str__(self) -> str:
        return str(self.value)
