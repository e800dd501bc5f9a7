from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_status_enum import JobStatusEnum
from ..models.stage_enum import StageEnum
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.job_effect import JobEffect
  from ..models.job_error_type_0 import JobErrorType0
  from ..models.job_output_type_0 import JobOutputType0
  from ..models.job_refund_type_0 import JobRefundType0
  from ..models.job_renditions_type_0 import JobRenditionsType0





T = TypeVar("T", bound="Job")



@_attrs_define
class Job:
    """ A job (a user's applied effect). Source and result URLs are signed and expire.

        Attributes:
            id (UUID):
            status (JobStatusEnum): * `PENDING` - Pending
                * `PROCESSING` - Processing
                * `COMPLETED` - Completed
                * `FAILED` - Failed
            stage (StageEnum): * `queued` - Waiting in its queue
                * `fetching` - Loading the source image
                * `processing` - Applying the effect
                * `storing` - Saving the result
                * `done` - Finished (completed or failed)
            progress (int | None): Percent done (0-100) when known: reported by engines that know it, 100 once completed
            queue_position (int | None): While queued: the job's place in its queue (1 = next to run); otherwise null
            effect (JobEffect):
            source_url (None | str):
            result_url (None | str):
            renditions (JobRenditionsType0 | None): Smaller copies for display, once the job has completed: null before
            error (JobErrorType0 | None):
            credits_charged (int):
            refund (JobRefundType0 | None): The credits given back for this job and why (a failure, or a goodwill gesture on
                a completed job, which keeps its result); null when nothing was refunded
            created_at (datetime.datetime):
            started_at (datetime.datetime | None):
            completed_at (datetime.datetime | None):
            expires_at (datetime.datetime | None): When a completed job's result (and its smaller copies) is deleted:
                RESULT_RETENTION_DAYS after it completed; null for jobs without a result
            expired (bool): True once the result was deleted for its age: resultUrl is then null
            output (JobOutputType0 | None): The output asked for at apply (outputFormat, maxSide); null when neither was
                asked
     """

    id: UUID
    status: JobStatusEnum
    stage: StageEnum
    progress: int | None
    queue_position: int | None
    effect: JobEffect
    source_url: None | str
    result_url: None | str
    renditions: JobRenditionsType0 | None
    error: JobErrorType0 | None
    credits_charged: int
    refund: JobRefundType0 | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    expired: bool
    output: JobOutputType0 | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.job_effect import JobEffect # noqa: PLC0415
        from ..models.job_error_type_0 import JobErrorType0 # noqa: PLC0415
        from ..models.job_output_type_0 import JobOutputType0 # noqa: PLC0415
        from ..models.job_refund_type_0 import JobRefundType0 # noqa: PLC0415
        from ..models.job_renditions_type_0 import JobRenditionsType0 # noqa: PLC0415
        id = str(self.id)

        status = self.status.value

        stage = self.stage.value

        progress: int | None
        progress = self.progress

        queue_position: int | None
        queue_position = self.queue_position

        effect = self.effect.to_dict()

        source_url: None | str
        source_url = self.source_url

        result_url: None | str
        result_url = self.result_url

        renditions: dict[str, Any] | None
        if isinstance(self.renditions, JobRenditionsType0):
            renditions = self.renditions.to_dict()
        else:
            renditions = self.renditions

        error: dict[str, Any] | None
        if isinstance(self.error, JobErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        credits_charged = self.credits_charged

        refund: dict[str, Any] | None
        if isinstance(self.refund, JobRefundType0):
            refund = self.refund.to_dict()
        else:
            refund = self.refund

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        expired = self.expired

        output: dict[str, Any] | None
        if isinstance(self.output, JobOutputType0):
            output = self.output.to_dict()
        else:
            output = self.output


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "status": status,
            "stage": stage,
            "progress": progress,
            "queuePosition": queue_position,
            "effect": effect,
            "sourceUrl": source_url,
            "resultUrl": result_url,
            "renditions": renditions,
            "error": error,
            "creditsCharged": credits_charged,
            "refund": refund,
            "createdAt": created_at,
            "startedAt": started_at,
            "completedAt": completed_at,
            "expiresAt": expires_at,
            "expired": expired,
            "output": output,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_effect import JobEffect # noqa: PLC0415
        from ..models.job_error_type_0 import JobErrorType0 # noqa: PLC0415
        from ..models.job_output_type_0 import JobOutputType0 # noqa: PLC0415
        from ..models.job_refund_type_0 import JobRefundType0 # noqa: PLC0415
        from ..models.job_renditions_type_0 import JobRenditionsType0 # noqa: PLC0415
        d = dict(src_dict)
        id = UUID(d.pop("id"))




        status = JobStatusEnum(d.pop("status"))




        stage = StageEnum(d.pop("stage"))




        def _parse_progress(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        progress = _parse_progress(d.pop("progress"))


        def _parse_queue_position(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        queue_position = _parse_queue_position(d.pop("queuePosition"))


        effect = JobEffect.from_dict(d.pop("effect"))




        def _parse_source_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source_url = _parse_source_url(d.pop("sourceUrl"))


        def _parse_result_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        result_url = _parse_result_url(d.pop("resultUrl"))


        def _parse_renditions(data: object) -> JobRenditionsType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                renditions_type_0 = JobRenditionsType0.from_dict(data)



                return renditions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobRenditionsType0 | None, data)

        renditions = _parse_renditions(d.pop("renditions"))


        def _parse_error(data: object) -> JobErrorType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = JobErrorType0.from_dict(data)



                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobErrorType0 | None, data)

        error = _parse_error(d.pop("error"))


        credits_charged = d.pop("creditsCharged")

        def _parse_refund(data: object) -> JobRefundType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refund_type_0 = JobRefundType0.from_dict(data)



                return refund_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobRefundType0 | None, data)

        refund = _parse_refund(d.pop("refund"))


        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)



                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("startedAt"))


        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)



                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completedAt"))


        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)



                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expiresAt"))


        expired = d.pop("expired")

        def _parse_output(data: object) -> JobOutputType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                output_type_0 = JobOutputType0.from_dict(data)



                return output_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobOutputType0 | None, data)

        output = _parse_output(d.pop("output"))


        job = cls(
            id=id,
            status=status,
            stage=stage,
            progress=progress,
            queue_position=queue_position,
            effect=effect,
            source_url=source_url,
            result_url=result_url,
            renditions=renditions,
            error=error,
            credits_charged=credits_charged,
            refund=refund,
            created_at=created_at,
            started_at=started_at,
            completed_at=completed_at,
            expires_at=expires_at,
            expired=expired,
            output=output,
        )


        job.additional_properties = d
        return job

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
