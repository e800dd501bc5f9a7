from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.batch_json_input_request import BatchJsonInputRequest
from ...models.batch_upload_input_request import BatchUploadInputRequest
from ...models.effects_apply_batch_response_202 import EffectsApplyBatchResponse202
from ...models.error_response import ErrorResponse
from ...models.insufficient_credits_error_response import InsufficientCreditsErrorResponse
from ...models.internal_error_response import InternalErrorResponse
from ...models.service_unavailable_error_response import ServiceUnavailableErrorResponse
from ...models.validation_error_response import ValidationErrorResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body:    BatchJsonInputRequest  |     BatchUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/effects/apply/batch",
    }

    if isinstance(body, BatchJsonInputRequest):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, BatchUploadInputRequest):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    if response.status_code == 202:
        response_202 = EffectsApplyBatchResponse202.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body:    BatchJsonInputRequest  |     BatchUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,

) -> Response[EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Apply an effect to several photos

     One effect, 1 to 20 photos: photo URLs as `items` in a JSON body, or files as repeated `image` parts
    of a multipart body. Every item is checked first; a bad one is reported by its index (`details`:
    `items.<i>.imageUrl` or `image.<i>` -> messages) and nothing is charged. The credits of the whole
    batch are checked at once: too few for all of them is 402 (`needed` is the batch's total) and no job
    is created. Otherwise one job per photo is queued, each charged like a single apply, and the answer
    lists them in the items' order. Each item counts as one apply (and one upload) in the rate limits.
    `outputFormat`, `maxSide` and `callbackUrl` apply to every job. With an `Idempotency-Key`, a repeat
    returns the same jobs and charges nothing; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        body (BatchJsonInputRequest): Apply one effect to up to 20 photos at URLs (JSON body).
        body (BatchUploadInputRequest): Apply one effect to up to 20 uploaded photos (multipart:
            repeat the ``image`` part).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body:    BatchJsonInputRequest  |     BatchUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,

) -> EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Apply an effect to several photos

     One effect, 1 to 20 photos: photo URLs as `items` in a JSON body, or files as repeated `image` parts
    of a multipart body. Every item is checked first; a bad one is reported by its index (`details`:
    `items.<i>.imageUrl` or `image.<i>` -> messages) and nothing is charged. The credits of the whole
    batch are checked at once: too few for all of them is 402 (`needed` is the batch's total) and no job
    is created. Otherwise one job per photo is queued, each charged like a single apply, and the answer
    lists them in the items' order. Each item counts as one apply (and one upload) in the rate limits.
    `outputFormat`, `maxSide` and `callbackUrl` apply to every job. With an `Idempotency-Key`, a repeat
    returns the same jobs and charges nothing; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        body (BatchJsonInputRequest): Apply one effect to up to 20 photos at URLs (JSON body).
        body (BatchUploadInputRequest): Apply one effect to up to 20 uploaded photos (multipart:
            repeat the ``image`` part).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return sync_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body:    BatchJsonInputRequest  |     BatchUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,

) -> Response[EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Apply an effect to several photos

     One effect, 1 to 20 photos: photo URLs as `items` in a JSON body, or files as repeated `image` parts
    of a multipart body. Every item is checked first; a bad one is reported by its index (`details`:
    `items.<i>.imageUrl` or `image.<i>` -> messages) and nothing is charged. The credits of the whole
    batch are checked at once: too few for all of them is 402 (`needed` is the batch's total) and no job
    is created. Otherwise one job per photo is queued, each charged like a single apply, and the answer
    lists them in the items' order. Each item counts as one apply (and one upload) in the rate limits.
    `outputFormat`, `maxSide` and `callbackUrl` apply to every job. With an `Idempotency-Key`, a repeat
    returns the same jobs and charges nothing; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        body (BatchJsonInputRequest): Apply one effect to up to 20 photos at URLs (JSON body).
        body (BatchUploadInputRequest): Apply one effect to up to 20 uploaded photos (multipart:
            repeat the ``image`` part).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body:    BatchJsonInputRequest  |     BatchUploadInputRequest  | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,

) -> EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Apply an effect to several photos

     One effect, 1 to 20 photos: photo URLs as `items` in a JSON body, or files as repeated `image` parts
    of a multipart body. Every item is checked first; a bad one is reported by its index (`details`:
    `items.<i>.imageUrl` or `image.<i>` -> messages) and nothing is charged. The credits of the whole
    batch are checked at once: too few for all of them is 402 (`needed` is the batch's total) and no job
    is created. Otherwise one job per photo is queued, each charged like a single apply, and the answer
    lists them in the items' order. Each item counts as one apply (and one upload) in the rate limits.
    `outputFormat`, `maxSide` and `callbackUrl` apply to every job. With an `Idempotency-Key`, a repeat
    returns the same jobs and charges nothing; the same key with another body is 422.

    Args:
        idempotency_key (str | Unset):
        body (BatchJsonInputRequest): Apply one effect to up to 20 photos at URLs (JSON body).
        body (BatchUploadInputRequest): Apply one effect to up to 20 uploaded photos (multipart:
            repeat the ``image`` part).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EffectsApplyBatchResponse202 | ErrorResponse | InsufficientCreditsErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    )).parsed
