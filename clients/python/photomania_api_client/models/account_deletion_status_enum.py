from enum import StrEnum

class AccountDeletionStatusEnum(StrEnum):
    DELETION_REQUESTED = "DELETION_REQUESTED"

    def __str__(self) -> str:
        return str(self.value)
