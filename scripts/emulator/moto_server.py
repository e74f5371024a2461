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

3. Execution outcomes (a test-only endpoint, not a leniency fix). The tests run state machine definitions with
aws-local-stepfunctions, while the executions are started, listed and described in moto, whose executions
stay RUNNING (or turn ABORTED when stopped). `POST /moto-api/rds-replication/execution-outcome` with
`{"executionArn", "status"}` records the local run's outcome (SUCCEEDED, FAILED, TIMED_OUT or ABORTED) on
moto's execution, as Step Functions would, so DescribeExecution answers what a re-run decision reads.

All three are covered by tests/integration/emulator.test.ts.
"""

import calendar
import json
import sys
from datetime import datetime
from functools import partialmethod

import moto.stepfunctions.models as sfn_models
import moto.stepfunctions.responses as sfn_responses

from moto.backends import get_backend
from moto.moto_api._internal import urls as moto_api_urls
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

if __name__ == "__main__":
    main(sys.argv[1:])
