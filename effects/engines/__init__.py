"""Effect engines: pure image processing, no Django imports.

``Effect.model_id`` names the engine and the model, ``<engine>:<model>`` (e.g. ``local:sepia``,
``replicate:owner/model:version``). Each engine validates its own config, so the admin form can
show staff a clear error before a bad effect reaches a worker.
"""

from effects.engines.base import (
    REMOTE_TERMINAL,
    Engine,
    EngineConfigError,
    EngineFailure,
    EngineFailureCode,
    ModelRef,
    RemoteEngine,
    RemoteRun,
    RemoteRunTimeout,
    RunMode,
    SyncEngine,
    get_engine,
    parse_model_id,
    register,
    remote_run_wait,
    validate_config,
)
from effects.engines.local import LocalEngine
from effects.engines.replicate import ReplicateEngine

register("local", LocalEngine())
register("replicate", ReplicateEngine())

__all__ = [
    "REMOTE_TERMINAL",
    "Engine",
    "EngineConfigError",
    "EngineFailure",
    "EngineFailureCode",
    "LocalEngine",
    "ModelRef",
    "RemoteEngine",
    "RemoteRun",
    "RemoteRunTimeout",
    "ReplicateEngine",
    "RunMode",
    "SyncEngine",
    "get_engine",
    "parse_model_id",
    "register",
    "remote_run_wait",
    "validate_config",
]
