from enum import StrEnum

class ScopesEnum(StrEnum):
    ACCOUNT = "account"
    APPLY = "apply"
    READ = "read"

    def __str__(self) -> str:
        return str(self.value)
