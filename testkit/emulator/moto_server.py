"""Start moto's server with two test-only fixes, each to make moto answer as AWS does.

1. Snapshots shared from another account.

moto looks up the snapshot named by an ARN in the *caller's* account, so CopyDBSnapshot or
CopyDBClusterSnapshot of a snapshot shared from another account fails with "not found" even when it was
shared. AWS looks it up in the account named by the ARN and refuses (with the same not-found error) when
the caller's account is not in the snapshot's `restore` attribute. This launcher does the same, nothing
else. `get_db_snapshot` and `get_db_cluster_snapshot` are `functools.partialmethod`s bound to the original
`get_snapshot` when the class was created, so they are rebound here or the patch has no effect.

2. Step Functions timestamps. AWS's JSON protocol sends them as epoch seconds; moto sends ISO-8601 strings,
which boto3 tolerates but the JavaScript SDK v3 rejects ("Expected real number"), so every StartExecution or
DescribeExecution from our handlers would fail against moto. moto's stepfunctions modules format all their
dates through one imported helper; replacing that name there (and only there) yields epoch seconds.

Both are covered by tests/integration/emulator.test.ts.

3. IAM trust policies with a resource (see `refuse_resource_in_trust_policy`), tests/integration/iam-trust.test.ts.
4. and 5. The RDS refusals further down, tests/integration/emulator-rds.test.ts.
6. Execution outcomes (a test-only endpoint, not a leniency fix). The tests run state machine definitions with
aws-local-stepfunctions, while the executions are started, listed and described in moto, whose executions
stay RUNNING (or turn ABORTED when stopped). `POST /moto-api/rds-replication/execution-outcome` with
`{"executionArn", "status"}` records the local run's outcome (SUCCEEDED, FAILED, TIMED_OUT or ABORTED) on
moto's execution, as Step Functions would, so DescribeExecution answers what a re-run decision reads; covered
by tests/integration/emulator.test.ts.
7. Lambda refuses environments over 4 KB (see the Lambda block below; tests/integration/runtime-config.test.ts).
8. EventBridge delivers a matched event unchanged to a target without input transformation (block 8 below;
tests/integration/key-loss-pattern.test.ts).
9. Snapshot times (a test-only endpoint): see `set_snapshot_time`.
10. The RDS Data API on Aurora clusters (block 10 below; tests/integration/emulator-data-api.test.ts).
11. Step Functions task tokens: SendTask* refuse tokens no Task is waiting on, as AWS does (block 11 below;
tests/integration/task-tokens.test.ts).
12. Snapshot quota (a test knob, not a leniency fix): see `set_snapshot_quota`. Default unchanged (100).
"""

import calendar
import inspect
import json
import os
import sys
from datetime import datetime
from functools import partialmethod

import moto.stepfunctions.models as sfn_models
import moto.stepfunctions.responses as sfn_responses

from moto.backends import get_backend
from moto.moto_api._internal import urls as moto_api_urls
from moto.rds import models
from moto.rds.exceptions import DBClusterSnapshotNotFoundError, DBSnapshotNotFoundFault, RDSClientError
from moto.server import main


def get_snapshot(self, identifier, resource_type, not_found_exception):
    region, account = self.region_name, self.account_id
    name = identifier
    if identifier.startswith("arn:"):
        parts = identifier.split(":")
        # Automated snapshot ids contain a colon themselves ("rds:orders-2026-11-21-02-00").
        region, account, name = parts[3], parts[4], ":".join(parts[6:])
    backend = get_backend("rds")[account][region]
    snapshot = backend.resource_map[resource_type].get(name)
    if snapshot is None:
        raise not_found_exception(identifier)
    if account != self.account_id:
        allowed = snapshot.attributes.get("restore", [])
        if self.account_id not in allowed and "all" not in allowed:
            raise not_found_exception(identifier)
    return snapshot


models.RDSBackend.get_snapshot = get_snapshot
models.RDSBackend.get_db_snapshot = partialmethod(
    get_snapshot,
    resource_type=models.DBSnapshot,
    not_found_exception=DBSnapshotNotFoundFault,
)
models.RDSBackend.get_db_cluster_snapshot = partialmethod(
    get_snapshot,
    resource_type=models.DBClusterSnapshot,
    not_found_exception=DBClusterSnapshotNotFoundError,
)


