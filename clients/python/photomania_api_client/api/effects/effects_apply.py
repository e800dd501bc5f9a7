from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.apply_json_input_request import ApplyJsonInputRequest
from ...models.apply_upload_input_request import ApplyUploadInputRequest
from ...models.effects_apply_response_200 import EffectsApplyResponse200
from ...models.effects_apply_response_202 import EffectsApplyResponse202
from ...models.error_response import ErrorResponse
from ...models.insufficient_credits_error_response import InsufficientCreditsErrorResponse
from ...models.internal_error_response import InternalErrorResponse
from ...models.service_unavailable_error_response import ServiceUnavailableErrorResponse
from ...models.validation_error_response import ValidationErrorResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body:    ApplyJsonInputRequest  |     ApplyUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    prefer: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(prefer, Unset):
        headers["Prefer"] = prefer



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/effects/apply",
    }

    if isinstance(body, ApplyJsonInputRequest):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, ApplyUploadInputRequest):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    if response.status_code == 200:
        response_200 = EffectsApplyResponse200.from_dict(response.json())



        return response_200

    if response.status_code == 202:
        response_202 = EffectsApplyResponse202.from_dict(response.json())



        return response_202

    if response.status_code == 400:
        response_400 = ValidationErrorResponse.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

    if response.status_code == 402:
        response_402 = InsufficientCreditsErrorResponse.from_dict(response.json())



        return response_402

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())



        return response_404

    if response.status_code == 405:
        response_405 = ErrorResponse.from_dict(response.json())



        return response_405

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())



        return response_429

    if response.status_code == 500:
        response_500 = InternalErrorResponse.from_dict(response.json())



        return response_500

    if response.status_code == 503:
        response_503 = ServiceUnavailableErrorResponse.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body:    ApplyJsonInputRequest  |     ApplyUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    prefer: str | Unset = UNSET,

) -> Response[EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Apply an effect to a photo

     Charges the effect's credits and queues a job for the photo: a URL in a JSON body, or an uploaded
    file in a multipart body. Poll GET /api/jobs/{jobId} until COMPLETED or FAILED, or pass a
    `callbackUrl` to be told (see callbacks). A failed job is refunded.

    **Waiting for the result**: with `Prefer: wait=N` (1 to 60; `wait` alone is 60) the answer comes
    when the job has finished, for up to N seconds: 200 with the job exactly as GET /api/jobs/{jobId}
    returns it (with its `resultUrl`, or its `error`) and `Preference-Applied: wait=N`. A job still
    running after N seconds is answered 202 with the queued job, as is every waiting request beyond the
    server's waiting places (SYNC_APPLY_MAX_WAITERS per server process): then poll as usual. Without the
    header the answer is 200 with the queued job, at once.

    **Output**: `outputFormat` and `maxSide` choose the result's format and largest side.

    **Credits**: `X-Credits-Charged` and `X-Credits-Remaining` tell what was charged and what is left.

    With an `Idempotency-Key`, repeating the same request returns the same job (`Idempotent-Replayed:
    true`, `X-Credits-Charged: 0`) and charges once; a repeat with `Prefer: wait` waits for that job as
    the first request would have; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        prefer (str | Unset):
        body (ApplyJsonInputRequest): Apply an effect to a photo at a URL (JSON body).
        body (ApplyUploadInputRequest): Apply an effect to an uploaded photo (multipart).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,
prefer=prefer,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body:    ApplyJsonInputRequest  |     ApplyUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    prefer: str | Unset = UNSET,

) -> EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Apply an effect to a photo

     Charges the effect's credits and queues a job for the photo: a URL in a JSON body, or an uploaded
    file in a multipart body. Poll GET /api/jobs/{jobId} until COMPLETED or FAILED, or pass a
    `callbackUrl` to be told (see callbacks). A failed job is refunded.

    **Waiting for the result**: with `Prefer: wait=N` (1 to 60; `wait` alone is 60) the answer comes
    when the job has finished, for up to N seconds: 200 with the job exactly as GET /api/jobs/{jobId}
    returns it (with its `resultUrl`, or its `error`) and `Preference-Applied: wait=N`. A job still
    running after N seconds is answered 202 with the queued job, as is every waiting request beyond the
    server's waiting places (SYNC_APPLY_MAX_WAITERS per server process): then poll as usual. Without the
    header the answer is 200 with the queued job, at once.

    **Output**: `outputFormat` and `maxSide` choose the result's format and largest side.

    **Credits**: `X-Credits-Charged` and `X-Credits-Remaining` tell what was charged and what is left.

    With an `Idempotency-Key`, repeating the same request returns the same job (`Idempotent-Replayed:
    true`, `X-Credits-Charged: 0`) and charges once; a repeat with `Prefer: wait` waits for that job as
    the first request would have; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        prefer (str | Unset):
        body (ApplyJsonInputRequest): Apply an effect to a photo at a URL (JSON body).
        body (ApplyUploadInputRequest): Apply an effect to an uploaded photo (multipart).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return sync_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,
