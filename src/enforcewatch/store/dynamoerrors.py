"""DynamoDB's and botocore's errors as the domain's: a failed condition is `ConditionFailed` (with
the item as it was, where the request asked for it), throttling, outages and lost connections are
`StoreUnavailable` (503, and the person's input is kept)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from enforcewatch.errors import ConditionFailed, StoreUnavailable
from enforcewatch.store.attrvalues import from_attr

UNAVAILABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
    "ResourceNotFoundException",
}


def _cancelled(reasons: Sequence[Mapping[str, Any]]) -> Exception | None:
    """A cancelled transaction: the first failed condition, or a conflict or throttle worth retrying."""
    failed = [i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"]
    if failed:
        return ConditionFailed(None, failed[0])
    if any(r.get("Code") in ("ThrottlingError", "TransactionConflict") for r in reasons):
        return StoreUnavailable("系统繁忙，请稍后重试，您填写的内容未丢失")
    return None


def _client_error(exc: ClientError) -> Exception:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        old = cast("dict[str, Any] | None", exc.response.get("Item"))  # ReturnValuesOnConditionCheckFailure
        return ConditionFailed(from_attr(old) if old else None)
    if code == "TransactionCanceledException":
        cancelled = _cancelled(exc.response.get("CancellationReasons") or [])
        if cancelled is not None:
            return cancelled
    if code in UNAVAILABLE_CODES or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
        return StoreUnavailable("系统暂时无法保存，请稍后重试，您填写的内容未丢失")
    return exc


def translate(exc: Exception) -> Exception:
    if isinstance(exc, ClientError):
        return _client_error(exc)
    # ConnectionError: refused, unreachable, connect timeout. HTTPClientError: the connection closed or the
    # read timed out mid-request, so the write may have been applied: the client retries with its key.
    if isinstance(exc, (ConnectionError, HTTPClientError)):
        return StoreUnavailable("系统暂时无法连接数据存储，请稍后重试，您填写的内容未丢失")
    return exc
