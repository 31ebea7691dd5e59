"""Data stores (one per bounded context and kind) and the shared VPC parameters."""
from __future__ import annotations

from typing import Any

from .base import KEY, App, FunctionSpec
from .cfn import GetAtt, Ref, Sub

VPC_SUBNETS = "VpcSubnetIds"
VPC_SG = "VpcSecurityGroupId"


def vpc_params(app: App) -> dict:
    app.param(VPC_SUBNETS, "List<AWS::EC2::Subnet::Id>", "Private subnets for the database, its proxy, tasks and"
              " the functions that reach them")
    app.param(VPC_SG, "AWS::EC2::SecurityGroup::Id", "Security group of the functions, tasks and database")
    return {"SubnetIds": Ref(VPC_SUBNETS), "SecurityGroupIds": [Ref(VPC_SG)]}


class Store:
    """How a function reaches a store: policies, environment, VPC."""

    def __init__(self, kind: str, resource: str, policies: list, env: dict, vpc: dict | None = None,
                 statements: list | None = None) -> None:
        self.kind, self.resource, self.policies, self.env, self.vpc = kind, resource, policies, env, vpc
        self._statements = statements or []

    def grant(self, app: App, fn: FunctionSpec) -> None:
        app.add_policy(fn.logical_id, *self.policies)
        app.add_env(fn.logical_id, **self.env)
        if self.vpc:
            app.props(fn.logical_id)["VpcConfig"] = self.vpc
            skips = app.resources[fn.logical_id]["Metadata"]["checkov"]["skip"]
            skips[:] = [s for s in skips if s["id"] != "CKV_AWS_117"]

    def statements(self) -> list[dict]:
        """The same access as IAM statements, for ECS task roles."""
        return list(self._statements)


def table(app: App, base: str, stream: bool = False) -> str:
    tid = app.new_id(base, "Table")
    props: dict[str, Any] = {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": Ref(KEY)}}
    if stream:
        props["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    app.add(tid, "AWS::DynamoDB::Table", props, DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    return tid


def enable_stream(app: App, table_id: str) -> None:
    app.props(table_id)["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def bucket(app: App, base: str, eventbridge: bool = False, name: Any = None) -> str:
    bid = app.new_id(base, "Bucket")
    props: dict[str, Any] = {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": GetAtt(KEY, "Arn")},
            "BucketKeyEnabled": True}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "VersioningConfiguration": {"Status": "Enabled"},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}
    if name is not None:
        props["BucketName"] = name
    if eventbridge:
        props["NotificationConfiguration"] = {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    app.add(bid, "AWS::S3::Bucket", props, DeletionPolicy="Retain", UpdateReplacePolicy="Retain",
            Metadata={"checkov": {"skip": [{"id": "CKV_AWS_18", "comment": "Access logging needs a separate log"
                                            " bucket; enable it when the app has one (CloudTrail data events"
                                            " are the alternative)"}]}})
    app.add(app.new_id(bid, "Policy"), "AWS::S3::BucketPolicy", {
        "Bucket": Ref(bid),
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [GetAtt(bid, "Arn"), Sub(f"${{{bid}.Arn}}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}})
    return bid


def aurora(app: App, base: str) -> Store:
    vpc = vpc_params(app)
    secret = app.param("DbSecretArn", "String", "ARN of the Secrets Manager secret (username, password) of the"
                       " database's master user")
    sng = app.add(app.new_id(base, "DbSubnetGroup"), "AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupDescription": Sub(f"${{AWS::StackName}} {base} database"), "SubnetIds": Ref(VPC_SUBNETS)})
    cluster = app.add(app.new_id(base, "DbCluster"), "AWS::RDS::DBCluster", {
        "Engine": "aurora-postgresql",
        "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4},
        "MasterUsername": Sub("{{resolve:secretsmanager:${DbSecretArn}:SecretString:username}}"),
        "MasterUserPassword": Sub("{{resolve:secretsmanager:${DbSecretArn}:SecretString:password}}"),
        "StorageEncrypted": True, "KmsKeyId": GetAtt(KEY, "Arn"),
        "DBSubnetGroupName": Ref(sng), "VpcSecurityGroupIds": [Ref(VPC_SG)],
        "BackupRetentionPeriod": 7, "CopyTagsToSnapshot": True, "DeletionProtection": True,
        "EnableIAMDatabaseAuthentication": True},
        DeletionPolicy="Snapshot", UpdateReplacePolicy="Snapshot")
    monitoring = app.add(app.new_id(base, "DbMonitoringRole"), "AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")]})
    app.add(app.new_id(base, "DbInstance"), "AWS::RDS::DBInstance", {
        "DBClusterIdentifier": Ref(cluster), "DBInstanceClass": "db.serverless", "Engine": "aurora-postgresql",
        "PubliclyAccessible": False, "AutoMinorVersionUpgrade": True,
        "MonitoringInterval": 60, "MonitoringRoleArn": GetAtt(monitoring, "Arn")},
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    role = app.service_role(base + "DbProxy", "rds.amazonaws.com", [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": Ref(secret)},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": GetAtt(KEY, "Arn")}])
    proxy = app.add(app.new_id(base, "DbProxy"), "AWS::RDS::DBProxy", {
        "DBProxyName": Sub(f"${{AWS::StackName}}-{base.lower()}"),
        "EngineFamily": "POSTGRESQL", "RequireTLS": True, "RoleArn": GetAtt(role, "Arn"),
        "Auth": [{"AuthScheme": "SECRETS", "SecretArn": Ref(secret), "IAMAuth": "DISABLED"}],
        "VpcSubnetIds": Ref(VPC_SUBNETS), "VpcSecurityGroupIds": [Ref(VPC_SG)]})
    app.add(app.new_id(base, "DbProxyTargets"), "AWS::RDS::DBProxyTargetGroup", {
        "DBProxyName": Ref(proxy), "TargetGroupName": "default", "DBClusterIdentifiers": [Ref(cluster)]})
    return Store("aurora-serverless", cluster,
                 [{"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": Ref(secret)}}],
                 {"DB_PROXY_ENDPOINT": GetAtt(proxy, "Endpoint"), "DB_SECRET_ARN": Ref(secret)}, vpc,
                 [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": Ref(secret)}])


def make_store(app: App, kind: str, base: str) -> Store | None:
    if kind == "dynamodb":
        tid = table(app, base)
        return Store(kind, tid, [{"DynamoDBCrudPolicy": {"TableName": Ref(tid)}}], {"TABLE_NAME": Ref(tid)},
                     statements=[{"Effect": "Allow", "Resource": GetAtt(tid, "Arn"), "Action": [
                         "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                         "dynamodb:Query"]}])
    if kind == "s3":
        bid = bucket(app, base + "Data")
        return Store(kind, bid, [{"S3CrudPolicy": {"BucketName": Ref(bid)}}], {"BUCKET_NAME": Ref(bid)},
                     statements=[{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                  "Resource": Sub(f"${{{bid}.Arn}}/*")}])
    if kind == "aurora-serverless":
        return aurora(app, base)
    return None
