"""infra/template.yaml lints clean for the global and both China regions, expands through the SAM
transform in each partition, and uses nothing the China regions lack on the critical path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support.infra import TEMPLATE, load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
REGIONS = {"aws": ["us-east-1"], "aws-cn": ["cn-north-1", "cn-northwest-1"]}

# Not available in the China regions (or not usable there on the critical path).
CHINA_MISSING_TYPES = re.compile(
    r"^AWS::(Cognito::|SES::|Lambda::Url$|CloudFront::OriginAccessControl$|WAFv2::|Route53::|CertificateManager::)"
)


def _lint(path: Path, regions: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--regions", *regions, "--", str(path)],
        capture_output=True, text=True, check=False, timeout=300,
    )


def test_sam_template_lints_clean_in_all_three_regions() -> None:
    result = _lint(TEMPLATE, [r for regions in REGIONS.values() for r in regions])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def _with_s3_code(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam deploy` hands to CloudFormation: local CodeUri paths replaced by uploaded objects."""
    for res in resources_of_type(template, "AWS::Serverless::Function").values():
        res["Properties"]["CodeUri"] = f"s3://artefacts/{Path(res['Properties']['CodeUri']).name}"
    return template


def expand(region: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:  # the template names no managed policy by its short name
        def load(self) -> dict[str, str]:
            return {}

    monkeypatch.setattr(ArnGenerator, "BOTO_SESSION_REGION_NAME", region)
    return transform(_with_s3_code(load_template()), {}, NoManagedPolicies())


@pytest.fixture(scope="module", params=sorted(REGIONS))
def expanded(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        return request.param, expand(REGIONS[request.param][0], mp)


def test_sam_transform_expands_and_the_result_lints_clean(
    expanded: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    partition, template = expanded
    assert "Transform" not in template
    types = {res["Type"] for res in template["Resources"].values()}
    assert not any(t.startswith("AWS::Serverless::") for t in types)
    assert {"AWS::Lambda::Function", "AWS::ApiGatewayV2::Api", "AWS::Events::Rule", "AWS::IAM::Role"} <= types
    path = tmp_path / "expanded.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    result = _lint(path, REGIONS[partition])
    assert result.returncode == 0, result.stdout + result.stderr


def test_expanded_template_names_only_its_own_partition(expanded: tuple[str, dict[str, Any]]) -> None:
    partition, template = expanded
    literal_arns = set(re.findall(r"arn:(aws[a-z-]*):", json.dumps(template)))
    assert literal_arns <= {partition}  # SAM resolves its managed policy to the partition it runs in


def test_no_hard_coded_partition_in_the_template() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "arn:aws" not in text
    arns = [text[m.start() : m.start() + 40] for m in re.finditer(r"\barn:", text)]
    assert arns, "the template builds ARNs"
    for arn in arns:
        assert arn.startswith("arn:${AWS::Partition}:"), f"ARN not built with AWS::Partition: {arn}"
    assert "amazonaws.com" not in text  # endpoints differ in China (.amazonaws.com.cn): use AWS::URLSuffix


def test_nothing_the_china_regions_lack(expanded: tuple[str, dict[str, Any]]) -> None:
    _, template = expanded
    for name, res in template["Resources"].items():
        assert not CHINA_MISSING_TYPES.match(res["Type"]), f"{name}: {res['Type']} is not available in China"
    sam = load_template()
    for name, fn in resources_of_type(sam, "AWS::Serverless::Function").items():
        assert "FunctionUrlConfig" not in fn["Properties"], f"{name}: Lambda function URLs do not exist in China"
    for api in resources_of_type(sam, "AWS::Serverless::HttpApi").values():
        assert "Auth" not in api["Properties"], "no Cognito/JWT authorizer: staff sign-in is the app's own"


def test_functions_run_python312_on_arm64(expanded: tuple[str, dict[str, Any]]) -> None:
    _, template = expanded
    functions = resources_of_type(template, "AWS::Lambda::Function")
    assert len(functions) == 3
    for name, fn in functions.items():
        assert fn["Properties"]["Runtime"] == "python3.12", name
        assert fn["Properties"]["Architectures"] == ["arm64"], name
        assert fn["Properties"]["Handler"] == "app.handler", name


def test_each_function_has_its_own_role(expanded: tuple[str, dict[str, Any]]) -> None:
    _, template = expanded
    roles = [fn["Properties"]["Role"] for fn in resources_of_type(template, "AWS::Lambda::Function").values()]
    assert len({json.dumps(r, sort_keys=True) for r in roles}) == len(roles)


def test_deadline_check_runs_daily_at_nine_china_time() -> None:
    fn = load_template()["Resources"]["DeadlineCheckFunction"]["Properties"]
    schedules = [e["Properties"]["Schedule"] for e in fn["Events"].values() if e["Type"] == "Schedule"]
    assert len(schedules) == 1
    minute, hour, day, month, weekday, year = re.fullmatch(r"cron\((.*)\)", schedules[0]).group(1).split()
    # China Standard Time is UTC+8 all year (no daylight saving), so a UTC cron is exact.
    assert (int(hour) + 8) % 24 == 9 and minute == "0"
    assert (day, month, weekday, year) == ("*", "*", "?", "*")


def test_api_throttles_and_allows_only_the_site_origin() -> None:
    [api] = resources_of_type(load_template(), "AWS::Serverless::HttpApi").values()
    props = api["Properties"]
    assert props["CorsConfiguration"]["AllowOrigins"] == [{"Ref": "SiteOrigin"}]
    assert "*" not in json.dumps(props["CorsConfiguration"])
    assert {"ThrottlingRateLimit", "ThrottlingBurstLimit"} <= set(props["DefaultRouteSettings"])


def test_every_bucket_is_private_encrypted_and_tls_only() -> None:
    template = load_template()
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    assert {"SiteBucket", "ExportBucket", "AttachmentBucket"} <= set(buckets)
    policies = {p["Properties"]["Bucket"]["Ref"]: p["Properties"]["PolicyDocument"]["Statement"]
                for p in resources_of_type(template, "AWS::S3::BucketPolicy").values()}
    for name, bucket in buckets.items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert block == dict.fromkeys(
            ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
        ), name
        [rule] = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        # SSE-S3: CloudFront's OAI cannot read SSE-KMS, and the code asks for AES256 on its uploads.
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", name
        deny_plain_http = [s for s in policies[name] if isinstance(s, dict) and s.get("Sid") == "TlsOnly"]
        assert deny_plain_http and deny_plain_http[0]["Effect"] == "Deny", name
    cdn = resources_of_type(template, "AWS::CloudFront::Distribution")
    assert all(res.get("Condition") == "WithCdn" for res in cdn.values()), "CloudFront must stay optional"
    assert resources_of_type(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")


def test_exports_expire_and_confidential_data_is_retained() -> None:
    resources = load_template()["Resources"]
    [rule] = resources["ExportBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "ExportRetentionDays"}
    for name in ("Table", "TableKey", "AttachmentBucket", "SiteBucket"):
        assert resources[name]["DeletionPolicy"] == "Retain", name


def test_template_environment_variables_are_named_in_config() -> None:
    """Every variable the template sets is one the code reads (config.py names them all)."""
    config = (ROOT / "src" / "enforcewatch" / "config.py").read_text(encoding="utf-8")
    named = set(re.findall(r'^ENV_\w+ = "(\w+)"', config, re.MULTILINE))
    template = load_template()
    variables = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for fn in resources_of_type(template, "AWS::Serverless::Function").values():
        variables |= set(fn["Properties"].get("Environment", {}).get("Variables", {}))
    assert variables <= named, f"set by the template but read nowhere: {sorted(variables - named)}"


def test_retention_parameters_reach_the_functions() -> None:
    template = load_template()
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["EW_IDEMPOTENCY_TTL_HOURS"] == {"Ref": "IdempotencyRetentionHours"}
    assert template["Parameters"]["IdempotencyRetentionHours"]["Default"] == 24  # idempotency: one day
    assert env["EW_SUBMISSION_RETENTION_DAYS"] == {"Ref": "SubmissionRetentionDays"}
    assert template["Parameters"]["SubmissionRetentionDays"]["Default"] == 0  # kept until the office decides
    for name in resources_of_type(template, "AWS::Logs::LogGroup").values():
        assert name["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_region_lint_has_teeth(tmp_path: Path) -> None:
    """cfn-lint knows what the China regions lack: a Cognito user pool fails there, not in us-east-1."""
    probe = tmp_path / "probe.yaml"
    probe.write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n')
    assert _lint(probe, ["us-east-1"]).returncode == 0
    china = _lint(probe, REGIONS["aws-cn"])
    assert china.returncode != 0 and "E3006" in china.stdout


def test_a_missed_or_failed_daily_check_and_failing_submissions_raise_alarms() -> None:
    template = load_template()
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    watched = {(a["Properties"]["MetricName"], json.dumps(a["Properties"]["Dimensions"][0]["Value"])): a["Properties"]
               for a in alarms.values()}
    deadline = json.dumps({"Ref": "DeadlineCheckFunction"})
    failed, not_run = watched[("Errors", deadline)], watched[("Invocations", deadline)]
    assert failed["Threshold"] == 1
    # Not run: no invocation in more than a day (the hours without one count as breaching).
    assert not_run["ComparisonOperator"] == "LessThanThreshold" and not_run["TreatMissingData"] == "breaching"
    assert not_run["Period"] * not_run["EvaluationPeriods"] > 24 * 3600
    assert ("5xx", json.dumps({"Ref": "Api"})) in watched
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_cloudfront_sends_the_security_headers_the_local_server_sends() -> None:
    """Issue 19 §8: the site's pages in AWS carry the same headers as `enforcewatch serve` sends."""
    from enforcewatch.api.headers import CSP, SITE_HEADERS

    sam = load_template()
    (name, policy), = resources_of_type(sam, "AWS::CloudFront::ResponseHeadersPolicy").items()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["ContentSecurityPolicy"]["ContentSecurityPolicy"] == CSP == SITE_HEADERS["content-security-policy"]
    assert "ContentTypeOptions" in headers and SITE_HEADERS["x-content-type-options"] == "nosniff"
    assert headers["FrameOptions"]["FrameOption"] == SITE_HEADERS["x-frame-options"]
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == SITE_HEADERS["referrer-policy"]
    config = sam["Resources"]["Cdn"]["Properties"]["DistributionConfig"]
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": name}


def _http_api_route_matches(route: str, path: str) -> bool:
    """API Gateway's HTTP API matching: `{name}` is one non-empty segment, a greedy `{name+}` at the
    end one or more (never an empty rest)."""
    pattern = re.sub(r"\\\{[^}]+\\\+\\\}$", ".+", re.escape(route))
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
    return re.fullmatch(pattern, path) is not None


def test_the_staff_workspace_root_has_a_route_to_the_staff_function() -> None:
    """Issue 16: `/staff/{proxy+}` does not match `/staff/` (an empty proxy); the root route does, and
    CloudFront sends the workspace's paths, the root included, to the API rather than the site bucket."""
    sam = load_template()
    events = sam["Resources"]["StaffFunction"]["Properties"]["Events"].values()
    routes = [e["Properties"]["Path"] for e in events if e["Type"] == "HttpApi"]
    assert not _http_api_route_matches("/staff/{proxy+}", "/staff/")  # the matcher has teeth
    for path in ("/staff", "/staff/points", "/staff/admin/users/city/reset", "/api/staff", "/api/staff/me"):
        assert any(_http_api_route_matches(r, path) for r in routes), path
    assert any(_http_api_route_matches(r, "/staff") for r in routes)  # what /staff/ reaches the app as
    behaviors = sam["Resources"]["Cdn"]["Properties"]["DistributionConfig"]["CacheBehaviors"]
    staff = [b for b in behaviors if b["PathPattern"].startswith("/staff")]
    assert [b["TargetOriginId"] for b in staff] == ["api"]
    (only,) = staff
    assert re.fullmatch(only["PathPattern"].replace("*", ".*"), "/staff/")
    assert only["ForwardedValues"]["Cookies"] == {"Forward": "all"} and only["MaxTTL"] == 0
    assert "POST" in only["AllowedMethods"]
