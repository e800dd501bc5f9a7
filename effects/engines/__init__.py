"""Effect engines: pure image processing, no Django imports.

``Effect.model_id`` names the engine and the model, ``<engine>:<model>`` (e.g. ``local:sepia``,
``replicate:owner/model:version``). Each engine validates its own config, so the admin form can
show staff a clear error before a bad effect reaches a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class EngineError(Exception):
    """An engine could not produce a result. ``transient`` errors may succeed on retry."""

    code = "ENGINE_ERROR"

    def __init__(self, message: str, *, transient: bool = False, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        if code:
            self.code = code


class EngineConfigError(EngineError):
    """The effect's model id or config is invalid (permanent)."""

    code = "EFFECT_MISCONFIGURED"


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


class Engine(Protocol):
    def validate_config(self, model: str, config: dict) -> dict: ...


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


def _register_builtin() -> None:
    from effects.engines.local import LocalEngine
    from effects.engines.replicate import ReplicateEngine

    register("local", LocalEngine())
    register("replicate", ReplicateEngine())


_register_builtin()
