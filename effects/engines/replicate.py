"""The AI provider engine: Replicate's predictions API over plain HTTP (requests).

Pure: no Django. The caller passes the API base, token and webhook URL; it persists the
prediction id, so a retried job resumes the same prediction instead of paying twice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import math
import re
import time
from collections.abc import Callable

import requests

from effects.engines.base import (
    EngineConfigError,
    EngineFailure,
    EngineFailureCode,
    FittedImage,
    OutputLimits,
    RemoteRun,
    RunMode,
    get_engine,
)
from effects.engines.limits import image_fit, input_limits, limits_validate, output_limits

_MODEL = re.compile(r"^(?P<owner>[a-z0-9][a-z0-9_.-]*)/(?P<name>[a-z0-9][a-z0-9_.-]*)(?::(?P<version>[a-f0-9]{64}))?$")
WEBHOOK_TOLERANCE = 300
# A progress bar line in a prediction's logs, as tqdm prints it: " 42%|████▏     | 21/50 [00:03<00:04]".
_LOG_PERCENT = re.compile(r"^\s*(\d{1,3})%\s*\|")


# A prediction is the engines' RemoteRun: its id, status, output URL and error.
Prediction = RemoteRun


def _output_url(output: object) -> str | None:
    """Replicate's output is a URL, a list of URLs or an object; take the first image URL."""
    if isinstance(output, str):
        return output if output.startswith(("http://", "https://")) else None
    if isinstance(output, list):
        for item in output:
            url = _output_url(item)
            if url:
                return url
    if isinstance(output, dict):
        for key in ("image", "output", "url"):
            url = _output_url(output.get(key))
            if url:
                return url
    return None


def progress_from_logs(logs: object) -> int | None:
    """The last percentage a prediction's logs report (0-100), or None when they report none."""
    if not isinstance(logs, str):
        return None
    # Progress bars redraw in place with carriage returns: each redraw is its own line here.
    for line in reversed(logs.replace("\r", "\n").splitlines()):
        match = _LOG_PERCENT.match(line)
        if match and int(match[1]) <= 100:
            return int(match[1])
    return None


def _uploaded_file_ids(inputs: object, files_base: str | None) -> tuple[str, ...]:
    """Ids of the files the inputs name through the files API (``<api base>/files/<id>``)."""
    if not files_base or not isinstance(inputs, dict):
        return ()
    prefix = f"{files_base}/files/"
    ids = []
    for value in inputs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith(prefix):
                file_id = item[len(prefix) :].split("?", 1)[0]
                if _FILE_ID.fullmatch(file_id) and file_id not in ids:
                    ids.append(file_id)
    return tuple(ids)


_FILE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


def prediction_from_json(payload: dict, *, files_base: str | None = None) -> Prediction:
    """Read a prediction object (API response or webhook body).

    With ``files_base`` (the API base), the files its inputs name through the files API are read too.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        raise EngineFailure(
            "the provider returned a malformed prediction", transient=True, code=EngineFailureCode.PROVIDER_ERROR
        )
    error = payload.get("error")
    return Prediction(
        id=payload["id"],
        status=str(payload.get("status", "")),
        output_url=_output_url(payload.get("output")),
        error=str(error)[:300] if error else None,
        progress=progress_from_logs(payload.get("logs")),
        files=_uploaded_file_ids(payload.get("input"), files_base),
    )


# Replicate's shortest ``Cancel-After`` (a prediction's lifetime, counted from its creation).
CANCEL_AFTER_MIN_SECONDS = 5


def cancel_after_header(seconds: float) -> str:
    """A ``Cancel-After`` value: whole seconds, rounded up, never under Replicate's minimum."""
    return f"{max(CANCEL_AFTER_MIN_SECONDS, math.ceil(seconds))}s"


# Replicate recommends a data URI only for files under 1 MB
# (https://replicate.com/docs/topics/predictions/input-files); larger inputs go as a URL.
DATA_URI_MAX_BYTES = 1_000_000