# --- RDS: refusals AWS makes and moto does not (docs/aws-limits.md, tests/integration/emulator-rds.test.ts) ---
#
# 4. CopyDBClusterSnapshot with KmsKeyId of an unencrypted cluster snapshot. The RDS API reference
#    (CopyDBClusterSnapshot, KmsKeyId): "If you copy an unencrypted DB cluster snapshot and specify a value for
#    the KmsKeyId parameter, an error is returned." It names no error code; InvalidParameterCombination is the
#    code RDS uses for parameters that cannot go together. moto encrypts the copy instead.
# 5. DescribeDBSnapshots / DescribeDBClusterSnapshots of an automated snapshot (`rds:...`) without
#    SnapshotType. The reference (DBSnapshotIdentifier / DBClusterSnapshotIdentifier): "If this identifier is
#    for an automated snapshot, the SnapshotType parameter must also be specified." It documents no error for
#    the omission; the operation's only documented error is the not-found fault, which is what this answers.
#    moto finds the snapshot.


def is_automated_id(identifier):
    name = identifier.split(":snapshot:", 1)[-1].split(":cluster-snapshot:", 1)[-1]
    return name.startswith("rds:")


original_copy_db_cluster_snapshot = models.RDSBackend.copy_db_cluster_snapshot


def copy_db_cluster_snapshot(self, source_db_cluster_snapshot_identifier, target_db_cluster_snapshot_identifier,
                             kms_key_id=None, **kwargs):
    if kms_key_id is not None:
        source = self.get_db_cluster_snapshot(source_db_cluster_snapshot_identifier)
        if not source.storage_encrypted:
            raise RDSClientError(
                "InvalidParameterCombination",
                "You cannot encrypt an unencrypted DB cluster snapshot when you copy it: "
                f"{source_db_cluster_snapshot_identifier} is not encrypted and KmsKeyId was specified.",
            )
    return original_copy_db_cluster_snapshot(
        self, source_db_cluster_snapshot_identifier, target_db_cluster_snapshot_identifier, kms_key_id, **kwargs
    )


original_describe_db_snapshots = models.RDSBackend.describe_db_snapshots
original_describe_db_cluster_snapshots = models.RDSBackend.describe_db_cluster_snapshots


def describe_db_snapshots(self, db_instance_identifier, db_snapshot_identifier=None, snapshot_type=None,
                          filters=None):
    if db_snapshot_identifier and is_automated_id(db_snapshot_identifier) and snapshot_type != "automated":
        raise DBSnapshotNotFoundFault(db_snapshot_identifier)
    return original_describe_db_snapshots(self, db_instance_identifier, db_snapshot_identifier, snapshot_type,
                                          filters)


def describe_db_cluster_snapshots(self, db_cluster_identifier, db_snapshot_identifier, snapshot_type=None,
                                  filters=None):
    if db_snapshot_identifier and is_automated_id(db_snapshot_identifier) and snapshot_type != "automated":
        raise DBClusterSnapshotNotFoundError(db_snapshot_identifier)
    return original_describe_db_cluster_snapshots(self, db_cluster_identifier, db_snapshot_identifier,
                                                  snapshot_type, filters)


models.RDSBackend.copy_db_cluster_snapshot = copy_db_cluster_snapshot
models.RDSBackend.describe_db_snapshots = describe_db_snapshots
models.RDSBackend.describe_db_cluster_snapshots = describe_db_cluster_snapshots
# --- end of the RDS refusals ---



def epoch_seconds(value=None):
    # moto's datetimes are naive UTC (utcnow()).
    value = value or datetime.utcnow()
    return calendar.timegm(value.utctimetuple()) + value.microsecond / 1e6


sfn_models.iso_8601_datetime_with_milliseconds = epoch_seconds
sfn_responses.iso_8601_datetime_with_milliseconds = epoch_seconds


# --- 3. IAM: a trust policy names no resource --------------------------------------------------------------
# IAM's CreateRole and UpdateAssumeRolePolicy refuse a trust policy statement with Resource or NotResource
# ("MalformedPolicyDocument: Has prohibited field Resource"); moto's CreateRole stores it. Both calls are
# refused here, before moto's own handling, and nothing else about the document is judged.
# Covered by tests/integration/iam-trust.test.ts.
from moto.iam import models as iam_models  # noqa: E402
from moto.iam.exceptions import MalformedPolicyDocument  # noqa: E402