prefer=prefer,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body:    ApplyJsonInputRequest  |     ApplyUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    prefer: str | Unset = UNSET,

) -> Response[EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Apply an effect to a photo

     Charges the effect's credits and queues a job for the photo: a URL in a JSON body, or an uploaded
    file in a multipart body. Poll GET /api/jobs/{jobId} until COMPLETED or FAILED, or pass a
    `callbackUrl` to be told (see callbacks). A failed job is refunded.

    **Waiting for the result**: with `Prefer: wait=N` (1 to 60; `wait` alone is 60) the answer comes
    when the job has finished, for up to N seconds: 200 with the job exactly as GET /api/jobs/{jobId}
    returns it (with its `resultUrl`, or its `error`) and `Preference-Applied: wait=N`. A job still
    running after N seconds is answered 202 with the queued job, as is every waiting request beyond the
    server's waiting places (SYNC_APPLY_MAX_WAITERS per server process): then poll as usual. Without the
    header the answer is 200 with the queued job, at once.

    **Output**: `outputFormat` and `maxSide` choose the result's format and largest side.

    **Credits**: `X-Credits-Charged` and `X-Credits-Remaining` tell what was charged and what is left.

    With an `Idempotency-Key`, repeating the same request returns the same job (`Idempotent-Replayed:
    true`, `X-Credits-Charged: 0`) and charges once; a repeat with `Prefer: wait` waits for that job as
    the first request would have; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        prefer (str | Unset):
        body (ApplyJsonInputRequest): Apply an effect to a photo at a URL (JSON body).
        body (ApplyUploadInputRequest): Apply an effect to an uploaded photo (multipart).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,
prefer=prefer,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body:    ApplyJsonInputRequest  |     ApplyUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    prefer: str | Unset = UNSET,

) -> EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Apply an effect to a photo

     Charges the effect's credits and queues a job for the photo: a URL in a JSON body, or an uploaded
    file in a multipart body. Poll GET /api/jobs/{jobId} until COMPLETED or FAILED, or pass a
    `callbackUrl` to be told (see callbacks). A failed job is refunded.

    **Waiting for the result**: with `Prefer: wait=N` (1 to 60; `wait` alone is 60) the answer comes
    when the job has finished, for up to N seconds: 200 with the job exactly as GET /api/jobs/{jobId}
    returns it (with its `resultUrl`, or its `error`) and `Preference-Applied: wait=N`. A job still
    running after N seconds is answered 202 with the queued job, as is every waiting request beyond the
    server's waiting places (SYNC_APPLY_MAX_WAITERS per server process): then poll as usual. Without the
    header the answer is 200 with the queued job, at once.

    **Output**: `outputFormat` and `maxSide` choose the result's format and largest side.

    **Credits**: `X-Credits-Charged` and `X-Credits-Remaining` tell what was charged and what is left.

    With an `Idempotency-Key`, repeating the same request returns the same job (`Idempotent-Replayed:
    true`, `X-Credits-Charged: 0`) and charges once; a repeat with `Prefer: wait` waits for that job as
    the first request would have; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        prefer (str | Unset):
        body (ApplyJsonInputRequest): Apply an effect to a photo at a URL (JSON body).
        body (ApplyUploadInputRequest): Apply an effect to an uploaded photo (multipart).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EffectsApplyResponse200 | EffectsApplyResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,
prefer=prefer,

    )).parsed
