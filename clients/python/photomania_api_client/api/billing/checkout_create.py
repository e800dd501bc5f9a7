from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.checkout_create_response_200 import CheckoutCreateResponse200
from ...models.checkout_input_request import CheckoutInputRequest
from ...models.error_response import ErrorResponse
from ...models.internal_error_response import InternalErrorResponse
from ...models.service_unavailable_error_response import ServiceUnavailableErrorResponse
from ...models.validation_error_response import ValidationErrorResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: CheckoutInputRequest | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/checkout",
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    if response.status_code == 200:
        response_200 = CheckoutCreateResponse200.from_dict(response.json())



        return response_200

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

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())



        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CheckoutInputRequest | Unset = UNSET,

) -> Response[CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Start a Stripe Checkout

     Send exactly one of `plan` (a subscription) or `pack` (a one-off credit pack); open the returned
    `url` in a browser. Credits arrive when Stripe confirms the payment. Already subscribed is 409
    ALREADY_EXISTS (change plans in the billing portal); a plan or pack whose Stripe price is not synced
    and active (not on sale yet), or Stripe not configured or down, is 503.

    Args:
        body (CheckoutInputRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]
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
    body: CheckoutInputRequest | Unset = UNSET,

) -> CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Start a Stripe Checkout

     Send exactly one of `plan` (a subscription) or `pack` (a one-off credit pack); open the returned
    `url` in a browser. Credits arrive when Stripe confirms the payment. Already subscribed is 409
    ALREADY_EXISTS (change plans in the billing portal); a plan or pack whose Stripe price is not synced
    and active (not on sale yet), or Stripe not configured or down, is 503.

    Args:
        body (CheckoutInputRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CheckoutInputRequest | Unset = UNSET,

) -> Response[CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ Start a Stripe Checkout

     Send exactly one of `plan` (a subscription) or `pack` (a one-off credit pack); open the returned
    `url` in a browser. Credits arrive when Stripe confirms the payment. Already subscribed is 409
    ALREADY_EXISTS (change plans in the billing portal); a plan or pack whose Stripe price is not synced
    and active (not on sale yet), or Stripe not configured or down, is 503.

    Args:
        body (CheckoutInputRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse]
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
    body: CheckoutInputRequest | Unset = UNSET,

) -> CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ Start a Stripe Checkout

     Send exactly one of `plan` (a subscription) or `pack` (a one-off credit pack); open the returned
    `url` in a browser. Credits arrive when Stripe confirms the payment. Already subscribed is 409
    ALREADY_EXISTS (change plans in the billing portal); a plan or pack whose Stripe price is not synced
    and active (not on sale yet), or Stripe not configured or down, is 503.

    Args:
        body (CheckoutInputRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckoutCreateResponse200 | ErrorResponse | InternalErrorResponse | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