def refuse_resource_in_trust_policy(document):
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return  # not a JSON object: moto's own validation answers
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict) and ("Resource" in statement or "NotResource" in statement):
            raise MalformedPolicyDocument("Has prohibited field Resource")


def refusing_resource_in_trust_policy(method, document_parameter):
    signature = inspect.signature(method)

    def checked(self, *args, **kwargs):
        refuse_resource_in_trust_policy(signature.bind(self, *args, **kwargs).arguments[document_parameter])
        return method(self, *args, **kwargs)

    return checked


iam_models.IAMBackend.create_role = refusing_resource_in_trust_policy(
    iam_models.IAMBackend.create_role, "assume_role_policy_document"
)
iam_models.IAMBackend.update_assume_role_policy = refusing_resource_in_trust_policy(
    iam_models.IAMBackend.update_assume_role_policy, "policy_document"
)
# --- end of 3 ----------------------------------------------------------------------------------------------

OUTCOMES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def record_execution_outcome(request, full_url, headers):
    body = json.loads(request.data or b"{}")
    arn, status = body.get("executionArn", ""), body.get("status")
    if status not in OUTCOMES:
        return 400, {}, json.dumps({"message": f"status must be one of {OUTCOMES}"})
    region, account = arn.split(":")[3:5]
    execution = sfn_models.stepfunctions_backends[account][region].describe_execution(arn)
    execution.status = status
    execution.stop_date = datetime.utcnow()
    return 200, {}, json.dumps({"executionArn": arn, "status": status})


moto_api_urls.url_paths["{0}/moto-api/rds-replication/execution-outcome"] = record_execution_outcome


# 9. Snapshot times (a test-only endpoint, not a leniency fix). RDS reports when a snapshot was taken
# (SnapshotCreateTime, OriginalSnapshotCreateTime) and retention ages copies by those times, never by a tag;
# moto stamps every snapshot with the moment it is created. `POST /moto-api/rds-replication/snapshot-time`
# with `{"account", "region", "kind": "instance"|"cluster", "id", "createdAt"}` gives one snapshot the times
# RDS would report for a snapshot taken at `createdAt`, so a test can stand for copies made on earlier days;
# covered by tests/integration/emulator-rds.test.ts.
def set_snapshot_time(request, full_url, headers):
    body = json.loads(request.data or b"{}")
    backend = get_backend("rds")[body.get("account", "")][body.get("region", "")]
    kind = models.DBClusterSnapshot if body.get("kind") == "cluster" else models.DBSnapshot
    snapshot = backend.resource_map[kind].get(body.get("id", ""))
    if snapshot is None:
        return 404, {}, json.dumps({"message": f"no {body.get('kind')} snapshot {body.get('id')}"})
    created = datetime.fromisoformat(body["createdAt"].replace("Z", "+00:00"))
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z"
    snapshot.created = stamp
    if kind is models.DBSnapshot:
        snapshot.original_snapshot_create_time = stamp
    return 200, {}, json.dumps({"id": body.get("id"), "createdAt": stamp})


moto_api_urls.url_paths["{0}/moto-api/rds-replication/snapshot-time"] = set_snapshot_time


# 12. Snapshot quota (a test knob). moto refuses CreateDBSnapshot and CopyDBSnapshot with SnapshotQuotaExceeded
# once an account's region holds MOTO_RDS_SNAPSHOT_LIMIT snapshots (100, RDS's default manual snapshot quota,
# which moto applies to every snapshot of the region). A test of 300 queued copies needs more, as an account
# with a raised quota has: `POST /moto-api/rds-replication/snapshot-quota` with `{"limit": N}` sets it for the
# whole server, `{}` restores moto's default, and every `POST /moto-api/reset` restores it too, so a test that
# raises it cannot leak it into the next. Covered by tests/integration/emulator-rds.test.ts.
SNAPSHOT_LIMIT_VARIABLE = "MOTO_RDS_SNAPSHOT_LIMIT"


def set_snapshot_quota(request, full_url, headers):
    limit = json.loads(request.data or b"{}").get("limit")
    if limit is None:
        os.environ.pop(SNAPSHOT_LIMIT_VARIABLE, None)
    elif isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        os.environ[SNAPSHOT_LIMIT_VARIABLE] = str(limit)
    else:
        return 400, {}, json.dumps({"message": "limit must be a positive integer"})
    return 200, {}, json.dumps({"limit": int(os.environ.get(SNAPSHOT_LIMIT_VARIABLE, "100"))})


