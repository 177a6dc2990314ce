"""An AWS (botocore) error as one Chinese line for the command line, not a traceback.

The commands that reach AWS (`EW_STORE=aws`, `publish`) let botocore's exceptions travel up;
`enforcewatch.cli` asks `describe` for the line to print.
"""

from __future__ import annotations

from botocore import exceptions as bx

THROTTLED = ("ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
             "SlowDown", "TooManyRequestsException")
DENIED = ("AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidAccessKeyId",
          "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException")


def describe(exc: BaseException) -> str | None:
    """The line for a botocore exception, or None if `exc` is not one."""
    if not type(exc).__module__.startswith("botocore"):
        return None
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return "找不到 AWS 凭证：请设置 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY、AWS_PROFILE，或在有角色的机器上运行"
    if isinstance(exc, bx.NoRegionError):
        return "未指定 AWS 区域：请设置 AWS_REGION（如 cn-north-1）或使用 --region"
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return f"无法连接到 AWS（{getattr(exc, 'kwargs', {}).get('endpoint_url', '')}）：请检查网络和区域后重试"
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "")), str(error.get("Message", ""))
        op = getattr(exc, "operation_name", "")
        if code == "ResourceNotFoundException":
            return f"数据表不存在（{message}）：请检查 EW_TABLE_NAME 和区域，或先部署 infra/template.yaml"
        if code in ("NoSuchBucket", "404", "NotFound"):
            return f"存储桶不存在（{op}）：请检查 --bucket 和 --region"
        if code in THROTTLED:
            return f"AWS 请求被限流（{code}，{op}）：没有写入任何内容，请稍后重试"
        if code in DENIED:
            return f"AWS 拒绝了请求（{code}，{op}）：当前凭证没有所需权限或已过期"
        return f"AWS 请求失败（{code or '未知错误'}，{op}）：{message}"
    return f"AWS 请求失败：{exc}"
