"""API front doors: HTTP API, REST API (OpenAPI body we write), AppSync, WebSocket, Cognito.

A REST API's OpenAPI body is generated here for every integration kind
(Lambda proxy, Lambda asynchronous, Step Functions start / sync start,
SQS send), with security schemes written out too, because SAM only applies
its ``Auth`` settings to routes it creates from events.
"""
from __future__ import annotations

import json
from typing import Any

from .base import checkov_skip, App
from .cfn import GetAtt, Ref, Sub
from .channels import lambda_permission
from .sizes import tag

THROTTLE_BURST = 200
THROTTLE_RATE = 100

ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "routeKey": "$context.routeKey", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength",
    "integrationError": "$context.integrationErrorMessage"}, sort_keys=True)
REST_ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "resourcePath": "$context.resourcePath", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength"}, sort_keys=True)


def throttle(peak: float) -> tuple[int, int]:
    rate = max(10, int(peak * 2))
    return max(rate, THROTTLE_BURST), rate


def user_pool(app: App, base: str) -> tuple[str, str]:
    pool = app.add(app.new_id(base, "UserPool"), "AWS::Cognito::UserPool", {
        "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"],
        "MfaConfiguration": "OPTIONAL", "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireLowercase": True, "RequireNumbers": True,
                                        "RequireSymbols": True, "RequireUppercase": True}}},
        # no UserPoolAddOns.AdvancedSecurityMode: it needs the paid Plus tier, and new pools are Essentials,
        # so ENFORCED fails the stack (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html)
        DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    client = app.add(app.new_id(base, "UserPoolClient"), "AWS::Cognito::UserPoolClient", {
        "UserPoolId": Ref(pool), "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED"})
    app.output(pool + "Id", Ref(pool), "Cognito user pool that signs in the API's users")
    app.output(client + "Id", Ref(client), "App client id for the front end")
    return pool, client


def http_api(app: App, base: str, flow: Any, function_id: str, path: str) -> str:
    """HTTP API -> function (payload v2), with access logs, throttling and the flow's auth."""
    lg = app.log_group(app.new_id(base, "HttpApiLogs"), Sub(f"/aws/apigateway/${{AWS::StackName}}-{base}-http"))
    burst, rate = throttle(flow.traffic.peak)
    props: dict[str, Any] = {
        "AccessLogSettings": {"DestinationArn": GetAtt(lg, "Arn"), "Format": ACCESS_LOG_FORMAT},
        "DefaultRouteSettings": {"ThrottlingBurstLimit": burst, "ThrottlingRateLimit": rate}}
    auth = flow.auth or "none"
    event_props: dict[str, Any] = {"Method": "POST", "Path": path}
    if auth == "users":
        pool, client = user_pool(app, base)
        props["Auth"] = {"DefaultAuthorizer": "Cognito", "Authorizers": {"Cognito": {
            "IdentitySource": "$request.header.Authorization",
            "JwtConfiguration": {"issuer": Sub(f"https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{{pool}}}"),
                                 "audience": [Ref(client)]}}}}
    elif auth == "iam":
        props["Auth"] = {"EnableIamAuthorizer": True, "DefaultAuthorizer": "AWS_IAM"}
    api = app.add(app.new_id(base, "HttpApi"), "AWS::Serverless::HttpApi", props)
    event_props["ApiId"] = Ref(api)
    app.add_event(function_id, "Api", {"Type": "HttpApi", "Properties": event_props})
    app.output(api + "Url", Sub(f"https://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}{path}"),
               f"POST here to start {flow.name}")
    return api