_reset_response = moto_api_urls.url_paths["{0}/moto-api/reset"]


def reset_with_default_quota(*args, **kwargs):
    os.environ.pop(SNAPSHOT_LIMIT_VARIABLE, None)
    return _reset_response(*args, **kwargs)


moto_api_urls.url_paths["{0}/moto-api/rds-replication/snapshot-quota"] = set_snapshot_quota
moto_api_urls.url_paths["{0}/moto-api/reset"] = reset_with_default_quota

# --- Lambda --------------------------------------------------------------------------------------------------
# AWS refuses CreateFunction and UpdateFunctionConfiguration when the environment variables together exceed
# 4 KB, measured as the JSON text of the Variables map (AWS's message quotes the "String measured"); moto
# accepts any size. Same error code and message as AWS.
import json

import moto.awslambda.models as lambda_models
from moto.awslambda.exceptions import InvalidParameterValueException

LAMBDA_ENVIRONMENT_LIMIT = 4096


def refuse_large_environment(spec):
    variables = (spec or {}).get("Environment", {}).get("Variables") or {}
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode("utf-8")) > LAMBDA_ENVIRONMENT_LIMIT:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}"
        )


original_create_function = lambda_models.LambdaBackend.create_function
original_update_function_configuration = lambda_models.LambdaBackend.update_function_configuration


def create_function(self, spec):
    refuse_large_environment(spec)
    return original_create_function(self, spec)


def update_function_configuration(self, function_name, qualifier, body):
    refuse_large_environment(body)
    return original_update_function_configuration(self, function_name, qualifier, body)


lambda_models.LambdaBackend.create_function = create_function
lambda_models.LambdaBackend.update_function_configuration = update_function_configuration
# --- end Lambda ----------------------------------------------------------------------------------------------

# --- 8. EventBridge: a target without input transformation gets the matched event as it is ------------------
# AWS passes the whole matched event to a target that sets no Input, InputPath or InputTransformer (PutTargets).
# moto renders even that case through its input-template parser, which imports jsonpath_ng, a module this
# environment does not have: every delivery to a target then fails with a 500. Without a transformer the event
# is passed through here; with one, moto's own parser runs. Covered by tests/integration/key-loss-pattern.test.ts.
import moto.events.utils as events_utils

_parse_template = events_utils.EventTemplateParser.parse


def parse_template(input_template, input_paths_map, event):
    if input_template or input_paths_map:
        return _parse_template(input_template, input_paths_map, event)
    return {key: value for key, value in event.items() if key != "ingestion-time"}


events_utils.EventTemplateParser.parse = staticmethod(parse_template)
# --- end of 8 ----------------------------------------------------------------------------------------------

# --- 10. The RDS Data API on Aurora clusters -------------------------------------------------------------------
# Restore tests query an Aurora test cluster through the Data API (functions/aws/dataApi.ts). moto answers
# ExecuteStatement with canned results whatever the cluster and secret, and its RDS model predates what the
# query needs. As AWS does (sources in docs/aws-limits.md):
# - ExecuteStatement of a cluster whose HTTP endpoint is not enabled fails with HttpEndpointNotEnabledException,
#   of a cluster that does not exist with NotFoundException, and with a secret that does not exist with
#   SecretsErrorException (RDS Data API reference, Errors); the canned result is returned only otherwise;
# - EnableHttpEndpoint (missing in moto) enables the endpoint of a provisioned or Serverless v2 cluster;
# - ModifyDBCluster with ManageMasterUserPassword makes RDS create the master user secret `rds!cluster-<id>` in
#   Secrets Manager and report it as MasterUserSecret (DescribeDBClusters too); deleting the cluster deletes it.
# Covered by tests/integration/emulator-data-api.test.ts.
import secrets as _secrets
import uuid

import moto.rds.responses as rds_responses
import moto.rdsdata.responses as rdsdata_responses
from moto.core.exceptions import JsonRESTError
from moto.rds.exceptions import DBClusterNotFoundError
from moto.secretsmanager.models import secretsmanager_backends


def _cluster_of_arn(arn):
    parts = (arn or "").split(":")
    if len(parts) < 7 or parts[2] != "rds" or parts[5] != "cluster":
        return None
    return get_backend("rds")[parts[4]][parts[3]].clusters.get(parts[6])


