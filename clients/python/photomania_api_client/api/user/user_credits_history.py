from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_response import ErrorResponse
from ...models.internal_error_response import InternalErrorResponse
from ...models.paginated_credit_transaction_list import PaginatedCreditTransactionList
from ...models.service_unavailable_error_response import ServiceUnavailableErrorResponse
from ...models.user_credits_history_format import UserCreditsHistoryFormat
from ...models.validation_error_response import ValidationErrorResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    format_: UserCreditsHistoryFormat | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params["page"] = page

    params["pageSize"] = page_size


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/user/credits/history",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    if response.status_code == 200:
        response_200 = PaginatedCreditTransactionList.from_dict(response.json())



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

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())



        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    format_: UserCreditsHistoryFormat | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,

) -> Response[ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ List the caller's credit movements

     Every grant, charge and refund, newest first, with the balance after it (paginated). With
    `format=csv` (or `Accept: text/csv`): the whole ledger as a CSV download, columns date, change,
    balance, reason, description, jobId, reference; a text cell that starts like a spreadsheet formula
    (`=`, `+`, `-`, `@`) is prefixed with `'`.

    Args:
        format_ (UserCreditsHistoryFormat | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        format_=format_,
page=page,
page_size=page_size,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    format_: UserCreditsHistoryFormat | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,

) -> ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ List the caller's credit movements

     Every grant, charge and refund, newest first, with the balance after it (paginated). With
    `format=csv` (or `Accept: text/csv`): the whole ledger as a CSV download, columns date, change,
    balance, reason, description, jobId, reference; a text cell that starts like a spreadsheet formula
    (`=`, `+`, `-`, `@`) is prefixed with `'`.

    Args:
        format_ (UserCreditsHistoryFormat | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return sync_detailed(
        client=client,
format_=format_,
page=page,
page_size=page_size,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    format_: UserCreditsHistoryFormat | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,

) -> Response[ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse]:
    """ List the caller's credit movements

     Every grant, charge and refund, newest first, with the balance after it (paginated). With
    `format=csv` (or `Accept: text/csv`): the whole ledger as a CSV download, columns date, change,
    balance, reason, description, jobId, reference; a text cell that starts like a spreadsheet formula
    (`=`, `+`, `-`, `@`) is prefixed with `'`.

    Args:
        format_ (UserCreditsHistoryFormat | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse]
     """


    kwargs = _get_kwargs(
        format_=format_,
page=page,
page_size=page_size,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    format_: UserCreditsHistoryFormat | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,

) -> ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse | None:
    """ List the caller's credit movements

     Every grant, charge and refund, newest first, with the balance after it (paginated). With
    `format=csv` (or `Accept: text/csv`): the whole ledger as a CSV download, columns date, change,
    balance, reason, description, jobId, reference; a text cell that starts like a spreadsheet formula
    (`=`, `+`, `-`, `@`) is prefixed with `'`.

    Args:
        format_ (UserCreditsHistoryFormat | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InternalErrorResponse | PaginatedCreditTransactionList | ServiceUnavailableErrorResponse | ValidationErrorResponse
     """


    return (await asyncio_detailed(
        client=client,
format_=format_,
page=page,
page_size=page_size,

    )).parsed
