"""The engine contract: errors, how an engine runs (RunMode), the registry and config validation."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class OutputLimits:
    """The largest result a model returns; None means our own upload limits apply."""

    max_pixels: int | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class FittedImage:
    """An image re-encoded to fit a model's input limits."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


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
    TIMEOUT = "TIMEOUT"


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


class RemoteRunTimeout(EngineFailure):
    """A remote run was still going at its deadline (it has been asked to cancel)."""

    code = EngineFailureCode.TIMEOUT


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
    """Started remote work as its provider reports it (``status``: starting, processing, succeeded, failed,
    canceled or aborted).

    ``progress`` is the percent done the provider last reported, or None when it reports none.
    ``files`` are the ids of files uploaded to the provider for this run (its inputs), to delete
    once it ends.
    """

    id: str
    status: str
    output_url: str | None
    error: str | None
    progress: int | None = None
    files: tuple[str, ...] = ()

    @property
    def is_terminal(self) -> bool:
        return self.status in REMOTE_TERMINAL


# ``aborted``: the run's deadline passed before it started (it never ran).
REMOTE_TERMINAL = {"succeeded", "failed", "canceled", "aborted"}


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
        cancel_after: float | None = None,
    ) -> RemoteRun: ...

    def fit_input(self, config: dict, *, image: bytes) -> FittedImage | None: ...

    def output_limits(self, config: dict) -> OutputLimits: ...

    def inline_limit(self) -> int: ...

    def status(self, run_id: str) -> RemoteRun: ...

    def cancel(self, run_id: str) -> RemoteRun | None: ...

    def delete_file(self, file_id: str) -> None: ...


def remote_run_wait(
    engine: RemoteEngine, run_id: str, *, deadline: float, wait: float | None = None, interval: float = 1.0
) -> RemoteRun | None:
    """Ask for a remote run's status until it ends, for at most ``wait`` seconds (None: up to ``deadline``; 0: once).

    Past ``deadline`` (a ``time.time()`` value) the run is cancelled, best effort, and RemoteRunTimeout
    raised. Otherwise the run is returned as last reported: ended, or still going when ``wait`` ran out;
    None when the provider could not be asked (a transient error). A permanent error is raised.
    """
    stop_at = deadline if wait is None else time.time() + wait
    run = None
    while True:
        if time.time() >= deadline:
            with contextlib.suppress(EngineFailure):
                engine.cancel(run_id)
            raise RemoteRunTimeout(f"the remote run {run_id} was still going at its deadline; it was cancelled")
        try:
            run = engine.status(run_id)
        except EngineFailure as exc:
            if not exc.transient:
                raise
        if run is not None and run.is_terminal:
            return run
        now = time.time()
        if now >= stop_at and now < deadline:
            return run
        time.sleep(max(0.0, min(interval, stop_at - now, deadline - now)))


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