def _master_user_secret_xml(cluster):
    arn = getattr(cluster, "rr_master_secret_arn", None)
    if not arn:
        return ""
    return (f"<MasterUserSecret><SecretArn>{arn}</SecretArn><SecretStatus>active</SecretStatus>"
            f"<KmsKeyId>alias/aws/secretsmanager</KmsKeyId></MasterUserSecret>")


def _with_master_user_secrets(response, backend):
    status, headers, body = response
    for cluster in backend.clusters.values():
        extra = _master_user_secret_xml(cluster)
        marker = f"<DBClusterIdentifier>{cluster.db_cluster_identifier}</DBClusterIdentifier>"
        if extra and marker in body:
            body = body.replace(marker, marker + extra)
    return status, headers, body


_modify_db_cluster = rds_responses.RDSResponse.modify_db_cluster
_describe_db_clusters = rds_responses.RDSResponse.describe_db_clusters


def modify_db_cluster(self):
    manage = (self.querystring.get("ManageMasterUserPassword") or [""])[0].lower() == "true"
    cluster = self.backend.clusters.get((self.querystring.get("DBClusterIdentifier") or [""])[0])
    if manage and cluster is not None and not getattr(cluster, "rr_master_secret_arn", None):
        backend = secretsmanager_backends[self.current_account][self.region]
        value = {"username": cluster.master_username, "password": _secrets.token_urlsafe(24)}
        created = backend.create_secret(
            name=f"rds!cluster-{uuid.uuid4()}", secret_string=json.dumps(value), secret_binary=None,
            description=f"Master user secret of {cluster.db_cluster_identifier}", tags=None, kms_key_id=None,
            client_request_token=None, replica_regions=[], force_overwrite=False,
        )
        cluster.rr_master_secret_arn = json.loads(created)["ARN"] if isinstance(created, str) else created["ARN"]
    return _with_master_user_secrets(_modify_db_cluster(self), self.backend)


def describe_db_clusters(self):
    return _with_master_user_secrets(_describe_db_clusters(self), self.backend)


def enable_http_endpoint(self):
    arn = (self.querystring.get("ResourceArn") or [""])[0]
    cluster = _cluster_of_arn(arn)
    if cluster is None:
        raise DBClusterNotFoundError(arn)
    cluster._enable_http_endpoint = True
    body = (
        '<EnableHttpEndpointResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><EnableHttpEndpointResult>'
        f"<ResourceArn>{arn}</ResourceArn><HttpEndpointEnabled>true</HttpEndpointEnabled>"
        "</EnableHttpEndpointResult><ResponseMetadata><RequestId>"
        f"{uuid.uuid4()}</RequestId></ResponseMetadata></EnableHttpEndpointResponse>"
    )
    return 200, {"Content-Type": "text/xml"}, body


_dispatch = rds_responses.RDSResponse._dispatch


def dispatch(self, request, full_url, headers):
    # moto parses every request by its (older) RDS model, which has no EnableHttpEndpoint operation.
    self.setup_class(request, full_url, headers)
    if (self.querystring.get("Action") or [""])[0] != "EnableHttpEndpoint":
        return _dispatch(self, request, full_url, headers)
    try:
        return enable_http_endpoint(self)
    except RDSClientError as error:
        return error.code, {"Content-Type": "text/xml"}, error.get_body()


rds_responses.RDSResponse.modify_db_cluster = modify_db_cluster
rds_responses.RDSResponse.describe_db_clusters = describe_db_clusters
rds_responses.RDSResponse._dispatch = dispatch

_delete_db_cluster = models.RDSBackend.delete_db_cluster


def delete_db_cluster(self, cluster_identifier, snapshot_name=None):
    cluster = self.clusters.get(cluster_identifier)
    arn = getattr(cluster, "rr_master_secret_arn", None)
    deleted = _delete_db_cluster(self, cluster_identifier, snapshot_name)
    if arn:
        secretsmanager_backends[self.account_id][self.region_name].delete_secret(arn, None, True)
    return deleted


models.RDSBackend.delete_db_cluster = delete_db_cluster

_execute_statement = rdsdata_responses.RDSDataServiceResponse.execute_statement


