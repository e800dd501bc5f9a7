from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.api_key_create_request import ApiKeyCreateRequest
from ...models.error_response import ErrorResponse
from ...models.internal_error_response import InternalErrorResponse
from ...models.keys_create_response_201 import KeysCreateResponse201
from ...models.service_unavailable_error_response import ServiceUnavailableErrorResponse
from ...models.validation_error_response import ValidationErrorResponse
from typing import cast



def _get_kwargs(
    *,
    body: ApiKeyCreateRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/keys",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    if response.status_code == 201:
        response_201 = KeysCreateResponse201.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = ValidationErrorResponse.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())



        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ApiKeyCreateRequest,

) -> Response[ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Make an API key

     Makes a key with the given scopes (default: read, apply, account) and optional expiry. The answer's
    `key` is the whole key, shown this once: only its hash is kept. Send it as `X-Api-Key`. At most 20
    live keys per account. Signed-in sessions only: an API key cannot make keys (403).

    Args:
        body (ApiKeyCreateRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: ApiKeyCreateRequest,

) -> ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Make an API key

     Makes a key with the given scopes (default: read, apply, account) and optional expiry. The answer's
    `key` is the whole key, shown this once: only its hash is kept. Send it as `X-Api-Key`. At most 20
    live keys per account. Signed-in sessions only: an API key cannot make keys (403).

    Args:
        body (ApiKeyCreateRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ApiKeyCreateRequest,

) -> Response[ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Make an API key

     Makes a key with the given scopes (default: read, apply, account) and optional expiry. The answer's
    `key` is the whole key, shown this once: only its hash is kept. Send it as `X-Api-Key`. At most 20
    live keys per account. Signed-in sessions only: an API key cannot make keys (403).

    Args:
        body (ApiKeyCreateRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ApiKeyCreateRequest,

) -> ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Make an API key

     Makes a key with the given scopes (default: read, apply, account) and optional expiry. The answer's
    `key` is the whole key, shown this once: only its hash is kept. Send it as `X-Api-Key`. At most 20
    live keys per account. Signed-in sessions only: an API key cannot make keys (403).

    Args:
        body (ApiKeyCreateRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InternalErrorResponse | KeysCreateResponse201 | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
