"""The engine contract: errors, how an engine runs (RunMode), the registry and config validation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class EngineFailureCode(StrEnum):
    """Why an engine failed; each is also a JobErrorCode (``Job.error_code``)."""

    ENGINE_ERROR = "ENGINE_ERROR"
    EFFECT_MISCONFIGURED = "EFFECT_MISCONFIGURED"
    INVALID_IMAGE = "INVALID_IMAGE"
    MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
    PROVIDER_REJECTED = "PROVIDER_REJECTED"
    NO_SUBJECT = "NO_SUBJECT"


class EngineFailure(Exception):
    """An engine could not produce a result. ``transient`` errors may succeed on retry."""

    code = EngineFailureCode.ENGINE_ERROR

    def __init__(self, message: str, *, transient: bool = False, code: EngineFailureCode | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        if code:
            self.code = code


class EngineConfigError(EngineFailure):
    """The effect's model id or config is invalid (permanent)."""

    code = EngineFailureCode.EFFECT_MISCONFIGURED


@dataclass(frozen=True)
class ModelRef:
    engine: str
    model: str


def parse_model_id(model_id: str) -> ModelRef:
    """Split ``engine:model`` and check the engine exists."""
    engine, sep, model = (model_id or "").partition(":")
    if not sep or not model:
        raise EngineConfigError(f"model id {model_id!r} must look like '<engine>:<model>'")
    if engine not in _ENGINES:
        raise EngineConfigError(f"unknown engine {engine!r}; known: {', '.join(sorted(_ENGINES))}")
    return ModelRef(engine=engine, model=model)


class RunMode(StrEnum):
    """How an engine produces its result."""

    SYNC = "sync"  # ``apply()`` returns the image now, in this process
    REMOTE = "remote"  # ``start()`` begins work elsewhere; ``status()`` reports it until it completes


@dataclass(frozen=True)
class RemoteRun:
    """Started remote work as its provider reports it (``status``: starting, processing, succeeded, ...)."""

    id: str
    status: str
    output_url: str | None
    error: str | None

    @property
    def is_terminal(self) -> bool:
        return self.status in REMOTE_TERMINAL


REMOTE_TERMINAL = {"succeeded", "failed", "canceled"}


class Engine(Protocol):
    run_mode: RunMode

    def validate_config(self, model: str, config: dict) -> dict: ...


class SyncEngine(Engine, Protocol):
    """Produces the result at once: image bytes in, encoded image out."""

    def apply(self, model: str, config: dict, data: bytes, *, max_side: int = 2048): ...


class RemoteEngine(Engine, Protocol):
    """Starts work at a provider that completes later (reported by polling or the provider's webhook)."""

    def start(
        self,
        model: str,
        config: dict,
        *,
        image: bytes,
        content_type: str,
        webhook_url: str | None,
        image_url: str | None = None,
    ) -> RemoteRun: ...

    def inline_limit(self) -> int: ...

    def status(self, run_id: str) -> RemoteRun: ...

    def cancel(self, run_id: str) -> None: ...


_ENGINES: dict[str, Engine] = {}


def register(name: str, engine: Engine) -> None:
    _ENGINES[name] = engine


def get_engine(name: str) -> Engine:
    return _ENGINES[name]


def validate_config(model_id: str, config: object) -> dict:
    """Validate an effect's model id + config; return the normalised config or raise EngineConfigError."""
    if not isinstance(config, dict):
        raise EngineConfigError("config must be a JSON object")
    ref = parse_model_id(model_id)
    return _ENGINES[ref.engine].validate_config(ref.model, config)