def execute_statement(self):
    resource_arn = self._get_param("resourceArn")
    secret_arn = self._get_param("secretArn")
    cluster = _cluster_of_arn(resource_arn)
    if cluster is None:
        raise JsonRESTError("NotFoundException", f"DB cluster {resource_arn} not found")
    if not cluster.enable_http_endpoint:
        raise JsonRESTError(
            "HttpEndpointNotEnabledException", f"HttpEndpoint is not enabled for cluster {resource_arn}"
        )
    account, region = resource_arn.split(":")[4], resource_arn.split(":")[3]
    if not secretsmanager_backends[account][region]._is_valid_identifier(secret_arn or ""):
        raise JsonRESTError("SecretsErrorException", f"Secrets Manager can't find the specified secret {secret_arn}")
    return _execute_statement(self)


rdsdata_responses.RDSDataServiceResponse.execute_statement = execute_statement
# --- end of 10 -----------------------------------------------------------------------------------------------
# --- 11. Step Functions task tokens (the callback pattern, `.waitForTaskToken`) ---------------------------
# moto 5.1.1's SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat accept any token and do nothing (its
# default backend has `pass` there), so a handler resuming a run could never fail as it does on AWS. The runs
# are executed locally (testkit/stepfunctions.ts), which registers each Task's token here
# (`POST /moto-api/rds-replication/task-token` with `{"action": "issue"}` -> `{"token"}`, `{"action": "read",
# "token"}` -> the outcome, `{"action": "time-out", "token"}` when the Task's timeout passed). SendTask* then
# answer as the Step Functions API reference lists their errors: a token never issued is InvalidToken, a token
# whose Task timed out TaskTimedOut, a token whose Task already ended (completed once) TaskDoesNotExist, an
# output that is not JSON InvalidOutput (SendTaskSuccess). Covered by tests/integration/task-tokens.test.ts.
import uuid  # noqa: E402

from moto.core.exceptions import JsonRESTError  # noqa: E402

TASK_TOKENS = {}


class TaskTokenError(JsonRESTError):
    def __init__(self, code, message):
        super().__init__(code, message)


def task_token_of(token):
    entry = TASK_TOKENS.get(token)
    if entry is None:
        raise TaskTokenError("InvalidToken", "The provided token is not valid.")
    if entry["status"] == "TIMED_OUT":
        raise TaskTokenError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
    if entry["status"] != "PENDING":
        raise TaskTokenError("TaskDoesNotExist", "Provided task does not exist anymore")
    return entry


def send_task_success(self, task_token, outcome):
    entry = task_token_of(task_token)
    try:
        json.loads(outcome)
    except (TypeError, ValueError):
        raise TaskTokenError("InvalidOutput", "The provided JSON output data is not valid.")
    entry.update(status="SUCCEEDED", output=outcome)


def send_task_failure(self, task_token, error=None, cause=None):
    task_token_of(task_token).update(status="FAILED", error=error, cause=cause)


def send_task_heartbeat(self, task_token):
    task_token_of(task_token)


def send_task_failure_response(self):
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return 200, {}, "{}"


sfn_models.StepFunctionBackend.send_task_success = send_task_success
sfn_models.StepFunctionBackend.send_task_failure = send_task_failure
sfn_models.StepFunctionBackend.send_task_heartbeat = send_task_heartbeat
# moto's response drops the cause: the run's Catch hands it on as the error's Cause.
sfn_responses.StepFunctionResponse.send_task_failure = send_task_failure_response


def task_token(request, full_url, headers):
    body = json.loads(request.data or b"{}")
    action, token = body.get("action"), body.get("token", "")
    if action == "issue":
        token = uuid.uuid4().hex * 4
        TASK_TOKENS[token] = {"status": "PENDING"}
        return 200, {}, json.dumps({"token": token})
    entry = TASK_TOKENS.get(token)
    if entry is None:
        return 404, {}, json.dumps({"message": "no such token"})
    if action == "time-out" and entry["status"] == "PENDING":
        entry["status"] = "TIMED_OUT"
    elif action not in ("read", "time-out"):
        return 400, {}, json.dumps({"message": "action must be issue, read or time-out"})
    return 200, {}, json.dumps({"token": token, **entry})


moto_api_urls.url_paths["{0}/moto-api/rds-replication/task-token"] = task_token
# --- end of 11 ---------------------------------------------------------------------------------------------

if __name__ == "__main__":
    main(sys.argv[1:])
