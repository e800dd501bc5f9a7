from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.account_delete_request import AccountDeleteRequest
from ...models.error_response import ErrorResponse
from ...models.internal_error_response import InternalErrorResponse
from ...models.service_unavailable_error_response import ServiceUnavailableErrorResponse
from ...models.user_destroy_response_202 import UserDestroyResponse202
from ...models.validation_error_response import ValidationErrorResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: AccountDeleteRequest | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/user",
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse | None:
    if response.status_code == 202:
        response_202 = UserDestroyResponse202.from_dict(response.json())



        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AccountDeleteRequest | Unset = UNSET,

) -> Response[ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse]:
    """ Delete the caller's account

     Deletes the account and its personal data: the subscription is cancelled at once, jobs and every
    stored photo are deleted, every session and app token ends now. Confirm with `password`; an account
    without a password confirms by re-authenticating first (allauth's reauthenticate flow, then this
    call within a few minutes). Staff with an authenticator app also send its `code`. A wrong password
    counts as a failed sign-in (429 once those are used up). Answers 202: the erasure finishes in the
    background and a confirmation email is sent.

    Args:
        body (AccountDeleteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse]
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
    body: AccountDeleteRequest | Unset = UNSET,

) -> ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse | None:
    """ Delete the caller's account

     Deletes the account and its personal data: the subscription is cancelled at once, jobs and every
    stored photo are deleted, every session and app token ends now. Confirm with `password`; an account
    without a password confirms by re-authenticating first (allauth's reauthenticate flow, then this
    call within a few minutes). Staff with an authenticator app also send its `code`. A wrong password
    counts as a failed sign-in (429 once those are used up). Answers 202: the erasure finishes in the
    background and a confirmation email is sent.

    Args:
        body (AccountDeleteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AccountDeleteRequest | Unset = UNSET,

) -> Response[ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse]:
    """ Delete the caller's account

     Deletes the account and its personal data: the subscription is cancelled at once, jobs and every
    stored photo are deleted, every session and app token ends now. Confirm with `password`; an account
    without a password confirms by re-authenticating first (allauth's reauthenticate flow, then this
    call within a few minutes). Staff with an authenticator app also send its `code`. A wrong password
    counts as a failed sign-in (429 once those are used up). Answers 202: the erasure finishes in the
    background and a confirmation email is sent.

    Args:
        body (AccountDeleteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse]
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
    body: AccountDeleteRequest | Unset = UNSET,

) -> ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse | None:
    """ Delete the caller's account

     Deletes the account and its personal data: the subscription is cancelled at once, jobs and every
    stored photo are deleted, every session and app token ends now. Confirm with `password`; an account
    without a password confirms by re-authenticating first (allauth's reauthenticate flow, then this
    call within a few minutes). Staff with an authenticator app also send its `code`. A wrong password
    counts as a failed sign-in (429 once those are used up). Answers 202: the erasure finishes in the
    background and a confirmation email is sent.

    Args:
        body (AccountDeleteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | UserDestroyResponse202 | ValidationErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
