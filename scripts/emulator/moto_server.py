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

3. Lambda refuses environments over 4 KB (see the Lambda block below; tests/integration/runtime-config.test.ts).
"""

import calendar
import sys
from datetime import datetime
from functools import partialmethod

import moto.stepfunctions.models as sfn_models
import moto.stepfunctions.responses as sfn_responses

from moto.backends import get_backend
from moto.rds import models
from moto.rds.exceptions import DBClusterSnapshotNotFoundError, DBSnapshotNotFoundFault
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



def epoch_seconds(value=None):
    # moto's datetimes are naive UTC (utcnow()).
    value = value or datetime.utcnow()
    return calendar.timegm(value.utctimetuple()) + value.microsecond / 1e6


sfn_models.iso_8601_datetime_with_milliseconds = epoch_seconds
sfn_responses.iso_8601_datetime_with_milliseconds = epoch_seconds


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

if __name__ == "__main__":
    main(sys.argv[1:])
