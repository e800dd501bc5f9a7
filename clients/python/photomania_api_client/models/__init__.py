""" Contains all the data models used in inputs/outputs """

from .account_delete_request import AccountDeleteRequest
from .account_deletion import AccountDeletion
from .account_deletion_status_enum import AccountDeletionStatusEnum
from .api_key import ApiKey
from .api_key_create_request import ApiKeyCreateRequest
from .api_key_created import ApiKeyCreated
from .api_key_revoked import ApiKeyRevoked
from .apply_json_input_request import ApplyJsonInputRequest
from .apply_result import ApplyResult
from .apply_upload_input_request import ApplyUploadInputRequest
from .batch_apply_result import BatchApplyResult
from .batch_item_input_request import BatchItemInputRequest
from .batch_json_input_request import BatchJsonInputRequest
from .batch_upload_input_request import BatchUploadInputRequest
from .billing_portal_create_response_200 import BillingPortalCreateResponse200
from .bucket_enum import BucketEnum
from .callback_secret import CallbackSecret
from .checkout_create_response_200 import CheckoutCreateResponse200
from .checkout_input_request import CheckoutInputRequest
from .checkout_output import CheckoutOutput
from .credit_transaction import CreditTransaction
from .credits_ import Credits
from .data_export import DataExport
from .data_export_status_enum import DataExportStatusEnum
from .deleted import Deleted
from .effect import Effect
from .effect_preview_renditions_type_0 import EffectPreviewRenditionsType0
from .effects_apply_batch_response_202 import EffectsApplyBatchResponse202
from .effects_apply_response_200 import EffectsApplyResponse200
from .effects_apply_response_202 import EffectsApplyResponse202
from .effects_retrieve_response_200 import EffectsRetrieveResponse200
from .effects_saved_destroy_response_200 import EffectsSavedDestroyResponse200
from .error_response import ErrorResponse
from .error_response_error import ErrorResponseError
from .error_response_error_code import ErrorResponseErrorCode
from .health import Health
from .health_checks import HealthChecks
from .health_checks_additional_property import HealthChecksAdditionalProperty
from .health_pipeline import HealthPipeline
from .health_response_200 import HealthResponse200
from .health_status_enum import HealthStatusEnum
from .insufficient_credits_error_response import InsufficientCreditsErrorResponse
from .insufficient_credits_error_response_error import InsufficientCreditsErrorResponseError
from .insufficient_credits_error_response_error_code import InsufficientCreditsErrorResponseErrorCode
from .insufficient_credits_error_response_error_details import InsufficientCreditsErrorResponseErrorDetails
from .internal_error_response import InternalErrorResponse
from .internal_error_response_error import InternalErrorResponseError
from .internal_error_response_error_code import InternalErrorResponseErrorCode
from .internal_error_response_error_details import InternalErrorResponseErrorDetails
from .job import Job
from .job_effect import JobEffect
from .job_error_code_enum import JobErrorCodeEnum
from .job_error_type_0 import JobErrorType0
from .job_output_type_0 import JobOutputType0
from .job_refund_reason_enum import JobRefundReasonEnum
from .job_refund_type_0 import JobRefundType0
from .job_renditions_type_0 import JobRenditionsType0
from .job_status_enum import JobStatusEnum
from .jobs_destroy_response_200 import JobsDestroyResponse200
from .jobs_retrieve_response_200 import JobsRetrieveResponse200
from .keys_create_response_201 import KeysCreateResponse201
from .keys_destroy_response_200 import KeysDestroyResponse200
from .keys_list_response_200 import KeysListResponse200
from .kind_enum import KindEnum
from .output_format_enum import OutputFormatEnum
from .paginated_credit_transaction_list import PaginatedCreditTransactionList
from .paginated_credit_transaction_list_meta import PaginatedCreditTransactionListMeta
from .paginated_effect_list import PaginatedEffectList
from .paginated_effect_list_meta import PaginatedEffectListMeta
from .paginated_job_list import PaginatedJobList
from .paginated_job_list_meta import PaginatedJobListMeta
from .patched_user_update_request import PatchedUserUpdateRequest
from .plan_enum import PlanEnum
from .portal_output import PortalOutput
from .rendition import Rendition
from .rendition_set import RenditionSet
from .scopes_enum import ScopesEnum
from .service_unavailable_error_response import ServiceUnavailableErrorResponse
from .service_unavailable_error_response_error import ServiceUnavailableErrorResponseError
from .service_unavailable_error_response_error_code import ServiceUnavailableErrorResponseErrorCode
from .service_unavailable_error_response_error_details import ServiceUnavailableErrorResponseErrorDetails
from .service_unavailable_error_response_error_details_additional_property import ServiceUnavailableErrorResponseErrorDetailsAdditionalProperty
from .stage_enum import StageEnum
from .user import User
from .user_callback_secret_retrieve_response_200 import UserCallbackSecretRetrieveResponse200
from .user_callback_secret_rotate_response_200 import UserCallbackSecretRotateResponse200
from .user_credits_history_format import UserCreditsHistoryFormat
from .user_credits_retrieve_response_200 import UserCreditsRetrieveResponse200
from .user_destroy_response_202 import UserDestroyResponse202
from .user_export_create_response_202 import UserExportCreateResponse202
from .user_export_retrieve_response_200 import UserExportRetrieveResponse200
from .user_partial_update_response_200 import UserPartialUpdateResponse200
from .user_retrieve_response_200 import UserRetrieveResponse200
from .validation_error_response import ValidationErrorResponse
from .validation_error_response_error import ValidationErrorResponseError
from .validation_error_response_error_code import ValidationErrorResponseErrorCode
from .validation_error_response_error_details import ValidationErrorResponseErrorDetails

