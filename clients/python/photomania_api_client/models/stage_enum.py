from enum import StrEnum

class StageEnum(StrEnum):
    DONE = "done"
    FETCHING = "fetching"
    PROCESSING = "processing"
    QUEUED = "queued"
    STORING = "storing"

    def __str__(self) -> str:
        return str(self.value)