def rest_api(app: App, base: str, flow: Any, path: str, integration: dict, *, invoke_function: str | None = None,
             role_statements: list | None = None, auth: str | None = None, routes: dict | None = None,
             purpose: str | None = None) -> str:
    """REST API with POST routes (``routes``: path -> integration; by default ``path`` -> ``integration``),
    written as OpenAPI. ``auth`` overrides the flow's."""
    lg = app.log_group(app.new_id(base, "RestApiLogs"), Sub(f"/aws/apigateway/${{AWS::StackName}}-{base}-rest"))
    burst, rate = throttle(flow.traffic.peak)
    auth = auth or flow.auth or "none"
    schemes: dict[str, Any] = {}
    security: list = []
    if auth == "users":
        pool, _ = user_pool(app, base)
        schemes["cognito"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                              "x-amazon-apigateway-authtype": "cognito_user_pools",
                              "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                                                 "providerARNs": [GetAtt(pool, "Arn")]}}
        security = [{"cognito": []}]
    elif auth == "iam":
        schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                            "x-amazon-apigateway-authtype": "awsSigv4"}
        security = [{"sigv4": []}]
    elif auth == "api-key":
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        security = [{"api_key": []}]
    role = app.service_role(base + "ApiIntegration", "apigateway.amazonaws.com", role_statements) \
        if role_statements else None
    paths = {}
    for route, route_integration in (routes or {path: integration}).items():
        if role:
            route_integration = {**route_integration, "credentials": GetAtt(role, "Arn")}
        operation: dict[str, Any] = {
            "responses": {"200": {"description": "done"}, "202": {"description": "accepted"},
                          "500": {"description": "the work failed"}, "504": {"description": "the work timed out"}},
            "x-amazon-apigateway-integration": route_integration}
        if security:
            operation["security"] = security
        paths[route] = {"post": operation}
    body: dict[str, Any] = {"openapi": "3.0.1", "info": {"title": Sub(f"${{AWS::StackName}}-{flow.name}"),
                                                         "version": "1.0"},
                            "paths": paths}
    if schemes:
        body["components"] = {"securitySchemes": schemes}
    api = app.add(app.new_id(base, "RestApi"), "AWS::Serverless::Api", {
        "StageName": "v1", "OpenApiVersion": "3.0", "EndpointConfiguration": {"Type": "REGIONAL"},
        "TracingEnabled": True, "DefinitionBody": body,
        "AccessLogSetting": {"DestinationArn": GetAtt(lg, "Arn"), "Format": REST_ACCESS_LOG_FORMAT},
        "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": burst,
                            "ThrottlingRateLimit": rate, "LoggingLevel": "ERROR", "MetricsEnabled": True}]},
        Metadata={"checkov": {"skip": [{"id": "CKV_AWS_120", "comment": "Caching a POST that starts work is"
                                        " meaningless and costs at least $0.02/h"}]}})
    if auth == "api-key":
        plan = app.add(app.new_id(base, "UsagePlan"), "AWS::ApiGateway::UsagePlan", {
            "ApiStages": [{"ApiId": Ref(api), "Stage": Ref(api + ".Stage")}],
            "Throttle": {"BurstLimit": burst, "RateLimit": rate}})
        key = app.add(app.new_id(base, "ApiKey"), "AWS::ApiGateway::ApiKey", {"Enabled": True})
        app.add(app.new_id(base, "UsagePlanKey"), "AWS::ApiGateway::UsagePlanKey", {
            "KeyId": Ref(key), "KeyType": "API_KEY", "UsagePlanId": Ref(plan)})
    if invoke_function:
        lambda_permission(app, invoke_function, "apigateway.amazonaws.com",
                          Sub(f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*"))
    app.output(api + "Url", Sub(f"https://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/v1{path}"),
               purpose or f"POST here to start {flow.name}")
    return api


def approval_api(app: App, base: str, flow: Any) -> str:
    """POST /approve and /reject with {"taskToken", "reason"}: Step Functions service integrations that end the
    wait of a human approval. IAM-authorised: the token alone must not let anyone on the internet decide.
    SendTaskSuccess/Failure have no resource-level permissions (the token names the execution), hence "*":
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html"""
    def call(action: str, template: str) -> dict:
        return {"type": "aws", "httpMethod": "POST", "passthroughBehavior": "never",
                "uri": Sub(f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:states:action/{action}"),
                "requestTemplates": {"application/json": template},
                "responses": {"default": {"statusCode": "200",
                                          "responseTemplates": {"application/json": '{"status": "recorded"}'}}}}
    token = '"taskToken": "$util.escapeJavaScript($input.path(\'$.taskToken\'))"'
    routes = {"/approve": call("SendTaskSuccess", "{" + token + ', "output": "{\\"approved\\": true}"}'),
              "/reject": call("SendTaskFailure", "{" + token + ', "error": "Rejected", "cause": '
                              '"$util.escapeJavaScript($input.path(\'$.reason\'))"}')}
    api = rest_api(app, base + "Approval", flow, "/approve", routes["/approve"], routes=routes, auth="iam",
                   purpose=f"POST a task token here (IAM auth) to approve a waiting {flow.name}; /reject refuses it",
                   role_statements=[{"Effect": "Allow", "Action": ["states:SendTaskSuccess", "states:SendTaskFailure"],
                                     "Resource": "*"}])
    tag(app.resources[api], f"{flow.name}/approval-api")  # a node of the model: a person's way back
    return api


def lambda_uri(function_id: str) -> Any:
    return Sub(f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/"
               f"${{{function_id}.Arn}}/invocations")


def lambda_proxy(function_id: str) -> dict:
    return {"type": "aws_proxy", "httpMethod": "POST", "uri": lambda_uri(function_id),
            "payloadFormatVersion": "1.0"}


def lambda_async(function_id: str) -> dict:
    """Non-proxy integration that invokes the function with InvocationType Event and answers 202."""
    return {"type": "aws", "httpMethod": "POST", "uri": lambda_uri(function_id),
            "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
            "passthroughBehavior": "when_no_templates",
            "responses": {"default": {"statusCode": "202",
                                      "responseTemplates": {"application/json": '{"status": "accepted"}'}}}}


def sfn_start(state_machine: str, sync: bool) -> dict:
    action = "StartSyncExecution" if sync else "StartExecution"
    # StartSyncExecution answers HTTP 200 whatever the execution did; the status is in the body. The mapping
    # overrides the response status when it is not SUCCEEDED (504 for a timeout, 500 otherwise):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
    output = ('#set($r = $input.path(\'$\'))\n#if($r.status == "SUCCEEDED")$r.output#{else}'
              '#if($r.status == "TIMED_OUT")#set($context.responseOverride.status = 504)'
              '#{else}#set($context.responseOverride.status = 500)#end'
              '{"error": "$r.error", "cause": "$util.escapeJavaScript($r.cause)"}#end') if sync else \
        '{"executionArn": "$input.path(\'$.executionArn\')"}'
    return {"type": "aws", "httpMethod": "POST",
            "uri": Sub(f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:states:action/{action}"),
            "passthroughBehavior": "never",
            "requestTemplates": {"application/json": Sub(
                '{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "${SM}"}',
                {"SM": Ref(state_machine)})},
            "responses": {"default": {"statusCode": "200" if sync else "202",
                                      "responseTemplates": {"application/json": output}}}}


def sqs_send(queue: str) -> dict:
    return {"type": "aws", "httpMethod": "POST",
            "uri": Sub(f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:sqs:path/${{AWS::AccountId}}/"
                       f"${{{queue}.QueueName}}"),
            "passthroughBehavior": "never",
            "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
            "requestTemplates": {"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
            "responses": {"default": {"statusCode": "202",
                                      "responseTemplates": {"application/json": '{"status": "queued"}'}}}}


def appsync(app: App, base: str, flow: Any, function_id: str) -> str:
    """AppSync GraphQL API with a direct Lambda resolver for one mutation."""
    auth = flow.auth or "none"
    logs_role = app.service_role(base + "AppSyncLogs", "appsync.amazonaws.com", [{
        "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/appsync/*")}])
    props: dict[str, Any] = {"Name": Sub(f"${{AWS::StackName}}-{flow.name}"), "XrayEnabled": True,
                             "LogConfig": {"CloudWatchLogsRoleArn": GetAtt(logs_role, "Arn"),
                                           "FieldLogLevel": "ERROR"}}
    if auth == "users":
        pool, _ = user_pool(app, base)
        props["AuthenticationType"] = "AMAZON_COGNITO_USER_POOLS"
        props["UserPoolConfig"] = {"UserPoolId": Ref(pool), "AwsRegion": Ref("AWS::Region"),
                                   "DefaultAction": "ALLOW"}
    elif auth == "api-key":
        props["AuthenticationType"] = "API_KEY"
    else:
        props["AuthenticationType"] = "AWS_IAM"
    api = app.add(app.new_id(base, "GraphQLApi"), "AWS::AppSync::GraphQLApi", props, Metadata=checkov_skip(
        ("CKV2_AWS_33", "AWS WAF costs at least $5 a month per web ACL plus $1 per rule, before requests; the API "
                        f"authenticates every call ({props['AuthenticationType']}). Associate a web ACL "
                        "(AWS::WAFv2::WebACLAssociation) before exposing it to the public internet.")))
    if auth == "api-key":
        app.add(app.new_id(base, "GraphQLApiKey"), "AWS::AppSync::ApiKey", {"ApiId": GetAtt(api, "ApiId")})
    field = "start" + base
    schema = app.add(app.new_id(base, "GraphQLSchema"), "AWS::AppSync::GraphQLSchema", {
        "ApiId": GetAtt(api, "ApiId"),
        "Definition": ("type Result {\n  id: ID!\n  status: String!\n}\n\n"
                       "type Query {\n  ping: String\n}\n\n"
                       f"type Mutation {{\n  {field}(input: AWSJSON!): Result\n}}\n\n"
                       "schema {\n  query: Query\n  mutation: Mutation\n}\n")})
    role = app.service_role(base + "AppSyncInvoke", "appsync.amazonaws.com", [{
        "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": GetAtt(function_id, "Arn")}])
    ds = app.add(app.new_id(base, "GraphQLDataSource"), "AWS::AppSync::DataSource", {
        "ApiId": GetAtt(api, "ApiId"), "Name": base + "Function", "Type": "AWS_LAMBDA",
        "ServiceRoleArn": GetAtt(role, "Arn"), "LambdaConfig": {"LambdaFunctionArn": GetAtt(function_id, "Arn")}})
    app.add(app.new_id(base, "GraphQLResolver"), "AWS::AppSync::Resolver", {
        "ApiId": GetAtt(api, "ApiId"), "TypeName": "Mutation", "FieldName": field,
        "DataSourceName": GetAtt(ds, "Name"), "Kind": "UNIT"}, DependsOn=[schema])
    app.output(api + "Url", GetAtt(api, "GraphQLUrl"), f"GraphQL endpoint; mutation {field} starts {flow.name}")
    return api


def websocket(app: App, base: str, flow: Any, function_id: str) -> str:
    """WebSocket API: $connect, $disconnect and $default routes to one function."""
    api = app.add(app.new_id(base, "WebSocketApi"), "AWS::ApiGatewayV2::Api", {
        "Name": Sub(f"${{AWS::StackName}}-{flow.name}"), "ProtocolType": "WEBSOCKET",
        "RouteSelectionExpression": "$request.body.action"})
    integ = app.add(app.new_id(base, "WebSocketIntegration"), "AWS::ApiGatewayV2::Integration", {
        "ApiId": Ref(api), "IntegrationType": "AWS_PROXY",
        "IntegrationUri": lambda_uri(function_id)})
    routes = []
    for key, name in (("$connect", "Connect"), ("$disconnect", "Disconnect"), ("$default", "Default")):
        route: dict[str, Any] = {"ApiId": Ref(api), "RouteKey": key, "Target": Sub(f"integrations/${{{integ}}}")}
        if key == "$connect":
            route["AuthorizationType"] = "AWS_IAM" if flow.auth == "iam" else "NONE"
        routes.append(app.add(app.new_id(base, "WebSocket", name, "Route"), "AWS::ApiGatewayV2::Route", route))
    lg = app.log_group(app.new_id(base, "WebSocketLogs"), Sub(f"/aws/apigateway/${{AWS::StackName}}-{base}-ws"))
    deployment = app.add(app.new_id(base, "WebSocketDeployment"), "AWS::ApiGatewayV2::Deployment",
                         {"ApiId": Ref(api)}, DependsOn=routes)
    burst, rate = throttle(flow.traffic.peak)
    app.add(app.new_id(base, "WebSocketStage"), "AWS::ApiGatewayV2::Stage", {
        "ApiId": Ref(api), "StageName": "v1", "DeploymentId": Ref(deployment),
        "AccessLogSettings": {"DestinationArn": GetAtt(lg, "Arn"), "Format": ACCESS_LOG_FORMAT},
        "DefaultRouteSettings": {"ThrottlingBurstLimit": burst, "ThrottlingRateLimit": rate}})
    lambda_permission(app, function_id, "apigateway.amazonaws.com",
                      Sub(f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*"))
    app.add_policy(function_id, {"Statement": [{
        "Effect": "Allow", "Action": "execute-api:ManageConnections",
        "Resource": Sub(f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*")}]})
    app.output(api + "Url", Sub(f"wss://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/v1"),
               f"WebSocket endpoint of {flow.name}")
    return api
