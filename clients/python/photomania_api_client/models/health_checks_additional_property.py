from enum import StrEnum

class HealthChecksAdditionalProperty(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"

    def __str__(self) -> str:
        return str(self.value)