__all__ = (
    "AccountDeleteRequest",
    "AccountDeletion",
    "AccountDeletionStatusEnum",
    "ApiKey",
    "ApiKeyCreated",
    "ApiKeyCreateRequest",
    "ApiKeyRevoked",
    "ApplyJsonInputRequest",
    "ApplyResult",
    "ApplyUploadInputRequest",
    "BatchApplyResult",
    "BatchItemInputRequest",
    "BatchJsonInputRequest",
    "BatchUploadInputRequest",
    "BillingPortalCreateResponse200",
    "BucketEnum",
    "CallbackSecret",
    "CheckoutCreateResponse200",
    "CheckoutInputRequest",
    "CheckoutOutput",
    "Credits",
    "CreditTransaction",
    "DataExport",
    "DataExportStatusEnum",
    "Deleted",
    "Effect",
    "EffectPreviewRenditionsType0",
    "EffectsApplyBatchResponse202",
    "EffectsApplyResponse200",
    "EffectsApplyResponse202",
    "EffectsRetrieveResponse200",
    "EffectsSavedDestroyResponse200",
    "ErrorResponse",
    "ErrorResponseError",
    "ErrorResponseErrorCode",
    "Health",
    "HealthChecks",
    "HealthChecksAdditionalProperty",
    "HealthPipeline",
    "HealthResponse200",
    "HealthStatusEnum",
    "InsufficientCreditsErrorResponse",
    "InsufficientCreditsErrorResponseError",
    "InsufficientCreditsErrorResponseErrorCode",
    "InsufficientCreditsErrorResponseErrorDetails",
    "InternalErrorResponse",
    "InternalErrorResponseError",
    "InternalErrorResponseErrorCode",
    "InternalErrorResponseErrorDetails",
    "Job",
    "JobEffect",
    "JobErrorCodeEnum",
    "JobErrorType0",
    "JobOutputType0",
    "JobRefundReasonEnum",
    "JobRefundType0",
    "JobRenditionsType0",
    "JobsDestroyResponse200",
    "JobsRetrieveResponse200",
    "JobStatusEnum",
    "KeysCreateResponse201",
    "KeysDestroyResponse200",
    "KeysListResponse200",
    "KindEnum",
    "OutputFormatEnum",
    "PaginatedCreditTransactionList",
    "PaginatedCreditTransactionListMeta",
    "PaginatedEffectList",
    "PaginatedEffectListMeta",
    "PaginatedJobList",
    "PaginatedJobListMeta",
    "PatchedUserUpdateRequest",
    "PlanEnum",
    "PortalOutput",
    "Rendition",
    "RenditionSet",
    "ScopesEnum",
    "ServiceUnavailableErrorResponse",
    "ServiceUnavailableErrorResponseError",
    "ServiceUnavailableErrorResponseErrorCode",
    "ServiceUnavailableErrorResponseErrorDetails",
    "ServiceUnavailableErrorResponseErrorDetailsAdditionalProperty",
    "StageEnum",
    "User",
    "UserCallbackSecretRetrieveResponse200",
    "UserCallbackSecretRotateResponse200",
    "UserCreditsHistoryFormat",
    "UserCreditsRetrieveResponse200",
    "UserDestroyResponse202",
    "UserExportCreateResponse202",
    "UserExportRetrieveResponse200",
    "UserPartialUpdateResponse200",
    "UserRetrieveResponse200",
    "ValidationErrorResponse",
    "ValidationErrorResponseError",
    "ValidationErrorResponseErrorCode",
    "ValidationErrorResponseErrorDetails",
)