class ReplicateClient:
    """create / get / cancel predictions and upload files; HTTP failures become EngineFailure
    (5xx, 429, network: transient)."""

    def __init__(self, *, base: str, token: str, timeout: float = 30.0, data_uri_max_bytes: int = DATA_URI_MAX_BYTES):
        if not token:
            raise EngineFailure(
                "the Replicate API token is not configured", code=EngineFailureCode.EFFECT_MISCONFIGURED
            )
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.data_uri_max_bytes = data_uri_max_bytes
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "PhotoMania/1.0"})

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, f"{self.base}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise EngineFailure(
                f"the provider is unreachable ({type(exc).__name__})",
                transient=True,
                code=EngineFailureCode.PROVIDER_UNAVAILABLE,
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise EngineFailure(
                f"the provider answered HTTP {response.status_code}",
                transient=True,
                code=EngineFailureCode.PROVIDER_UNAVAILABLE,
            )
        if response.status_code >= 400:
            detail = ""
            with contextlib.suppress(ValueError, AttributeError):
                detail = str(response.json().get("detail", ""))[:200]
            raise EngineFailure(
                f"the provider refused the request (HTTP {response.status_code}){': ' + detail if detail else ''}",
                code=EngineFailureCode.PROVIDER_REJECTED,
            )
        if response.status_code == 204:  # a delete answers with no body
            return {}
        try:
            return response.json()
        except ValueError:
            raise EngineFailure(
                "the provider returned invalid JSON", transient=True, code=EngineFailureCode.PROVIDER_ERROR
            ) from None

    def upload_file(self, *, data: bytes, content_type: str) -> str:
        """Upload bytes through Replicate's files API; returns the URL a prediction input can name."""
        extension = content_type.rpartition("/")[2] or "bin"
        payload = self._call("POST", "/files", files={"content": (f"source.{extension}", data, content_type)}, data={})
        url = (payload.get("urls") or {}).get("get") if isinstance(payload, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise EngineFailure(
                "the provider returned a malformed file object", transient=True, code=EngineFailureCode.PROVIDER_ERROR
            )
        return url

    def image_input(self, *, image: bytes, content_type: str, image_url: str | None = None) -> str:
        """The image as a prediction input: the given URL, a data URI when small, else an uploaded file."""
        if image_url:
            return image_url
        if len(image) <= self.data_uri_max_bytes:
            return f"data:{content_type};base64,{base64.b64encode(image).decode()}"
        return self.upload_file(data=image, content_type=content_type)

    def create_prediction(
        self,
        *,
        model: str,
        config: dict,
        image: bytes,
        content_type: str,
        webhook_url: str | None = None,
        image_url: str | None = None,
        cancel_after: float | None = None,
    ) -> Prediction:
        """Start a prediction; the image goes as ``image_url`` if given, else inline or uploaded (by size).

        ``cancel_after`` (seconds) asks Replicate to stop the prediction by itself once nobody waits for it.
        """
        match = _MODEL.match(model)
        if not match:
            raise EngineConfigError(f"invalid Replicate model {model!r}")
        source = self.image_input(image=image, content_type=content_type, image_url=image_url)
        body: dict = {"input": {**config.get("input", {}), config.get("image_param", "image"): source}}
        if webhook_url:
            body["webhook"] = webhook_url
            body["webhook_events_filter"] = ["completed"]
        if match["version"]:
            body["version"] = match["version"]
            path = "/predictions"
        else:
            path = f"/models/{match['owner']}/{match['name']}/predictions"
        headers = {"Cancel-After": cancel_after_header(cancel_after)} if cancel_after is not None else {}
        return prediction_from_json(self._call("POST", path, json=body, headers=headers), files_base=self.base)

    def get_prediction(self, prediction_id: str) -> Prediction:
        return prediction_from_json(self._call("GET", f"/predictions/{prediction_id}"), files_base=self.base)

    def cancel_prediction(self, prediction_id: str) -> Prediction:
        return prediction_from_json(self._call("POST", f"/predictions/{prediction_id}/cancel"), files_base=self.base)

    def delete_file(self, file_id: str) -> None:
        """Delete a file uploaded through the files API (a prediction's input it no longer needs)."""
        if not _FILE_ID.fullmatch(file_id):
            raise EngineFailure(f"invalid file id {file_id!r}", code=EngineFailureCode.PROVIDER_REJECTED)
        self._call("DELETE", f"/files/{file_id}")


def webhook_signature(*, secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """Replicate's (Standard Webhooks) signature: base64 HMAC-SHA256 over ``id.timestamp.body``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_verify(*, secret: str, headers: dict, body: bytes, now: float | None = None) -> bool:
    """True when one of the ``v1,<sig>`` entries matches and the timestamp is within 5 minutes."""
    webhook_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (secret and webhook_id and timestamp.isdigit() and signatures):
        return False
    if abs((now or time.time()) - int(timestamp)) > WEBHOOK_TOLERANCE:
        return False
    try:
        expected = webhook_signature(secret=secret, webhook_id=webhook_id, timestamp=timestamp, body=body)
    except (ValueError, TypeError):
        return False
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


class ReplicateEngine:
    """Runs ``replicate:owner/model[:version]`` effects as predictions that complete later.

    The client (API base, token, timeout) comes from ``client_factory``, which the Django side
    hands over with :func:`configure`; it is called for every request, so settings stay live.
    """

    name = "replicate"
    run_mode = RunMode.REMOTE

    def __init__(self, client_factory: Callable[[], ReplicateClient] | None = None):
        self.client_factory = client_factory

    def _client(self) -> ReplicateClient:
        if self.client_factory is None:
            raise EngineFailure("the Replicate client is not configured", code=EngineFailureCode.EFFECT_MISCONFIGURED)
        return self.client_factory()

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
    ) -> Prediction:
        """Create a prediction for the image; it runs at Replicate and completes later.

        ``image_url`` (a short-lived signed URL of the stored source) replaces the bytes when given;
        ``cancel_after`` (seconds: how long we will wait for it) makes Replicate stop it after that.
        """
        return self._client().create_prediction(
            model=model,
            config=config,
            image=image,
            content_type=content_type,
            webhook_url=webhook_url,
            image_url=image_url,
            cancel_after=cancel_after,
        )

    def fit_input(self, config: dict, *, image: bytes) -> FittedImage | None:
        """The image shrunk / converted to the model's declared input limits; None when it already fits."""
        return image_fit(image, input_limits(config))

    def output_limits(self, config: dict) -> OutputLimits:
        """The largest result the model declares it returns (pixels, bytes)."""
        return output_limits(config)

    def inline_limit(self) -> int:
        """The largest source sent inline as a data URI; larger ones need a URL."""
        return self._client().data_uri_max_bytes

    def status(self, run_id: str) -> Prediction:
        """The prediction as Replicate reports it now."""
        return self._client().get_prediction(run_id)

    def cancel(self, run_id: str) -> Prediction:
        """Ask Replicate to stop a prediction; the prediction as it answers (with the files it was given)."""
        return self._client().cancel_prediction(run_id)

    def delete_file(self, file_id: str) -> None:
        """Delete a file uploaded for a prediction (a 404 is a permanent EngineFailure: it is gone)."""
        self._client().delete_file(file_id)

    def validate_config(self, model: str, config: dict) -> dict:
        """Allowed keys: ``input`` (extra model inputs), ``image_param`` (the image input's name) and
        ``limits`` (what the model accepts and returns, see ``effects.engines.limits``)."""
        if not _MODEL.match(model):
            raise EngineConfigError(
                f"Replicate model must look like owner/name or owner/name:<64-hex version>, got {model!r}"
            )
        unknown = sorted(set(config) - {"input", "image_param", "limits"})
        if unknown:
            raise EngineConfigError(f"unknown parameter(s) {', '.join(unknown)}; allowed: image_param, input, limits")
        extra = config.get("input", {})
        if not isinstance(extra, dict):
            raise EngineConfigError("'input' must be an object of model inputs")
        image_param = config.get("image_param", "image")
        if not isinstance(image_param, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", image_param):
            raise EngineConfigError("'image_param' must be an input name such as 'image'")
        validated = {"input": extra, "image_param": image_param}
        if "limits" in config:
            validated["limits"] = limits_validate(config["limits"])
        return validated


def configure(*, client_factory: Callable[[], ReplicateClient]) -> None:
    """Hand the registered Replicate engine its client factory (called by the Django side at start-up)."""
    get_engine("replicate").client_factory = client_factory
